//! `provider.diagnose()`: performs the requests the core's [`Diagnosis`] plans and returns its report.

use super::convert::{call_options, field, string_field, arg_error, to_js};
use super::net::{page_origin, send};
use super::types::JsDiagnoseOptions;
use super::{promise, throw, VllmProvider};
use crate::diagnose::{DiagnoseOptions, Diagnosis};
use crate::error::ProviderError;
use js_sys::Promise;
use wasm_bindgen::prelude::*;

/// `model`, `probeChat` and `inContainer` of `DiagnoseOptions` (the `CallOptions` part is read separately).
fn diagnose_options(opts: &JsValue) -> Result<DiagnoseOptions, ProviderError> {
    let mut out = DiagnoseOptions { page_origin: page_origin(), ..Default::default() };
    if !opts.is_object() {
        return Ok(out);
    }
    out.model = string_field(opts, "model")?;
    let flag = |key: &str| field(opts, key)?.map_or(Ok(false), |b| b.as_bool().ok_or_else(|| arg_error(key, format!("{key} must be a boolean"))));
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
        let opts = opts.map_or(JsValue::UNDEFINED, JsValue::from);
        let read = call_options(&opts).and_then(|call| Ok((diagnose_options(&opts)?, call)));
        let (core, fetch) = (self.core.clone(), self.fetch.clone());
        promise(Box::pin(async move {
            let (mut options, call) = read.map_err(throw)?;
            options.timeout_ms = call.timeout_ms;
            let mut d = Diagnosis::new(&core, options);
            while let Some((probe, req)) = d.next_request() {
                let started = js_sys::Date::now();
                let guard = call.guard().map_err(throw)?;
                let outcome = send(&req, fetch.as_ref(), &guard).await;
                if guard.caller_aborted() {
                    return Err(throw(ProviderError::new(crate::error::ErrorCode::Aborted, "Diagnosis was aborted", crate::hints::aborted())));
                }
                d.record(probe, outcome, (js_sys::Date::now() - started).max(0.0) as u64);
            }
            to_js(&d.report()).map_err(throw)
        }))
    }
}
