//! Values across the boundary. Out: serde-wasm-bindgen's JSON-compatible serializer (maps as objects,
//! `None` as null). In: `JSON.stringify` text (measured faster, BENCHMARKS.md; it refuses cycles, BigInts
//! and throwing getters), read by `crate::args`. Calls into JS that may throw go through calls.js.

use super::guard::Guard;
use crate::{args::{arg_error, Json}, error::ProviderError};
use js_sys::{Array, Function};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/wasm/calls.js")]
extern "C" {
    #[wasm_bindgen(js_name = get)] fn js_get(out: &Array, object: &JsValue, key: &str) -> bool;
    #[wasm_bindgen(js_name = call)] fn js_call(out: &Array, f: &JsValue, this: &JsValue, args: &Array) -> bool;
    #[wasm_bindgen(js_name = construct)] fn js_construct(out: &Array, class: &str, args: &Array) -> bool;
    #[wasm_bindgen(js_name = stringify)] fn js_stringify(out: &Array, value: &JsValue, options: bool) -> bool;
    #[wasm_bindgen(js_name = thrown)] fn js_thrown(e: &JsValue) -> Array;
    /// The page's origin in a browser page or worker (for CORS diagnosis).
    #[wasm_bindgen(js_name = pageOrigin)] pub fn page_origin() -> Option<String>;
    /// `new URL(url, base).href`, or `url` when that throws.
    #[wasm_bindgen(js_name = resolveUrl)] pub fn resolve_url(url: &str, base: &str) -> String;
}

#[wasm_bindgen(module = "/src/wasm/rows.js")]
extern "C" {
    fn rows(text: &str, codes: &[f64], profiles: JsValue, rest: JsValue) -> JsValue;
}

fn outcome(attempt: impl FnOnce(&Array) -> bool) -> Result<JsValue, JsValue> {
    let out = Array::new();
    if attempt(&out) { Ok(out.get(0)) } else { Err(out.get(0)) }
}

/// `object[key]`: the value, or what the getter threw.
pub fn get(object: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    outcome(|out| js_get(out, object, key))
}
/// `f.call(this, ...args)`: the result, or what the call threw.
pub fn call(f: &JsValue, this: &JsValue, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    outcome(|out| js_call(out, f, this, &args.iter().copied().collect()))
}
/// `new globalThis[class](...args)`: the object, or what the constructor threw.
pub fn construct(class: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    outcome(|out| js_construct(out, class, &args.iter().copied().collect()))
}

/// What JS threw or rejected with, as the core reads it.
pub fn thrown(e: &JsValue) -> crate::transport::Thrown {
    let fields = js_thrown(e);
    let [name, message, cause_code, cause_message] = [0, 1, 2, 3].map(|i| fields.get(i).as_string());
    crate::transport::Thrown { name, message: message.unwrap_or_default(), cause_code, cause_message }
}

/// A core value as a plain JS value.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, ProviderError> {
    converted(value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()))
}

/// Model rows as JS objects, most of them made in rows.js ([`crate::models::RowsCrossing`]).
pub fn rows_to_js(rows: &[crate::models::ModelDefinition]) -> Result<JsValue, ProviderError> {
    let c: crate::models::RowsCrossing = rows.iter().collect();
    Ok(self::rows(&c.text, &c.codes, to_js(&c.profiles)?, to_js(&c.rest)?))
}

// The part of `to_js` that does not depend on the type, compiled once.
#[inline(never)]
fn converted(value: Result<JsValue, serde_wasm_bindgen::Error>) -> Result<JsValue, ProviderError> {
    value.map_err(|e| arg_error("", format!("cannot convert the result to JS: {e}")))
}

/// An argument as JSON text for `crate::args` (`None` for undefined); `options` leaves the signal out.
pub fn json(value: &JsValue, options: bool) -> Json {
    let text = outcome(|out| js_stringify(out, value, options));
    Some(text.map(|t| t.as_string().unwrap_or_default()).map_err(drop)).filter(|_| !value.is_undefined())
}

/// `JSON.stringify(value)`, or a config error naming `path`.
pub fn json_text(value: &JsValue, path: &str) -> Result<String, ProviderError> {
    json(value, false).and_then(Result::ok).ok_or_else(|| arg_error(path, format!("{path} cannot be converted to JSON (a cycle, a BigInt or a throwing getter)")))
}

/// The caller's `fetch`, from `VllmProvider.resolve`'s input.
pub fn fetch_of(input: &JsValue) -> Result<Option<Function>, ProviderError> {
    let f = if input.is_object() { get(input, "fetch").map_err(|_| arg_error("fetch", "reading fetch threw"))? } else { JsValue::UNDEFINED };
    let f = Some(f).filter(|f| !f.is_undefined() && !f.is_null());
    f.map(|f| f.dyn_into::<Function>().map_err(|_| arg_error("fetch", "fetch must be a function like globalThis.fetch"))).transpose()
}

/// An options object: what the core reads from it, and the guard of its call on its `signal`.
pub fn call_options(opts: &JsValue) -> Result<(crate::args::Options, Guard), ProviderError> {
    let options = crate::args::options(json(opts, true))?;
    let signal = Some(opts).filter(|o| o.is_object()).map(|o| get(o, "signal")).transpose().map_err(|_| arg_error("signal", "reading signal threw"))?;
    let guard = Guard::new(signal.filter(|s| !s.is_undefined() && !s.is_null()).as_ref());
    guard.map(|g| (options, g)).map_err(|bad| if bad { arg_error("signal", "signal must be an AbortSignal") } else { crate::transport::runtime_missing("AbortController") })
}
