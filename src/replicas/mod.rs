//! Several servers: the replicas of one deployment (`ResolveInput.baseUrls`), their health, which one
//! a call goes to, and whether and when a failed try is made again.
//!
//! Sans-I/O and clock-free: whatever needs the time takes `now_ms` (milliseconds since the Unix epoch,
//! as `Date.now()` gives them) and whatever is random takes its random bits.
//!
//! - [`ReplicaSet`] (one per provider, in [`crate::config::Provider::replica_set`]) keeps each
//!   replica's health: a replica that refuses the connection or answers 502/503/504/529 before the
//!   first byte is unhealthy for [`COOLDOWN_MS`] (LiteLLM's default), then gets a single trial request.
//! - [`ReplicaCall`] is one call's retry planner: which replica each try goes to (a healthy one, round
//!   robin; with a session, the same one by rendezvous hashing), whether an outcome is tried again
//!   (only before the first byte of a body, only for a connection failure, 429, 502, 503, 504 and 529),
//!   how long to wait first (jittered backoff, `Retry-After`, the call's remaining time), and every try
//!   made, for the final error.
//! - [`session`]: `CallOptions.sessionId`, sent as `X-Session-ID`.
//!
//! # Driving a call
//!
//! [`crate::stream::ChatCall::routed`] (for `chat()`/`stream()`) and [`crate::steps::DiscoveryCall`]
//! run this loop in the core; the wasm layer only performs the requests and sleeps it asks for
//! ([`crate::stream::Next`]). For a chat call:
//!
//! ```text
//! // CallOptions: sessionId → session::session_id_from(value.as_string()), retries → retries_from_number(value.as_f64())
//! let routing = CallRouting { session_id, retries: retries.unwrap_or(DEFAULT_RETRIES) };
//! let mut call = ReplicaCall::new(routing, timeout_ms, now);             // timeoutMs bounds every try and wait
//! let random = the 128 random bits of the X-Request-Id, drawn once: every try carries the same id
//! loop {
//!     let i = call.target(&mut provider.replica_set().borrow_mut(), now);
//!     let mut plan = stream::plan(&provider.replica(i), request_json, caller's timeouts, random)?;
//!     plan.http.timeout_ms = call.remaining_ms(now) (if the call has a timeout);  // the try's own timer
//!     call.decorate(&mut plan.http.headers);                            // X-Session-ID, beside X-Request-Id
//!     fetch(plan.http) until the status and headers arrive, or it rejects
//!     let failure = call.named(transport_failure);                      // a timeout names timeoutMs
//!     let outcome = Outcome::Answered { status, headers } or Outcome::Failed(&failure);
//!     match call.report(&mut provider.replica_set().borrow_mut(), provider.secrets(), outcome, now, random_u32) {
//!         Verdict::Retry { delay_ms } => { cancel that body unread; sleep(delay_ms) (the caller's
//!                                          signal still aborts); continue }
//!         Verdict::Proceed => { opened(answer or failure) and the reads, exactly as with one
//!                               server; break }
//!     }
//! }
//! every error given out from here on: call.annotate(e)     // lists the tries when there were several
//! aborted or return()ed while a request is pending: call.abandon(&mut provider.replica_set().borrow_mut())
//! ```
//!
//! `ChatResult.baseUrl` is then the answering replica's (`StreamOptions.base_url` of its plan).
//! `discoverModels()` runs the same loop with `provider.replica(i).discovery_request(..)` and
//! `parse_discovery`: [`crate::steps::DiscoveryCall`]. `diagnose()` runs one
//! [`crate::diagnose::Diagnosis`] per replica and joins the reports with
//! [`crate::diagnose::merge_replica_reports`]: [`crate::steps::DiagnoseRun`]. `describe()` is
//! [`crate::config::Provider::describe_at`]`(Date.now())`. No `RefCell` borrow is held across an
//! `await`.

mod call;
mod input;
#[cfg(test)]
mod provider_tests;
pub mod session;

pub use call::{retries_from_number, CallRouting, Outcome, ReplicaCall, Verdict, DEFAULT_RETRIES, MAX_RETRIES, MAX_RETRY_WAIT_MS};
pub use input::replica_list;

use crate::url::BaseUrl;
use serde::Serialize;

/// How long a replica that failed is left alone before a trial request (LiteLLM's default cooldown).
pub const COOLDOWN_MS: u64 = 5_000;
/// How long a trial request keeps a recovering replica to itself. Its outcome normally arrives long
/// before (with the answer's headers); this only frees the replica of a call that never reported.
pub const TRIAL_CLAIM_MS: u64 = 30_000;

/// One server of the set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replica {
    /// Its parsed base URL (requests go to its endpoints).
    pub base: BaseUrl,
    /// Its base URL as `describe()`, results and errors show it: normalised, secrets redacted.
    pub shown: String,
    /// What sessions are hashed on: the base URL without credentials.
    key: String,
}

impl Replica {
    /// A replica at `base`, shown as `shown`.
    pub fn new(base: BaseUrl, shown: String) -> Self {
        let key = base.endpoint("");
        Replica { base, shown, key }
    }
}

/// A replica's health, as `describe()` shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplicaHealth {
    /// Calls go to it.
    Healthy,
    /// It failed; calls avoid it until its cooldown ends (`retryInMs`).
    Unhealthy,
    /// Its cooldown ended: the next call tries it once (or is trying it), and its outcome decides.
    Trial,
}

impl ReplicaHealth {
    /// The name JSON and JS see.
    pub fn as_str(self) -> &'static str {
        match self {
            ReplicaHealth::Healthy => "healthy",
            ReplicaHealth::Unhealthy => "unhealthy",
            ReplicaHealth::Trial => "trial",
        }
    }
}

serialize_as_str!(ReplicaHealth);

/// One replica in `describe().replicas`. Never holds a secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaInfo {
    /// The base URL, secrets redacted.
    pub base_url: String,
    /// Healthy, unhealthy or on trial.
    pub health: ReplicaHealth,
    /// For an unhealthy replica: milliseconds until its trial request may go.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_in_ms: Option<u64>,
    /// What its last failure was (`503`, `connection refused`), while it is not healthy again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_failure: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Health {
    /// Set by a failure: the end of the cooldown.
    down_until: Option<u64>,
    /// Set when a call took the trial after the cooldown.
    trial_since: Option<u64>,
    last_failure: Option<String>,
}

/// What a replica is at a given time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Healthy,
    Cooling(u64),
    TrialFree,
    TrialTaken,
}

/// The replicas of a provider and their health. The first is the provider's own base URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaSet {
    replicas: Vec<Replica>,
    health: Vec<Health>,
    /// Round robin: where the next call without a session starts looking.
    next: usize,
}

impl ReplicaSet {
    /// A set of `replicas` (at least one), all healthy.
    pub fn new(replicas: Vec<Replica>) -> Self {
        let health = vec![Health::default(); replicas.len()];
        ReplicaSet { replicas, health, next: 0 }
    }

    /// How many replicas there are.
    pub fn len(&self) -> usize {
        self.replicas.len()
    }

    /// Whether the set is empty (never, for a resolved provider).
    pub fn is_empty(&self) -> bool {
        self.replicas.is_empty()
    }

    /// The replica at `index` (as [`ReplicaCall::target`] gives it).
    pub fn replica(&self, index: usize) -> &Replica {
        &self.replicas[index]
    }

    /// Every replica with its health at `now_ms`, for `describe()`.
    pub fn info(&self, now_ms: u64) -> Vec<ReplicaInfo> {
        (0..self.len())
            .map(|i| {
                let (health, retry_in_ms) = match self.state(i, now_ms) {
                    State::Healthy => (ReplicaHealth::Healthy, None),
                    State::Cooling(until) => (ReplicaHealth::Unhealthy, Some(until - now_ms)),
                    State::TrialFree | State::TrialTaken => (ReplicaHealth::Trial, None),
                };
                ReplicaInfo { base_url: self.replicas[i].shown.clone(), health, retry_in_ms, last_failure: self.health[i].last_failure.clone() }
            })
            .collect()
    }

    fn state(&self, i: usize, now: u64) -> State {
        let h = &self.health[i];
        match h.down_until {
            None => State::Healthy,
            Some(until) if now < until => State::Cooling(until),
            Some(_) if h.trial_since.is_some_and(|since| now.saturating_sub(since) < TRIAL_CLAIM_MS) => State::TrialTaken,
            Some(_) => State::TrialFree,
        }
    }

    /// Whether a call may be sent to replica `i` now: healthy, or its trial is free.
    fn usable(&self, i: usize, now: u64) -> bool {
        matches!(self.state(i, now), State::Healthy | State::TrialFree)
    }

    /// Whether some replica outside `tried` may take a call now.
    fn usable_outside(&self, tried: &[usize], now: u64) -> bool {
        (0..self.len()).any(|i| !tried.contains(&i) && self.usable(i, now))
    }

    /// Picks the replica for the next try of a call that already tried `tried`: a usable replica it
    /// has not tried, else one it has not tried (all unhealthy: the soonest to recover), else any.
    /// With a session, the session's highest-ranked replica among those; without, round robin.
    /// Taking a free trial claims it, so concurrent calls leave that replica alone until the trial
    /// reports.
    fn pick(&mut self, session: Option<&str>, tried: &[usize], now: u64) -> usize {
        let tier = |s: &Self, i: usize| match (tried.contains(&i), s.usable(i, now)) {
            (false, true) => 0,
            (false, false) => 1,
            (true, _) => 2,
        };
        let best = (0..self.len()).map(|i| tier(self, i)).min().unwrap_or(0);
        let n = self.len();
        let candidates = (0..n).map(|k| (self.next + k) % n).filter(|&i| tier(self, i) == best);
        let chosen = match session {
            Some(s) => candidates.max_by_key(|&i| session::weight(s, &self.replicas[i].key)),
            // Unhealthy ones: the one whose cooldown ends first (a healthy one first, among tried ones).
            None if best > 0 => candidates.min_by_key(|&i| self.health[i].down_until.unwrap_or(0)),
            None => candidates.into_iter().next(),
        }
        .unwrap_or(0);
        if session.is_none() {
            self.next = (chosen + 1) % n.max(1);
        }
        if self.state(chosen, now) == State::TrialFree {
            self.health[chosen].trial_since = Some(now);
        }
        chosen
    }

    /// Replica `i` failed (refused the connection, or 502/503/504/529 before the first byte): it is
    /// unhealthy until `now + COOLDOWN_MS`.
    fn failed(&mut self, i: usize, now: u64, what: String) {
        let h = &mut self.health[i];
        h.down_until = Some(now + COOLDOWN_MS);
        h.trial_since = None;
        h.last_failure = Some(what);
    }

    /// Replica `i` answered: healthy again.
    fn answered(&mut self, i: usize) {
        self.health[i] = Health::default();
    }

    /// Nothing was learnt about replica `i` (the call was aborted or timed out): a trial it held is
    /// free again.
    fn release(&mut self, i: usize) {
        self.health[i].trial_since = None;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::transport::{FailureKind, TransportFailure};

    /// What Node's fetch reports for a refused connection to `url`.
    pub(crate) fn refused(url: &str) -> TransportFailure {
        TransportFailure {
            kind: FailureKind::Network,
            name: "TypeError".into(),
            message: "fetch failed".into(),
            cause_code: Some("ECONNREFUSED".into()),
            cause_message: Some("connect ECONNREFUSED".into()),
            page_origin: None,
            url: url.into(),
            timeout_ms: None,
            probe_reachable: None,
            health_readable: None,
            sent_authorization: false,
            rejected: true,
        }
    }

    pub(super) fn set(n: usize) -> ReplicaSet {
        ReplicaSet::new((0..n).map(|i| {
            let url = format!("http://10.0.0.{}:8000/v1", i + 1);
            Replica::new(BaseUrl::parse(&url).unwrap(), url)
        }).collect())
    }

    #[test]
    fn calls_without_a_session_go_round_robin() {
        let mut s = set(3);
        let picks: Vec<usize> = (0..6).map(|_| s.pick(None, &[], 0)).collect();
        assert_eq!(picks, [0, 1, 2, 0, 1, 2]);
    }

    #[test]
    fn an_unhealthy_replica_is_skipped_until_its_cooldown_ends_then_tried_once() {
        let mut s = set(2);
        s.failed(0, 1_000, "503".into());
        assert_eq!(s.info(1_000)[0].health, ReplicaHealth::Unhealthy);
        assert_eq!(s.info(2_000)[0].retry_in_ms, Some(4_000));
        assert_eq!(s.info(2_000)[0].last_failure.as_deref(), Some("503"));
        let picks: Vec<usize> = (0..4).map(|_| s.pick(None, &[], 2_000)).collect();
        assert_eq!(picks, [1, 1, 1, 1], "skipped while cooling");
        let at = 1_000 + COOLDOWN_MS;
        assert_eq!(s.info(at)[0].health, ReplicaHealth::Trial);
        assert_eq!(s.pick(None, &[], at), 0, "the trial");
        assert_eq!(s.pick(None, &[], at + 1), 1, "one trial at a time: the others avoid it");
        assert_eq!(s.pick(None, &[], at + 2), 1);
        s.answered(0);
        assert_eq!(s.info(at + 3)[0], ReplicaInfo { base_url: "http://10.0.0.1:8000/v1".into(), health: ReplicaHealth::Healthy, retry_in_ms: None, last_failure: None });
        assert_eq!(s.pick(None, &[], at + 3), 0, "back in the rotation");
    }

    #[test]
    fn a_failed_trial_starts_a_new_cooldown_and_a_lost_one_is_freed() {
        let mut s = set(2);
        s.failed(0, 0, "connection refused".into());
        assert_eq!(s.pick(Some("x"), &[1], COOLDOWN_MS), 0);
        s.failed(0, COOLDOWN_MS, "connection refused".into());
        assert_eq!(s.info(COOLDOWN_MS + 1)[0].retry_in_ms, Some(COOLDOWN_MS - 1));
        // A trial whose call never reports is free again after TRIAL_CLAIM_MS, or at once on release.
        let at = 2 * COOLDOWN_MS;
        assert!(s.usable(0, at));
        s.pick(None, &[1], at);
        assert!(!s.usable(0, at + 1));
        assert!(s.usable(0, at + TRIAL_CLAIM_MS));
        s.release(0);
        assert!(s.usable(0, at + 1));
    }

    #[test]
    fn with_every_replica_unhealthy_the_one_recovering_first_is_tried() {
        let mut s = set(3);
        s.failed(0, 300, "503".into());
        s.failed(1, 100, "503".into());
        s.failed(2, 200, "503".into());
        assert_eq!(s.pick(None, &[], 400), 1);
        assert_eq!(s.pick(None, &[1], 400), 2);
        assert_eq!(s.pick(None, &[0, 1, 2], 400), 1, "all tried: again the soonest to recover");
    }

    #[test]
    fn one_server_is_always_the_target_whatever_its_health() {
        let mut s = set(1);
        s.failed(0, 0, "503".into());
        assert_eq!(s.pick(None, &[], 1), 0);
        assert_eq!(s.pick(Some("s"), &[0], 1), 0);
    }
}
