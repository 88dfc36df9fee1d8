//! `provider.diagnose()`: performs the requests the core's [`Diagnosis`] plans and returns its report.

use super::convert::{call_options, to_js};
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
        let (core, fetch, first) = (self.core.clone(), self.fetch.clone(), call_options(&opts.into()));
        promise(async move {
            let (o, mut guard) = first?;
            // One diagnosis per replica (a single server: just its own), merged into one report.
            let mut reports = Vec::new();
            let servers = core.replica_set().borrow().len();
            for i in 0..servers {
                let replica = core.replica(i);
                let opts = DiagnoseOptions { model: o.model.clone(), probe_chat: o.probe_chat, in_container: o.in_container, timeout_ms: o.timeout_ms, page_origin: page_origin() };
                let mut d = Diagnosis::new(&replica, opts);
                // A guard per probe (each has its own timeout and may end), all on the caller's signal.
                while let Some((probe, req)) = d.next_request() {
                    let started = js_sys::Date::now();
                    let outcome = send(&req, fetch.as_ref(), &guard).await;
                    if guard.caller_aborted() {
                        return Err(ProviderError::new(ErrorCode::Aborted, "Diagnosis was aborted", crate::hints::aborted()));
                    }
                    d.record(probe, outcome, (js_sys::Date::now() - started).max(0.0) as u64);
                    guard = guard.renew().ok_or_else(|| crate::transport::runtime_missing("AbortController"))?;
                }
                reports.push((replica.describe().base_url.clone(), d.report()));
            }
            to_js(&crate::diagnose::merge_replica_reports(reports))
        })
    }
}
