//! `chat()` and `stream()`: the core's [`ChatCall`] says what to do next (send, read, give out an event
//! or the error, start a watchdog, end); this file does it with `fetch`, the body's stream reader and one
//! `AbortController` (the fetch module's `Guard`, which holds the timers), and reports back.
//!
//! One async function ([`run`]) drives both exports: it only awaits (the request, or the next read) and
//! hands what settled to plain functions of [`Call`], so the logic is compiled once, not per await state.

use super::convert::{call_options, get, set, stringify, to_js};
use super::fetch::{global, open, read_headers, Guard};
use super::types::{JsChatOptions, JsChatRequest};
use super::{promise, throw, JsResult, VllmProvider};
use crate::error::ProviderError;
use crate::stream::{plan, unknown_error, Answer, Body, CallTimeouts, ChatCall, Fired, Next, Piece, StreamEvent, Watchdog};
use crate::transport::TransportFailure;
use js_sys::{Function, Object, Promise, Reflect};
use std::cell::RefCell;
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
        self.call.core.borrow_mut().cancel();
        self.call.release();
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
                let request = call.core.borrow().plan().map(|p| (p.http.clone(), p.watchdogs.request_ms));
                if let Some((http, request_ms)) = request {
                    // The guard is the call's from here on: return() aborts the pending request.
                    let opened = open(&http, call.fetch.as_ref(), request_ms, call.signal.as_ref(), &call.guard).await;
                    call.opened(opened);
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

/// One call: the core's [`ChatCall`] and the runtime objects it cannot hold (the request's guard with
/// its timers and signal listener, and the body reader). No borrow is held across an `await`.
struct Call {
    core: RefCell<ChatCall>,
    fetch: Option<Function>,
    signal: Option<AbortSignal>,
    guard: RefCell<Option<Guard>>,
    reader: RefCell<Option<ReadableStreamDefaultReader>>,
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
            core: RefCell::new(ChatCall::new(planned)),
            fetch: provider.fetch.clone(),
            signal: options.ok().and_then(|o| o.signal),
            guard: RefCell::default(),
            reader: RefCell::default(),
        }
    }

    /// What the core asks for next; a read starts the watchdog it names first.
    #[inline(never)]
    fn step(&self) -> Step {
        let aborted = self.signal.as_ref().is_some_and(AbortSignal::aborted);
        let next = self.core.borrow_mut().next(aborted);
        self.release();
        match next {
            Next::Give(r) => Step::Ready(r),
            Next::Open => Step::Open,
            Next::Read(watchdog) => {
                if let (Some((which, ms)), Some(guard)) = (watchdog, self.guard.borrow_mut().as_mut()) {
                    guard.arm(tag(which), ms);
                }
                match self.reader.borrow().clone() {
                    Some(reader) => Step::Wait(reader.read(), true),
                    // A body the core expects but no reader: read as the end (cannot happen with a stream).
                    None => {
                        self.core.borrow_mut().piece(Piece::End);
                        self.step()
                    }
                }
            }
        }
    }

    /// The request went out: the answer (status, headers, body reader) or the failure, to the core.
    #[inline(never)]
    fn opened(&self, opened: Result<Response, TransportFailure>) {
        let answer = opened.map(|response| {
            // A caller's fetch may answer with any body: only a ReadableStream is read.
            let body = match response.body().map(|b| JsValue::from(b).dyn_into::<ReadableStream>()) {
                None => Body::None,
                Some(Err(_)) => Body::NotAStream,
                Some(Ok(stream)) => {
                    *self.reader.borrow_mut() = Some(stream.get_reader().unchecked_into());
                    Body::Stream
                }
            };
            Answer { status: response.status(), headers: read_headers(&response), body }
        });
        self.core.borrow_mut().opened(answer);
        self.release();
    }

    /// A read settled: what it gave goes to the core; a sign of life stops the watchdogs.
    #[inline(never)]
    fn read(&self, settled: Result<JsValue, JsValue>) {
        let piece = match settled {
            Err(thrown) => {
                let fired = self.guard.borrow().as_ref().and_then(|g| match g.fired() {
                    0 => None,
                    FIRST_EVENT => Some(Fired::Watchdog(Watchdog::FirstEvent)),
                    IDLE => Some(Fired::Watchdog(Watchdog::Idle)),
                    _ => Some(Fired::Request),
                });
                let message = get(&thrown, "message").and_then(|m| m.as_string()).unwrap_or_default();
                Piece::Failed { caller_aborted: self.signal.as_ref().is_some_and(AbortSignal::aborted), fired, message }
            }
            Ok(chunk) if get(&chunk, "done").and_then(|d| d.as_bool()).unwrap_or(true) => Piece::End,
            Ok(chunk) => match get(&chunk, "value").map(super::fetch::bytes) {
                None => Piece::Bytes(Vec::new()),
                Some(Some(bytes)) => Piece::Bytes(bytes.to_vec()),
                Some(None) => Piece::NotBytes,
            },
        };
        let alive = self.core.borrow_mut().piece(piece);
        if alive {
            if let Some(guard) = self.guard.borrow_mut().as_mut() {
                guard.disarm(FIRST_EVENT);
                guard.disarm(IDLE);
            }
        }
        self.release();
    }

    /// When the core has ended the call: timers cleared, signal listener removed, reader cancelled; and
    /// when it says so, the request aborted too (nothing is left pending, so Node can exit).
    fn release(&self) {
        let Some(abort) = self.core.borrow_mut().take_release() else { return };
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

/// The guard's timer tag for a watchdog.
fn tag(which: Watchdog) -> u8 {
    match which {
        Watchdog::FirstEvent => FIRST_EVENT,
        Watchdog::Idle => IDLE,
    }
}

/// A watchdog option (`firstEventTimeoutMs`, `idleTimeoutMs`), validated by the core.
fn watchdog(opts: &JsValue, key: &str) -> Result<Option<u32>, ProviderError> {
    get(opts, key).map(|v| crate::stream::watchdog_from_number(v.as_f64().unwrap_or(f64::NAN), key)).transpose()
}
