//! The `models` block and the `models.providers.vllm` entry (OpenClaw's strict provider object).

use super::headers::{read_header_record, read_request, HeaderPlan, RequestAuth};
use super::reader::{expected, join, Obj};
use super::rows::read_model;
use super::secret::{read_input, SecretInput};
use super::Diagnostic;
use crate::error::ProviderError;
use crate::models::ModelDefinition;
use crate::name_index::NameIndex;
use serde_json::{Map, Value};
use crate::str_map::StrMap;

const MODELS_KEYS: &[&str] = &["mode", "providers", "catalogRefresh"];
const PROVIDER_KEYS: &[&str] = &[
    "baseUrl", "apiKey", "auth", "api", "maxTokens", "timeoutSeconds", "region", "injectNumCtxForOpenAICompat",
    "params", "agentRuntime", "localService", "headers", "authHeader", "request", "models",
];
const APIS: &[&str] = &[
    "openai-completions", "openai-responses", "openai-chatgpt-responses", "anthropic-messages", "google-generative-ai",
    "google-vertex", "github-copilot", "bedrock-converse-stream", "ollama", "pi-messages", "azure-openai-responses",
];
const AUTH_MODES: &[&str] = &["api-key", "aws-sdk", "oauth", "token"];

/// What the declared provider entry says.
#[derive(Clone, Debug, Default)]
pub struct DeclaredProvider {
    /// `baseUrl` as written (after `${VAR}` substitution).
    pub base_url: Option<String>,
    /// `api`, if written.
    pub api: Option<String>,
    /// `auth` mode override.
    pub auth_mode: Option<String>,
    /// `apiKey` after substitution.
    pub api_key: Option<SecretInput>,
    /// `timeoutSeconds`.
    pub timeout_seconds: Option<u64>,
    /// Every header source.
    pub headers: HeaderPlan,
    /// `request.allowPrivateNetwork`.
    pub allow_private_network: Option<bool>,
    /// Provider-level `params`.
    pub params: Option<Map<String, Value>>,
    /// Declared model rows with defaults applied.
    pub models: Vec<ModelDefinition>,
}

/// Validates the `models` block itself (strict), without the provider entries.
pub fn check_models_block(models: &Map<String, Value>, path: &str) -> Result<(), ProviderError> {
    let o = Obj { map: models, path };
    o.only_keys(MODELS_KEYS)?;
    if let Some(mode) = o.opt_str("mode")? {
        if mode != "merge" && mode != "replace" {
            return Err(ProviderError::config_at(&join(path, "mode"), format!("{path}.mode: expected \"merge\" or \"replace\", got \"{mode}\""), "Set models.mode to \"merge\" or \"replace\"."));
        }
    }
    if let Some((c, cpath)) = o.opt_obj("catalogRefresh")? {
        let co = Obj { map: c, path: &cpath };
        co.only_keys(&["enabled", "url"])?;
        co.opt_bool("enabled")?;
        co.opt_str("url")?;
    }
    Ok(())
}

/// Reads the raw (pre-substitution) `apiKey`, validating its shape.
pub fn raw_api_key(map: &Map<String, Value>, path: &str) -> Result<Option<SecretInput>, ProviderError> {
    map.get("apiKey").map(|v| read_input(v, &join(path, "apiKey"))).transpose()
}

/// Validates and reads the provider entry (after substitution).
pub fn read_provider(map: &Map<String, Value>, path: &str, env: &StrMap, warnings: &mut Vec<Diagnostic>) -> Result<DeclaredProvider, ProviderError> {
    let o = Obj { map, path };
    o.only_keys(PROVIDER_KEYS)?;
    let api = o.opt_str("api")?;
    if let Some(api) = api {
        check_api(api, &join(path, "api"))?;
        if api != "openai-completions" {
            warnings.push(Diagnostic::warning(&join(path, "api"), format!("api \"{api}\" is not what vLLM speaks here; requests use openai-completions")));
        }
    }
    let auth_mode = o.opt_str("auth")?;
    if let Some(mode) = auth_mode {
        if !AUTH_MODES.contains(&mode) {
            return Err(ProviderError::config_at(&join(path, "auth"), format!("{path}.auth: expected \"api-key\", \"aws-sdk\", \"oauth\" or \"token\", got \"{mode}\""), "For vLLM leave auth unset or use \"api-key\"."));
        }
        if mode != "api-key" {
            warnings.push(Diagnostic::warning(&join(path, "auth"), format!("auth \"{mode}\" has no meaning for a vLLM server; the key is sent as a bearer token")));
        }
    }
    let api_key = raw_api_key(map, path)?;
    let provider_max_tokens = o.opt_positive("maxTokens")?.map(|x| (x as u64).max(1));
    if let Some(region) = o.opt_str("region")? {
        if region.is_empty() {
            return Err(ProviderError::config_at(&join(path, "region"), format!("{path}.region: must not be empty"), "Remove it; vLLM does not use a region."));
        }
    }
    o.opt_bool("injectNumCtxForOpenAICompat")?;
    if let Some((a, apath)) = o.opt_obj("agentRuntime")? {
        let ao = Obj { map: a, path: &apath };
        ao.only_keys(&["id"])?;
        ao.opt_str("id")?;
    }
    read_local_service(&o, warnings)?;
    let mut headers = HeaderPlan::default();
    if let Some((h, hpath)) = o.opt_obj("headers")? {
        headers.provider = read_header_record(h, &hpath, env, warnings)?;
    }
    headers.auth_header = o.opt_bool("authHeader")?.unwrap_or(false);
    let allow_private_network = read_request(&o, env, &mut headers, warnings)?;
    if headers.auth_header && matches!(headers.auth, RequestAuth::Header(..)) {
        warnings.push(Diagnostic::warning(&join(path, "authHeader"), "authHeader is ignored: request.auth header mode sends no Authorization header"));
    }
    let params = o.opt_obj("params")?.map(|(p, _)| p.clone());
    let mut models: Vec<ModelDefinition> = Vec::new();
    let mut ids = NameIndex::new();
    if let Some(rows) = o.opt_array("models")? {
        for (i, row) in rows.iter().enumerate() {
            let rpath = format!("{path}.models[{i}]");
            let Value::Object(m) = row else { return Err(expected(&rpath, "an object", row)) };
            let (model, model_headers) = read_model(m, &rpath, provider_max_tokens, params.as_ref(), warnings)?;
            if ids.first(&model.id, models.len()) != models.len() {
                warnings.push(Diagnostic::warning(&join(&rpath, "id"), format!("model \"{}\" is declared twice; the first row is used", model.id)));
                continue;
            }
            if !model_headers.is_empty() {
                headers.models.push((model.id.clone(), model_headers));
            }
            models.push(model);
        }
    }
    Ok(DeclaredProvider {
        base_url: o.opt_str("baseUrl")?.map(str::to_string),
        api: api.map(str::to_string),
        auth_mode: auth_mode.map(str::to_string),
        api_key,
        timeout_seconds: o.opt_positive_int("timeoutSeconds")?,
        headers,
        allow_private_network,
        params,
        models,
    })
}

fn read_local_service(o: &Obj, warnings: &mut Vec<Diagnostic>) -> Result<(), ProviderError> {
    let Some((l, lpath)) = o.opt_obj("localService")? else { return Ok(()) };
    let lo = Obj { map: l, path: &lpath };
    lo.only_keys(&["command", "args", "cwd", "env", "healthUrl", "readyTimeoutMs", "idleStopMs"])?;
    lo.opt_nonempty_str("command")?.ok_or_else(|| ProviderError::config_at(&join(&lpath, "command"), format!("{lpath}.command: required"), "Give the command that starts the server, or remove localService."))?;
    if let Some(args) = lo.opt_array("args")? {
        if let Some((i, v)) = args.iter().enumerate().find(|(_, v)| !v.is_string()) {
            return Err(expected(&format!("{lpath}.args[{i}]"), "a string", v));
        }
    }
    lo.opt_str("cwd")?;
    lo.opt_str("healthUrl")?;
    lo.opt_positive("readyTimeoutMs")?;
    lo.opt_positive("idleStopMs")?;
    if let Some((e, epath)) = lo.opt_obj("env")? {
        if let Some((k, v)) = e.iter().find(|(_, v)| !v.is_string()) {
            return Err(expected(&join(&epath, k), "a string", v));
        }
    }
    warnings.push(Diagnostic::warning(&lpath, "localService is not started by this library; start vLLM yourself"));
    Ok(())
}

/// Checks an `api` id against OpenClaw's enum, with its message for the removed Codex id.
pub fn check_api(api: &str, path: &str) -> Result<(), ProviderError> {
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
