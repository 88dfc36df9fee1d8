//! `chat()` and `stream()`: the planned request sent with `fetch`, the body read through its stream
//! reader and pushed into the core's [`ChatStream`]. Timers and aborts go through one `AbortController`
//! (the fetch module's `Guard`); what they mean is decided in the core (`crate::stream::plan`).
//!
//! One async function ([`run`]) drives both exports: it only awaits (the request, or the next read) and
//! hands what settled to plain functions of [`Call`], so the logic is compiled once, not per await state.

use super::convert::{call_options, get, set, stringify, to_js};
use super::fetch::{global, open, read_headers, Guard};
use super::types::{JsChatOptions, JsChatRequest};
use super::{promise, throw, JsResult, VllmProvider};
use crate::error::ProviderError;
use crate::http::header_value;
use crate::stream::{body_kind_so_far, http_error, plan, unknown_error, unreadable_body, CallTimeouts, ChatPlan, ChatStream, Interrupt, StreamEvent, MAX_ERROR_BODY, NOT_A_STREAM, NOT_BYTES};
use crate::transport::{classify_transport, TransportFailure};
use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, ReadableStream, ReadableStreamDefaultReader, Response};

// Timer tags of the guard (the whole request's is the fetch module's REQUEST_TIMER).
const FIRST_EVENT: u8 = 2;
const IDLE: u8 = 3;

/// The events of one reply: `for await (const event of provider.stream(request))`. Breaking out of the
/// loop (`return()`) cancels the request.
#[wasm_bindgen(skip_typescript)]
pub struct ChatEvents {
    call: Rc<Call>,
    // Each next() starts when the previous one settled, so reads never overlap.
    tail: RefCell<Option<Promise>>,
}

#[wasm_bindgen]
impl VllmProvider {
    /// Sends `request` (exactly what `buildChatRequest` shows) and yields its events; the request goes
    /// out on the first `next()`. An error ends the iteration by throwing `VllmProviderError`.
    #[wasm_bindgen(unchecked_return_type = "AsyncIterableIterator<StreamEvent>")]
    pub fn stream(&self, request: JsChatRequest, opts: Option<JsChatOptions>) -> JsValue {
        let call = Call::new(self, request.into(), opts.map_or(JsValue::UNDEFINED, JsValue::from));
        let events: JsValue = ChatEvents { call: Rc::new(call), tail: RefCell::default() }.into();
        // An async iterator's [Symbol.asyncIterator]() returns the iterator itself; Object.prototype.valueOf
        // is a built-in function that returns `this`, so no closure (nor eval) is needed for it.
        let value_of = get(&Object::new(), "valueOf").unwrap_or_default();
        let _ = Reflect::set(&events, &js_sys::Symbol::async_iterator(), &value_of);
        events
    }

    /// `stream()` read to its end: the reply as one result; rejects with the same errors.
    #[wasm_bindgen(unchecked_return_type = "Promise<ChatResult>")]
    pub fn chat(&self, request: JsChatRequest, opts: Option<JsChatOptions>) -> Promise {
        let call = Call::new(self, request.into(), opts.map_or(JsValue::UNDEFINED, JsValue::from));
        promise(Box::pin(run(Rc::new(call), None, true)))
    }
}

#[wasm_bindgen]
impl ChatEvents {
    /// The next event, or `{ done: true }` after the last one.
    pub fn next(&self) -> Promise {
        let previous = self.tail.borrow_mut().take();
        let next = promise(Box::pin(run(self.call.clone(), previous, false)));
        *self.tail.borrow_mut() = Some(next.clone());
        next
    }

    /// Stops reading and cancels the request (what `break` in `for await` calls).
    #[wasm_bindgen(js_name = "return")]
    pub fn stop(&self) -> Promise {
        self.call.cancelled.set(true);
        self.call.queue.borrow_mut().clear();
        self.call.failure.borrow_mut().take();
        self.call.end(true);
        Promise::resolve(&step(&JsValue::UNDEFINED, true))
    }
}

/// What the driver does next.
enum Step {
    /// Give out this (an event, the end, or the error that ends the call).
    Ready(Result<Option<StreamEvent>, ProviderError>),
    /// Send the request.
    Open,
    /// Wait for this promise; with `true`, what it settles to is the next piece of the body.
    Wait(Promise, bool),
}

/// Drives one `next()` (or, with `whole`, all of `chat()`): first waits for `previous` (the last
/// `next()`), then for the request and the reads [`Call::step`] asks for.
async fn run(call: Rc<Call>, previous: Option<Promise>, whole: bool) -> JsResult {
    let mut next = previous.map(|p| Step::Wait(p, false));
    loop {
        match next.take().unwrap_or_else(|| call.step()) {
            Step::Ready(r) => {
                if let Some(out) = deliver(r, whole) {
                    return out;
                }
            }
            Step::Open => {
                if let Ok(plan) = &call.plan {
                    // The guard is the call's from here on: return() aborts the pending request.
                    let opened = open(&plan.http, call.fetch.as_ref(), plan.watchdogs.request_ms, call.signal.as_ref(), &call.guard).await;
                    call.opened(plan, opened);
                }
            }
            Step::Wait(p, body) => {
                let settled = JsFuture::from(p).await;
                if body {
                    call.read(settled);
                }
            }
        }
    }
}

/// What `next()` resolves to (`{ value, done }`), or, with `whole`, the result once `done` arrives.
#[inline(never)]
fn deliver(r: Result<Option<StreamEvent>, ProviderError>, whole: bool) -> Option<JsResult> {
    let event = match r {
        Err(e) => return Some(Err(throw(e))),
        Ok(None) if whole => return Some(Err(throw(unknown_error()))),
        Ok(None) => return Some(Ok(step(&JsValue::UNDEFINED, true))),
        Ok(Some(event)) => event,
    };
    let done = matches!(event, StreamEvent::Done { .. });
    if whole && !done {
        return None;
    }
    // chat() gives the `done` event's result: one conversion for both.
    Some(to_js(&event).map_err(throw).map(|v| if whole { get(&v, "result").unwrap_or_default() } else { step(&v, false) }))
}

/// `{ value, done }`.
fn step(value: &JsValue, done: bool) -> JsValue {
    let out = Object::new();
    set(&out, "value", value);
    set(&out, "done", &done.into());
    out.into()
}

/// One call's state. No `RefCell` borrow is held across an `await`.
struct Call {
    plan: Result<ChatPlan, ProviderError>,
    fetch: Option<Function>,
    signal: Option<AbortSignal>,
    guard: RefCell<Option<Guard>>,
    // The answer's status and headers, once they arrived.
    status: Cell<u16>,
    headers: RefCell<Vec<(String, String)>>,
    // Whether the body is being read (until the call ends), and its reader (none: no body).
    reading: Cell<bool>,
    reader: RefCell<Option<ReadableStreamDefaultReader>>,
    // A non-2xx answer's body, read up to MAX_ERROR_BODY bytes and then classified; or the start of a
    // 2xx body, until its kind is known.
    held: RefCell<Vec<u8>>,
    parser: RefCell<Option<ChatStream>>,
    // Events read but not given out yet, in order (a few per read).
    queue: RefCell<Vec<StreamEvent>>,
    started: Cell<bool>,
    ended: Cell<bool>,
    cancelled: Cell<bool>,
    // The error that ends the reply, given out once the events read before it are.
    failure: RefCell<Option<ProviderError>>,
    // Whether an event has arrived (idle rather than first-event timer), and whether one is running.
    seen_event: Cell<bool>,
    timer_armed: Cell<bool>,
}

impl Call {
    fn new(provider: &VllmProvider, request: JsValue, opts: JsValue) -> Call {
        let options = call_options(&opts);
        let planned = options.as_ref().map_err(Clone::clone).and_then(|o| {
            let call = CallTimeouts { request_ms: o.timeout_ms, first_event_ms: watchdog(&opts, "firstEventTimeoutMs")?, idle_ms: watchdog(&opts, "idleTimeoutMs")? };
            let text = stringify(&request, "request")?;
            let random = [(); 4].map(|_| (js_sys::Math::random() * 4_294_967_296.0) as u32);
            plan(&provider.core, &text, call, random)
        });
        Call {
            plan: planned,
            fetch: provider.fetch.clone(),
            signal: options.ok().and_then(|o| o.signal),
            guard: RefCell::default(),
            status: Cell::new(0),
            headers: RefCell::default(),
            reading: Cell::new(false),
            reader: RefCell::default(),
            held: RefCell::default(),
            parser: RefCell::default(),
            queue: RefCell::default(),
            started: Cell::new(false),
            ended: Cell::new(false),
            cancelled: Cell::new(false),
            failure: RefCell::default(),
            seen_event: Cell::new(false),
            timer_armed: Cell::new(false),
        }
    }

    /// What to do next: give out the next event (`None` once the reply is over; an error ends the
    /// call), send the request, or read one more piece of the body.
    #[inline(never)]
    fn step(&self) -> Step {
        let plan = match &self.plan {
            Ok(plan) => plan,
            Err(e) if !self.ended.replace(true) => return Step::Ready(Err(e.clone())),
            Err(_) => return Step::Ready(Ok(None)),
        };
        loop {
            if self.ended.get() && self.queue.borrow().is_empty() && self.failure.borrow().is_none() {
                return Step::Ready(Ok(None));
            }
            // The caller's abort wins over events already read: it takes effect at once.
            if self.signal.as_ref().is_some_and(AbortSignal::aborted) && !self.cancelled.get() {
                self.end(true);
                self.queue.borrow_mut().clear();
                self.failure.borrow_mut().take();
                return Step::Ready(Err(plan.interrupted(Interrupt::Aborted)));
            }
            if !self.queue.borrow().is_empty() {
                return Step::Ready(Ok(Some(self.queue.borrow_mut().remove(0))));
            }
            if let Some(e) = self.failure.borrow_mut().take() {
                return Step::Ready(Err(e));
            }
            if !self.started.replace(true) {
                return Step::Open;
            }
            if !self.reading.get() {
                self.ended.set(true);
                continue;
            }
            // The watchdogs run while a 2xx body is read (not while an error body is).
            if self.ok() && !self.timer_armed.replace(true) {
                let (tag, ms) = if self.seen_event.get() { (IDLE, plan.watchdogs.idle_ms) } else { (FIRST_EVENT, plan.watchdogs.first_event_ms) };
                if let (Some(ms), Some(guard)) = (ms, self.guard.borrow_mut().as_mut()) {
                    guard.arm(tag, ms);
                }
            }
            let reader = self.reader.borrow().clone();
            match reader {
                Some(reader) => return Step::Wait(reader.read(), true),
                // No body at all reads as an empty one: the core says what is missing.
                None => self.read(Ok(JsValue::UNDEFINED)),
            }
        }
    }

    fn ok(&self) -> bool {
        (200..300).contains(&self.status.get())
    }

    /// The request went out: keeps the answer's status, headers and body reader, or the failure.
    #[inline(never)]
    fn opened(&self, plan: &ChatPlan, opened: Result<Response, TransportFailure>) {
        match opened {
            Err(f) => self.fail(plan.tag(classify_transport(&f, &plan.stream.base_url))),
            Ok(response) => {
                self.status.set(response.status());
                *self.headers.borrow_mut() = read_headers(&response);
                // A caller's fetch may answer with any body: only a ReadableStream is read.
                match response.body().map(|b| JsValue::from(b).dyn_into::<ReadableStream>()) {
                    Some(Err(_)) => self.fail(plan.tag(unreadable_body(NOT_A_STREAM))),
                    body => {
                        *self.reader.borrow_mut() = body.and_then(Result::ok).map(|b| b.get_reader().unchecked_into());
                        self.reading.set(true);
                    }
                }
            }
        }
        // return() ran while the request was pending (a caller's fetch may answer despite the abort).
        if self.cancelled.get() {
            self.end(true);
        }
    }

    /// A read settled: its bytes go to the parser (or the error body); a failure ends the call.
    #[inline(never)]
    fn read(&self, settled: Result<JsValue, JsValue>) {
        // A read that settles after the call ended (return() while it was pending) gives nothing.
        if let (Ok(plan), false) = (&self.plan, self.ended.get()) {
            if let Err(e) = self.take(plan, settled) {
                self.fail(e);
            }
        }
    }

    /// Ends the call with `e`, kept for the caller unless it cancelled.
    fn fail(&self, e: ProviderError) {
        self.end(true);
        if !self.cancelled.get() {
            *self.failure.borrow_mut() = Some(e);
        }
    }

    fn take(&self, plan: &ChatPlan, settled: Result<JsValue, JsValue>) -> Result<(), ProviderError> {
        let chunk = settled.map_err(|e| self.interrupted(plan, &e))?;
        let eof = get(&chunk, "done").and_then(|d| d.as_bool()).unwrap_or(true);
        let mut bytes = match get(&chunk, "value").filter(|_| !eof) {
            Some(v) => v.dyn_into::<Uint8Array>().map_err(|_| plan.tag(unreadable_body(NOT_BYTES)))?.to_vec(),
            None => Vec::new(),
        };
        let status = self.status.get();
        if !self.ok() {
            // A non-2xx answer is read (up to 64 KiB) and classified.
            let mut body = self.held.borrow_mut();
            body.extend_from_slice(&bytes);
            if eof || body.len() > MAX_ERROR_BODY {
                let ctx = crate::classify::ClassifyContext { base_url: &plan.stream.base_url, secrets: &plan.stream.secrets, request_id: Some(&plan.request_id) };
                return Err(plan.tag(http_error(status, &body, &self.headers.borrow(), &ctx)));
            }
            return Ok(());
        }
        if self.parser.borrow().is_none() {
            // Deciding may take more than one chunk (a blank first chunk, a field name split): the
            // start is held until the core can tell.
            let mut held = self.held.borrow_mut();
            held.extend_from_slice(&bytes);
            let Some(kind) = body_kind_so_far(status, header_value(&self.headers.borrow(), "content-type"), &held, eof, &plan.stream.model) else {
                return Ok(());
            };
            *self.parser.borrow_mut() = Some(ChatStream::new(kind.map_err(|e| plan.tag(e))?, plan.stream.clone()));
            bytes = std::mem::take(&mut *held);
        }
        let mut queue = self.queue.borrow_mut();
        let queued = queue.len();
        let (outcome, alive) = match self.parser.borrow_mut().as_mut() {
            Some(parser) => {
                let before = parser.events_read();
                let outcome = parser.push_into(&bytes, &mut queue).and_then(|()| if eof || parser.is_done() { parser.finish_into(&mut queue) } else { Ok(()) });
                (outcome, parser.events_read() > before)
            }
            None => (Ok(()), false),
        };
        // Any server event is a sign of life, also one that yields nothing (reasoning not kept).
        if alive || queue.len() > queued {
            self.seen_event.set(true);
            self.timer_armed.set(false);
            if let Some(guard) = self.guard.borrow_mut().as_mut() {
                guard.disarm(FIRST_EVENT);
                guard.disarm(IDLE);
            }
        }
        let finished = queue.len() > queued && matches!(queue.last(), Some(StreamEvent::Done { .. }));
        drop(queue);
        if finished {
            self.end(false);
        }
        // The events before an error are given out first (step keeps the error until then).
        outcome.map_err(|e| plan.tag(e))
    }

    /// Why a read failed: the caller's abort, one of our timers, or the connection.
    fn interrupted(&self, plan: &ChatPlan, thrown: &JsValue) -> ProviderError {
        let fired = self.guard.borrow().as_ref().map_or(0, Guard::fired);
        let why = if self.signal.as_ref().is_some_and(AbortSignal::aborted) {
            Interrupt::Aborted
        } else {
            match fired {
                0 => Interrupt::Network(get(thrown, "message").and_then(|m| m.as_string()).unwrap_or_default()),
                FIRST_EVENT => Interrupt::FirstEvent,
                IDLE => Interrupt::Idle,
                _ => Interrupt::RequestTimeout,
            }
        };
        plan.interrupted(why)
    }

    /// Ends the call: timers cleared, signal listener removed, reader cancelled; with `abort`, the
    /// request is aborted too (nothing is left pending, so Node can exit).
    fn end(&self, abort: bool) {
        self.ended.set(true);
        self.reading.set(false);
        let guard = self.guard.borrow_mut().take();
        let reader = self.reader.borrow_mut().take();
        if let Some(g) = guard.as_ref().filter(|_| abort) {
            g.controller.abort();
        }
        // Also after `[DONE]`: whatever the server still sends is not read.
        if let Some(reader) = reader {
            // A rejected cancel (the stream already errored) is handled, not reported: the built-in
            // `Boolean` never throws, so it is a no-op rejection handler that needs no Rust closure.
            let cancel: JsValue = reader.cancel().into();
            if let (Some(catch), Some(noop)) = (get(&cancel, "catch").and_then(|f| f.dyn_into::<Function>().ok()), get(&global(), "Boolean")) {
                let _ = catch.call1(&cancel, &noop);
            }
        }
        drop(guard);
    }
}

/// A watchdog option (`firstEventTimeoutMs`, `idleTimeoutMs`), validated by the core.
fn watchdog(opts: &JsValue, key: &str) -> Result<Option<u32>, ProviderError> {
    get(opts, key).map(|v| crate::stream::watchdog_from_number(v.as_f64().unwrap_or(f64::NAN), key)).transpose()
}
