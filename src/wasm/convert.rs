//! Values across the boundary.
//!
//! Out: every result, event batch, report and error's fields go through serde-wasm-bindgen's
//! JSON-compatible serializer (maps as plain objects, `None` as null, skipped fields absent).
//! In: arguments are read one property at a time, catching every getter; the structured ones (a config
//! object, an environment, a chat request, headers) cross as `JSON.stringify` text, which BENCHMARKS.md
//! measures faster than serde-wasm-bindgen for them, and which refuses cycles, BigInts and throwing
//! getters with an exception caught here, so no JS value can make the wasm recurse without bound.

use super::net::Guard;
use crate::config::{ConfigInput, ResolveInput};
use crate::error::ProviderError;
use crate::str_map::StrMap;
use js_sys::{Function, Object, Reflect, JSON};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

/// A `config` error about an argument.
pub fn arg_error(path: &str, message: impl Into<String>) -> ProviderError {
    ProviderError::config_at(path, message, "Check the argument against the package's TypeScript types.")
}

/// A core value as a plain JS value.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, ProviderError> {
    converted(value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()))
}

// The part of `to_js` that does not depend on the type, compiled once rather than at every export.
#[inline(never)]
fn converted(value: Result<JsValue, serde_wasm_bindgen::Error>) -> Result<JsValue, ProviderError> {
    value.map_err(|e| arg_error("", format!("cannot convert the result to JS: {e}")))
}

/// The thrown value: a real `Error` named `VllmProviderError` carrying the error's fields.
pub fn to_js_error(e: &ProviderError) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name("VllmProviderError");
    if let Ok(fields) = to_js(e) {
        Object::<JsValue>::assign(err.unchecked_ref(), fields.unchecked_ref());
    }
    err.into()
}

/// `obj[key]`, `None` for null and undefined; a getter that throws is a config error naming `key`.
pub fn field(obj: &JsValue, key: &str) -> Result<Option<JsValue>, ProviderError> {
    if !obj.is_object() {
        return Ok(None);
    }
    let v = Reflect::get(obj, &key.into()).map_err(|_| arg_error(key, format!("reading {key} threw")))?;
    Ok(Some(v).filter(|v| !v.is_undefined() && !v.is_null()))
}

/// `obj[key]` as a string, when present.
pub fn string_field(obj: &JsValue, key: &str) -> Result<Option<String>, ProviderError> {
    field(obj, key)?.map(|v| v.as_string().ok_or_else(|| arg_error(key, format!("{key} must be a string")))).transpose()
}

/// `JSON.stringify(value)` as a Rust string, or a config error naming `path`.
pub fn json_text(value: &JsValue, path: &str) -> Result<String, ProviderError> {
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
    Ok(ConfigInput::Text(json_text(&value, path)?))
}

/// The parts of `ResolveInput` the core reads, plus the caller's `fetch`.
pub fn resolve_input(input: &JsValue) -> Result<(ResolveInput, Option<Function>), ProviderError> {
    if input.is_undefined() || input.is_null() {
        return Ok((ResolveInput::default(), None));
    }
    if !input.is_object() {
        return Err(arg_error("", "VllmProvider.resolve takes an object: { config?, env?, authProfiles?, agentId?, baseUrl?, fetch? }"));
    }
    let out = ResolveInput {
        config: field(input, "config")?.map(|c| config_input(c, "config")).transpose()?,
        auth_profiles: field(input, "authProfiles")?.map(|p| config_input(p, "authProfiles")).transpose()?,
        env: field(input, "env")?.map(|env| env_map(&env)).transpose()?.unwrap_or_default(),
        agent_id: string_field(input, "agentId")?,
        base_url: string_field(input, "baseUrl")?,
    };
    let fetch = field(input, "fetch")?.map(|f| f.dyn_into::<Function>().map_err(|_| arg_error("fetch", "fetch must be a function like globalThis.fetch"))).transpose()?;
    Ok((out, fetch))
}

/// `env`: string values are kept, anything else is ignored (as `process.env` only holds strings).
fn env_map(env: &JsValue) -> Result<StrMap, ProviderError> {
    if !env.is_object() {
        return Err(arg_error("env", "env must be an object of strings, like process.env"));
    }
    let value = crate::json::parse(json_text(env, "env")?.as_bytes()).map_err(|e| arg_error("env", format!("env: {e}")))?;
    let mut out = StrMap::new();
    for (k, v) in value.as_object().into_iter().flatten() {
        if let Some(s) = v.as_str() {
            out.insert(k.clone(), s.to_string());
        }
    }
    Ok(out)
}

/// `CallOptions`: the caller's signal (whether it had fired already) and `timeoutMs`.
pub struct CallOptions {
    /// The caller's abort signal.
    pub signal: Option<JsValue>,
    /// Whether it had fired when the call began.
    pub aborted: bool,
    /// Whole-request timeout.
    pub timeout_ms: Option<u32>,
}

impl CallOptions {
    /// The guard of a call with these options.
    pub fn guard(&self) -> Result<Guard, ProviderError> {
        Guard::new(self.signal.as_ref(), self.aborted).ok_or_else(|| crate::transport::runtime_missing("AbortController"))
    }
}

/// Reads `CallOptions`, refusing values that are not what the types say. A signal is anything with a
/// boolean `aborted` and an `addEventListener` method (signals of other realms and polyfills count).
pub fn call_options(opts: &JsValue) -> Result<CallOptions, ProviderError> {
    if opts.is_undefined() || opts.is_null() {
        return Ok(CallOptions { signal: None, aborted: false, timeout_ms: None });
    }
    if !opts.is_object() {
        return Err(arg_error("", "options must be an object: { signal?, timeoutMs? }"));
    }
    let not_a_signal = || arg_error("signal", "signal must be an AbortSignal");
    let (signal, aborted) = match field(opts, "signal")? {
        None => (None, false),
        Some(s) => {
            let aborted = Reflect::get(&s, &"aborted".into()).ok().and_then(|a| a.as_bool()).ok_or_else(not_a_signal)?;
            if !Reflect::get(&s, &"addEventListener".into()).is_ok_and(|f| f.is_function()) {
                return Err(not_a_signal());
            }
            (Some(s), aborted)
        }
    };
    let timeout_ms = field(opts, "timeoutMs")?.map(|t| crate::http::timeout_from_number(t.as_f64())).transpose()?;
    Ok(CallOptions { signal, aborted, timeout_ms })
}
