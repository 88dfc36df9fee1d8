//! `provider.diagnose()`: performs the requests the core's [`DiagnoseRun`] asks for.

use super::{convert::{call_options, page_origin, to_js}, drive::perform, promise, types::JsDiagnoseOptions, VllmProvider};
use crate::{diagnose::DiagnoseOptions, steps::DiagnoseRun};
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
            let (o, guard) = first?;
            let mut run = DiagnoseRun::new(&core, DiagnoseOptions::of(o, page_origin()));
            perform(&mut run, fetch, guard).await.and_then(|()| to_js(&run.result()?))
        })
    }
}
