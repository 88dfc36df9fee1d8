//! `chat()` and `stream()`: the core's [`ChatCall`] says what to do next (send, read, give out a batch
//! of events or the error, pause, end); this file does it and reports back. One crossing per network
//! read: each read is decoded into one batch, which `stream()`'s JS iterator (events.js) hands out one
//! event at a time; `chat()` reads no events, only the pieces of a long reply's text (events.js joins
//! them into the result: the wasm does not hold a long reply).

use super::convert::{call_options, json_text, to_js};
use super::fetch::{self, Reader};
use super::guard::{tick, Guard};
use super::types::{JsChatOptions, JsChatRequest};
use super::{now, promise, random, throw, VllmProvider};
use crate::config::Provider;
use crate::error::ProviderError;
use crate::stream::{unknown_error, Crossing, Answer, Body, CallTimeouts, ChatCall, Fired, Next, Piece, Reading, Watchdog};
use js_sys::{Array, Function, Promise};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/wasm/events.js")]
extern "C" {
    // stream()'s iterator over a call's batches; `aborted` is not empty once the caller's signal fired.
    fn iterate(batches: JsValue, aborted: &JsValue) -> JsValue;
    // chat(): joins the text the batches give out into the result, and gives it once it has come.
    fn gatherer() -> Function;
    // A batch's events made back from how they crossed (crate::stream::crossing).
    fn batch(text: &str, thought: &str, arguments: &str, codes: &[f64], rest: JsValue) -> JsValue;
}

/// A batch of events as JS objects.
fn events_to_js(c: Crossing) -> Result<JsValue, ProviderError> {
    Ok(batch(&c.text[0], &c.text[1], &c.text[2], &c.codes, to_js(&c.rest)?))
}

/// One `stream()` call's batches, for events.js.
#[wasm_bindgen(skip_typescript)]
pub struct ChatEvents(Rc<Call>);

#[wasm_bindgen]
impl VllmProvider {
    /// Sends `request` (exactly what `buildChatRequest` shows) and yields its events; the request goes
    /// out on the first `next()`. An error ends the iteration by throwing `VllmProviderError`; breaking
    /// out of the loop (`return()`) cancels the request, and so does dropping the iterator unfinished.
    #[wasm_bindgen(unchecked_return_type = "AsyncIterableIterator<StreamEvent>")]
    pub fn stream(&self, request: JsChatRequest, opts: Option<JsChatOptions>) -> JsValue {
        let call = Call::new(self, request.into(), opts.into(), Reading::Events);
        let aborted = call.guard.as_ref().map_or_else(Array::new, |g| g.aborted());
        iterate(ChatEvents(Rc::new(call)).into(), &aborted.into())
    }

    /// `stream()` read to its end: the reply as one result; rejects with the same errors.
    #[wasm_bindgen(unchecked_return_type = "Promise<ChatResult>")]
    pub fn chat(&self, request: JsChatRequest, opts: Option<JsChatOptions>) -> Promise {
        promise(drive(Rc::new(Call::new(self, request.into(), opts.into(), Reading::Result)), true))
    }
}

#[wasm_bindgen]
impl ChatEvents {
    /// The events of the next network read, `null` after the last; the request goes out on the first.
    #[wasm_bindgen(js_name = nextBatch)]
    pub fn next_batch(&self) -> Promise {
        promise(drive(self.0.clone(), false))
    }

    /// Ends the call: `return()` (a pending `nextBatch()` then resolves `null`), or with `aborted`,
    /// the caller's signal firing over events not handed out yet, giving the error to throw instead.
    pub fn stop(&self, aborted: bool) -> JsValue {
        let e = self.0.core.borrow_mut().stop(aborted);
        self.0.release();
        e.map_or(JsValue::UNDEFINED, throw)
    }
}

/// Drives one `nextBatch()` (or, with `whole`, all of `chat()`) through what the core asks for.
async fn drive(call: Rc<Call>, whole: bool) -> Result<JsValue, ProviderError> {
    let gather = whole.then(gatherer);
    loop {
        let next = call.core.borrow_mut().next(call.guard.as_ref().is_some_and(Guard::caller_aborted));
        call.release();
        match next {
            Next::Events(events) => match &gather {
                Some(gather) => match gather.call1(&JsValue::NULL, &events_to_js(events)?) {
                    Ok(result) if !result.is_undefined() => return Ok(result),
                    _ => continue,
                },
                None => return events_to_js(events),
            },
            Next::Fail(e) => return Err(e),
            Next::End if whole => return Err(unknown_error()),
            Next::End => return Ok(JsValue::NULL),
            Next::Open => call.open().await,
            Next::Read(watchdog) => call.read(watchdog).await,
            // A macrotask, so that timers and I/O run between two slices of a large read.
            Next::Pause => drop(JsFuture::from(tick()).await),
            Next::Wait(ms) => call.wait(ms).await,
        }
    }
}

/// One call: the core's [`ChatCall`] and what it cannot hold (the guard, the body's reader). No
/// borrow is held across an `await`.
struct Call {
    core: RefCell<ChatCall>,
    provider: Rc<Provider>,
    fetch: Option<Function>,
    guard: Option<Guard>,
    reader: RefCell<Option<Reader>>,
}

impl Call {
    fn new(provider: &VllmProvider, request: JsValue, opts: JsValue, reading: Reading) -> Call {
        let (options, mut guard) = (call_options(&opts), None);
        let planned = options.and_then(|(o, g)| {
            guard = Some(g);
            let timeouts = CallTimeouts { request_ms: o.timeout_ms, first_event_ms: o.first_event_ms, idle_ms: o.idle_ms };
            Ok(ChatCall::routed(&provider.core, &json_text(&request, "request")?, timeouts, o.routing, [(); 4].map(|_| random()), now()).reading(reading))
        });
        let core = planned.unwrap_or_else(|e| ChatCall::new(Err(e)));
        Call { core: RefCell::new(core), provider: provider.core.clone(), fetch: provider.fetch.clone(), guard, reader: RefCell::default() }
    }

    /// Sends the request; the answer (status, headers, body reader) or the failure goes to the core.
    async fn open(&self) {
        self.core.borrow_mut().aim(&self.provider, now());
        let http = self.core.borrow().plan().map(|p| p.http.clone());
        let (Some(guard), Some(http)) = (&self.guard, http) else { return };
        let answer = fetch::open(&http, self.fetch.as_ref(), guard).await.map(|resp| {
            let reader = Reader::of(&resp);
            let body = match &reader { Ok(None) => Body::None, Ok(Some(_)) => Body::Stream, Err(_) => Body::NotAStream };
            *self.reader.borrow_mut() = reader.ok().flatten();
            Answer { status: resp.status(), headers: fetch::headers(&resp), body }
        });
        if !self.core.borrow_mut().answered(answer, &self.provider, now(), random()) {
            self.reader.borrow_mut().take().inspect(Reader::cancel); // tried again: this body is not wanted
        }
    }

    /// Waits before the next try; the caller's abort and the call's timer end the wait as they end a read.
    async fn wait(&self, ms: u32) {
        let Some(guard) = &self.guard else { return };
        if let Err(halt) = guard.pause(ms).await {
            self.core.borrow_mut().piece(fetch::failed(halt, guard));
        }
    }

    /// Reads the next piece of the body under the watchdog the core names; a sign of life stops it.
    async fn read(&self, watchdog: Option<(Watchdog, u32)>) {
        let reader = self.reader.borrow().clone();
        let (Some(guard), Some(reader)) = (&self.guard, reader) else { return self.core.borrow_mut().piece(Piece::End) };
        if let Some((which, ms)) = watchdog {
            guard.arm(Fired::Watchdog(which).code(), ms);
        }
        let piece = reader.read(guard).await;
        let mut core = self.core.borrow_mut();
        core.piece(piece);
        if core.take_alive() {
            [Watchdog::FirstEvent, Watchdog::Idle].into_iter().for_each(|w| guard.disarm(Fired::Watchdog(w).code()));
        }
    }

    /// When the core has ended the call: reader cancelled, timers cleared, listeners removed; and when
    /// it says so, the request aborted and every wait ended.
    fn release(&self) {
        let Some(abort) = self.core.borrow_mut().take_release() else { return };
        self.reader.borrow_mut().take().inspect(Reader::cancel);
        self.guard.iter().for_each(|g| g.end(abort));
    }
}

impl Drop for Call {
    // An iterator dropped unfinished (wasm-bindgen's FinalizationRegistry frees it) releases its
    // connection instead of leaving it open.
    fn drop(&mut self) {
        self.core.get_mut().cancel();
        self.core.get_mut().abandon(&self.provider);
        self.release();
    }
}
