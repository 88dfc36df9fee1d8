//! Calls of several requests as state machines: [`DiscoveryCall`] (`GET /models` across the replicas,
//! with retries) and [`DiagnoseRun`] (one [`Diagnosis`] per replica). [`Fetched`] drives them as the
//! runtime drives every call ([`crate::stream::Driven`]), reading each body whole, and [`Exchanging`]
//! follows each request's redirects and runs a browser's probes; every decision is made here.

use crate::config::Provider;
use crate::diagnose::{merge_replica_reports, DiagnoseOptions, Diagnosis, DiagnosisReport, Probe};
use crate::error::{ErrorCode, ProviderError};
use crate::http::{HttpRequest, HttpResponse};
use crate::models::ModelDefinition;
use crate::replicas::{CallRouting, Outcome, ReplicaCall, Verdict};
use crate::transport::{classify_transport, FailureKind, TransportFailure};

mod exchanging;
mod fetched;
pub use exchanging::Exchanging;
pub use fetched::Fetched;

/// What the runtime does next for a call.
#[derive(Debug)]
pub enum Step {
    /// Send this request under the call's guard and read its body, then report with [`Steps::answered`].
    Send(HttpRequest),
    /// Wait this many milliseconds (the call's abort and timer still end the wait), then report with
    /// [`Steps::waited`].
    Wait(u32),
    /// The call is over: its result is ready.
    Done,
}

/// A call the runtime drives step by step (object safe: one loop drives every kind of call, then
/// takes its result). Times are milliseconds since the Unix epoch.
pub trait Steps {
    /// What to do next.
    fn next(&mut self, now_ms: u64) -> Step;
    /// What came of the [`Step::Send`]: the response, or why there was none; and whether the caller's
    /// signal has fired meanwhile. `random` jitters a retry's backoff.
    fn answered(&mut self, outcome: Result<HttpResponse, TransportFailure>, caller_aborted: bool, now_ms: u64, random: u32);
    /// What came of the [`Step::Wait`]: `None` when it ran out, else why it was cut short
    /// ([`FailureKind::Timeout`] or [`FailureKind::Aborted`]).
    fn waited(&mut self, cut: Option<FailureKind>);
}

impl<S: Steps + ?Sized> Steps for &mut S {
    fn next(&mut self, now_ms: u64) -> Step {
        (**self).next(now_ms)
    }
    fn answered(&mut self, outcome: Result<HttpResponse, TransportFailure>, caller_aborted: bool, now_ms: u64, random: u32) {
        (**self).answered(outcome, caller_aborted, now_ms, random);
    }
    fn waited(&mut self, cut: Option<FailureKind>) {
        (**self).waited(cut);
    }
}

/// `discoverModels()`: `GET /models` on the replica the [`ReplicaCall`] picks, tried again as it says.
pub struct DiscoveryCall<'a> {
    provider: &'a Provider,
    call: ReplicaCall,
    /// The replica of the try in flight, its request, and the wait before the next try once decided.
    current: Option<(Provider, HttpRequest, Option<u32>)>,
    result: Option<Result<Vec<ModelDefinition>, ProviderError>>,
}

impl<'a> DiscoveryCall<'a> {
    /// A discovery on `provider`'s replicas; `timeout_ms` bounds every try and wait together.
    pub fn new(provider: &'a Provider, routing: CallRouting, timeout_ms: Option<u32>, now_ms: u64) -> Self {
        DiscoveryCall { provider, call: ReplicaCall::new(routing, timeout_ms, now_ms), current: None, result: None }
    }

    /// The call's result, once [`Steps::next`] has said [`Step::Done`].
    pub fn result(&mut self) -> Result<Vec<ModelDefinition>, ProviderError> {
        self.result.take().unwrap_or_else(|| Err(crate::stream::unknown_error()))
    }

    fn finish(&mut self, replica: &Provider, outcome: Result<HttpResponse, TransportFailure>) {
        let resp = outcome.map_err(|f| classify_transport(&f, &replica.describe().base_url).redact(self.provider.secrets()));
        self.result = Some(resp.and_then(|r| replica.parse_discovery(&r)).map_err(|e| self.call.annotate(e)));
    }
}

impl Steps for DiscoveryCall<'_> {
    fn next(&mut self, now_ms: u64) -> Step {
        if self.result.is_some() {
            return Step::Done;
        }
        if let Some((_, _, Some(ms))) = self.current {
            return Step::Wait(ms);
        }
        let i = self.call.target(&mut self.provider.replica_set().borrow_mut(), now_ms);
        let replica = self.provider.replica(i);
        let mut req = replica.discovery_request(self.call.remaining_ms(now_ms));
        self.call.decorate(&mut req.headers);
        self.current = Some((replica, req.clone(), None));
        Step::Send(req)
    }

    fn answered(&mut self, outcome: Result<HttpResponse, TransportFailure>, _: bool, now_ms: u64, random: u32) {
        let Some((replica, req, _)) = self.current.take() else { return };
        let outcome = outcome.map_err(|f| self.call.named(f));
        let reported = outcome.as_ref().map_or_else(Outcome::Failed, |r| Outcome::Answered { status: r.status, headers: &r.headers });
        match self.call.report(&mut self.provider.replica_set().borrow_mut(), self.provider.secrets(), reported, now_ms, random) {
            Verdict::Retry { delay_ms } => self.current = Some((replica, req, Some(delay_ms))),
            Verdict::Proceed => self.finish(&replica, outcome),
        }
    }

    fn waited(&mut self, cut: Option<FailureKind>) {
        let Some((replica, req, _)) = self.current.take() else { return };
        // A wait cut short ends the call as it would have ended the request it follows.
        if let Some(kind) = cut {
            self.finish(&replica, Err(self.call.named(TransportFailure::new(kind, &req))));
        }
    }
}

/// `diagnose()`: one [`Diagnosis`] per replica (a single server: just its own), merged into one
/// report. The caller's abort ends it with an `aborted` error.
pub struct DiagnoseRun<'a> {
    provider: &'a Provider,
    opts: DiagnoseOptions,
    /// The replica under diagnosis (its index) and its diagnosis.
    current: Option<(usize, Diagnosis<'static>)>,
    done: Vec<(String, DiagnosisReport)>,
    /// The probe in flight and when it was sent.
    pending: Option<(Probe, u64)>,
    aborted: bool,
    result: Option<Result<DiagnosisReport, ProviderError>>,
}

impl<'a> DiagnoseRun<'a> {
    /// A diagnosis of every replica of `provider`.
    pub fn new(provider: &'a Provider, opts: DiagnoseOptions) -> Self {
        DiagnoseRun { provider, opts, current: None, done: Vec::new(), pending: None, aborted: false, result: None }
    }

    /// The merged report, once [`Steps::next`] has said [`Step::Done`]; or the `aborted` error.
    pub fn result(&mut self) -> Result<DiagnosisReport, ProviderError> {
        self.result.take().unwrap_or_else(|| Err(crate::stream::unknown_error()))
    }
}

impl Steps for DiagnoseRun<'_> {
    fn next(&mut self, now_ms: u64) -> Step {
        if self.aborted {
            self.result = Some(Err(ProviderError::new(ErrorCode::Aborted, "Diagnosis was aborted", crate::hints::aborted())));
        }
        while self.result.is_none() {
            let (i, d) = match &mut self.current {
                Some(current) => current,
                None if self.done.len() < self.provider.replica_set().borrow().len() => {
                    let i = self.done.len();
                    self.current.insert((i, Diagnosis::owned(self.provider.replica(i), self.opts.clone())))
                }
                None => {
                    self.result = Some(Ok(merge_replica_reports(std::mem::take(&mut self.done))));
                    break;
                }
            };
            if let Some((probe, req)) = d.next_request() {
                self.pending = Some((probe, now_ms));
                return Step::Send(req);
            }
            let report = d.report();
            self.done.push((self.provider.replica(*i).describe().base_url.clone(), report));
            self.current = None;
        }
        Step::Done
    }

    fn answered(&mut self, outcome: Result<HttpResponse, TransportFailure>, caller_aborted: bool, now_ms: u64, _: u32) {
        self.aborted |= caller_aborted;
        if let (Some((probe, sent)), Some((_, d)), false) = (self.pending.take(), &mut self.current, caller_aborted) {
            d.record(probe, outcome, now_ms.saturating_sub(sent));
        }
    }

    fn waited(&mut self, _: Option<FailureKind>) {}
}

#[cfg(test)]
mod tests;
