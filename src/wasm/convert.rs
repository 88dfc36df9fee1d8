//! Values in and out of JS, through JSON text.
//!
//! `JSON.stringify` refuses cycles and functions with an exception we can report, and its output is
//! parsed by the core's guarded parsers, so no JS value can make the wasm recurse without bound.

use crate::config::{ConfigInput, ResolveInput};
use crate::error::ProviderError;
use js_sys::{Function, Reflect, JSON};
use serde::Serialize;
use crate::str_map::StrMap;
use wasm_bindgen::{JsCast, JsValue};

/// A `config` error about an argument.
pub fn arg_error(path: &str, message: impl Into<String>) -> ProviderError {
    ProviderError::config_at(path, message, "Check the argument against the package's TypeScript types.")
}

/// Serializes a core value into a plain JS value.
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, ProviderError> {
    parse(serde_json::to_string(value))
}

// The part of `to_js` that does not depend on the type, compiled once rather than at every export.
#[inline(never)]
fn parse(text: Result<String, serde_json::Error>) -> Result<JsValue, ProviderError> {
    let text = text.map_err(|e| arg_error("", format!("cannot serialize result: {e}")))?;
    JSON::parse(&text).map_err(|_| arg_error("", "cannot convert result to JS"))
}

/// Reads a property, treating `undefined` and `null` as absent.
pub fn get(obj: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(obj, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

/// Sets a property; on the plain objects built here it cannot fail, so the result is ignored.
#[inline(never)]
pub fn set(obj: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// Sets a string property.
#[inline(never)]
pub fn set_str(obj: &JsValue, key: &str, value: &str) {
    set(obj, key, &JsValue::from_str(value));
}

/// `JSON.stringify(value)` as a Rust string, or a config error naming `path`.
pub fn stringify(value: &JsValue, path: &str) -> Result<String, ProviderError> {
    match JSON::stringify(value) {
        Ok(s) => s.as_string().ok_or_else(|| arg_error(path, format!("{path} must be a JSON-like object"))),
        Err(_) => Err(arg_error(path, format!("{path} cannot be converted to JSON (a cycle, a BigInt or a throwing getter)"))),
    }
}

fn config_input(value: JsValue, path: &str) -> Result<ConfigInput, ProviderError> {
    if let Some(text) = value.as_string() {
        return Ok(ConfigInput::Text(text));
    }
    if !value.is_object() || value.is_function() {
        return Err(arg_error(path, format!("{path} must be JSON5 text or an object")));
    }
    Ok(ConfigInput::Text(stringify(&value, path)?))
}

/// The parts of `ResolveInput` the core reads, plus the caller's `fetch`.
pub fn resolve_input(input: &JsValue) -> Result<(ResolveInput, Option<Function>), ProviderError> {
    if input.is_undefined() || input.is_null() {
        return Ok((ResolveInput::default(), None));
    }
    if !input.is_object() {
        return Err(arg_error("", "VllmProvider.resolve takes an object: { config?, env?, authProfiles?, agentId?, baseUrl?, fetch? }"));
    }
    let mut out = ResolveInput::default();
    if let Some(c) = get(input, "config") {
        out.config = Some(config_input(c, "config")?);
    }
    if let Some(p) = get(input, "authProfiles") {
        out.auth_profiles = Some(config_input(p, "authProfiles")?);
    }
    if let Some(env) = get(input, "env") {
        out.env = env_map(&env)?;
    }
    if let Some(id) = get(input, "agentId") {
        out.agent_id = Some(id.as_string().ok_or_else(|| arg_error("agentId", "agentId must be a string"))?);
    }
    if let Some(url) = get(input, "baseUrl") {
        out.base_url = Some(url.as_string().ok_or_else(|| arg_error("baseUrl", "baseUrl must be a string"))?);
    }
    // Names set in the host process, one a line (js/host-env.js, Node entry); anything else is ignored.
    if let Some(names) = get(input, "hostEnvNames").and_then(|n| n.as_string()) {
        out.host_env_names = names.split('\n').map(str::to_string).collect();
    }
    let fetch = match get(input, "fetch") {
        None => None,
        Some(f) => Some(f.dyn_into::<Function>().map_err(|_| arg_error("fetch", "fetch must be a function like globalThis.fetch"))?),
    };
    Ok((out, fetch))
}

/// `env`: string values are kept, anything else is ignored (as `process.env` only holds strings).
fn env_map(env: &JsValue) -> Result<StrMap, ProviderError> {
    if !env.is_object() {
        return Err(arg_error("env", "env must be an object of strings, like process.env"));
    }
    let text = stringify(env, "env")?;
    let value = crate::json::parse(text.as_bytes()).map_err(|e| arg_error("env", format!("env: {e}")))?;
    let mut out = StrMap::new();
    for (k, v) in value.as_object().into_iter().flatten() {
        if let Some(s) = v.as_str() {
            out.insert(k.clone(), s.to_string());
        }
    }
    Ok(out)
}

/// `CallOptions`: `signal` and `timeoutMs`.
pub struct CallOptions {
    /// The caller's abort signal.
    pub signal: Option<web_sys::AbortSignal>,
    /// Whole-request timeout.
    pub timeout_ms: Option<u32>,
}

/// Reads `CallOptions`, refusing values that are not what the types say.
pub fn call_options(opts: &JsValue) -> Result<CallOptions, ProviderError> {
    if opts.is_undefined() || opts.is_null() {
        return Ok(CallOptions { signal: None, timeout_ms: None });
    }
    if !opts.is_object() {
        return Err(arg_error("", "options must be an object: { signal?, timeoutMs? }"));
    }
    let signal = match get(opts, "signal") {
        None => None,
        Some(s) if get(&s, "aborted").is_some_and(|a| a.as_bool().is_some()) && get(&s, "addEventListener").is_some() => {
            Some(s.unchecked_into::<web_sys::AbortSignal>())
        }
        Some(_) => return Err(arg_error("signal", "signal must be an AbortSignal")),
    };
    let timeout_ms = get(opts, "timeoutMs").map(|t| crate::http::timeout_from_number(t.as_f64())).transpose()?;
    Ok(CallOptions { signal, timeout_ms })
}
