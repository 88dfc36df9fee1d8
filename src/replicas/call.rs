//! One call's tries: where each goes, whether an outcome is tried again and after how long, and the
//! list of tries for the final error.

use super::session::set_session_header;
use super::ReplicaSet;
use crate::error::{Attempt, ErrorCode, ProviderError};
use crate::transport::{classify_transport, FailureKind, TransportFailure};

/// `CallOptions.retries` when not given.
pub const DEFAULT_RETRIES: u32 = 2;
/// The most retries a call may ask for.
pub const MAX_RETRIES: u32 = 10;
/// The longest `Retry-After` waited for (60 s): a server that asks for more is not retried, and its
/// error carries `retryAfterMs` for the caller to decide.
pub const MAX_RETRY_WAIT_MS: u64 = 60_000;
/// The first backoff step, doubled for each retry, up to [`BACKOFF_CAP_MS`].
const BACKOFF_BASE_MS: u64 = 500;
const BACKOFF_CAP_MS: u64 = 8_000;

/// A caller's `retries`: `None` means the option was given but is not a number. A whole number from
/// 0 to [`MAX_RETRIES`].
pub fn retries_from_number(n: Option<f64>) -> Result<u32, ProviderError> {
    match n {
        Some(n) if n.fract() == 0.0 && (0.0..=f64::from(MAX_RETRIES)).contains(&n) => Ok(n as u32),
        _ => Err(ProviderError::config_at(
            "retries",
            "retries must be a whole number from 0 to 10",
            "Pass the number of retries before the first byte of the answer (default 2), or 0 for none.",
        )),
    }
}

/// How a call is routed: its session (validated by [`super::session::session_id_from`]) and how many
/// times it may be tried again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallRouting {
    /// `CallOptions.sessionId`.
    pub session_id: Option<String>,
    /// `CallOptions.retries` ([`DEFAULT_RETRIES`] when not given).
    pub retries: u32,
}

impl Default for CallRouting {
    fn default() -> Self {
        CallRouting { session_id: None, retries: DEFAULT_RETRIES }
    }
}

/// What became of a try, reported before any byte of its body is read.
#[derive(Clone, Copy, Debug)]
pub enum Outcome<'a> {
    /// The status and headers arrived (header names in any case).
    Answered {
        /// The HTTP status.
        status: u16,
        /// The answer's headers (`Retry-After` and `Date` are read).
        headers: &'a [(String, String)],
    },
    /// `fetch` failed: no status arrived.
    Failed(&'a TransportFailure),
}

/// What to do after a try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Drop this answer without reading its body, wait `delay_ms` (0: at once), then ask
    /// [`ReplicaCall::target`] for the next try.
    Retry {
        /// How long to wait first.
        delay_ms: u32,
    },
    /// This answer (or failure) is the call's: read and classify it as with a single server. No
    /// later outcome of this call is retried, so nothing is retried after a body byte was read.
    Proceed,
}

/// One call's tries. See the module docs for the protocol.
#[derive(Clone, Debug)]
pub struct ReplicaCall {
    routing: CallRouting,
    /// The caller's timeout, which a timeout's words name (a try's own timer is what was left of it).
    timeout_ms: Option<u32>,
    deadline_ms: Option<u64>,
    retried: u32,
    /// Replicas tried so far (indexes, in order, repeats kept once).
    tried: Vec<usize>,
    /// The replica of the try in flight.
    current: Option<usize>,
    attempts: Vec<Attempt>,
}

impl ReplicaCall {
    /// A call starting at `now_ms`, bounded by `timeout_ms` (the whole call, waits included) if given.
    pub fn new(routing: CallRouting, timeout_ms: Option<u32>, now_ms: u64) -> Self {
        let deadline_ms = timeout_ms.map(|t| now_ms + u64::from(t));
        ReplicaCall { routing, timeout_ms, deadline_ms, retried: 0, tried: Vec::new(), current: None, attempts: Vec::new() }
    }

    /// The replica (an index into the set, for [`crate::config::Provider::replica`]) the next try goes
    /// to: with a session its replica by rendezvous hashing, else the next healthy one round robin; a
    /// replica this call already tried only when no other is left.
    pub fn target(&mut self, set: &mut ReplicaSet, now_ms: u64) -> usize {
        let i = set.pick(self.routing.session_id.as_deref(), &self.tried, now_ms);
        self.current = Some(i);
        i
    }

    /// Adds the call's `X-Session-ID` to a request's headers (nothing without a session).
    pub fn decorate(&self, headers: &mut Vec<(String, String)>) {
        if let Some(s) = &self.routing.session_id {
            set_session_header(headers, s);
        }
    }

    /// `f` as the caller sees it: a timeout names the caller's timeout, not what its try had left.
    /// Applied before [`ReplicaCall::report`], so that the try's words name it too.
    pub fn named(&self, f: TransportFailure) -> TransportFailure {
        f.naming_timeout(self.timeout_ms)
    }

    /// Milliseconds left of the call's timeout at `now_ms` (the next try's own timeout), if it has one.
    pub fn remaining_ms(&self, now_ms: u64) -> Option<u32> {
        self.deadline_ms.map(|d| d.saturating_sub(now_ms).min(u64::from(u32::MAX)) as u32)
    }

    /// Every try reported so far.
    pub fn attempts(&self) -> &[Attempt] {
        &self.attempts
    }

    /// Reports the outcome of the try [`ReplicaCall::target`] chose, updates that replica's health,
    /// and says whether to try again. `random` jitters the backoff. A failed try's words (a caller's
    /// fetch may throw with the request's headers in them; a URL may hold a key) are recorded for the
    /// health and the list of tries with `secrets` (the provider's) redacted.
    ///
    /// Tried again, while retries and time are left: a connection failure (`unreachable`), 429, 502,
    /// 503, 504 and 529. A refusal or a 502/503/504/529 also makes the replica unhealthy for
    /// [`super::COOLDOWN_MS`]. The next try goes at once to another healthy replica if one is left;
    /// else it waits a jittered backoff (0.5 s doubling, up to 8 s), or the `Retry-After` the answer
    /// asked for (seconds or an HTTP date) when longer. A wait that would end after the call's
    /// deadline, or a `Retry-After` above [`MAX_RETRY_WAIT_MS`], is not taken: the answer proceeds.
    pub fn report(&mut self, set: &mut ReplicaSet, secrets: &[String], outcome: Outcome, now_ms: u64, random: u32) -> Verdict {
        let Some(i) = self.current.take() else { return Verdict::Proceed };
        if !self.tried.contains(&i) {
            self.tried.push(i);
        }
        let base_url = set.replica(i).shown.clone();
        // `down`: what made the replica unhealthy; `retry_after`: the wait the answer asked for.
        let (down, retry_after) = match outcome {
            Outcome::Answered { status, headers } => {
                self.attempts.push(Attempt { base_url, status: Some(status), failure: None });
                let retry_after = crate::classify::retry_after_ms(headers, Some(now_ms));
                match status {
                    502 | 503 | 504 | 529 => (Some(status.to_string()), retry_after),
                    // Alive, only busy: it stays healthy.
                    429 => (None, retry_after),
                    _ => {
                        set.answered(i);
                        return Verdict::Proceed;
                    }
                }
            }
            Outcome::Failed(f) => {
                let e = classify_transport(f, "");
                let reason = e.message.strip_prefix(&format!("Cannot reach {}: ", f.url)).unwrap_or(&e.message);
                let reason = crate::redact::redact(reason, secrets);
                self.attempts.push(Attempt { base_url, status: None, failure: Some(reason.clone()) });
                if f.kind != FailureKind::Network || e.code != ErrorCode::Unreachable {
                    // Aborted, timed out, or a browser's CORS refusal: nothing learnt about the replica.
                    set.release(i);
                    return Verdict::Proceed;
                }
                (Some(reason), None)
            }
        };
        match down {
            Some(what) => set.failed(i, now_ms, what),
            None => set.answered(i),
        }
        if self.retried >= self.routing.retries || retry_after.is_some_and(|ms| ms > MAX_RETRY_WAIT_MS) {
            return Verdict::Proceed;
        }
        // Another healthy replica takes the retry at once; `Retry-After` spoke for the one that sent it.
        let delay = if set.usable_outside(&self.tried, now_ms) {
            0
        } else {
            let step = (BACKOFF_BASE_MS << self.retried.min(8)).min(BACKOFF_CAP_MS);
            let jittered = step / 2 + u64::from(random) % (step / 2 + 1);
            jittered.max(retry_after.unwrap_or(0))
        };
        if self.deadline_ms.is_some_and(|d| now_ms + delay >= d) {
            return Verdict::Proceed;
        }
        self.retried += 1;
        Verdict::Retry { delay_ms: delay as u32 }
    }

    /// The call ended while a try was in flight (the caller aborted, or `return()`): a trial it held
    /// is handed to the next call.
    pub fn abandon(&mut self, set: &mut ReplicaSet) {
        if let Some(i) = self.current.take() {
            set.release(i);
        }
    }

    /// An error this call gives out, with its tries when there was more than one: listed in the
    /// message (`… (3 attempts: http://a/v1 → 503, http://b/v1 → connection refused, …)`) and in
    /// `attempts`. With a single try the error is unchanged.
    pub fn annotate(&self, mut e: ProviderError) -> ProviderError {
        if self.attempts.len() > 1 {
            let tries: Vec<String> = self
                .attempts
                .iter()
                .map(|a| format!("{} → {}", a.base_url, a.status.map_or_else(|| a.failure.clone().unwrap_or_default(), |s| s.to_string())))
                .collect();
            e.message = format!("{} ({} attempts: {})", e.message, tries.len(), crate::join::join(&tries, ", "));
            e.attempts = self.attempts.clone();
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{refused, set};
    use super::super::{ReplicaHealth, COOLDOWN_MS};
    use super::*;

    fn answered(status: u16, headers: &[(String, String)]) -> Outcome<'_> {
        Outcome::Answered { status, headers }
    }

    fn call(retries: u32) -> ReplicaCall {
        ReplicaCall::new(CallRouting { session_id: None, retries }, None, 0)
    }

    #[test]
    fn retries_are_whole_numbers_from_0_to_10() {
        assert_eq!(retries_from_number(Some(0.0)).unwrap(), 0);
        assert_eq!(retries_from_number(Some(10.0)).unwrap(), 10);
        for bad in [None, Some(-1.0), Some(1.5), Some(11.0), Some(f64::NAN)] {
            assert_eq!(retries_from_number(bad).unwrap_err().path.as_deref(), Some("retries"), "{bad:?}");
        }
        assert_eq!(CallRouting::default().retries, 2);
    }

    #[test]
    fn a_dead_replica_is_skipped_at_once_and_marked_unhealthy() {
        let mut s = set(2);
        let mut c = call(2);
        assert_eq!(c.target(&mut s, 0), 0);
        assert_eq!(c.report(&mut s, &[], Outcome::Failed(&refused("http://10.0.0.1:8000/v1/chat/completions")), 0, 7), Verdict::Retry { delay_ms: 0 });
        assert_eq!(s.info(0)[0].health, ReplicaHealth::Unhealthy);
        assert_eq!(s.info(0)[0].last_failure.as_deref(), Some("connection refused"));
        assert_eq!(c.target(&mut s, 0), 1);
        assert_eq!(c.report(&mut s, &[], answered(200, &[]), 0, 7), Verdict::Proceed);
        assert_eq!(c.attempts().len(), 2);
        // The next call skips the dead one without trying it.
        let mut next = call(2);
        assert_eq!(next.target(&mut s, 10), 1);
    }

    #[test]
    fn only_connection_failures_and_429_502_503_504_529_are_retried() {
        for status in [429, 502, 503, 504, 529] {
            let (mut s, mut c) = (set(1), call(2));
            c.target(&mut s, 0);
            assert!(matches!(c.report(&mut s, &[], answered(status, &[]), 0, 0), Verdict::Retry { .. }), "{status}");
        }
        for status in [200, 400, 401, 403, 404, 408, 413, 422, 500, 501] {
            let (mut s, mut c) = (set(1), call(2));
            c.target(&mut s, 0);
            assert_eq!(c.report(&mut s, &[], answered(status, &[]), 0, 0), Verdict::Proceed, "{status}");
        }
        for kind in [FailureKind::Aborted, FailureKind::Timeout, FailureKind::UnreadableBody] {
            let (mut s, mut c) = (set(1), call(2));
            c.target(&mut s, 0);
            let f = TransportFailure { kind, ..refused("http://h/v1") };
            assert_eq!(c.report(&mut s, &[], Outcome::Failed(&f), 0, 0), Verdict::Proceed, "{:?}", f.kind);
        }
        // A browser's CORS refusal is a network failure, but not an unreachable server.
        let (mut s, mut c) = (set(1), call(2));
        c.target(&mut s, 0);
        let f = TransportFailure { cause_code: None, page_origin: Some("http://page.example".into()), ..refused("http://h/v1") };
        assert_eq!(c.report(&mut s, &[], Outcome::Failed(&f), 0, 0), Verdict::Proceed);
        assert_eq!(s.info(0)[0].health, ReplicaHealth::Healthy);
    }

    #[test]
    fn retries_stop_at_the_callers_count() {
        for retries in [0, 1, 2, 3] {
            let (mut s, mut c) = (set(1), call(retries));
            let mut tries = 0;
            loop {
                c.target(&mut s, 0);
                tries += 1;
                if c.report(&mut s, &[], answered(503, &[]), 0, 0) == Verdict::Proceed {
                    break;
                }
            }
            assert_eq!(tries, retries + 1);
        }
    }

    #[test]
    fn one_server_backs_off_with_jitter_doubling_up_to_the_cap() {
        let mut delays = Vec::new();
        for random in [0, u32::MAX] {
            let (mut s, mut c) = (set(1), call(10));
            let mut d = Vec::new();
            for _ in 0..6 {
                c.target(&mut s, 0);
                match c.report(&mut s, &[], answered(502, &[]), 0, random) {
                    Verdict::Retry { delay_ms } => d.push(delay_ms),
                    Verdict::Proceed => unreachable!(),
                }
            }
            delays.push(d);
        }
        assert_eq!(delays[0], [250, 500, 1000, 2000, 4000, 4000], "the lower half of each step");
        for (lo, hi) in delays[0].iter().zip(&delays[1]) {
            assert!(hi >= lo && *hi <= lo * 2, "{lo} {hi}");
        }
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date_is_honoured() {
        let (mut s, mut c) = (set(1), call(2));
        c.target(&mut s, 0);
        let h = [("Retry-After".to_string(), "3".to_string())];
        assert_eq!(c.report(&mut s, &[], answered(429, &h), 0, 0), Verdict::Retry { delay_ms: 3000 });
        assert_eq!(s.info(0)[0].health, ReplicaHealth::Healthy, "a 429 leaves the replica healthy");
        // An HTTP date, against the answer's Date header, or else against now.
        c.target(&mut s, 0);
        let h = [("retry-after".to_string(), "Tue, 24 Nov 2026 13:40:07 GMT".to_string()), ("date".to_string(), "Tue, 24 Nov 2026 13:40:00 GMT".to_string())];
        assert_eq!(c.report(&mut s, &[], answered(503, &h), 0, 0), Verdict::Retry { delay_ms: 7000 });
        let mut c = call(2);
        c.target(&mut s, 0);
        let now = 1_795_527_600_000; // Tue, 24 Nov 2026 13:40:00 GMT
        let h = [("retry-after".to_string(), "Tue, 24 Nov 2026 13:40:02 GMT".to_string())];
        assert_eq!(c.report(&mut s, &[], answered(503, &h), now, 0), Verdict::Retry { delay_ms: 2000 });
        // More than a minute: not waited for, the error goes to the caller with its retryAfterMs.
        let mut c = call(2);
        c.target(&mut s, 0);
        let h = [("retry-after".to_string(), "61".to_string())];
        assert_eq!(c.report(&mut s, &[], answered(429, &h), 0, 0), Verdict::Proceed);
    }

    #[test]
    fn a_wait_past_the_calls_deadline_is_not_taken() {
        let mut s = set(1);
        let mut c = ReplicaCall::new(CallRouting { session_id: None, retries: 2 }, Some(2_000), 1_000);
        assert_eq!(c.remaining_ms(1_500), Some(1_500));
        c.target(&mut s, 1_000);
        let h = [("retry-after".to_string(), "1".to_string())];
        assert_eq!(c.report(&mut s, &[], answered(429, &h), 1_500, 0), Verdict::Retry { delay_ms: 1000 });
        c.target(&mut s, 2_500);
        assert_eq!(c.report(&mut s, &[], answered(429, &h), 2_500, 0), Verdict::Proceed, "1 s more ends after 3 s");
        assert_eq!(c.remaining_ms(9_000), Some(0));
        assert_eq!(call(2).remaining_ms(5), None);
    }

    #[test]
    fn a_429_goes_to_another_replica_without_waiting() {
        let (mut s, mut c) = (set(2), call(2));
        assert_eq!(c.target(&mut s, 0), 0);
        let h = [("retry-after".to_string(), "30".to_string())];
        assert_eq!(c.report(&mut s, &[], answered(429, &h), 0, 0), Verdict::Retry { delay_ms: 0 });
        assert_eq!(c.target(&mut s, 0), 1);
    }

    #[test]
    fn a_session_retries_on_its_next_replica_and_comes_back_after_the_trial() {
        let mut s = set(3);
        let routing = CallRouting { session_id: Some("conv-7".into()), retries: 2 };
        let mut c = ReplicaCall::new(routing.clone(), None, 0);
        let home = c.target(&mut s, 0);
        let mut headers = vec![("X-Request-Id".to_string(), "r".to_string())];
        c.decorate(&mut headers);
        assert_eq!(headers[1], ("X-Session-ID".to_string(), "conv-7".to_string()));
        assert_eq!(c.report(&mut s, &[], answered(503, &[]), 0, 0), Verdict::Retry { delay_ms: 0 });
        let away = c.target(&mut s, 0);
        assert_ne!(away, home);
        c.report(&mut s, &[], answered(200, &[]), 0, 0);
        // Later calls of the session stay on its second choice while home cools down, then go home.
        let mut c = ReplicaCall::new(routing.clone(), None, 0);
        assert_eq!(c.target(&mut s, 1_000), away);
        c.report(&mut s, &[], answered(200, &[]), 1_000, 0);
        let mut c = ReplicaCall::new(routing, None, 0);
        assert_eq!(c.target(&mut s, COOLDOWN_MS), home, "the trial");
        c.report(&mut s, &[], answered(200, &[]), COOLDOWN_MS, 0);
        assert_eq!(s.info(COOLDOWN_MS)[home].health, ReplicaHealth::Healthy);
    }

    #[test]
    fn every_try_is_listed_in_the_final_error() {
        let (mut s, mut c) = (set(2), call(2));
        c.target(&mut s, 0);
        c.report(&mut s, &[], Outcome::Failed(&refused("http://10.0.0.1:8000/v1/chat/completions")), 0, 0);
        c.target(&mut s, 0);
        c.report(&mut s, &[], answered(503, &[]), 0, 0);
        c.target(&mut s, 0);
        assert_eq!(c.report(&mut s, &[], answered(503, &[]), 0, 0), Verdict::Proceed, "two retries used");
        let e = c.annotate(ProviderError::new(ErrorCode::Overloaded, "503 queue full", "h"));
        assert_eq!(
            e.message,
            "503 queue full (3 attempts: http://10.0.0.1:8000/v1 → connection refused, http://10.0.0.2:8000/v1 → 503, http://10.0.0.1:8000/v1 → 503)"
        );
        assert_eq!(e.attempts.len(), 3);
        assert_eq!(e.attempts[1], Attempt { base_url: "http://10.0.0.2:8000/v1".into(), status: Some(503), failure: None });
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["attempts"][0]["failure"], "connection refused");
        // One try: the error is left as it was.
        let (mut s, mut c) = (set(1), call(2));
        c.target(&mut s, 0);
        c.report(&mut s, &[], answered(404, &[]), 0, 0);
        let e = c.annotate(ProviderError::new(ErrorCode::ModelNotFound, "404 x", "h"));
        assert_eq!((e.message.as_str(), e.attempts.len()), ("404 x", 0));
        assert!(serde_json::to_value(&e).unwrap().get("attempts").is_none());
    }

    #[test]
    fn an_abandoned_trial_goes_to_the_next_call() {
        let mut s = set(2);
        s.failed(0, 0, "503".into());
        let mut c = call(2);
        assert_eq!(c.target(&mut s, COOLDOWN_MS), 0, "takes the trial (round robin starts at 0)");
        c.abandon(&mut s);
        let mut next = call(2);
        // Round robin moved on to 1; the freed trial of 0 is usable again, and its turn comes next.
        assert_eq!(next.target(&mut s, COOLDOWN_MS), 1);
        let mut third = call(2);
        assert_eq!(third.target(&mut s, COOLDOWN_MS), 0);
    }
}
