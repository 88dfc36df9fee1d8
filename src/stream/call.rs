//! One `chat()`/`stream()` call's progress, sans-I/O: what to do next (send, read, give out an event
//! or the error), what the answer and each piece of its body mean, which watchdog runs, and when the
//! call ends. The wasm layer only performs what [`ChatCall::next`] asks for and reports back.

use super::{body_kind_so_far, plan, CallTimeouts, http_error, unreadable_body, ChatPlan, ChatStream, Interrupt, StreamEvent, MAX_ERROR_BODY, NOT_A_STREAM, NOT_BYTES};
use crate::classify::ClassifyContext;
use crate::config::Provider;
use crate::replicas::{CallRouting, Outcome, ReplicaCall, Verdict};
use crate::error::ProviderError;
use crate::http::header_value;
use crate::transport::{classify_transport, TransportFailure};

/// A watchdog the caller runs while it waits for the next piece of the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Watchdog {
    /// No event yet.
    FirstEvent,
    /// Events arrived; waiting for the next.
    Idle,
}

/// Which of the caller's timers fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fired {
    /// The whole-request timer.
    Request,
    /// A watchdog.
    Watchdog(Watchdog),
}

/// What the caller does next.
#[derive(Debug)]
pub enum Next {
    /// Give these events out, in order: all that one piece of the body completed (`stream()` hands
    /// them to JS as one batch; `chat()` keeps only the result the last one, `done`, carries).
    Events(Vec<StreamEvent>),
    /// Give this error out: it ends the call.
    Fail(ProviderError),
    /// The call is over: nothing more to give.
    End,
    /// Send the request ([`ChatCall::plan`]'s `http`), then report with [`ChatCall::opened`].
    Open,
    /// Read the next piece of the body, then report with [`ChatCall::piece`]; first (re)start this
    /// watchdog, when given.
    Read(Option<(Watchdog, u32)>),
    /// Part of a large read is still to decode: let the event loop run (a macrotask), then ask again.
    Pause,
    /// A try failed before its first byte and is made again: wait this many milliseconds (the
    /// caller's abort and timer still end the wait, reported as a failed [`Piece`]), then ask again.
    Wait(u32),
}

/// How much of a read is decoded at a time: a 24 MB body read at once is decoded in slices, with the
/// event loop free in between (a few milliseconds of work each).
pub const DECODE_SLICE: usize = 1 << 20;

/// The body of an answer, as the runtime has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body {
    /// No body at all.
    None,
    /// A stream of bytes.
    Stream,
    /// Something that cannot be read as a stream (a caller's `fetch` may answer with anything).
    NotAStream,
}

/// The answer's head, once it arrived.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body, as the runtime has it.
    pub body: Body,
}

/// What one read of the body gave.
#[derive(Debug)]
pub enum Piece {
    /// Bytes (possibly none).
    Bytes(Vec<u8>),
    /// The end of the body.
    End,
    /// A chunk that was not bytes.
    NotBytes,
    /// The body's reader threw instead of reading (a caller's stream); what it threw.
    Unreadable(String),
    /// The read failed: the caller's abort, one of the caller's timers, or the connection.
    Failed {
        /// Whether the caller's signal has fired.
        caller_aborted: bool,
        /// Which of the caller's timers fired first, if one did.
        fired: Option<Fired>,
        /// The runtime's message, for a broken connection.
        message: String,
    },
}

/// One call's state.
#[derive(Debug)]
pub struct ChatCall {
    plan: Result<ChatPlan, ProviderError>,
    status: u16,
    headers: Vec<(String, String)>,
    body: Body,
    // Whether the body is being read (until the call ends).
    reading: bool,
    // A non-2xx answer's body, read up to MAX_ERROR_BODY bytes and then classified; or the start of a
    // 2xx body, until its kind is known.
    held: Vec<u8>,
    parser: Option<ChatStream>,
    // The last read, decoded DECODE_SLICE bytes at a time from `unread_at`.
    unread: Vec<u8>,
    unread_at: usize,
    // A slice was decoded since the caller last paused or read.
    sliced: bool,
    // Events decoded but not given out yet, in order.
    queue: Vec<StreamEvent>,
    started: bool,
    ended: bool,
    cancelled: bool,
    // The error that ends the reply, given out once the events read before it are.
    failure: Option<ProviderError>,
    // Whether an event has arrived (idle rather than first-event watchdog), and whether one runs.
    seen_event: bool,
    watchdog_armed: bool,
    // The server showed a sign of life since the caller last asked (it then stops its watchdogs).
    alive: bool,
    // Set when the call ends and not yet taken by the caller: whether the request must be aborted.
    release: Option<bool>,
    // A call over the provider's replicas (see [`ChatCall::routed`]).
    routed: Option<Routed>,
}

/// What re-plans each try of a call over replicas.
#[derive(Debug)]
struct Routed {
    call: ReplicaCall,
    request: String,
    timeouts: CallTimeouts,
    // The X-Request-Id's random bits: every try carries the same id.
    random: [u32; 4],
    wait: Option<u32>,
}

impl ChatCall {
    /// A call for `plan` (or the error that planning gave, handed out on the first [`ChatCall::next`]).
    pub fn new(plan: Result<ChatPlan, ProviderError>) -> Self {
        ChatCall {
            plan,
            status: 0,
            headers: Vec::new(),
            body: Body::None,
            reading: false,
            held: Vec::new(),
            parser: None,
            unread: Vec::new(),
            unread_at: 0,
            sliced: false,
            queue: Vec::new(),
            started: false,
            ended: false,
            cancelled: false,
            failure: None,
            seen_event: false,
            watchdog_armed: false,
            alive: false,
            release: None,
            routed: None,
        }
    }

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
        // The first try to the first server keeps the plan made up front; others are planned anew.
        if i != 0 || !r.call.attempts().is_empty() {
            let timeouts = CallTimeouts { request_ms: r.call.remaining_ms(now_ms), ..r.timeouts };
            match plan(&if several { provider.replica(i) } else { provider.clone() }, &r.request, timeouts, r.random) {
                Ok(p) => *current = p,
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
    pub fn answered(&mut self, answer: Result<Answer, TransportFailure>, provider: &Provider, now_ms: u64, random: u32) -> bool {
        if let Some(r) = &mut self.routed {
            let outcome = match &answer {
                Ok(a) => Outcome::Answered { status: a.status, headers: &a.headers },
                Err(f) => Outcome::Failed(f),
            };
            let verdict = r.call.report(&mut provider.replica_set().borrow_mut(), outcome, now_ms, random);
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
    fn annotated(&self, e: ProviderError) -> ProviderError {
        match &self.routed {
            Some(r) => r.call.annotate(e),
            None => e,
        }
    }

    /// The plan, unless planning failed.
    pub fn plan(&self) -> Option<&ChatPlan> {
        self.plan.as_ref().ok()
    }

    /// Once the call has ended since the last time this was asked: `Some(abort)`, and the caller
    /// releases its timers, signal listener and reader, aborting the request too with `true`.
    pub fn take_release(&mut self) -> Option<bool> {
        self.release.take()
    }

    /// Whether the server showed a sign of life (any event, also one that yields nothing, such as
    /// reasoning not kept) since the last time this was asked: the caller then stops its watchdogs.
    pub fn take_alive(&mut self) -> bool {
        std::mem::take(&mut self.alive)
    }

    /// What to do next. `caller_aborted`: the caller's signal has fired, which takes effect at once,
    /// over events already decoded.
    pub fn next(&mut self, caller_aborted: bool) -> Next {
        let watchdogs = match &self.plan {
            Ok(plan) => plan.watchdogs,
            Err(e) if !self.ended => {
                self.ended = true;
                return Next::Fail(self.annotated(e.clone()));
            }
            Err(_) => return Next::End,
        };
        loop {
            if self.ended && self.queue.is_empty() && self.failure.is_none() {
                return Next::End;
            }
            if caller_aborted {
                if let Some(e) = self.abort() {
                    return Next::Fail(e);
                }
            }
            if !self.queue.is_empty() {
                return Next::Events(std::mem::take(&mut self.queue));
            }
            if let Some(e) = self.failure.take() {
                return Next::Fail(self.annotated(e));
            }
            if let Some(ms) = self.routed.as_mut().and_then(|r| r.wait.take()) {
                return Next::Wait(ms);
            }
            if !std::mem::replace(&mut self.started, true) {
                return Next::Open;
            }
            if !self.reading {
                self.ended = true;
                continue;
            }
            if self.unread_at < self.unread.len() {
                if std::mem::replace(&mut self.sliced, true) {
                    self.sliced = false;
                    return Next::Pause;
                }
                self.decode_slice();
                continue;
            }
            self.sliced = false;
            if self.body == Body::None {
                // No body at all reads as an empty one: the parser says what is missing.
                self.piece(Piece::End);
                continue;
            }
            // The watchdogs run while a 2xx body is read (not while an error body is).
            let mut watchdog = None;
            if self.ok() && !std::mem::replace(&mut self.watchdog_armed, true) {
                watchdog = if self.seen_event {
                    watchdogs.idle_ms.map(|ms| (Watchdog::Idle, ms))
                } else {
                    watchdogs.first_event_ms.map(|ms| (Watchdog::FirstEvent, ms))
                };
            }
            return Next::Read(watchdog);
        }
    }

    /// The request went out: the answer's status, headers and body, or why nothing arrived.
    pub fn opened(&mut self, answer: Result<Answer, TransportFailure>) {
        let Ok(plan) = &self.plan else { return };
        match answer {
            Err(f) => {
                let e = plan.tag(classify_transport(&f, &plan.stream.base_url));
                self.fail(e);
            }
            Ok(Answer { body: Body::NotAStream, .. }) => {
                let e = plan.tag(unreadable_body(NOT_A_STREAM));
                self.fail(e);
            }
            Ok(Answer { status, headers, body }) => {
                self.status = status;
                self.headers = headers;
                self.body = body;
                self.reading = true;
            }
        }
        // return() ran while the request was pending (a caller's fetch may answer despite the abort).
        if self.cancelled {
            self.end(true);
        }
    }

    /// A read settled. Bytes are kept and decoded by the following [`ChatCall::next`] calls, a slice
    /// at a time; the end of the body and failures take effect at once.
    pub fn piece(&mut self, piece: Piece) {
        // A read that settles after the call ended (return() while it was pending) gives nothing.
        if self.ended || self.plan.is_err() {
            return;
        }
        let outcome = match piece {
            Piece::Bytes(bytes) => {
                self.unread = bytes;
                self.unread_at = 0;
                return;
            }
            Piece::End => self.take(&[], true),
            Piece::NotBytes => Err(unreadable_body(NOT_BYTES)),
            Piece::Unreadable(what) => Err(unreadable_body(&what)),
            Piece::Failed { caller_aborted, fired, message } => {
                let why = match (caller_aborted, fired) {
                    (true, _) => Interrupt::Aborted,
                    (false, None) => Interrupt::Network(message),
                    (false, Some(Fired::Watchdog(Watchdog::FirstEvent))) => Interrupt::FirstEvent,
                    (false, Some(Fired::Watchdog(Watchdog::Idle))) => Interrupt::Idle,
                    (false, Some(Fired::Request)) => Interrupt::RequestTimeout,
                };
                if let Ok(plan) = &self.plan {
                    let e = plan.interrupted(why);
                    self.fail(e);
                }
                return;
            }
        };
        self.settle(outcome);
    }

    /// The caller's signal fired: the call stops at once, over events decoded and not given out yet
    /// (also those the caller holds), and this is the error to give (once: later, `None`).
    pub fn abort(&mut self) -> Option<ProviderError> {
        let was_cancelled = std::mem::replace(&mut self.cancelled, false);
        self.cancel();
        match &self.plan {
            Ok(plan) if !was_cancelled => Some(self.annotated(plan.interrupted(Interrupt::Aborted))),
            _ => None,
        }
    }

    /// Stops the call from outside: the caller's abort (`aborted`, see [`ChatCall::abort`]: the error
    /// to give instead of what is left) or `return()` (see [`ChatCall::cancel`]: nothing to give).
    pub fn stop(&mut self, aborted: bool) -> Option<ProviderError> {
        if aborted {
            return self.abort();
        }
        self.cancel();
        None
    }

    /// `return()`: stops at once; later `next()` calls give the end.
    pub fn cancel(&mut self) {
        self.cancelled = true;
        self.queue.clear();
        self.failure = None;
        self.end(true);
    }

    fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    fn decode_slice(&mut self) {
        let unread = std::mem::take(&mut self.unread);
        let end = (self.unread_at + DECODE_SLICE).min(unread.len());
        let outcome = self.take(&unread[self.unread_at..end], false);
        if end < unread.len() && !self.ended {
            self.unread = unread;
            self.unread_at = end;
        } else {
            self.unread_at = 0;
        }
        self.settle(outcome);
    }

    /// A decoding step's outcome: an error ends the call (tagged), after the events before it.
    fn settle(&mut self, outcome: Result<(), ProviderError>) {
        if let (Err(e), Ok(plan)) = (outcome, &self.plan) {
            let e = plan.tag(e);
            self.fail(e);
        }
    }

    /// Ends the call with `e`, kept for the caller unless it cancelled.
    fn fail(&mut self, e: ProviderError) {
        self.end(true);
        if !self.cancelled {
            self.failure = Some(e);
        }
    }

    fn end(&mut self, abort: bool) {
        self.ended = true;
        self.reading = false;
        self.unread = Vec::new();
        self.unread_at = 0;
        self.release = Some(self.release.unwrap_or(false) || abort);
    }

    /// Decodes `bytes` (and the end of the body with `eof`); errors come back untagged.
    fn take(&mut self, bytes: &[u8], eof: bool) -> Result<(), ProviderError> {
        let Ok(plan) = &self.plan else { return Ok(()) };
        if !self.ok() {
            // A non-2xx answer is read (up to 64 KiB) and classified.
            self.held.extend_from_slice(bytes);
            if eof || self.held.len() > MAX_ERROR_BODY {
                let ctx = ClassifyContext { base_url: &plan.stream.base_url, secrets: &plan.stream.secrets, request_id: Some(&plan.request_id), unpassed_env: &plan.stream.unpassed_env };
                return Err(http_error(self.status, &self.held, &self.headers, &ctx));
            }
            return Ok(());
        }
        let held;
        let mut bytes = bytes;
        if self.parser.is_none() {
            // Deciding may take more than one chunk (a blank first chunk, a field name split): the
            // start is held until the kind is known.
            self.held.extend_from_slice(bytes);
            let Some(kind) = body_kind_so_far(self.status, header_value(&self.headers, "content-type"), &self.held, eof, &plan.stream.model) else {
                return Ok(());
            };
            self.parser = Some(ChatStream::new(kind?, plan.stream.clone()));
            held = std::mem::take(&mut self.held);
            bytes = &held;
        }
        let queued = self.queue.len();
        let Some(parser) = self.parser.as_mut() else { return Ok(()) };
        let before = parser.events_read();
        let outcome = parser.push_into(bytes, &mut self.queue).and_then(|()| if eof || parser.is_done() { parser.finish_into(&mut self.queue) } else { Ok(()) });
        if parser.events_read() > before || self.queue.len() > queued {
            self.seen_event = true;
            self.watchdog_armed = false;
            self.alive = true;
        }
        // After `[DONE]` (or the end of a JSON reply) nothing more is read.
        if outcome.is_ok() && self.queue.len() > queued && matches!(self.queue.last(), Some(StreamEvent::Done { .. })) {
            self.end(false);
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{resolve, ConfigInput, ResolveInput};
    use crate::error::ErrorCode;
    use crate::stream::{plan, CallTimeouts};

    /// A call to a remote host (both watchdogs on), for a row `m`.
    fn call(timeouts: CallTimeouts) -> ChatCall {
        let config = r#"{ models: { providers: { vllm: { baseUrl: "https://vllm.example.com/v1", apiKey: "sk-call-secret", models: [{ id: "m", name: "m" }] } } } }"#;
        let p = resolve(&ResolveInput { config: Some(ConfigInput::Text(config.into())), ..Default::default() }).unwrap();
        ChatCall::new(plan(&p, r#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#, timeouts, [1; 4]))
    }

    fn sse_answer(status: u16) -> Answer {
        let content_type = if status == 200 { "text/event-stream" } else { "application/json" };
        Answer { status, headers: vec![("content-type".into(), content_type.into())], body: Body::Stream }
    }

    const CHUNK_A: &str = "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":null}]}\n\n";
    const CHUNK_END: &str = "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";

    /// Gives out everything the call has; returns the events (`error:<code>` for an error) and what
    /// stopped it (`None`: the end).
    fn give_all(c: &mut ChatCall) -> (Vec<String>, Option<Next>) {
        let mut out = Vec::new();
        loop {
            match c.next(false) {
                Next::Events(events) => {
                    assert!(!events.is_empty(), "a batch is never empty");
                    out.extend(events.iter().map(|e| serde_json::to_value(e).unwrap()["type"].as_str().unwrap().to_string()));
                }
                Next::End => return (out, None),
                Next::Fail(e) => {
                    out.push(format!("error:{}", e.code.as_str()));
                    return (out, None);
                }
                next => return (out, Some(next)),
            }
        }
    }

    fn drain(c: &mut ChatCall) -> Vec<String> {
        give_all(c).0
    }

    #[test]
    fn a_reply_read_in_pieces_gives_its_events_then_ends_without_aborting() {
        let mut c = call(CallTimeouts::default());
        assert!(matches!(c.next(false), Next::Open));
        c.opened(Ok(sse_answer(200)));
        assert!(matches!(c.next(false), Next::Read(Some((Watchdog::FirstEvent, 300_000)))));
        c.piece(Piece::Bytes(CHUNK_A.as_bytes()[..20].to_vec()));
        assert!(matches!(c.next(false), Next::Read(None)), "the watchdog already runs");
        assert!(!c.take_alive(), "half an event is no sign of life");
        c.piece(Piece::Bytes(CHUNK_A.as_bytes()[20..].to_vec()));
        match c.next(false) {
            Next::Events(batch) => assert_eq!(batch.len(), 2, "one read, one batch: start and text"),
            other => panic!("{other:?}"),
        }
        assert!(c.take_alive());
        let (events, then) = give_all(&mut c);
        assert!(events.is_empty());
        assert!(matches!(then, Some(Next::Read(Some((Watchdog::Idle, 300_000))))), "after an event, the idle watchdog");
        assert_eq!(c.take_release(), None);
        c.piece(Piece::Bytes(CHUNK_END.into()));
        assert_eq!(c.take_release(), None, "bytes are decoded by next()");
        assert_eq!(drain(&mut c), ["text", "done"]);
        assert_eq!(c.take_release(), Some(false), "ended by the reply: release, no abort");
        assert!(matches!(c.next(false), Next::End));
    }

    #[test]
    fn an_error_answer_is_read_to_its_end_and_classified_without_watchdogs() {
        let mut c = call(CallTimeouts::default());
        c.next(false);
        c.opened(Ok(sse_answer(404)));
        assert!(matches!(c.next(false), Next::Read(None)));
        c.piece(Piece::Bytes(br#"{"object":"error","message":"The model `m` does not exist.","type":"NotFoundError","param":null,"code":404}"#.to_vec()));
        assert!(matches!(c.next(false), Next::Read(None)));
        c.piece(Piece::End);
        assert_eq!(c.take_release(), Some(true));
        assert_eq!(drain(&mut c), ["error:model_not_found"]);
    }

    #[test]
    fn the_callers_abort_wins_over_events_already_read_and_aborts_the_request() {
        let mut c = call(CallTimeouts::default());
        c.next(false);
        c.opened(Ok(sse_answer(200)));
        c.next(false);
        c.piece(Piece::Bytes(CHUNK_A.into()));
        match c.next(true) {
            Next::Fail(e) => assert_eq!(e.code, ErrorCode::Aborted),
            other => panic!("{other:?}"),
        }
        assert_eq!(c.take_release(), Some(true));
        assert!(matches!(c.next(true), Next::End));
    }

    #[test]
    fn a_failed_read_says_which_timer_fired_and_the_events_before_it_come_first() {
        for (fired, code, needle) in [
            (Some(Fired::Watchdog(Watchdog::Idle)), "timeout", "idle timeout"),
            (Some(Fired::Watchdog(Watchdog::FirstEvent)), "timeout", "first-event timeout"),
            (Some(Fired::Request), "timeout", "whole-request timeout"),
            (None, "stream_error", "connection closed"),
        ] {
            let mut c = call(CallTimeouts::default());
            c.next(false);
            c.opened(Ok(sse_answer(200)));
            c.next(false);
            c.piece(Piece::Bytes(CHUNK_A.into()));
            let (mut events, then) = give_all(&mut c);
            assert!(matches!(then, Some(Next::Read(_))));
            c.piece(Piece::Failed { caller_aborted: false, fired, message: "terminated".into() });
            assert_eq!(c.take_release(), Some(true));
            events.extend(drain(&mut c));
            assert_eq!(events, ["start".to_string(), "text".into(), format!("error:{code}")]);
            let mut c2 = call(CallTimeouts::default());
            c2.next(false);
            c2.opened(Ok(sse_answer(200)));
            c2.next(false);
            c2.piece(Piece::Failed { caller_aborted: false, fired, message: "terminated".into() });
            match c2.next(false) {
                Next::Fail(e) => assert!(e.message.contains(needle), "{}", e.message),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn cancel_drops_queued_events_and_a_stored_error_and_later_reads_give_nothing() {
        let mut c = call(CallTimeouts::default());
        c.next(false);
        c.opened(Ok(sse_answer(200)));
        c.next(false);
        c.piece(Piece::Bytes(format!("{CHUNK_A}data: {{\"error\":{{\"message\":\"boom\"}}}}\n\n").into_bytes()));
        c.cancel();
        assert_eq!(c.take_release(), Some(true));
        c.piece(Piece::Bytes(CHUNK_END.into()));
        assert!(!c.take_alive(), "a read pending at cancel gives nothing");
        assert!(matches!(c.next(false), Next::End));
    }

    #[test]
    fn stopping_from_outside_gives_the_abort_error_once_or_nothing_for_return() {
        let mut c = call(CallTimeouts::default());
        c.next(false);
        c.opened(Ok(sse_answer(200)));
        c.next(false);
        c.piece(Piece::Bytes(CHUNK_A.into()));
        assert!(matches!(c.next(false), Next::Events(_)), "the events are out, in the caller's hands");
        assert_eq!(c.stop(true).map(|e| e.code), Some(ErrorCode::Aborted), "the abort wins over them");
        assert_eq!(c.stop(true), None, "once");
        assert!(matches!(c.next(true), Next::End));
        let mut c = call(CallTimeouts::default());
        assert_eq!(c.stop(false), None);
        assert_eq!(c.take_release(), Some(true));
        assert!(matches!(c.next(false), Next::End));
    }

    #[test]
    fn cancel_while_the_request_is_pending_ends_it_when_the_answer_comes() {
        let mut c = call(CallTimeouts::default());
        assert!(matches!(c.next(false), Next::Open));
        c.cancel();
        assert_eq!(c.take_release(), Some(true));
        c.opened(Ok(sse_answer(200)));
        assert_eq!(c.take_release(), Some(true));
        assert!(matches!(c.next(false), Next::End));
    }

    #[test]
    fn bodies_that_are_not_bytes_and_transport_failures_are_typed_errors() {
        let mut c = call(CallTimeouts::default());
        c.next(false);
        c.opened(Ok(Answer { status: 200, headers: vec![], body: Body::NotAStream }));
        assert_eq!(drain(&mut c), ["error:bad_response"]);
        let mut c = call(CallTimeouts::default());
        c.next(false);
        c.opened(Ok(sse_answer(200)));
        c.next(false);
        c.piece(Piece::NotBytes);
        assert_eq!(drain(&mut c), ["error:bad_response"]);
        let mut c = call(CallTimeouts::default());
        c.next(false);
        c.opened(Ok(sse_answer(200)));
        c.next(false);
        c.piece(Piece::Unreadable("read() threw (boom)".into()));
        assert_eq!(drain(&mut c), ["error:bad_response"]);
        let mut c = call(CallTimeouts { request_ms: Some(50), ..Default::default() });
        c.next(false);
        c.opened(Ok(Answer { status: 200, headers: vec![], body: Body::None }));
        // No body at all reads as an empty one, which the parser refuses.
        assert_eq!(drain(&mut c).len(), 1);
    }

    #[test]
    fn a_planning_error_is_given_once_then_the_end() {
        let mut c = ChatCall::new(Err(ProviderError::config_at("model", "bad", "h")));
        assert!(c.plan().is_none());
        assert!(matches!(c.next(false), Next::Fail(_)));
        assert!(matches!(c.next(false), Next::End));
    }

    #[test]
    fn a_huge_read_is_decoded_in_slices_with_a_pause_between_and_small_reads_never_pause() {
        let mut c = call(CallTimeouts::default());
        c.next(false);
        c.opened(Ok(sse_answer(200)));
        c.next(false);
        let mut body = CHUNK_A.repeat(3 * DECODE_SLICE / CHUNK_A.len());
        body.push_str(CHUNK_END);
        c.piece(Piece::Bytes(body.into_bytes()));
        let (mut batches, mut pauses, mut events) = (0, 0, 0);
        loop {
            match c.next(false) {
                Next::Events(batch) => {
                    batches += 1;
                    events += batch.len();
                }
                Next::Pause => pauses += 1,
                Next::End => break,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!((batches, pauses), (4, 3), "four slices, the event loop free between them");
        assert_eq!(events, 3 * DECODE_SLICE / CHUNK_A.len() + 3, "start, every text, the last text and done");
        assert_eq!(c.take_release(), Some(false));
        let mut c = call(CallTimeouts::default());
        c.next(false);
        c.opened(Ok(sse_answer(200)));
        for piece in [CHUNK_A, CHUNK_A, CHUNK_END] {
            assert!(matches!(c.next(false), Next::Read(_)));
            c.piece(Piece::Bytes(piece.into()));
            assert!(matches!(c.next(false), Next::Events(_)));
        }
        assert!(matches!(c.next(false), Next::End));
    }

    #[test]
    fn cancel_in_the_middle_of_a_sliced_read_drops_the_rest() {
        let mut c = call(CallTimeouts::default());
        c.next(false);
        c.opened(Ok(sse_answer(200)));
        c.next(false);
        c.piece(Piece::Bytes(CHUNK_A.repeat(2 * DECODE_SLICE / CHUNK_A.len()).into_bytes()));
        assert!(matches!(c.next(false), Next::Events(_)));
        c.cancel();
        assert!(matches!(c.next(false), Next::End));
    }
}
