//! Resolving OpenClaw's `vllm` provider from a config, an environment and auth profiles.
//!
//! [`resolve`] is a pure function from [`ResolveInput`] to a [`Provider`], whose [`Provider::describe`]
//! is the public, secret-free view (`ResolvedProvider` in the contract).

pub mod auth;
pub mod env;
pub mod headers;
mod host_env;
pub mod json5;
mod json5_names;
mod json5_reader;
#[cfg(test)]
mod json5_oracle;
pub mod policy;
pub mod profiles;
mod provider;
pub mod reader;
mod rows;
mod schema;
pub mod secret;
mod sources;

pub use auth::AuthSource;
pub use provider::Provider;

use crate::error::ProviderError;
use crate::models::ModelDefinition;
use crate::url::{normalize_base_url, BaseUrl};
use auth::{AuthContext, ConfigKey, ResolvedAuth};
use policy::DefaultModel;
use reader::get_ci;
use serde::Serialize;
use serde_json::{Map, Value};
use crate::str_map::StrMap;

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
    pub env: StrMap,
    /// An OpenClaw auth-profiles store.
    pub auth_profiles: Option<ConfigInput>,
    /// The agent whose model policy applies.
    pub agent_id: Option<String>,
    /// Overrides the configured base URL (the CLI's `--base-url`, the tester page's field).
    pub base_url: Option<String>,
    /// Names (never values) of the variables set in the caller's process, which may be more than
    /// `env` holds: the Node entry passes them so that hints can say "pass `env: process.env`".
    pub host_env_names: Vec<String>,
    /// `baseUrls`: more base URLs serving the same models (replicas), tried after the base URL, as the
    /// caller gave them (validated here: see [`crate::replicas::replica_list`]). Each gets the same
    /// key and headers as the base URL.
    pub base_urls: Option<Value>,
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// `models.providers.vllm` is declared.
    Explicit,
    /// No entry, but a key resolved: OpenClaw registers it and discovers models.
    Implicit,
    /// Neither: OpenClaw does not register the provider.
    Unregistered,
}

impl Status {
    /// The name JSON and JS see.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Explicit => "explicit",
            Status::Implicit => "implicit",
            Status::Unregistered => "unregistered",
        }
    }
}

serialize_as_str!(Status);

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
    /// Normalised base URL; a key in its query or credentials is shown as `[redacted]`.
    pub base_url: String,
    /// Always `"openai-completions"`.
    pub api: &'static str,
    /// Key source (the request-time key, the one chat requests use).
    pub auth: AuthInfo,
    /// Discovery decision.
    pub discovery: DiscoveryInfo,
    /// Declared model rows with defaults applied.
    pub models: Vec<ModelDefinition>,
    /// Request timeout from `timeoutSeconds`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// Configured headers, secret values redacted.
    pub headers: StrMap,
    /// `agents.defaults.model` (or the agent's own): primary and fallbacks as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_model: Option<DefaultModel>,
    /// Aliases from `agents.defaults.models["<ref>"].alias`: alias → model ref.
    #[serde(skip_serializing_if = "StrMap::is_empty")]
    pub aliases: StrMap,
    /// `request.allowPrivateNetwork`, when written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_private_network: Option<bool>,
    /// Problems that did not stop resolution.
    pub warnings: Vec<Diagnostic>,
    /// With `baseUrls`: every server, the base URL first, with its health (see
    /// [`Provider::describe_at`]); empty (and not shown) with a single server.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<crate::replicas::ReplicaInfo>,
}

fn parse_input(input: &ConfigInput, what: &str) -> Result<Value, ProviderError> {
    match input {
        ConfigInput::Text(t) if what == "config" => json5::parse(t, what),
        // Syntax errors in the store are told apart from the config's by their path.
        ConfigInput::Text(t) => json5::parse(t, what).map_err(|e| e.tap_path(what)),
        ConfigInput::Value(v) => Ok(v.clone()),
    }
}

/// Resolves the provider. Errors are `code: "config"` with a path or a line and column. No error,
/// warning or refusal quotes a secret: values from `${VAR}`, SecretRefs and auth profiles are named
/// by their source (`$VLLM_API_KEY`), keys written in the config are `[redacted]`.
pub fn resolve(input: &ResolveInput) -> Result<Provider, ProviderError> {
    let raw = input.config.as_ref().map(|c| parse_input(c, "config")).transpose()?.unwrap_or_else(|| Value::Object(Map::new()));
    let store = input.auth_profiles.as_ref().and_then(|p| parse_input(p, "authProfiles").ok());
    let sources = sources::Sources::collect(&raw, store.as_ref(), &input.env);
    let mut p = resolve_parsed(input, raw).map_err(|e| sources.name_error(e))?;
    // Found first, redacted only where found: thousands of warnings and secrets stay linear.
    let finder = crate::redact::SecretFinder::new(&p.secrets);
    for w in &mut p.described.warnings {
        let named = sources.name(&w.message);
        w.message = if finder.holds(&named) { crate::redact::redact(&named, &p.secrets) } else { named };
    }
    p.send_block = p.send_block.take().map(|e| sources.name_error(e).redact(&p.secrets));
    Ok(p)
}

// The config is substituted in place and read where it lies: a copy of it is a copy of every model
// row (80 000 rows were copied four times).
fn resolve_parsed(input: &ResolveInput, config: Value) -> Result<Provider, ProviderError> {
    let mut warnings = Vec::new();
    let mut root = match config {
        Value::Object(root) => root,
        other => return Err(reader::expected("(config)", "an object", &other).tap_path("")),
    };
    // The key is read before substitution so that `${VLLM_API_KEY}` is reported as an env source.
    let raw_key = match provider_entry(&root)? {
        Some((m, p)) => schema::raw_api_key(m, &p)?,
        None => None,
    };
    env::substitute_all(&mut root, &input.env, &mut warnings);
    policy::check(&root)?;
    let entry = provider_entry(&root)?;
    let profiles = match &input.auth_profiles {
        Some(p) => profiles::read(&parse_input(p, "authProfiles")?, &root, &mut warnings)?,
        None => profiles::Profiles::default(),
    };
    let declared = match &entry {
        Some((map, path)) => Some(schema::read_provider(map, path, &input.env, &mut warnings)?),
        None => None,
    };
    let entry_path = entry.as_ref().map_or("models.providers.vllm".to_string(), |(_, p)| p.clone());
    let key_path = reader::join(&entry_path, "apiKey");
    // Auth resolution says more precisely what is wrong with the key than substitution does, and
    // unset variables elsewhere (other providers' keys) are not this provider's business.
    warnings.retain(|w| w.path != key_path && (w.path.starts_with(&entry_path) || w.path.starts_with("agents")));
    let config_key = ConfigKey::classify(raw_key.as_ref(), declared.as_ref().and_then(|d| d.api_key.as_ref()), &profiles);
    if let ConfigKey::Profile(id) = &config_key {
        if profiles.oauth_ids.contains(id) {
            return Err(profiles::wrong_kind_binding(id, profiles::ProfileKind::OAuth, &key_path));
        }
    }
    let ctx = AuthContext {
        config_key: &config_key,
        path: &key_path,
        env: &input.env,
        profiles: &profiles,
        auth_mode: declared.as_ref().and_then(|d| d.auth_mode.as_deref()),
    };
    let (discovery_auth, mut request_auth) = auth::resolve(&ctx, &mut warnings);

    let written_url = input.base_url.as_deref().or_else(|| declared.as_ref().and_then(|d| d.base_url.as_deref()));
    let base_url = normalize_base_url(written_url);
    let base = BaseUrl::parse(&base_url).ok_or_else(|| {
        ProviderError::config_at(
            &reader::join(&entry_path, "baseUrl"),
            if base_url.contains("${") {
                format!("baseUrl \"{base_url}\" contains an unresolved ${{VAR}}: set that variable in env")
            } else {
                format!("baseUrl \"{base_url}\" is not an absolute http(s) URL")
            },
            "Write it like http://127.0.0.1:8000/v1 (scheme, host, port and the /v1 prefix).",
        )
    })?;

    let mut send_block = None;
    if let Some(d) = &declared {
        if !request_auth.has_key {
            match provider::synthetic_local_blocker(d, written_url, &config_key, &base) {
                None => request_auth = ResolvedAuth::synthetic_local(),
                Some(why) => {
                    let e = provider::no_api_key(&key_path, &base_url, &why);
                    warnings.push(Diagnostic::warning(&entry_path, format!("{} Requests will fail until a key is set.", e.message)));
                    send_block = Some(e);
                }
            }
        }
    }
    let status = match (&declared, discovery_auth.has_key) {
        (Some(_), _) => Status::Explicit,
        (None, true) => Status::Implicit,
        (None, false) => Status::Unregistered,
    };
    if status == Status::Unregistered {
        send_block = Some(provider::unregistered(None));
    } else if !request_auth.has_key && send_block.is_none() {
        // Registered by a key only discovery can use (a file/exec/store ref): requests have none.
        send_block = Some(provider::no_api_key(&key_path, &base_url, "the key found for discovery is a SecretRef this runtime cannot read"));
    }
    if status != Status::Unregistered && discovery_auth.secret.is_some() && request_auth.secret.is_some() && discovery_auth.secret != request_auth.secret {
        warnings.push(Diagnostic::warning(
            &key_path,
            format!("discovery uses the key from {}, requests use the key from {} (OpenClaw's two resolution orders differ)", auth_label(&discovery_auth), auth_label(&request_auth)),
        ));
    }
    let discovery = discovery_decision(status, &root, input.agent_id.as_deref(), discovery_auth.has_key);

    let keyless = !discovery_auth.has_key || matches!(request_auth.source, AuthSource::None | AuthSource::SyntheticLocal);
    let unpassed_env = host_env::unpassed(&input.host_env_names, &input.env, keyless, &mut warnings);
    if let (Some(e), false) = (&mut send_block, unpassed_env.is_empty()) {
        e.hint = crate::hints::pass_process_env(&unpassed_env, &e.hint);
    }

    let mut plan = declared.as_ref().map(|d| d.headers.clone()).unwrap_or_default();
    plan.url_auth = base.basic_auth();
    let auths = [&discovery_auth, &request_auth];
    // Deduplicated by insertion (in `with_echo_forms`): a sort would link the wasm's stable-sort code
    // (see scripts/size.mjs). Extended one by one: chained iterators cost wasm size.
    let mut secrets: Vec<String> = auths.iter().filter_map(|a| a.secret.clone()).collect();
    secrets.extend(candidate_secrets(&config_key, &profiles, &input.env));
    secrets.extend(plan.secret_values());
    secrets.extend(base.secrets());
    // Each replica's own credentials are secrets too (redacted wherever it is shown).
    if let Some(Value::Array(entries)) = &input.base_urls {
        for replica in entries.iter().filter_map(Value::as_str).filter_map(|t| BaseUrl::parse(&normalize_base_url(Some(t)))) {
            secrets.extend(replica.secrets());
        }
    }
    let secrets = crate::redact::with_echo_forms(secrets);
    let chat_headers = plan.build(request_auth.secret.as_deref(), request_auth.local_no_auth, None);
    let main = crate::replicas::Replica::new(base.clone(), crate::redact::redact(&base_url, &secrets));
    let replicas = crate::replicas::ReplicaSet::new(crate::replicas::replica_list(main, input.base_urls.as_ref(), &secrets)?);
    let described = ResolvedProvider {
        id: "vllm",
        status,
        base_url: crate::redact::redact(&base_url, &secrets),
        api: "openai-completions",
        auth: AuthInfo {
            source: request_auth.source,
            env_var: request_auth.env_var.clone(),
            profile_id: request_auth.profile_id.clone(),
            sends_authorization: chat_headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("authorization")),
        },
        discovery,
        models: {
            let mut rows = declared.as_ref().map(|d| d.models.clone()).unwrap_or_default();
            crate::models::thinking::attach_thinking(&mut rows);
            rows
        },
        timeout_ms: declared.as_ref().and_then(|d| d.timeout_seconds).map(|s| s.saturating_mul(1000)),
        headers: plan.shown(&secrets),
        default_model: policy::default_model(&root, input.agent_id.as_deref())?,
        aliases: policy::aliases(&root),
        allow_private_network: declared.as_ref().and_then(|d| d.allow_private_network),
        warnings,
        replicas: if replicas.len() > 1 { replicas.info(0) } else { Vec::new() },
    };
    Ok(Provider {
        described,
        base,
        discovery_auth,
        request_auth,
        headers: plan,
        secrets,
        send_block,
        params: declared.and_then(|d| d.params),
        agent_models: policy::agent_models(&root),
        config_path: entry_path,
        catalog_rows: Default::default(),
        unpassed_env,
        replicas: std::cell::RefCell::new(replicas),
    })
}

fn auth_label(a: &ResolvedAuth) -> String {
    match (&a.profile_id, &a.env_var, a.source) {
        (Some(p), _, _) => format!("auth profile \"{p}\""),
        (None, Some(e), _) => format!("env {e}"),
        (None, None, AuthSource::Config) => "models.providers.vllm.apiKey".to_string(),
        _ => "nowhere".to_string(),
    }
}

/// Every key value any source offers, chosen or not: all are scrubbed from texts.
fn candidate_secrets(key: &ConfigKey, profiles: &profiles::Profiles, env: &StrMap) -> Vec<String> {
    let mut out = Vec::new();
    if let ConfigKey::Literal(s) = key {
        out.push(s.clone());
    }
    if let ConfigKey::EnvRef(name) = key {
        out.extend(secret::env_value(env, name));
    }
    out.extend(secret::env_value(env, auth::API_KEY_ENV));
    for p in &profiles.ordered {
        if let Some(secret::Resolved::Value { value, .. }) = p.secret.as_ref().map(|s| secret::resolve(s, env)) {
            out.push(value);
        }
    }
    out.retain(|s| !auth::is_marker(s));
    out
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

/// A provider entry and its dotted path.
type Entry<'a> = (&'a Map<String, Value>, String);

/// `models.providers.vllm` (found case-insensitively), with its path; validates the `models` block.
fn provider_entry(root: &Map<String, Value>) -> Result<Option<Entry<'_>>, ProviderError> {
    let Some((mkey, models)) = get_ci(root, "models") else { return Ok(None) };
    let models = models.as_object().ok_or_else(|| reader::expected(mkey, "an object", models))?;
    schema::check_models_block(models, mkey)?;
    let Some((_, providers)) = get_ci(models, "providers") else { return Ok(None) };
    let ppath = format!("{mkey}.providers");
    let providers = providers.as_object().ok_or_else(|| reader::expected(&ppath, "an object", providers))?;
    match get_ci(providers, "vllm") {
        None => Ok(None),
        Some((key, Value::Object(m))) => Ok(Some((m, format!("{ppath}.{key}")))),
        Some((key, v)) => Err(reader::expected(&format!("{ppath}.{key}"), "an object", v)),
    }
}

/// OpenClaw's rule: implicit providers discover; explicit ones only when the effective model-policy
/// allow-list holds `vllm/*` and a key resolves; unregistered ones never.
fn discovery_decision(status: Status, root: &Map<String, Value>, agent_id: Option<&str>, has_key: bool) -> DiscoveryInfo {
    let (enabled, reason) = match status {
        Status::Unregistered => (false, "VLLM_API_KEY is not set, no auth profile or config key resolves, and models.providers.vllm is not declared, so OpenClaw does not register vLLM. Set VLLM_API_KEY (any value works) to discover models.".to_string()),
        Status::Implicit => (true, "A key resolved and models.providers.vllm is not declared: models are discovered from GET {baseUrl}/models.".to_string()),
        Status::Explicit => match policy::allow_list_wildcard(root, agent_id) {
            Some(source) if has_key => (true, format!("models.providers.vllm is declared and {source} contains \"vllm/*\": declared models are merged with discovered ones.")),
            Some(source) => (false, format!("{source} contains \"vllm/*\", but no key resolves for discovery (OpenClaw skips it): set VLLM_API_KEY (any value works) or models.providers.vllm.apiKey.")),
            None => (false, "models.providers.vllm is declared, so only its models are used; add \"vllm/*\" to agents.defaults.modelPolicy.allow to also discover the server's models.".to_string()),
        },
    };
    DiscoveryInfo { enabled, reason }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod bad_configs;
#[cfg(test)]
mod canary;
