//! The one loop that drives every call ([`Driven`]): it does what the core asks (send, probe, read,
//! pause, wait, give out events) and reports back. Each network read crosses once, as one batch.

use super::{chat::events_to_js, fetch, guard::{cancel, settled, tick, Guard, JsGuard}, now, random};
use crate::{error::ProviderError, steps::{Exchanging, Fetched, Steps}, stream::{unknown_error, Driven, Fired, Moment, Next, Piece, Watchdog}};
use js_sys::Function;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// One call: the core's state, and what it cannot hold: the caller's fetch, its guard (none when its
/// options were refused: the core then fails first) and the body being read. Dropped unfinished, it
/// abandons the call and releases its connection.
pub(crate) struct Call<C: Driven + ?Sized> {
    fetch: Option<Function>,
    guard: Option<Guard>,
    reader: RefCell<Option<JsValue>>,
    pub(crate) core: RefCell<C>,
}

impl<C: Driven + ?Sized> Call<C> {
    pub(crate) fn new(core: C, fetch: Option<Function>, guard: Option<Guard>) -> Self where C: Sized {
        Call { fetch, guard, reader: RefCell::default(), core: RefCell::new(core) }
    }

    /// The call's guard.
    pub(crate) fn guard(&self) -> Result<&JsGuard, ProviderError> {
        self.guard.as_ref().map(|g| &g.0).ok_or_else(unknown_error)
    }

    fn moment(&self) -> Moment {
        Moment { now_ms: now(), caller_aborted: self.guard().is_ok_and(|g| g.caller_aborted()), random: random() }
    }

    /// Once the core has ended the call: reader cancelled, timers cleared, listeners removed; and if it
    /// says so, the request aborted and every wait ended.
    pub(crate) fn release(&self) {
        let Some(abort) = self.core.borrow_mut().take_release() else { return };
        self.drop_body();
        self.guard.iter().for_each(|g| g.0.end(abort));
    }

    // The reader is taken out before `cancel()` runs: the caller's stream may call back into the call.
    fn drop_body(&self) {
        self.reader.take().inspect(cancel);
    }
}

impl<C: Driven + ?Sized> Drop for Call<C> {
    fn drop(&mut self) {
        self.core.get_mut().abandon();
        self.release();
        self.drop_body();
    }
}

/// Drives a call until it gives out events (as JS; with `gather`, until that makes a result of them),
/// fails, or ends (`null`). No borrow of its core is held across an `await`.
pub(crate) async fn drive(io: &Call<dyn Driven + '_>, gather: Option<&Function>) -> Result<JsValue, ProviderError> {
    let core = &io.core;
    loop {
        let next = core.borrow_mut().ask(io.moment());
        io.release();
        if !matches!(next, Next::Read(_) | Next::Pause | Next::Events(_)) {
            io.drop_body(); // a body the call no longer reads is not wanted
        }
        match next {
            Next::Events(events) => {
                let batch = events_to_js(events)?;
                let Some(gather) = gather else { return Ok(batch) };
                if let Some(result) = gather.call1(&JsValue::NULL, &batch).ok().filter(|r| !r.is_undefined()) {
                    return Ok(result); // chat()'s result, once it has come
                }
            }
            Next::Fail(e) => return Err(e),
            Next::End => return Ok(JsValue::NULL),
            Next::Open | Next::Follow => {
                let Some(req) = core.borrow_mut().request(io.moment()) else { continue };
                // Each fresh request is guarded anew (a timer that fired ended the last); a hop keeps its guard.
                let (guard, fresh) = (io.guard()?, matches!(next, Next::Open));
                if fresh {
                    guard.renew();
                    req.timeout_ms.inspect(|ms| guard.arm(Fired::Request.code(), *ms));
                }
                let answer = fetch::open(&req, io.fetch.as_ref(), guard).await.map(|(answer, reader)| { io.reader.replace(reader); answer });
                core.borrow_mut().opened(answer, io.moment());
            }
            Next::Probe(url, mode) => {
                let reachable = fetch::probe(&url, mode, io.fetch.as_ref()).await;
                core.borrow_mut().probed(reachable, io.moment());
            }
            Next::Read(watchdog) => {
                let (guard, reader) = (io.guard()?, io.reader.borrow().clone());
                watchdog.filter(|_| reader.is_some()).inspect(|(which, ms)| guard.arm(Fired::Watchdog(*which).code(), *ms));
                let piece = match reader { Some(reader) => guard.read(&reader).await, None => Piece::End };
                if core.borrow_mut().read(piece, io.moment()) {
                    [Watchdog::FirstEvent, Watchdog::Idle].into_iter().for_each(|w| guard.disarm(Fired::Watchdog(w).code()));
                }
            }
            // A macrotask, so that timers and I/O run between two slices of a large read.
            Next::Pause => drop(JsFuture::from(tick()).await),
            Next::Wait(ms) => {
                let cut = settled(io.guard()?.pause(ms)).await.err();
                core.borrow_mut().waited(cut, io.moment());
            }
        }
    }
}

/// Drives a discovery or diagnosis to its end (its result is then in `steps`).
pub(crate) async fn perform(steps: &mut dyn Steps, fetch: Option<Function>, guard: Guard) -> Result<(), ProviderError> {
    drive(&Call::new(Exchanging::new(Fetched::new(steps)), fetch, Some(guard)), None).await.map(drop)
}
