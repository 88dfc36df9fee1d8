//! Model references such as `vllm/Qwen/Qwen3-8B`.

use crate::error::ProviderError;
use serde::Serialize;

/// A parsed model reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModelRef {
    /// Lower-cased provider id (`vllm`).
    pub provider: String,
    /// Provider-local model id, which may itself contain slashes.
    pub model: String,
}

/// Splits on the first `/` and lower-cases the provider; the rest is the model id as written, so
/// `vllm/vllm/foo` is model `vllm/foo` (OpenClaw 2026.9.6 does not reduce it, errata §0.1 item 5). A
/// ref without a slash is a bare model id of provider `vllm`.
pub fn parse_model_ref(reference: &str) -> Result<ModelRef, ProviderError> {
    let trimmed = reference.trim();
    let invalid = |why: &str| {
        ProviderError::config_at(
            "",
            format!("Invalid model reference \"{trimmed}\": {why}"),
            "Write a model reference as \"vllm/<model id>\", e.g. \"vllm/Qwen/Qwen3-8B\".",
        )
    };
    let (provider, model) = match trimmed.split_once('/') {
        Some((p, m)) => (p.trim().to_ascii_lowercase(), m.trim()),
        None => ("vllm".to_string(), trimmed),
    };
    if provider.is_empty() {
        return Err(invalid("the provider part is empty"));
    }
    if model.is_empty() {
        return Err(invalid("the model part is empty"));
    }
    Ok(ModelRef { provider, model: model.to_string() })
}

impl crate::config::Provider {
    /// The provider-local model id for `reference`: an alias from `agents.defaults.models`, a
    /// `vllm/<id>` ref (also `vllm/<alias>`), or a bare id. Refs of other providers are config errors.
    pub fn resolve_model(&self, reference: &str) -> Result<String, ProviderError> {
        let aliases = &self.describe().aliases;
        let trimmed = reference.trim();
        let target = aliases.get(trimmed).map(String::as_str).unwrap_or(trimmed);
        let r = parse_model_ref(target)?;
        if r.provider != "vllm" {
            return Err(ProviderError::config_at(
                "",
                format!("Model reference \"{trimmed}\" belongs to provider \"{}\", not vllm", r.provider),
                "Use a \"vllm/<model id>\" reference, or a bare model id.",
            ));
        }
        match aliases.get(&r.model) {
            Some(via) if target == trimmed => Ok(parse_model_ref(via)?.model),
            _ => Ok(r.model),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_the_first_slash_only() {
        let r = parse_model_ref("vllm/Qwen/Qwen3-8B").unwrap();
        assert_eq!((r.provider.as_str(), r.model.as_str()), ("vllm", "Qwen/Qwen3-8B"));
    }

    #[test]
    fn lower_cases_the_provider_and_keeps_a_self_prefix_in_the_model_id() {
        let r = parse_model_ref(" VLLM/vllm/foo ").unwrap();
        assert_eq!((r.provider.as_str(), r.model.as_str()), ("vllm", "vllm/foo"));
    }

    #[test]
    fn bare_ids_belong_to_vllm() {
        assert_eq!(parse_model_ref("tiny-model").unwrap().provider, "vllm");
    }

    #[test]
    fn aliases_and_provider_checks() {
        let cfg = "{agents:{defaults:{model:{primary:'vllm/qwen', fallbacks:['vllm/Qwen/Qwen3-8B']}, models:{'vllm/Qwen/Qwen3-8B':{alias:'qwen'}}}}}";
        let p = crate::config::resolve(&crate::config::ResolveInput {
            config: Some(crate::config::ConfigInput::Text(cfg.into())),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(p.resolve_model("qwen").unwrap(), "Qwen/Qwen3-8B");
        assert_eq!(p.resolve_model("vllm/qwen").unwrap(), "Qwen/Qwen3-8B", "configured primaries accept provider/alias");
        assert_eq!(p.resolve_model("vllm/vllm/foo").unwrap(), "vllm/foo");
        assert_eq!(p.resolve_model("tiny").unwrap(), "tiny");
        assert!(p.resolve_model("openai/gpt-5").unwrap_err().message.contains("belongs to provider \"openai\""));
        let d = serde_json::to_value(p.describe()).unwrap();
        assert_eq!(d["defaultModel"], serde_json::json!({"primary":"vllm/qwen","fallbacks":["vllm/Qwen/Qwen3-8B"]}));
        assert_eq!(d["aliases"]["qwen"], "vllm/Qwen/Qwen3-8B");
    }

    #[test]
    fn empty_parts_are_config_errors() {
        for bad in ["", "/x", "vllm/", "vllm/ "] {
            assert_eq!(parse_model_ref(bad).unwrap_err().code, crate::error::ErrorCode::Config, "{bad}");
        }
    }
}
