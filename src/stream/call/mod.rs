//! One `chat()`/`stream()` call's progress, sans-I/O: what to do next (send, read, give out an event
//! or the error), what the answer and each piece of its body mean, which watchdog runs, and when the
//! call ends. The wasm layer only performs what [`ChatCall::next`] asks for and reports back.

use super::{body_kind_so_far, http_error, unreadable_body, ChatPlan, ChatStream, Crossing, Interrupt, Reading, StreamEvent, MAX_ERROR_BODY, NOT_A_STREAM, NOT_BYTES};
use crate::classify::ClassifyContext;
use crate::error::ProviderError;
use crate::http::header_value;
use crate::transport::{classify_transport, TransportFailure};

mod driven;
mod exchange;
mod routed;
pub use driven::{Chat, Driven, Halt, Moment};
pub use exchange::{Answer, Body, Fired, Next, Piece, Watchdog, DECODE_SLICE};
use routed::Routed;

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
    // What the caller wants of the reply.
    wants: Reading,
    parser: Option<ChatStream>,
    // The last read, decoded DECODE_SLICE bytes at a time from `unread_at`.
    unread: Vec<u8>,
    unread_at: usize,
    // A slice was decoded since the caller last paused or read.
    sliced: bool,
    // Events decoded but not given out yet, in order.
    queue: Crossing,
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
            wants: Reading::Full,
            parser: None,
            unread: Vec::new(),
            unread_at: 0,
            sliced: false,
            queue: Crossing::default(),
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

    /// The call, reading its reply as `reading` says: [`Reading::Result`] for `chat()` (no events
    /// before `done`), [`Reading::Events`] for `stream()` (the text is not kept); [`Reading::Full`]
    /// unless set.
    pub fn reading(mut self, reading: Reading) -> Self {
        self.wants = reading;
        self
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
            Ok(Answer { status, headers, body, .. }) => {
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
        self.queue = Crossing::default();
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
            self.parser = Some(ChatStream::reading(self.wants, kind?, plan.stream.clone()));
            held = std::mem::take(&mut self.held);
            bytes = &held;
        }
        let queued = self.queue.codes.len();
        let Some(parser) = self.parser.as_mut() else { return Ok(()) };
        let before = parser.events_read();
        let outcome = parser.push_into(bytes, &mut self.queue).and_then(|()| if eof || parser.is_done() { parser.finish_into(&mut self.queue) } else { Ok(()) });
        if parser.events_read() > before || self.queue.codes.len() > queued {
            self.seen_event = true;
            self.watchdog_armed = false;
            self.alive = true;
        }
        // After `[DONE]` (or the end of a JSON reply) nothing more is read.
        if outcome.is_ok() && self.queue.codes.len() > queued && matches!(self.queue.rest.last(), Some(StreamEvent::Done { .. })) {
            self.end(false);
        }
        outcome
    }
}

#[cfg(test)]
mod tests;
