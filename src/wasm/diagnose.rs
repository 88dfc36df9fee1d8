//! `provider.diagnose()`: performs the requests the core's [`Diagnosis`] plans and returns its report.

use super::convert::{arg_error, call_options, field, string_field, to_js};
use super::fetch::{page_origin, send};
use super::{promise, types::JsDiagnoseOptions, VllmProvider};
use crate::diagnose::{DiagnoseOptions, Diagnosis};
use crate::error::{ErrorCode, ProviderError};
use js_sys::Promise;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl VllmProvider {
    /// Runs OpenClaw's troubleshooting checks against the server and reports each with its fix.
    /// Resolves to a `DiagnosisReport` (it does not reject for server problems; they are checks).
    #[wasm_bindgen(unchecked_return_type = "Promise<DiagnosisReport>")]
    pub fn diagnose(&self, opts: Option<JsDiagnoseOptions>) -> Promise {
        let opts: JsValue = opts.into();
        let flag = |key: &str| field(&opts, key)?.map_or(Ok(false), |b| b.as_bool().ok_or_else(|| arg_error(key, format!("{key} must be a boolean"))));
        let read = (|| Ok::<_, ProviderError>((call_options(&opts)?, string_field(&opts, "model")?, flag("probeChat")?, flag("inContainer")?)))();
        let (core, fetch) = (self.core.clone(), self.fetch.clone());
        promise(async move {
            let (call, model, probe_chat, in_container) = read?;
            let mut d = Diagnosis::new(&core, DiagnoseOptions { model, probe_chat, in_container, timeout_ms: call.timeout_ms, page_origin: page_origin() });
            while let Some((probe, req)) = d.next_request() {
                let (started, guard) = (js_sys::Date::now(), call.guard()?);
                let outcome = send(&req, fetch.as_ref(), &guard).await;
                if guard.caller_aborted() {
                    return Err(ProviderError::new(ErrorCode::Aborted, "Diagnosis was aborted", crate::hints::aborted()));
                }
                d.record(probe, outcome, (js_sys::Date::now() - started).max(0.0) as u64);
            }
            to_js(&d.report())
        })
    }
}
