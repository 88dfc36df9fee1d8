//! A core [`ProviderError`] as a real JS `Error` named `VllmProviderError`.

use crate::error::ProviderError;
use super::convert::{set, set_str};
use js_sys::Error;
use wasm_bindgen::JsValue;

/// Builds the thrown value: `instanceof Error`, `name`, `code`, `hint`, `retryable` and the extras.
pub fn to_js_error(e: &ProviderError) -> JsValue {
    let err = Error::new(&e.message);
    err.set_name("VllmProviderError");
    let v: JsValue = err.into();
    set_str(&v, "code", e.code.as_str());
    set_str(&v, "hint", &e.hint);
    set(&v, "retryable", &JsValue::from_bool(e.retryable));
    let opt_num = |key: &str, n: Option<f64>| {
        if let Some(n) = n {
            set(&v, key, &JsValue::from_f64(n));
        }
    };
    opt_num("status", e.status.map(f64::from));
    opt_num("line", e.line.map(f64::from));
    opt_num("column", e.column.map(f64::from));
    opt_num("retryAfterMs", e.retry_after_ms.map(|x| x as f64));
    for (key, val) in [("requestId", &e.request_id), ("body", &e.body), ("path", &e.path)] {
        if let Some(s) = val {
            set_str(&v, key, s);
        }
    }
    v
}
