//! [`Provider`]: the resolved provider with what must never be shown, and the checks and headers
//! every request goes through.

use super::auth::{AuthSource, ConfigKey, ResolvedAuth};
use super::headers::HeaderPlan;
use super::schema::DeclaredProvider;
use super::ResolvedProvider;
use crate::error::{ErrorCode, ProviderError};
use crate::url::BaseUrl;
use serde_json::{Map, Value};

/// OpenClaw's unknown-model hint for vLLM, with its words kept.
const UNREGISTERED: &str = "vLLM requires authentication to be registered as a provider. Set VLLM_API_KEY (any value works) or run \"openclaw configure\". See: https://docs.openclaw.ai/providers/vllm";

/// A resolved provider: the public description plus what must never be shown. Its `Debug` shows
/// only the description, so a `{:?}` can never print a key.
#[derive(Clone)]
pub struct Provider {
    pub(super) described: ResolvedProvider,
    pub(super) base: BaseUrl,
    pub(super) discovery_auth: ResolvedAuth,
    pub(super) request_auth: ResolvedAuth,
    pub(super) headers: HeaderPlan,
    pub(super) secrets: Vec<String>,
    pub(super) send_block: Option<ProviderError>,
    pub(super) params: Option<Map<String, Value>>,
    /// `agents.defaults.models`: model ref → settings (their `params` apply to that model's requests).
    pub(super) agent_models: Option<Map<String, Value>>,
    pub(super) config_path: String,
    /// The merged rows of the last successful `listModels()`, which requests then run against.
    pub(super) catalog_rows: std::cell::RefCell<Option<Vec<crate::models::ModelDefinition>>>,
    /// Variables the key or config wanted that the process has but `env` lacked (names only).
    pub(super) unpassed_env: Vec<String>,
    /// The servers (the base URL, then `baseUrls`) and their health, shared by every call.
    pub(super) replicas: std::cell::RefCell<crate::replicas::ReplicaSet>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider").field("described", &self.described).finish_non_exhaustive()
    }
}

impl Provider {
    /// Variables the key or config wanted that the caller's process has but `env` lacked: the 401 hint
    /// then says to pass `env: process.env`.
    pub fn unpassed_env(&self) -> &[String] {
        &self.unpassed_env
    }

    /// The secret-free description.
    pub fn describe(&self) -> &ResolvedProvider {
        &self.described
    }

    /// The rows requests run against: the merged catalog once [`Provider::catalog`] has merged the
    /// server's rows (OpenClaw's catalog holds the discovered models), else the declared rows.
    pub fn model_rows(&self) -> Vec<crate::models::ModelDefinition> {
        self.catalog_rows.borrow().clone().unwrap_or_else(|| self.described.models.clone())
    }

    /// Runs `f` on [`Provider::model_rows`] without copying them (a request looks one row up).
    pub fn with_model_rows<R>(&self, f: impl FnOnce(&[crate::models::ModelDefinition]) -> R) -> R {
        match self.catalog_rows.borrow().as_deref() {
            Some(rows) => f(rows),
            None => f(&self.described.models),
        }
    }

    /// Remembers a merged catalog's rows for later requests (see [`Provider::model_rows`]).
    pub fn remember_rows(&self, rows: Vec<crate::models::ModelDefinition>) {
        *self.catalog_rows.borrow_mut() = Some(rows);
    }

    /// The parsed base URL.
    pub fn base(&self) -> &BaseUrl {
        &self.base
    }

    /// The servers and their health, which [`crate::replicas::ReplicaCall`] reads and updates. Borrow
    /// it for one step at a time, never across an `await`.
    pub fn replica_set(&self) -> &std::cell::RefCell<crate::replicas::ReplicaSet> {
        &self.replicas
    }

    /// This provider aimed at replica `index` of [`Provider::replica_set`] (0 is the base URL itself):
    /// its requests, discovery, diagnosis, hints and `ChatResult.baseUrl` use that server.
    pub fn replica(&self, index: usize) -> Provider {
        let mut p = self.clone();
        let set = self.replicas.borrow();
        let r = set.replica(index.min(set.len() - 1));
        p.base = r.base.clone();
        // Its own URL credentials (`user:pass@`) are sent as Basic auth, as the base URL's are.
        p.headers.url_auth = r.base.basic_auth();
        p.described.base_url = r.shown.clone();
        p
    }

    /// [`Provider::describe`] with each replica's health at `now_ms` (milliseconds since the Unix
    /// epoch): what `describe()` shows once calls have run.
    pub fn describe_at(&self, now_ms: u64) -> ResolvedProvider {
        let mut d = self.described.clone();
        if !d.replicas.is_empty() {
            d.replicas = self.replicas.borrow().info(now_ms);
        }
        d
    }

    /// Every value that must be scrubbed from texts (keys from every source, secret header values).
    pub fn secrets(&self) -> &[String] {
        &self.secrets
    }

    /// Provider-level `params` (model rows already carry them under their own).
    pub fn provider_params(&self) -> Option<&Map<String, Value>> {
        self.params.as_ref()
    }

    /// The params `agents.defaults.models["vllm/<model>"].params` sets for `model` (a provider-local
    /// id): the entry whose key is exactly that model's ref, so `vllm/vllm/x` is model `vllm/x`'s.
    pub fn agent_params(&self, model: &str) -> Option<&Map<String, Value>> {
        // Looked up by `&str`: by `&String` the map's lookup would be compiled a second time.
        self.agent_models.as_ref()?.get(["vllm/", model].concat().as_str())?.get("params")?.as_object()
    }

    /// Dotted path of the provider entry (`models.providers.vllm`), for messages.
    pub fn config_path(&self) -> &str {
        &self.config_path
    }

    /// Headers for provider-level requests (`GET /models`), with the discovery-time key (OpenClaw
    /// §4.1 order: env, config, profiles). Markers and `custom-local` send no `Authorization`.
    pub fn request_headers(&self) -> Vec<(String, String)> {
        self.headers.build(self.discovery_auth.secret.as_deref(), self.discovery_auth.local_no_auth, None)
    }

    /// Headers for a chat request to `model` (a provider-local id), with the request-time key
    /// (OpenClaw §4.2 order) and that row's own `headers`. Call [`Provider::ensure_can_send`] first.
    pub fn chat_headers(&self, model: Option<&str>) -> Vec<(String, String)> {
        self.headers.build(self.request_auth.secret.as_deref(), self.request_auth.local_no_auth, model)
    }

    /// Whether a request may be sent at all. Every request-sending operation calls this first:
    /// an unregistered provider gives `code: "unregistered"`, an explicit provider without any key
    /// (and not eligible for the synthetic local key) gives `code: "config"` with OpenClaw's
    /// `No API key found for provider "vllm"` and the fix in the hint. Nothing is sent either way.
    pub fn ensure_can_send(&self) -> Result<(), ProviderError> {
        match &self.send_block {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// [`Provider::ensure_can_send`] for a request naming `model_ref`; an unregistered provider
    /// answers with OpenClaw's `Unknown model: vllm/<id>. …` message.
    pub fn ensure_can_send_to(&self, model_ref: &str) -> Result<(), ProviderError> {
        match &self.send_block {
            Some(e) if e.code == ErrorCode::Unregistered => {
                let mut named = unregistered(Some(model_ref));
                named.hint.clone_from(&e.hint); // it may say to pass `env: process.env`
                Err(named)
            }
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// The request-time key's source (for reports; never the key).
    pub fn request_auth_source(&self) -> AuthSource {
        self.request_auth.source
    }
}

/// The error for an unregistered provider (OpenClaw's unknown-model text).
pub fn unregistered(model_ref: Option<&str>) -> ProviderError {
    let message = match model_ref {
        Some(r) => {
            let r = r.trim();
            let shown = if r.to_ascii_lowercase().starts_with("vllm/") { r.to_string() } else { format!("vllm/{r}") };
            format!("Unknown model: {shown}. {UNREGISTERED}")
        }
        None => format!("vLLM is not registered as a provider. {UNREGISTERED}"),
    };
    ProviderError::new(
        ErrorCode::Unregistered,
        message,
        "Pass env { VLLM_API_KEY: \"vllm-local\" } (any value works unless the server was started with --api-key), an authProfiles store with a \"vllm:default\" api_key profile, or a config declaring models.providers.vllm.",
    )
}

/// OpenClaw's `No API key found for provider "vllm"`, adapted to a library.
pub fn no_api_key(key_path: &str, base_url: &str, why_not_local: &str) -> ProviderError {
    ProviderError::config_at(
        key_path,
        format!("No API key found for provider \"vllm\". No key resolves from env VLLM_API_KEY, {key_path} or an auth profile, and {why_not_local}."),
        format!(
            "Set {key_path} (e.g. \"${{VLLM_API_KEY}}\") and pass VLLM_API_KEY in env, or pass authProfiles with a \"vllm:default\" api_key profile (OpenClaw: openclaw models auth paste-api-key --provider vllm). Any value works if the server at {base_url} was started without --api-key."
        ),
    )
}

/// Why OpenClaw's synthetic `custom-local` key does not apply, or `None` when it does (§4.2 step 13:
/// written `baseUrl` on a local host, `api`, at least one model row, no `apiKey`, no non-api-key `auth`).
pub fn synthetic_local_blocker(d: &DeclaredProvider, written_url: Option<&str>, key: &ConfigKey, base: &BaseUrl) -> Option<String> {
    let mut missing = Vec::new();
    if written_url.is_none_or(|u| u.trim().is_empty()) {
        missing.push("baseUrl");
    }
    if d.api.is_none() {
        missing.push("api");
    }
    if d.models.is_empty() {
        missing.push("models[]");
    }
    if !missing.is_empty() {
        return Some(format!("the synthetic local key needs {} written on the provider", crate::join::join(&missing, ", ")));
    }
    if *key != ConfigKey::Absent {
        return Some("apiKey is configured but yields no key".to_string());
    }
    if d.auth_mode.as_deref().is_some_and(|m| m != "api-key") {
        return Some("auth is not \"api-key\"".to_string());
    }
    if !base.is_local_host() {
        return Some(format!("{} is not a local address, so the synthetic local key does not apply", base.host));
    }
    None
}
