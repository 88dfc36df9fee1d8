//! A call over the provider's replicas: each try aimed at a replica, its answer reported for the
//! replica's health, and tried again before the first byte as the call's routing allows.

use super::{Answer, ChatCall};
use crate::config::Provider;
use crate::error::ProviderError;
use crate::replicas::{CallRouting, Outcome, ReplicaCall, Verdict};
use crate::stream::{plan, CallTimeouts};
use crate::transport::TransportFailure;

/// What re-plans each try of a call over replicas.
#[derive(Debug)]
pub(super) struct Routed {
    call: ReplicaCall,
    request: String,
    timeouts: CallTimeouts,
    // The X-Request-Id's random bits: every try carries the same id.
    random: [u32; 4],
    pub(super) wait: Option<u32>,
}

impl ChatCall {
    /// A call of `request_json` over `provider`'s replicas: each try is aimed by [`ChatCall::aim`]
    /// and reported by [`ChatCall::answered`]; a connection failure, 429, 502, 503, 504 or 529 before
    /// the first byte is tried again as `routing` allows ([`crate::replicas::ReplicaCall`]), and the
    /// call's errors list the tries. The call's timeout (`timeouts.request_ms`) bounds every try and wait.
    pub fn routed(provider: &Provider, request_json: &str, timeouts: CallTimeouts, routing: CallRouting, random: [u32; 4], now_ms: u64) -> Self {
        let mut c = ChatCall::new(plan(provider, request_json, timeouts, random));
        let call = ReplicaCall::new(routing, timeouts.request_ms, now_ms);
        c.routed = Some(Routed { call, request: request_json.to_string(), timeouts, random, wait: None });
        c
    }

    /// Before each send ([`Next::Open`]): picks the replica the try goes to and plans the request for
    /// it (with the session's `X-Session-ID` and the call's remaining time).
    pub fn aim(&mut self, provider: &Provider, now_ms: u64) {
        let (Some(r), Ok(current)) = (&mut self.routed, &mut self.plan) else { return };
        let several = provider.replica_set().borrow().len() > 1;
        let i = r.call.target(&mut provider.replica_set().borrow_mut(), now_ms);
        // The first try to the first server keeps the plan made up front; others are planned anew,
        // with the caller's timeouts (the watchdogs and the messages name them) and a timer for what
        // is left of the call's time.
        if i != 0 || !r.call.attempts().is_empty() {
            match plan(&if several { provider.replica(i) } else { provider.clone() }, &r.request, r.timeouts, r.random) {
                Ok(mut p) => {
                    p.http.timeout_ms = r.call.remaining_ms(now_ms).or(p.http.timeout_ms);
                    *current = p;
                }
                Err(e) => {
                    self.plan = Err(e);
                    return;
                }
            }
        }
        r.call.decorate(&mut current.http.headers);
    }

    /// The try [`ChatCall::aim`] aimed went out: its answer (or failure) is reported for the
    /// replica's health, then kept as [`ChatCall::opened`] keeps it (`true`), or dropped (`false`):
    /// the caller cancels its body unread and the call is tried again ([`Next::Wait`], [`Next::Open`]).
    pub fn answered(&mut self, mut answer: Result<Answer, TransportFailure>, provider: &Provider, now_ms: u64, random: u32) -> bool {
        if let Some(r) = &mut self.routed {
            answer = answer.map_err(|f| r.call.named(f));
            let outcome = match &answer {
                Ok(a) => Outcome::Answered { status: a.status, headers: &a.headers },
                Err(f) => Outcome::Failed(f),
            };
            let verdict = r.call.report(&mut provider.replica_set().borrow_mut(), provider.secrets(), outcome, now_ms, random);
            if let (Verdict::Retry { delay_ms }, false) = (verdict, self.cancelled) {
                self.started = false;
                r.wait = Some(delay_ms).filter(|&ms| ms > 0);
                return false;
            }
        }
        self.opened(answer);
        true
    }

    /// The call ended with a try in flight: a trial request it held on a recovering replica is freed.
    pub fn abandon(&mut self, provider: &Provider) {
        if let Some(r) = &mut self.routed {
            r.call.abandon(&mut provider.replica_set().borrow_mut());
        }
    }

    /// An error this call gives out, with its tries when there were several.
    pub(super) fn annotated(&self, e: ProviderError) -> ProviderError {
        match &self.routed {
            Some(r) => r.call.annotate(e),
            None => e,
        }
    }
}
