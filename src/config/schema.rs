//! The `models.providers.vllm` schema (OpenClaw's strict provider and model objects).

use super::reader::{expected, join, Obj};
use super::Diagnostic;
use crate::error::ProviderError;
use crate::models::{Cost, ModelDefinition, ModelSource, WrittenFields, CONFIGURED_DEFAULT_CONTEXT_WINDOW};
use serde_json::{Map, Value};

const PROVIDER_KEYS: &[&str] = &[
    "baseUrl", "apiKey", "auth", "api", "maxTokens", "timeoutSeconds", "region", "injectNumCtxForOpenAICompat",
    "params", "agentRuntime", "localService", "headers", "authHeader", "request", "models",
];
const MODEL_KEYS: &[&str] = &[
    "id", "name", "api", "baseUrl", "reasoning", "input", "cost", "contextWindow", "contextTokens", "maxTokens",
    "thinkingLevelMap", "params", "agentRuntime", "headers", "compat", "mediaInput", "metadataSource",
];
const INPUT_KINDS: &[&str] = &["text", "image", "video", "audio"];
const APIS: &[&str] = &[
    "openai-completions", "openai-responses", "openai-chatgpt-responses", "anthropic-messages", "google-generative-ai",
    "google-vertex", "github-copilot", "bedrock-converse-stream", "ollama", "pi-messages", "azure-openai-responses",
];

/// What the declared provider entry says.
#[derive(Clone, Debug, Default)]
pub struct DeclaredProvider {
    /// `baseUrl` as written (after `${VAR}` substitution).
    pub base_url: Option<String>,
    /// `timeoutSeconds`.
    pub timeout_seconds: Option<u64>,
    /// `headers` with string values.
    pub headers: Vec<(String, String)>,
    /// Declared model rows with defaults applied.
    pub models: Vec<ModelDefinition>,
}

/// Validates and reads the provider entry.
pub fn read_provider(map: &Map<String, Value>, path: &str, warnings: &mut Vec<Diagnostic>) -> Result<DeclaredProvider, ProviderError> {
    let o = Obj { map, path };
    o.only_keys(PROVIDER_KEYS)?;
    if let Some(api) = o.opt_str("api")? {
        check_api(api, &join(path, "api"))?;
        if api != "openai-completions" {
            warnings.push(Diagnostic::warning(&join(path, "api"), format!("api \"{api}\" is not what vLLM speaks here; requests use openai-completions")));
        }
    }
    match map.get("apiKey") {
        None | Some(Value::String(_)) | Some(Value::Object(_)) => {}
        Some(v) => return Err(expected(&join(path, "apiKey"), "a string or a SecretRef object", v)),
    }
    let provider_max_tokens = o.opt_positive("maxTokens")?.map(|x| x as u64);
    let mut headers = Vec::new();
    if let Some((h, hpath)) = o.opt_obj("headers")? {
        for (k, v) in h {
            match v {
                Value::String(s) => headers.push((k.clone(), s.clone())),
                Value::Object(_) => warnings.push(Diagnostic::warning(&join(&hpath, k), "secret-reference header values cannot be read in this runtime; the header is not sent")),
                other => return Err(expected(&join(&hpath, k), "a string", other)),
            }
        }
    }
    let mut models = Vec::new();
    if let Some(rows) = o.opt_array("models")? {
        for (i, row) in rows.iter().enumerate() {
            let rpath = format!("{path}.models[{i}]");
            let Value::Object(m) = row else { return Err(expected(&rpath, "an object", row)) };
            models.push(read_model(m, &rpath, provider_max_tokens)?);
        }
    }
    Ok(DeclaredProvider {
        base_url: o.opt_str("baseUrl")?.map(str::to_string),
        timeout_seconds: o.opt_positive_int("timeoutSeconds")?,
        headers,
        models,
    })
}

fn check_api(api: &str, path: &str) -> Result<(), ProviderError> {
    if api == "openai-codex-responses" {
        return Err(ProviderError::config_at(
            path,
            "\"openai-codex-responses\" is a removed api id; use \"openai-chatgpt-responses\"",
            "For vLLM use api: \"openai-completions\".",
        ));
    }
    if !APIS.contains(&api) {
        return Err(ProviderError::config_at(path, format!("{path}: unknown api \"{api}\""), "For vLLM use api: \"openai-completions\"."));
    }
    Ok(())
}

fn read_model(m: &Map<String, Value>, path: &str, provider_max_tokens: Option<u64>) -> Result<ModelDefinition, ProviderError> {
    let o = Obj { map: m, path };
    o.only_keys(MODEL_KEYS)?;
    let id = o.opt_nonempty_str("id")?.ok_or_else(|| missing(path, "id"))?.trim().to_string();
    let name = o.opt_nonempty_str("name")?.ok_or_else(|| missing(path, "name"))?.to_string();
    if let Some(api) = o.opt_str("api")? {
        check_api(api, &join(path, "api"))?;
    }
    let input = match o.opt_array("input")? {
        None => vec!["text".to_string()],
        Some(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v.as_str() {
                Some(s) if INPUT_KINDS.contains(&s) => Ok(s.to_string()),
                _ => Err(expected(&format!("{path}.input[{i}]"), "one of \"text\", \"image\", \"video\", \"audio\"", v)),
            })
            .collect::<Result<_, _>>()?,
    };
    let written_window = o.opt_positive("contextWindow")?.map(|x| x as u64);
    let context_window = written_window.unwrap_or(CONFIGURED_DEFAULT_CONTEXT_WINDOW);
    let written_max = o.opt_positive("maxTokens")?.map(|x| x as u64).or(provider_max_tokens);
    let max_tokens = written_max.map(|t| t.min(context_window));
    let compat = o.opt_obj("compat")?.map(|(c, _)| c.clone());
    let written_reasoning = o.opt_bool("reasoning")?;
    let reasoning = written_reasoning.unwrap_or_else(|| is_qwen_thinking(compat.as_ref()));
    let written = WrittenFields {
        context_window: written_window.is_some(),
        max_tokens: written_max.is_some(),
        reasoning: written_reasoning.is_some() || is_qwen_thinking(compat.as_ref()),
        input: m.contains_key("input"),
    };
    Ok(ModelDefinition {
        id,
        name,
        reasoning,
        input,
        cost: read_cost(&o)?,
        context_window,
        max_tokens,
        context_tokens: o.opt_positive_int("contextTokens")?,
        compat,
        params: o.opt_obj("params")?.map(|(p, _)| p.clone()),
        source: ModelSource::Config,
        parent: None,
        written,
    })
}

/// A vLLM row with a Qwen thinking format and no explicit `reasoning` is a reasoning model.
fn is_qwen_thinking(compat: Option<&Map<String, Value>>) -> bool {
    matches!(compat.and_then(|c| c.get("thinkingFormat")).and_then(Value::as_str), Some("qwen" | "qwen-chat-template"))
}

fn read_cost(o: &Obj) -> Result<Cost, ProviderError> {
    let Some((c, cpath)) = o.opt_obj("cost")? else { return Ok(Cost::default()) };
    let n = |k: &str| -> Result<f64, ProviderError> {
        match c.get(k) {
            None => Ok(0.0),
            Some(v) => v.as_f64().filter(|x| *x >= 0.0 && x.is_finite()).ok_or_else(|| expected(&join(&cpath, k), "a number of at least 0", v)),
        }
    };
    Ok(Cost { input: n("input")?, output: n("output")?, cache_read: n("cacheRead")?, cache_write: n("cacheWrite")? })
}

fn missing(path: &str, key: &str) -> ProviderError {
    ProviderError::config_at(
        &join(path, key),
        format!("{}: required", join(path, key)),
        format!("Every model row needs \"{key}\" (OpenClaw's schema requires id and name)."),
    )
}

/// Where a `vllm/*` wildcard was found in the effective model-policy allow-list, if anywhere:
/// the agent's own policy, then `agents.defaults.modelPolicy.allow`, then (legacy configs without any
/// `modelPolicy`) the keys of `agents.defaults.models`.
pub fn allow_list_wildcard(root: &Map<String, Value>, agent_id: Option<&str>) -> Option<String> {
    let agents = root.get("agents")?.as_object()?;
    let has_wildcard = |list: &Value| {
        list.as_array().is_some_and(|a| {
            a.iter().filter_map(Value::as_str).any(|e| {
                let (p, m) = e.split_once('/').unwrap_or((e, ""));
                p.trim().eq_ignore_ascii_case("vllm") && m.trim() == "*"
            })
        })
    };
    if let Some(id) = agent_id {
        let entry = agents.get("entries").and_then(|e| e.get(id)).or_else(|| {
            agents.get("list").and_then(Value::as_array).and_then(|l| l.iter().find(|a| a.get("id").and_then(Value::as_str) == Some(id)))
        });
        if let Some(allow) = entry.and_then(|e| e.get("modelPolicy")).and_then(|p| p.get("allow")) {
            return has_wildcard(allow).then(|| format!("the model policy of agent \"{id}\""));
        }
    }
    let defaults = agents.get("defaults")?.as_object()?;
    if let Some(policy) = defaults.get("modelPolicy") {
        return policy.get("allow").filter(|a| has_wildcard(a)).map(|_| "agents.defaults.modelPolicy.allow".to_string());
    }
    let legacy = defaults.get("models")?.as_object()?;
    legacy
        .keys()
        .any(|k| {
            let (p, m) = k.split_once('/').unwrap_or((k, ""));
            p.trim().eq_ignore_ascii_case("vllm") && m.trim() == "*"
        })
        .then(|| "agents.defaults.models (legacy config without modelPolicy)".to_string())
}
