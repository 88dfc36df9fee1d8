//! One call's aborts and timers, raced with every wait of the call (the fetch, each read): a fetch that
//! ignores `init.signal`, or a body that never ends, cannot hold a call past its timeout; the signal
//! still goes with every request and is aborted. No Rust closure is handed to JS: listeners and
//! timers are bound built-ins (an array's `push`, a promise's `resolve`, our controller's `abort`).

use super::convert::call_method;
use crate::stream::Fired;
use js_sys::{Array, Function, Object, Promise, Reflect};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = setTimeout)]
    pub(crate) fn set_timeout(callback: &Function, ms: u32) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue) -> Result<(), JsValue>;
}

/// A promise, its token, and its `resolve` bound to the token (`resolve.bind(null, token)`).
fn token_promise() -> (Promise, Object, Function) {
    let (token, mut resolve) = (Object::new(), JsValue::UNDEFINED.unchecked_into::<Function>());
    let promise = Promise::new(&mut |r: Function, _| resolve = r.bind1(&JsValue::NULL, &JsValue::from(&token)).unchecked_into());
    (promise, token, resolve)
}

fn listen(signal: &JsValue, method: &str, f: &Function) {
    let _ = call_method(signal, method, &[&"abort".into(), f]);
}

/// Why a race ended without the awaited value.
pub(crate) enum Halt {
    /// A timer fired (the request has been aborted).
    Timer(Fired),
    /// The caller's signal fired, or we ended the call.
    Aborted,
    /// The awaited promise rejected with this.
    Rejected(JsValue),
}

/// The aborts and timers of one call.
pub(crate) struct Guard {
    controller: AbortController,
    // Resolved by the caller's abort or by `end(true)`: ends every pending race.
    halt: (Promise, Object, Function),
    // The caller's signal and our listeners on it: `aborted.push`, `halt`'s resolve, our `abort`.
    caller: Option<(JsValue, Vec<Function>)>,
    timers: RefCell<Vec<(Fired, JsValue, Object, Promise)>>,
    // Not empty once the caller's signal has fired: known at once, also to stream()'s iterator.
    aborted: Array,
}

impl Guard {
    /// A guard listening to the caller's `signal` (checked by `convert::call_options`).
    pub(crate) fn new(signal: Option<&JsValue>, already_aborted: bool) -> Option<Guard> {
        let (controller, aborted, halt) = (AbortController::new().ok()?, Array::new(), token_promise());
        let bound = |target: &JsValue, name: &str| Reflect::get(target, &name.into()).ok()?.dyn_into::<Function>().ok().map(|f| f.bind0(target));
        let caller = signal.map(|signal| {
            let listeners: Vec<Function> = [bound(&aborted, "push"), Some(halt.2.clone()), bound(&controller, "abort")].into_iter().flatten().collect();
            listeners.iter().for_each(|f| listen(signal, "addEventListener", f));
            (signal.clone(), listeners)
        });
        let guard = Guard { controller, halt, caller, timers: RefCell::default(), aborted };
        if already_aborted {
            guard.aborted.push(&JsValue::TRUE);
            guard.end(true);
        }
        Some(guard)
    }

    /// A new guard on the same caller's signal, for the next request of the call.
    pub(crate) fn renew(&self) -> Option<Guard> {
        Guard::new(self.caller.as_ref().map(|c| &c.0), self.caller_aborted())
    }

    /// The signal every request of the call carries.
    pub(crate) fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    /// Whether the caller's signal has fired.
    pub(crate) fn caller_aborted(&self) -> bool {
        self.aborted.length() > 0
    }

    /// Not empty once the caller's signal has fired (for stream()'s iterator).
    pub(crate) fn aborted(&self) -> &Array {
        &self.aborted
    }

    /// (Re)starts the timer `tag`.
    pub(crate) fn arm(&self, tag: Fired, ms: u32) {
        self.disarm(tag);
        let (promise, token, resolve) = token_promise();
        self.timers.borrow_mut().push((tag, set_timeout(&resolve, ms).unwrap_or_default(), token, promise));
    }

    /// Stops the timer `tag`, if it runs.
    pub(crate) fn disarm(&self, tag: Fired) {
        self.timers.borrow_mut().retain(|t| t.0 != tag || clear_timeout(&t.1).is_err());
    }

    /// Ends the call: timers cleared, listeners removed (but `aborted.push`, kept until the guard is
    /// dropped: stream()'s iterator may hold events the abort must win over); with `abort`, the
    /// request aborted and every pending race ended.
    pub(crate) fn end(&self, abort: bool) {
        self.timers.take().iter().for_each(|t| drop(clear_timeout(&t.1)));
        self.unlisten(1);
        if abort {
            let _ = self.halt.2.call0(&JsValue::NULL);
            self.controller.abort();
        }
    }

    fn unlisten(&self, from: usize) {
        if let Some((signal, listeners)) = &self.caller {
            listeners.iter().skip(from).for_each(|f| listen(signal, "removeEventListener", f));
        }
    }

    /// Waits `ms` milliseconds (before a retry), unless a timer fires or the call is aborted first.
    pub(crate) async fn pause(&self, ms: u32) -> Result<(), Halt> {
        self.race(&Promise::new(&mut |resolve, _| drop(set_timeout(&resolve, ms))).into()).await.map(drop)
    }

    /// Waits for `pending` (a promise, a thenable or any value), unless a timer fires, the caller
    /// aborts or the call is ended first. Ours come first: when several have settled already (an
    /// abort between two reads also fails the read), the abort is what happened.
    pub(crate) async fn race(&self, pending: &JsValue) -> Result<JsValue, Halt> {
        let ours = std::iter::once(&self.halt.0).chain(self.timers.borrow().iter().map(|t| &t.3)).map(JsValue::from).collect::<Vec<_>>();
        let all: Array = ours.into_iter().chain([pending.clone()]).collect();
        let settled = JsFuture::from(Promise::race(&all)).await;
        let fired = settled.as_ref().ok().and_then(|v| self.timers.borrow().iter().find(|t| JsValue::from(&t.2) == *v).map(|t| t.0));
        if fired.is_some() || self.caller_aborted() {
            self.end(true);
        }
        match (fired, settled) {
            (Some(tag), _) => Err(Halt::Timer(tag)),
            _ if self.caller_aborted() => Err(Halt::Aborted),
            (_, Ok(v)) if v == JsValue::from(&self.halt.1) => Err(Halt::Aborted),
            (_, Ok(v)) => Ok(v),
            (_, Err(e)) => Err(Halt::Rejected(e)),
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.end(false);
        self.unlisten(0);
    }
}
