//! One `chat()`/`stream()` call's progress, sans-I/O: what to do next (send, read, give out an event
//! or the error), what the answer and each piece of its body mean, which watchdog runs, and when the
//! call ends. The wasm layer only performs what [`ChatCall::next`] asks for and reports back.

use super::{body_kind_so_far, http_error, unreadable_body, ChatPlan, ChatStream, Interrupt, StreamEvent, MAX_ERROR_BODY, NOT_A_STREAM, NOT_BYTES};
use crate::classify::ClassifyContext;
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
    /// Give this out: an event, the end (`None`), or the error that ends the call.
    Give(Result<Option<StreamEvent>, ProviderError>),
    /// Send the request ([`ChatCall::plan`]'s `http`), then report with [`ChatCall::opened`].
    Open,
    /// Read the next piece of the body, then report with [`ChatCall::piece`]; first (re)start this
    /// watchdog, when given.
    Read(Option<(Watchdog, u32)>),
}

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
    // Events read, in order; those before `given` were given out (a whole body may arrive in one read:
    // taking from the front one by one would move the rest each time).
    queue: Vec<StreamEvent>,
    given: usize,
    started: bool,
    ended: bool,
    cancelled: bool,
    // The error that ends the reply, given out once the events read before it are.
    failure: Option<ProviderError>,
    // Whether an event has arrived (idle rather than first-event watchdog), and whether one runs.
    seen_event: bool,
    watchdog_armed: bool,
    // Set when the call ends and not yet taken by the caller: whether the request must be aborted.
    release: Option<bool>,
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
            queue: Vec::new(),
            given: 0,
            started: false,
            ended: false,
            cancelled: false,
            failure: None,
            seen_event: false,
            watchdog_armed: false,
            release: None,
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

    /// What to do next. `caller_aborted`: the caller's signal has fired, which takes effect at once,
    /// over events already read.
    pub fn next(&mut self, caller_aborted: bool) -> Next {
        let watchdogs = match &self.plan {
            Ok(plan) => plan.watchdogs,
            Err(e) if !self.ended => {
                self.ended = true;
                return Next::Give(Err(e.clone()));
            }
            Err(_) => return Next::Give(Ok(None)),
        };
        loop {
            if self.ended && self.queue.is_empty() && self.failure.is_none() {
                return Next::Give(Ok(None));
            }
            if caller_aborted && !self.cancelled {
                self.end(true);
                self.clear_queue();
                self.failure = None;
                let e = match &self.plan {
                    Ok(plan) => plan.interrupted(Interrupt::Aborted),
                    Err(e) => e.clone(),
                };
                return Next::Give(Err(e));
            }
            if let Some(slot) = self.queue.get_mut(self.given) {
                let event = std::mem::replace(slot, StreamEvent::Text { delta: String::new() });
                self.given += 1;
                if self.given == self.queue.len() {
                    self.clear_queue();
                }
                return Next::Give(Ok(Some(event)));
            }
            if let Some(e) = self.failure.take() {
                return Next::Give(Err(e));
            }
            if !std::mem::replace(&mut self.started, true) {
                return Next::Open;
            }
            if !self.reading {
                self.ended = true;
                continue;
            }
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

    /// A read settled. Returns whether the server showed a sign of life (any event, also one that
    /// yields nothing, such as reasoning not kept): the caller then stops its watchdog.
    pub fn piece(&mut self, piece: Piece) -> bool {
        // A read that settles after the call ended (return() while it was pending) gives nothing.
        if self.ended || self.plan.is_err() {
            return false;
        }
        match self.take(piece) {
            Ok(alive) => alive,
            Err(e) => {
                self.fail(e);
                false
            }
        }
    }

    /// `return()`: stops at once; later `next()` calls give the end.
    pub fn cancel(&mut self) {
        self.cancelled = true;
        self.clear_queue();
        self.failure = None;
        self.end(true);
    }

    fn clear_queue(&mut self) {
        self.queue.clear();
        self.given = 0;
    }

    fn ok(&self) -> bool {
        (200..300).contains(&self.status)
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
        self.release = Some(self.release.unwrap_or(false) || abort);
    }

    fn take(&mut self, piece: Piece) -> Result<bool, ProviderError> {
        let Ok(plan) = &self.plan else { return Ok(false) };
        let (mut bytes, eof) = match piece {
            Piece::Bytes(b) => (b, false),
            Piece::End => (Vec::new(), true),
            Piece::NotBytes => return Err(plan.tag(unreadable_body(NOT_BYTES))),
            Piece::Failed { caller_aborted, fired, message } => {
                let why = match (caller_aborted, fired) {
                    (true, _) => Interrupt::Aborted,
                    (false, None) => Interrupt::Network(message),
                    (false, Some(Fired::Watchdog(Watchdog::FirstEvent))) => Interrupt::FirstEvent,
                    (false, Some(Fired::Watchdog(Watchdog::Idle))) => Interrupt::Idle,
                    (false, Some(Fired::Request)) => Interrupt::RequestTimeout,
                };
                return Err(plan.interrupted(why));
            }
        };
        if !self.ok() {
            // A non-2xx answer is read (up to 64 KiB) and classified.
            self.held.extend_from_slice(&bytes);
            if eof || self.held.len() > MAX_ERROR_BODY {
                let ctx = ClassifyContext { base_url: &plan.stream.base_url, secrets: &plan.stream.secrets, request_id: Some(&plan.request_id) };
                return Err(plan.tag(http_error(self.status, &self.held, &self.headers, &ctx)));
            }
            return Ok(false);
        }
        if self.parser.is_none() {
            // Deciding may take more than one chunk (a blank first chunk, a field name split): the
            // start is held until the kind is known.
            self.held.extend_from_slice(&bytes);
            let Some(kind) = body_kind_so_far(self.status, header_value(&self.headers, "content-type"), &self.held, eof, &plan.stream.model) else {
                return Ok(false);
            };
            self.parser = Some(ChatStream::new(kind.map_err(|e| plan.tag(e))?, plan.stream.clone()));
            bytes = std::mem::take(&mut self.held);
        }
        let queued = self.queue.len();
        let (outcome, alive) = match self.parser.as_mut() {
            Some(parser) => {
                let before = parser.events_read();
                let outcome = parser.push_into(&bytes, &mut self.queue).and_then(|()| if eof || parser.is_done() { parser.finish_into(&mut self.queue) } else { Ok(()) });
                (outcome, parser.events_read() > before)
            }
            None => (Ok(()), false),
        };
        let alive = alive || self.queue.len() > queued;
        if alive {
            self.seen_event = true;
            self.watchdog_armed = false;
        }
        let finished = self.queue.len() > queued && matches!(self.queue.last(), Some(StreamEvent::Done { .. }));
        // The events before an error are given out first (next() keeps the error until then).
        let result = outcome.map(|()| alive).map_err(|e| plan.tag(e));
        if finished {
            self.end(false);
        }
        result
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
                Next::Give(Ok(Some(event))) => out.push(serde_json::to_value(&event).unwrap()["type"].as_str().unwrap().to_string()),
                Next::Give(Ok(None)) => return (out, None),
                Next::Give(Err(e)) => {
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
        assert!(!c.piece(Piece::Bytes(CHUNK_A.as_bytes()[..20].to_vec())), "half an event is no sign of life");
        assert!(matches!(c.next(false), Next::Read(None)), "the watchdog already runs");
        assert!(c.piece(Piece::Bytes(CHUNK_A.as_bytes()[20..].to_vec())));
        let (events, then) = give_all(&mut c);
        assert_eq!(events, ["start", "text"]);
        assert!(matches!(then, Some(Next::Read(Some((Watchdog::Idle, 300_000))))), "after an event, the idle watchdog");
        assert_eq!(c.take_release(), None);
        c.piece(Piece::Bytes(CHUNK_END.into()));
        assert_eq!(c.take_release(), Some(false), "ended by the reply: release, no abort");
        assert_eq!(drain(&mut c), ["text", "done"]);
        assert!(matches!(c.next(false), Next::Give(Ok(None))));
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
            Next::Give(Err(e)) => assert_eq!(e.code, ErrorCode::Aborted),
            other => panic!("{other:?}"),
        }
        assert_eq!(c.take_release(), Some(true));
        assert!(matches!(c.next(true), Next::Give(Ok(None))));
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
            c.piece(Piece::Failed { caller_aborted: false, fired, message: "terminated".into() });
            assert_eq!(c.take_release(), Some(true));
            assert_eq!(drain(&mut c), ["start".to_string(), "text".into(), format!("error:{code}")]);
            let mut c2 = call(CallTimeouts::default());
            c2.next(false);
            c2.opened(Ok(sse_answer(200)));
            c2.next(false);
            c2.piece(Piece::Failed { caller_aborted: false, fired, message: "terminated".into() });
            match c2.next(false) {
                Next::Give(Err(e)) => assert!(e.message.contains(needle), "{}", e.message),
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
        assert!(!c.piece(Piece::Bytes(CHUNK_END.into())), "a read pending at cancel gives nothing");
        assert!(matches!(c.next(false), Next::Give(Ok(None))));
    }

    #[test]
    fn cancel_while_the_request_is_pending_ends_it_when_the_answer_comes() {
        let mut c = call(CallTimeouts::default());
        assert!(matches!(c.next(false), Next::Open));
        c.cancel();
        assert_eq!(c.take_release(), Some(true));
        c.opened(Ok(sse_answer(200)));
        assert_eq!(c.take_release(), Some(true));
        assert!(matches!(c.next(false), Next::Give(Ok(None))));
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
        assert!(matches!(c.next(false), Next::Give(Err(_))));
        assert!(matches!(c.next(false), Next::Give(Ok(None))));
    }

    /// `n` content events and the end, as one body.
    fn body_of(n: usize) -> Vec<u8> {
        let mut body = CHUNK_A.repeat(n);
        body.push_str(CHUNK_END);
        body.into_bytes()
    }

    /// Reads `body` as one piece and gives out every event; how many there were.
    fn drain_one_piece(body: &[u8]) -> usize {
        let mut c = call(CallTimeouts::default());
        c.next(false);
        c.opened(Ok(sse_answer(200)));
        c.next(false);
        c.piece(Piece::Bytes(body.to_vec()));
        let mut n = 0;
        while let Next::Give(Ok(Some(_))) = c.next(false) {
            n += 1;
        }
        n
    }

    #[test]
    fn a_whole_body_in_one_read_is_given_out_in_time_proportional_to_it() {
        // start, one text per event, the last text, done.
        assert_eq!(drain_one_piece(&body_of(1000)), 1003);
        crate::growth::assert_linear("events of one read", 20_000, body_of, |b| {
            drain_one_piece(b);
        });
    }
}
