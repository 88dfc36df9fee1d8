//! Values across the boundary. Out: every result, event batch, report and error's fields go through
//! serde-wasm-bindgen's JSON-compatible serializer (maps as plain objects, `None` as null, skipped
//! fields absent). In: arguments are read one property at a time, every getter caught; the structured
//! ones (config, environment, chat request, headers) cross as `JSON.stringify` text, measured faster
//! for them (BENCHMARKS.md), and `JSON.stringify` refuses cycles, BigInts and throwing getters with an
//! exception caught here, so no JS value can make the wasm recurse without bound.

use super::guard::Guard;
use crate::config::{ConfigInput, ResolveInput};
use crate::error::ProviderError;
use js_sys::{Array, Function};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/wasm/calls.js")]
extern "C" {
    // Each runs one call that may throw and says whether it did; the outcome is in `out[0]`.
    #[wasm_bindgen(js_name = get)]
    fn js_get(out: &Array, object: &JsValue, key: &str) -> bool;
    #[wasm_bindgen(js_name = call)]
    fn js_call(out: &Array, f: &JsValue, this: &JsValue, args: &Array) -> bool;
    #[wasm_bindgen(js_name = construct)]
    fn js_construct(out: &Array, class: &str, args: &Array) -> bool;
    #[wasm_bindgen(js_name = stringify)]
    fn js_stringify(out: &Array, value: &JsValue) -> bool;
}

fn outcome(attempt: impl FnOnce(&Array) -> bool) -> Result<JsValue, JsValue> {
    let out = Array::new();
    let ok = attempt(&out);
    Some(out.get(0)).filter(|_| ok).ok_or_else(|| out.get(0))
}

/// `object[key]`: the value, or what the getter threw.
pub fn get(object: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    outcome(|out| js_get(out, object, key))
}

/// `target[name](...args)`: the result, or what the getter or the call threw.
pub fn call_method(target: &JsValue, name: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let f = get(target, name)?;
    outcome(|out| js_call(out, &f, target, &args.iter().copied().collect()))
}

/// `f.call(this, ...args)`: the result, or what the call threw.
pub fn call(f: &JsValue, this: &JsValue, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    outcome(|out| js_call(out, f, this, &args.iter().copied().collect()))
}

/// `new globalThis[class](...args)`: the object, or what the constructor threw.
pub fn construct(class: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    outcome(|out| js_construct(out, class, &args.iter().copied().collect()))
}

/// A `config` error about an argument.
pub fn arg_error(path: &str, message: impl Into<String>) -> ProviderError {
    ProviderError::config_at(path, message, "Check the argument against the package's TypeScript types.")
}

/// A core value as a plain JS value.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, ProviderError> {
    converted(value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()))
}

// The part of `to_js` that does not depend on the type, compiled once.
#[inline(never)]
fn converted(value: Result<JsValue, serde_wasm_bindgen::Error>) -> Result<JsValue, ProviderError> {
    value.map_err(|e| arg_error("", format!("cannot convert the result to JS: {e}")))
}

/// `obj[key]`, `None` for null, undefined or a non-object `obj`; a getter that throws is a config error.
pub fn field(obj: &JsValue, key: &str) -> Result<Option<JsValue>, ProviderError> {
    let v = if obj.is_object() { get(obj, key).map_err(|_| arg_error(key, format!("reading {key} threw")))? } else { JsValue::NULL };
    Ok(Some(v).filter(|v| !v.is_undefined() && !v.is_null()))
}

/// `obj[key]` as a string, when present.
pub fn string_field(obj: &JsValue, key: &str) -> Result<Option<String>, ProviderError> {
    field(obj, key)?.map(|v| v.as_string().ok_or_else(|| arg_error(key, format!("{key} must be a string")))).transpose()
}

/// `JSON.stringify(value)` as a Rust string, or a config error naming `path`.
pub fn json_text(value: &JsValue, path: &str) -> Result<String, ProviderError> {
    let text = outcome(|out| js_stringify(out, value)).map_err(|_| arg_error(path, format!("{path} cannot be converted to JSON (a cycle, a BigInt or a throwing getter)")))?;
    text.as_string().ok_or_else(|| arg_error(path, format!("{path} must be a JSON-like object")))
}

/// A config or auth-profile store: JSON5 text, or an object (as JSON text).
fn config_input(value: JsValue, path: &str) -> Result<ConfigInput, ProviderError> {
    match value.as_string() {
        Some(text) => Ok(ConfigInput::Text(text)),
        None if value.is_object() && !value.is_function() => Ok(ConfigInput::Text(json_text(&value, path)?)),
        None => Err(arg_error(path, format!("{path} must be JSON5 text or an object"))),
    }
}

/// The parts of `ResolveInput` the core reads, plus the caller's `fetch`.
pub fn resolve_input(input: &JsValue) -> Result<(ResolveInput, Option<Function>), ProviderError> {
    if !input.is_object() && !input.is_undefined() && !input.is_null() {
        return Err(arg_error("", "VllmProvider.resolve takes an object: { config?, env?, authProfiles?, agentId?, baseUrl?, fetch? }"));
    }
    let env = field(input, "env")?.map(|env| match env.is_object() {
        true => crate::str_map::StrMap::strings_of_json(&json_text(&env, "env")?).map_err(|e| arg_error("env", e)),
        false => Err(arg_error("env", "env must be an object of strings, like process.env")),
    });
    let resolved = ResolveInput {
        config: field(input, "config")?.map(|c| config_input(c, "config")).transpose()?,
        auth_profiles: field(input, "authProfiles")?.map(|p| config_input(p, "authProfiles")).transpose()?,
        env: env.transpose()?.unwrap_or_default(),
        agent_id: string_field(input, "agentId")?,
        base_url: string_field(input, "baseUrl")?,
    };
    let fetch = field(input, "fetch")?.map(|f| f.dyn_into::<Function>().map_err(|_| arg_error("fetch", "fetch must be a function like globalThis.fetch")));
    Ok((resolved, fetch.transpose()?))
}

/// `CallOptions`: the caller's signal (and whether it had fired already) and `timeoutMs`.
pub struct CallOptions {
    /// The caller's abort signal: anything with a boolean `aborted` and an `addEventListener` method
    /// (signals of other realms and polyfills count).
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

/// Reads `CallOptions`, refusing values that are not what the types say.
pub fn call_options(opts: &JsValue) -> Result<CallOptions, ProviderError> {
    if !opts.is_object() && !opts.is_undefined() && !opts.is_null() {
        return Err(arg_error("", "options must be an object: { signal?, timeoutMs? }"));
    }
    let signal = field(opts, "signal")?;
    let aborted = match &signal {
        None => Some(false),
        Some(s) => get(s, "aborted").ok().and_then(|a| a.as_bool()).filter(|_| get(s, "addEventListener").is_ok_and(|f| f.is_function())),
    };
    let aborted = aborted.ok_or_else(|| arg_error("signal", "signal must be an AbortSignal"))?;
    let timeout_ms = field(opts, "timeoutMs")?.map(|t| crate::http::timeout_from_number(t.as_f64())).transpose()?;
    Ok(CallOptions { signal, aborted, timeout_ms })
}
