//! Resolving OpenClaw's `vllm` provider from a config, an environment and auth profiles.
//!
//! [`resolve`] is a pure function from [`ResolveInput`] to a [`Provider`], whose [`Provider::describe`]
//! is the public, secret-free view (`ResolvedProvider` in the contract).

pub mod auth;
pub mod env;
pub mod json5;
pub mod reader;
mod schema;

use crate::error::ProviderError;
use crate::models::ModelDefinition;
use crate::redact::REDACTED;
use crate::url::{normalize_base_url, BaseUrl};
use auth::{AuthSource, ResolvedAuth};
use reader::get_ci;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A config as the caller gave it.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigInput {
    /// `openclaw.json` text (JSON5).
    Text(String),
    /// An already-parsed object.
    Value(Value),
}

/// Everything [`resolve`] reads.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResolveInput {
    /// The whole OpenClaw config, if any.
    pub config: Option<ConfigInput>,
    /// The environment (Node: `process.env`); nothing is read from the real environment.
    pub env: BTreeMap<String, String>,
    /// An OpenClaw auth-profiles store.
    pub auth_profiles: Option<ConfigInput>,
    /// The agent whose model policy applies.
    pub agent_id: Option<String>,
    /// Overrides the configured base URL (the CLI's `--base-url`, the tester page's field).
    pub base_url: Option<String>,
}

/// A warning about the config that does not stop resolution.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    /// Always `"warning"` for now.
    pub level: &'static str,
    /// Dotted config path, or empty.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl Diagnostic {
    /// A warning at `path`.
    pub fn warning(path: &str, message: impl Into<String>) -> Self {
        Diagnostic { level: "warning", path: path.to_string(), message: message.into() }
    }
}

/// How the provider came to exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// `models.providers.vllm` is declared.
    Explicit,
    /// No entry, but a key resolved: OpenClaw registers it and discovers models.
    Implicit,
    /// Neither: OpenClaw does not register the provider.
    Unregistered,
}

/// The auth part of [`ResolvedProvider`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthInfo {
    /// Where the key came from.
    pub source: AuthSource,
    /// The env var read, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env_var: Option<String>,
    /// The auth profile used, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_id: Option<String>,
    /// Whether requests carry `Authorization: Bearer …`.
    pub sends_authorization: bool,
}

/// Whether `/models` discovery runs, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscoveryInfo {
    /// Whether `listModels()` queries the server.
    pub enabled: bool,
    /// Why, in a sentence.
    pub reason: String,
}

/// The public, secret-free description of a resolved provider.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedProvider {
    /// Always `"vllm"`.
    pub id: &'static str,
    /// Explicit, implicit or unregistered.
    pub status: Status,
    /// Normalised base URL.
    pub base_url: String,
    /// Always `"openai-completions"`.
    pub api: &'static str,
    /// Key source.
    pub auth: AuthInfo,
    /// Discovery decision.
    pub discovery: DiscoveryInfo,
    /// Declared model rows with defaults applied.
    pub models: Vec<ModelDefinition>,
    /// Request timeout from `timeoutSeconds`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// Configured headers, secret values redacted.
    pub headers: BTreeMap<String, String>,
    /// Problems that did not stop resolution.
    pub warnings: Vec<Diagnostic>,
}

/// A resolved provider: the public description plus what must never be shown.
#[derive(Clone, Debug)]
pub struct Provider {
    described: ResolvedProvider,
    base: BaseUrl,
    auth: ResolvedAuth,
    headers: Vec<(String, String)>,
    secrets: Vec<String>,
}

impl Provider {
    /// The secret-free description.
    pub fn describe(&self) -> &ResolvedProvider {
        &self.described
    }

    /// The parsed base URL.
    pub fn base(&self) -> &BaseUrl {
        &self.base
    }

    /// Every value that must be scrubbed from texts (keys, secret header values, env values used).
    pub fn secrets(&self) -> &[String] {
        &self.secrets
    }

    /// Headers for a request: configured headers, then `Authorization: Bearer <key>` unless the key is
    /// a marker or missing, or a configured `Authorization` header already overrides it.
    pub fn request_headers(&self) -> Vec<(String, String)> {
        let mut headers = self.headers.clone();
        if let Some(key) = &self.auth.secret {
            if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("authorization")) {
                headers.push(("Authorization".to_string(), format!("Bearer {key}")));
            }
        }
        headers
    }
}

/// Resolves the provider. Errors are `code: "config"` with a path or a line and column.
pub fn resolve(input: &ResolveInput) -> Result<Provider, ProviderError> {
    let mut warnings = Vec::new();
    let raw = match &input.config {
        None => Value::Object(Map::new()),
        Some(ConfigInput::Text(t)) if t.trim().is_empty() => Value::Object(Map::new()),
        Some(ConfigInput::Text(t)) => json5::parse(t, "config")?,
        Some(ConfigInput::Value(v)) => v.clone(),
    };
    let Value::Object(root) = &raw else {
        return Err(reader::expected("(config)", "an object", &raw).tap_path(""));
    };
    let entry_raw = provider_entry(root)?;
    // The key is read before substitution so that `${VLLM_API_KEY}` is reported as an env source.
    let api_key_raw = entry_raw.as_ref().and_then(|(m, _)| m.get("apiKey")).cloned();

    let mut config = raw.clone();
    env::substitute_all(&mut config, &input.env, "", &mut warnings);
    let root = config.as_object().cloned().unwrap_or_default();
    let entry = provider_entry(&root)?;

    let declared = match &entry {
        Some((map, path)) => Some(schema::read_provider(map, path, &mut warnings)?),
        None => None,
    };
    let auth_path = entry.as_ref().map(|(_, p)| reader::join(p, "apiKey")).unwrap_or_default();
    // Auth resolution says more precisely what is wrong with the key than substitution does.
    warnings.retain(|w| w.path != auth_path || auth_path.is_empty());
    let mut auth = auth::resolve(api_key_raw.as_ref(), &auth_path, &input.env, &mut warnings);

    let configured_url = input.base_url.as_deref().or_else(|| declared.as_ref().and_then(|d| d.base_url.as_deref()));
    let base_url = normalize_base_url(configured_url);
    let base = BaseUrl::parse(&base_url).ok_or_else(|| {
        ProviderError::config_at(
            &entry.as_ref().map(|(_, p)| reader::join(p, "baseUrl")).unwrap_or_default(),
            if base_url.contains("${") {
                format!("baseUrl \"{base_url}\" contains an unresolved ${{VAR}}: set that variable in env")
            } else {
                format!("baseUrl \"{base_url}\" is not an absolute http(s) URL")
            },
            "Write it like http://127.0.0.1:8000/v1 (scheme, host, port and the /v1 prefix).",
        )
    })?;

    if let Some(d) = &declared {
        if !auth.has_key && base.is_local_host() && !d.models.is_empty() {
            auth = ResolvedAuth { source: AuthSource::SyntheticLocal, env_var: None, secret: None, has_key: true };
        } else if !auth.has_key {
            let provider_path = entry.as_ref().map(|(_, p)| p.as_str()).unwrap_or_default();
            warnings.push(Diagnostic::warning(
                provider_path,
                format!("No API key found for provider \"vllm\": requests to {base_url} will be refused until VLLM_API_KEY or models.providers.vllm.apiKey is set"),
            ));
        }
    }

    let status = match (&declared, auth.has_key) {
        (Some(_), _) => Status::Explicit,
        (None, true) => Status::Implicit,
        (None, false) => Status::Unregistered,
    };
    let discovery = discovery_decision(status, &root, input.agent_id.as_deref());

    let mut secrets: Vec<String> = auth.secret.iter().cloned().collect();
    let headers = declared.as_ref().map(|d| d.headers.clone()).unwrap_or_default();
    let mut shown_headers = BTreeMap::new();
    for (k, v) in &headers {
        let secret = is_secret_header(k) || secrets.iter().any(|s| v.contains(s.as_str()));
        if secret {
            secrets.push(v.clone());
            if let Some(token) = v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")) {
                secrets.push(token.to_string());
            }
        }
        shown_headers.insert(k.clone(), if secret { REDACTED.to_string() } else { v.clone() });
    }

    let described = ResolvedProvider {
        id: "vllm",
        status,
        base_url,
        api: "openai-completions",
        auth: AuthInfo {
            source: auth.source,
            env_var: auth.env_var.clone(),
            profile_id: None,
            sends_authorization: auth.secret.is_some() || headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("authorization")),
        },
        discovery,
        models: declared.as_ref().map(|d| d.models.clone()).unwrap_or_default(),
        timeout_ms: declared.as_ref().and_then(|d| d.timeout_seconds).map(|s| s * 1000),
        headers: shown_headers,
        warnings,
    };
    Ok(Provider { described, base, auth, headers, secrets })
}

fn is_secret_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["authorization", "api-key", "apikey", "token", "secret", "cookie", "password"].iter().any(|s| n.contains(s))
}

trait TapPath {
    fn tap_path(self, path: &str) -> Self;
}

impl TapPath for ProviderError {
    fn tap_path(mut self, path: &str) -> Self {
        self.path = (!path.is_empty()).then(|| path.to_string());
        self
    }
}

/// `models.providers.vllm` (found case-insensitively), with its path.
fn provider_entry(root: &Map<String, Value>) -> Result<Option<(Map<String, Value>, String)>, ProviderError> {
    let Some((_, models)) = get_ci(root, "models") else { return Ok(None) };
    let models = models.as_object().ok_or_else(|| reader::expected("models", "an object", models))?;
    let Some((_, providers)) = get_ci(models, "providers") else { return Ok(None) };
    let providers = providers.as_object().ok_or_else(|| reader::expected("models.providers", "an object", providers))?;
    match get_ci(providers, "vllm") {
        None => Ok(None),
        Some((key, Value::Object(m))) => Ok(Some((m.clone(), format!("models.providers.{key}")))),
        Some((key, v)) => Err(reader::expected(&format!("models.providers.{key}"), "an object", v)),
    }
}

/// OpenClaw's rule: implicit providers discover; explicit ones only when the effective model-policy
/// allow-list holds `vllm/*`; unregistered ones never.
fn discovery_decision(status: Status, root: &Map<String, Value>, agent_id: Option<&str>) -> DiscoveryInfo {
    match status {
        Status::Unregistered => DiscoveryInfo {
            enabled: false,
            reason: "VLLM_API_KEY is not set and models.providers.vllm is not declared, so OpenClaw does not register vLLM. Set VLLM_API_KEY (any value works) to discover models.".to_string(),
        },
        Status::Implicit => DiscoveryInfo {
            enabled: true,
            reason: "A key resolved and models.providers.vllm is not declared: models are discovered from GET {baseUrl}/models.".to_string(),
        },
        Status::Explicit => match schema::allow_list_wildcard(root, agent_id) {
            Some(source) => DiscoveryInfo {
                enabled: true,
                reason: format!("models.providers.vllm is declared and {source} contains \"vllm/*\": declared models are merged with discovered ones."),
            },
            None => DiscoveryInfo {
                enabled: false,
                reason: "models.providers.vllm is declared, so only its models are used; add \"vllm/*\" to agents.defaults.modelPolicy.allow to also discover the server's models.".to_string(),
            },
        },
    }
}

#[cfg(test)]
mod tests;
