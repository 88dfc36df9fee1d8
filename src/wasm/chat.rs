//! `chat()` and `stream()`: the core's [`Chat`], driven by [`drive`], a batch per network read. events.js
//! hands out its events one by one (`stream()`), or joins its reply text (`chat()`; the wasm keeps none).

use super::{convert::{call_options, json_text, to_js}, drive::{drive, Call}, JsChatOptions, JsChatRequest, now, promise, random, throw, VllmProvider};
use crate::{error::ProviderError, steps::Exchanging, stream::{unknown_error, Chat, ChatCall, Crossing, Reading}};
use js_sys::{Array, Function, Promise};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/wasm/events.js")]
extern "C" {
    // stream()'s iterator over a call's batches; `aborted` is not empty once the caller's signal fired.
    fn iterate(batches: JsValue, aborted: &JsValue) -> JsValue;
    // chat(): joins the text the batches give out into the result, and gives it once it has come.
    fn gatherer() -> Function;
    fn batch(text: &str, thought: &str, arguments: &str, codes: &[f64], rest: JsValue) -> JsValue;
}

/// A batch of events as JS objects, made back in events.js from how they crossed ([`Crossing`]).
pub(crate) fn events_to_js(c: Crossing) -> Result<JsValue, ProviderError> {
    Ok(batch(&c.text[0], &c.text[1], &c.text[2], &c.codes, to_js(&c.rest)?))
}

/// One `stream()` call's batches, for events.js.
#[wasm_bindgen(skip_typescript)]
pub struct ChatEvents(Rc<Call<Exchanging<Chat>>>);

#[wasm_bindgen]
impl VllmProvider {
    /// Sends `request` (exactly what `buildChatRequest` shows) and yields its events; the request goes
    /// out on the first `next()`. An error ends the iteration by throwing `VllmProviderError`; breaking
    /// out of the loop (`return()`) cancels the request, and so does dropping the iterator unfinished.
    #[wasm_bindgen(unchecked_return_type = "AsyncIterableIterator<StreamEvent>")]
    pub fn stream(&self, request: JsChatRequest, opts: Option<JsChatOptions>) -> JsValue {
        let call = self.chat_call(request.into(), opts.into(), Reading::Events);
        let aborted = call.guard().map_or_else(|_| Array::new(), |g| g.aborted());
        iterate(ChatEvents(Rc::new(call)).into(), &aborted.into())
    }

    /// `stream()` read to its end: the reply as one result; rejects with the same errors.
    #[wasm_bindgen(unchecked_return_type = "Promise<ChatResult>")]
    pub fn chat(&self, request: JsChatRequest, opts: Option<JsChatOptions>) -> Promise {
        let call = self.chat_call(request.into(), opts.into(), Reading::Result);
        promise(async move { Some(drive(&call, Some(&gatherer())).await?).filter(|r| !r.is_null()).ok_or_else(unknown_error) })
    }

    fn chat_call(&self, request: JsValue, opts: JsValue, reading: Reading) -> Call<Exchanging<Chat>> {
        let (options, mut guard) = (call_options(&opts), None);
        let planned = options.and_then(|(o, g)| {
            guard = Some(g);
            Ok(ChatCall::routed(&self.core, &json_text(&request, "request")?, o.timeouts(), o.routing, [(); 4].map(|_| random()), now()).reading(reading))
        });
        Call::new(Exchanging::new(Chat::new(planned.unwrap_or_else(|e| ChatCall::new(Err(e))), self.core.clone())), self.fetch.clone(), guard)
    }
}

#[wasm_bindgen]
impl ChatEvents {
    /// The events of the next network read, `null` after the last; the request goes out on the first.
    #[wasm_bindgen(js_name = nextBatch)]
    pub fn next_batch(&self) -> Promise {
        let call = self.0.clone();
        promise(async move { drive(&*call, None).await })
    }

    /// Ends the call: `return()` (a pending `nextBatch()` then resolves `null`), or with `aborted`,
    /// the caller's signal firing over events not handed out yet, giving the error to throw instead.
    pub fn stop(&self, aborted: bool) -> JsValue {
        let e = self.0.core.borrow_mut().stop(aborted);
        self.0.release();
        e.map_or(JsValue::UNDEFINED, throw)
    }
}
