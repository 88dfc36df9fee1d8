//! `provider.diagnose()`: performs the requests the core's [`Diagnosis`] plans and returns its report.

use super::convert::{arg_error, call_options, get, to_js};
use super::fetch::{page_origin, send};
use super::types::JsDiagnoseOptions;
use super::{promise, throw, VllmProvider};
use crate::diagnose::{DiagnoseOptions, Diagnosis};
use crate::error::ProviderError;
use js_sys::Promise;
use wasm_bindgen::prelude::*;

/// `model`, `probeChat` and `inContainer` of `DiagnoseOptions` (the `CallOptions` part is read separately).
fn diagnose_options(opts: &JsValue) -> Result<DiagnoseOptions, ProviderError> {
    let mut out = DiagnoseOptions { page_origin: page_origin(), ..Default::default() };
    if opts.is_undefined() || opts.is_null() {
        return Ok(out);
    }
    out.model = match get(opts, "model") {
        None => None,
        Some(m) => Some(m.as_string().ok_or_else(|| arg_error("model", "model must be a string such as \"vllm/<id>\""))?),
    };
    let flag = |key: &str| match get(opts, key) {
        None => Ok(false),
        Some(b) => b.as_bool().ok_or_else(|| arg_error(key, format!("{key} must be a boolean"))),
    };
    out.probe_chat = flag("probeChat")?;
    out.in_container = flag("inContainer")?;
    Ok(out)
}

#[wasm_bindgen]
impl VllmProvider {
    /// Runs OpenClaw's troubleshooting checks against the server and reports each with its fix.
    /// Resolves to a `DiagnosisReport` (it does not reject for server problems; they are checks).
    #[wasm_bindgen(unchecked_return_type = "Promise<DiagnosisReport>")]
    pub fn diagnose(&self, opts: Option<JsDiagnoseOptions>) -> Promise {
        let (core, fetch) = (self.core.clone(), self.fetch.clone());
        promise(Box::pin(async move {
            let opts = opts.map_or(JsValue::UNDEFINED, JsValue::from);
            let call = call_options(&opts).map_err(throw)?;
            let mut options = diagnose_options(&opts).map_err(throw)?;
            options.timeout_ms = call.timeout_ms;
            let mut d = Diagnosis::new(&core, options);
            while let Some((probe, req)) = d.next_request() {
                let started = js_sys::Date::now();
                let outcome = send(&req, fetch.as_ref(), &call).await;
                if call.signal.as_ref().is_some_and(web_sys::AbortSignal::aborted) {
                    return Err(throw(ProviderError::new(crate::error::ErrorCode::Aborted, "Diagnosis was aborted", crate::hints::aborted())));
                }
                d.record(probe, outcome, (js_sys::Date::now() - started).max(0.0) as u64);
            }
            to_js(&d.report()).map_err(throw)
        }))
    }
}
