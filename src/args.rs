//! The exports' arguments, checked. The wasm layer hands over `JSON.stringify` of what the caller
//! passed (functions and the signal left out, non-finite numbers kept as text so they are refused by
//! name rather than read as absent); the checks and the reading happen here.

use crate::config::{ConfigInput, ResolveInput};
use crate::error::ProviderError;
use crate::str_map::StrMap;
use serde_json::Value;

/// What an options object may hold: `CallOptions`, `ChatOptions` and `DiagnoseOptions` together.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// `timeoutMs`: the whole request.
    pub timeout_ms: Option<u32>,
    /// `firstEventTimeoutMs` (0: off).
    pub first_event_ms: Option<u32>,
    /// `idleTimeoutMs` (0: off).
    pub idle_ms: Option<u32>,
    /// `model` (diagnose).
    pub model: Option<String>,
    /// `probeChat` (diagnose).
    pub probe_chat: bool,
    /// `inContainer` (diagnose).
    pub in_container: bool,
    /// `sessionId` and `retries` (chat, stream, discovery): how the call picks and retries replicas.
    pub routing: crate::replicas::CallRouting,
}

impl Options {
    /// The timeouts of a `chat()` or `stream()` call.
    pub fn timeouts(&self) -> crate::stream::CallTimeouts {
        crate::stream::CallTimeouts { request_ms: self.timeout_ms, first_event_ms: self.first_event_ms, idle_ms: self.idle_ms }
    }
}

/// A `config` error about an argument.
pub fn arg_error(path: &str, message: impl Into<String>) -> ProviderError {
    ProviderError::config_at(path, message, "Check the argument against the package's TypeScript types.")
}

/// The argument as JSON text: `None` for `undefined`; `Err` when `JSON.stringify` refused it.
pub type Json = Option<Result<String, ()>>;

fn parse(text: Json, what: &str, shape: &str) -> Result<Option<serde_json::Map<String, Value>>, ProviderError> {
    let refused = || arg_error("", format!("{what} cannot be converted to JSON (a cycle, a BigInt or a throwing getter)"));
    match text.map(|t| t.map_err(|()| refused()).and_then(|t| crate::json::parse(t.as_bytes()).map_err(|_| refused()))).transpose()? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => match map.iter().find_map(|(k, v)| Some((k, v.as_str()?.strip_prefix(UNSUPPORTED)?))) {
            Some((key, kind)) => Err(arg_error(key, format!("{key} cannot be a {kind}"))),
            None => Ok(Some(map)),
        },
        Some(_) => Err(arg_error("", format!("{what} must be an object: {shape}"))),
    }
}

/// What calls.js's `stringify` puts in place of a symbol or function given as an argument or one of its
/// properties (which `JSON.stringify` would silently drop), followed by the value's `typeof`.
const UNSUPPORTED: &str = "\u{0}js:";

fn string(map: &serde_json::Map<String, Value>, key: &str) -> Result<Option<String>, ProviderError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(arg_error(key, format!("{key} must be a string"))),
    }
}

/// Reads an options object.
pub fn options(text: Json) -> Result<Options, ProviderError> {
    let Some(map) = parse(text, "options", "{ signal?, timeoutMs?, ... }")? else { return Ok(Options::default()) };
    let present = |key: &str| map.get(key).filter(|v| !v.is_null());
    let watchdog = |key: &str| present(key).map(|v| crate::stream::watchdog_from_number(v.as_f64().unwrap_or(f64::NAN), key)).transpose();
    let flag = |key: &str| present(key).map_or(Ok(false), |v| v.as_bool().ok_or_else(|| arg_error(key, format!("{key} must be a boolean"))));
    Ok(Options {
        timeout_ms: present("timeoutMs").map(|v| crate::http::timeout_from_number(v.as_f64())).transpose()?,
        first_event_ms: watchdog("firstEventTimeoutMs")?,
        idle_ms: watchdog("idleTimeoutMs")?,
        model: string(&map, "model")?,
        probe_chat: flag("probeChat")?,
        in_container: flag("inContainer")?,
        routing: crate::replicas::CallRouting {
            session_id: present("sessionId").map(|v| crate::replicas::session::session_id_from(v.as_str())).transpose()?,
            retries: present("retries").map_or(Ok(crate::replicas::DEFAULT_RETRIES), |v| crate::replicas::retries_from_number(v.as_f64()))?,
        },
    })
}

/// Reads `VllmProvider.resolve`'s input (its `fetch` is the wasm layer's).
pub fn resolve_input(text: Json) -> Result<ResolveInput, ProviderError> {
    let Some(map) = parse(text, "VllmProvider.resolve's input", "{ config?, env?, authProfiles?, agentId?, baseUrl?, fetch? }")? else {
        return Ok(ResolveInput::default());
    };
    let config = |key: &str| match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(ConfigInput::Text(text.clone()))),
        Some(v @ Value::Object(_)) => Ok(Some(ConfigInput::Value(v.clone()))),
        Some(_) => Err(arg_error(key, format!("{key} must be JSON5 text or an object"))),
    };
    let env = match map.get("env") {
        None | Some(Value::Null) => StrMap::new(),
        // Only strings are kept, as `process.env` only holds strings.
        Some(Value::Object(env)) => env.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect(),
        Some(_) => return Err(arg_error("env", "env must be an object of strings, like process.env")),
    };
    // Names set in the host process, one a line (js/host-env.js, Node entry); anything else is ignored.
    let host_env_names = map.get("hostEnvNames").and_then(Value::as_str).map(|n| n.split('\n').map(str::to_string).collect()).unwrap_or_default();
    Ok(ResolveInput {
        config: config("config")?,
        auth_profiles: config("authProfiles")?,
        env,
        agent_id: string(&map, "agentId")?,
        base_url: string(&map, "baseUrl")?,
        host_env_names,
        // Validated with the config (paths `baseUrls[i]`).
        base_urls: map.get("baseUrls").filter(|v| !v.is_null()).cloned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Json {
        Some(Ok(s.to_string()))
    }

    #[test]
    fn options_are_read_and_every_wrong_value_is_refused_by_name() {
        assert_eq!(options(None).unwrap(), Options::default());
        assert_eq!(options(text("null")).unwrap(), Options::default());
        let o = options(text(r#"{"timeoutMs":500,"firstEventTimeoutMs":0,"idleTimeoutMs":null,"model":"vllm/m","probeChat":true}"#)).unwrap();
        assert_eq!(o, Options { timeout_ms: Some(500), first_event_ms: Some(0), model: Some("vllm/m".into()), probe_chat: true, ..Default::default() });
        for (bad, path) in [
            (r#"{"timeoutMs":0}"#, "timeoutMs"),
            (r#"{"timeoutMs":"NaN"}"#, "timeoutMs"),
            (r#"{"timeoutMs":"Infinity"}"#, "timeoutMs"),
            (r#"{"idleTimeoutMs":1.5}"#, "idleTimeoutMs"),
            (r#"{"firstEventTimeoutMs":"5"}"#, "firstEventTimeoutMs"),
            (r#"{"model":3}"#, "model"),
            (r#"{"probeChat":"yes"}"#, "probeChat"),
            (r#"{"sessionId":5}"#, "sessionId"),
            (r#"{"sessionId":""}"#, "sessionId"),
            (r#"{"retries":-1}"#, "retries"),
            (r#"{"retries":"2"}"#, "retries"),
        ] {
            assert_eq!(options(text(bad)).unwrap_err().path.as_deref(), Some(path), "{bad}");
        }
        let o = options(text(r#"{"sessionId":"conv-1","retries":0}"#)).unwrap();
        assert_eq!(o.routing, crate::replicas::CallRouting { session_id: Some("conv-1".into()), retries: 0 });
        assert_eq!(options(None).unwrap().routing.retries, crate::replicas::DEFAULT_RETRIES);
        assert_eq!(options(text("5")).unwrap_err().code, crate::error::ErrorCode::Config);
        // A symbol or function where a value belongs (calls.js marks them) is refused by name.
        assert_eq!(options(text(r#"{"model":"\u0000js:symbol"}"#)).unwrap_err().message, "model cannot be a symbol");
        assert_eq!(resolve_input(text(r#"{"config":"\u0000js:function"}"#)).unwrap_err().path.as_deref(), Some("config"));
        assert!(options(Some(Err(()))).unwrap_err().message.contains("cannot be converted to JSON"));
    }

    #[test]
    fn resolve_input_takes_text_or_objects_and_keeps_string_env_values_only() {
        let input = resolve_input(text(r#"{"config":"{ models: {} }","authProfiles":{"profiles":{}},"env":{"A":"1","B":2,"C":null},"agentId":"ops","baseUrl":"http://h/v1"}"#)).unwrap();
        assert_eq!(input.config, Some(ConfigInput::Text("{ models: {} }".into())));
        assert!(matches!(input.auth_profiles, Some(ConfigInput::Value(_))));
        assert_eq!(input.env.keys().collect::<Vec<_>>(), ["A"]);
        assert_eq!((input.agent_id.as_deref(), input.base_url.as_deref()), (Some("ops"), Some("http://h/v1")));
        assert_eq!(resolve_input(None).unwrap(), ResolveInput::default());
        for (bad, path) in [(r#"{"config":5}"#, "config"), (r#"{"env":"x"}"#, "env"), (r#"{"agentId":3}"#, "agentId"), (r#"{"authProfiles":[1]}"#, "authProfiles")] {
            assert_eq!(resolve_input(text(bad)).unwrap_err().path.as_deref(), Some(path), "{bad}");
        }
        assert_eq!(resolve_input(text(r#""text""#)).unwrap_err().path, None);
    }
}
