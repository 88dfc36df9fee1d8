//! Where the provider's key comes from, and whether it is a real key or a non-secret marker.

use super::Diagnostic;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The env var OpenClaw reads for vLLM.
pub const API_KEY_ENV: &str = "VLLM_API_KEY";
/// The key OpenClaw synthesises for explicit local providers without one (never sent).
pub const SYNTHETIC_LOCAL_KEY: &str = "custom-local";

/// Values that name a credential instead of being one (OpenClaw's non-secret markers); a request
/// never sends them as `Bearer …`.
pub fn is_marker(value: &str) -> bool {
    let v = value.trim();
    matches!(
        v,
        "custom-local" | "codex-app-server" | "gcp-vertex-credentials" | "ollama-local" | "secretref-managed"
            | "AWS_BEARER_TOKEN_BEDROCK" | "AWS_ACCESS_KEY_ID" | "AWS_PROFILE"
    ) || v.starts_with("oauth:")
        || v.starts_with("secretref-env:")
        || is_known_env_name(v)
}

/// Provider env-var names OpenClaw knows; a config `apiKey` equal to one is a pointer to it.
pub fn is_known_env_name(v: &str) -> bool {
    const NAMES: &[&str] = &[
        "VLLM_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GOOGLE_API_KEY", "GEMINI_API_KEY", "DEEPSEEK_API_KEY",
        "OPENROUTER_API_KEY", "GROQ_API_KEY", "MISTRAL_API_KEY", "SGLANG_API_KEY", "LMSTUDIO_API_KEY",
        "OLLAMA_API_KEY", "LITELLM_API_KEY", "TOGETHER_API_KEY", "XAI_API_KEY",
    ];
    NAMES.contains(&v)
}

/// Where the key was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthSource {
    /// `VLLM_API_KEY` (or the env var a config ref names).
    Env,
    /// `models.providers.vllm.apiKey` literal.
    Config,
    /// An auth profile.
    Profile,
    /// OpenClaw's `custom-local` key for explicit local providers: no `Authorization` header.
    SyntheticLocal,
    /// No key.
    None,
}

/// The resolved key and how it was found.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedAuth {
    /// Source of the key.
    pub source: AuthSource,
    /// The env var the key came from, if any.
    pub env_var: Option<String>,
    /// The value to send as `Bearer …`; `None` for markers and no key.
    pub secret: Option<String>,
    /// Whether a key (real or marker) resolved at all: OpenClaw's registration signal.
    pub has_key: bool,
}

/// Resolves the key: `VLLM_API_KEY` first, then the config's `apiKey` (env ref, env-name pointer,
/// marker or literal), as OpenClaw's discovery-time resolver orders them.
pub fn resolve(raw_api_key: Option<&Value>, path: &str, env: &BTreeMap<String, String>, warnings: &mut Vec<Diagnostic>) -> ResolvedAuth {
    let env_value = |name: &str| env.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()).map(str::to_string);
    let from_env = |name: &str, value: String| ResolvedAuth {
        source: AuthSource::Env,
        env_var: Some(name.to_string()),
        secret: (!is_marker(&value)).then_some(value),
        has_key: true,
    };
    if let Some(v) = env_value(API_KEY_ENV) {
        return from_env(API_KEY_ENV, v);
    }
    let none = ResolvedAuth { source: AuthSource::None, env_var: None, secret: None, has_key: false };
    match raw_api_key {
        Some(Value::String(s)) => {
            let s = s.trim();
            let env_name = s.strip_prefix("${").and_then(|r| r.strip_suffix('}')).filter(|n| {
                !n.is_empty() && n.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            });
            if let Some(name) = env_name.or_else(|| is_known_env_name(s).then_some(s)) {
                return match env_value(name) {
                    Some(v) => from_env(name, v),
                    None => {
                        warnings.push(Diagnostic::warning(path, format!("{path} points at ${name}, which is not set")));
                        none
                    }
                };
            }
            if s.is_empty() {
                return none;
            }
            let marker = is_marker(s);
            ResolvedAuth {
                source: if s == SYNTHETIC_LOCAL_KEY { AuthSource::SyntheticLocal } else { AuthSource::Config },
                env_var: None,
                secret: (!marker).then(|| s.to_string()),
                has_key: true,
            }
        }
        Some(Value::Object(r)) => {
            let source = r.get("source").and_then(Value::as_str).unwrap_or("");
            let id = r.get("id").and_then(Value::as_str).unwrap_or("");
            if source == "env" {
                match env_value(id) {
                    Some(v) => from_env(id, v),
                    None => {
                        warnings.push(Diagnostic::warning(path, format!("{path} refers to env var {id}, which is not set")));
                        none
                    }
                }
            } else {
                warnings.push(Diagnostic::warning(
                    path,
                    format!("{path} is a \"{source}\" secret reference, which this runtime cannot read; pass the key through env instead"),
                ));
                none
            }
        }
        _ => none,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn env_key_wins_and_is_sent() {
        let a = resolve(Some(&json!("literal")), "p", &env(&[("VLLM_API_KEY", "vllm-local")]), &mut vec![]);
        assert_eq!(a.source, AuthSource::Env);
        assert_eq!(a.secret.as_deref(), Some("vllm-local"));
    }

    #[test]
    fn env_ref_in_config_reads_the_env() {
        let a = resolve(Some(&json!("${MY_KEY}")), "p", &env(&[("MY_KEY", "s3cret")]), &mut vec![]);
        assert_eq!((a.source, a.env_var.as_deref(), a.secret.as_deref()), (AuthSource::Env, Some("MY_KEY"), Some("s3cret")));
    }

    #[test]
    fn env_name_literal_is_a_pointer_never_sent() {
        let mut w = vec![];
        let a = resolve(Some(&json!("VLLM_API_KEY")), "p", &env(&[]), &mut w);
        assert!(!a.has_key);
        assert_eq!(a.secret, None);
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn marker_values_register_but_send_nothing() {
        let a = resolve(None, "p", &env(&[("VLLM_API_KEY", "custom-local")]), &mut vec![]);
        assert!(a.has_key);
        assert_eq!(a.secret, None);
    }

    #[test]
    fn non_env_secret_refs_warn_and_do_not_crash() {
        let mut w = vec![];
        let a = resolve(Some(&json!({"source":"file","provider":"f","id":"/k"})), "p", &env(&[]), &mut w);
        assert_eq!(a.source, AuthSource::None);
        assert!(w[0].message.contains("cannot read"));
    }
}
