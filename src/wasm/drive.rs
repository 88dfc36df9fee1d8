//! The one loop that drives every call ([`Driven`]): it does what the core asks (send, probe, read,
//! pause, wait, give out events) and reports back. One crossing per network read: each read is decoded
//! into one batch of events.

use super::convert::{page_origin, to_js};
use super::fetch;
use super::guard::{cancel, settled, tick, Guard, JsGuard};
use super::{now, random};
use crate::error::ProviderError;
use crate::steps::{Exchanging, Fetched, Steps};
use crate::stream::{unknown_error, Crossing, Driven, Fired, Moment, Next, Piece, Watchdog};
use js_sys::Function;
use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/wasm/events.js")]
extern "C" {
    // A batch's events made back from how they crossed (crate::stream::crossing).
    fn batch(text: &str, thought: &str, arguments: &str, codes: &[f64], rest: JsValue) -> JsValue;
}

/// A batch of events as JS objects.
fn events_to_js(c: Crossing) -> Result<JsValue, ProviderError> {
    Ok(batch(&c.text[0], &c.text[1], &c.text[2], &c.codes, to_js(&c.rest)?))
}

/// What a call cannot hand to the core: the caller's fetch, the guard of the request in flight (none
/// when the call's options were refused: the core then fails first) and the body being read.
pub(crate) struct Io {
    fetch: Option<Function>,
    guard: RefCell<Option<Guard>>,
    reader: RefCell<Option<JsValue>>,
    sent: Cell<bool>,
}

impl Io {
    pub(crate) fn new(fetch: Option<Function>, guard: Option<Guard>) -> Io {
        Io { fetch, guard: RefCell::new(guard), reader: RefCell::default(), sent: Cell::new(false) }
    }

    /// The guard of the request in flight.
    pub(crate) fn guard(&self) -> Result<JsGuard, ProviderError> {
        self.guard.borrow().as_ref().map(|g| g.0.clone()).ok_or_else(unknown_error)
    }

    fn moment(&self) -> Moment {
        Moment { now_ms: now(), caller_aborted: self.guard().is_ok_and(|g| g.caller_aborted()), random: random() }
    }

    /// When the core has ended the call: reader cancelled, timers cleared, listeners removed; and when
    /// it says so, the request aborted and every wait ended.
    pub(crate) fn release(&self, core: &mut dyn Driven) {
        let Some(abort) = core.take_release() else { return };
        self.drop_body();
        self.guard.borrow().iter().for_each(|g| g.0.end(abort));
    }

    fn drop_body(&self) {
        self.reader.borrow_mut().take().inspect(cancel);
    }
}

/// Drives `core` until it gives out events (as JS; with `gather`, until that makes a result of them),
/// fails, or ends (`null`). No borrow of `core` is held across an `await`.
pub(crate) async fn drive(core: &RefCell<dyn Driven + '_>, io: &Io, gather: Option<&Function>) -> Result<JsValue, ProviderError> {
    loop {
        let next = core.borrow_mut().ask(io.moment());
        io.release(&mut *core.borrow_mut());
        if !matches!(next, Next::Read(_) | Next::Pause | Next::Events(_)) {
            io.drop_body(); // a body the call no longer reads is not wanted
        }
        match next {
            Next::Events(events) => match gather {
                Some(gather) => match gather.call1(&JsValue::NULL, &events_to_js(events)?) {
                    Ok(result) if !result.is_undefined() => return Ok(result),
                    _ => continue,
                },
                None => return events_to_js(events),
            },
            Next::Fail(e) => return Err(e),
            Next::End => return Ok(JsValue::NULL),
            Next::Open | Next::Follow => {
                let Some(req) = core.borrow_mut().request(io.moment()) else { continue };
                let fresh = matches!(next, Next::Open);
                // Each request after the first gets a fresh guard (a timer that fired ended the last).
                if fresh && io.sent.replace(true) {
                    let renewed = io.guard.borrow().as_ref().map(Guard::renew);
                    *io.guard.borrow_mut() = renewed;
                }
                let guard = io.guard()?;
                req.timeout_ms.filter(|_| fresh).inspect(|ms| guard.arm(Fired::Request.code(), *ms));
                let answer = fetch::open(&req, io.fetch.as_ref(), &guard).await.map(|(answer, reader)| {
                    *io.reader.borrow_mut() = reader;
                    answer
                });
                core.borrow_mut().opened(answer, io.moment());
            }
            Next::Probe(url, mode) => {
                let reachable = fetch::probe(&url, mode, io.fetch.as_ref()).await;
                core.borrow_mut().probed(reachable, io.moment());
            }
            Next::Read(watchdog) => {
                let (guard, reader) = (io.guard()?, io.reader.borrow().clone());
                if let Some((which, ms)) = watchdog {
                    guard.arm(Fired::Watchdog(which).code(), ms);
                }
                let piece = match reader {
                    Some(reader) => guard.read(&reader).await,
                    None => Piece::End,
                };
                let mut core = core.borrow_mut();
                core.read(piece, io.moment());
                if core.take_alive() {
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
pub(crate) async fn perform<S: Steps>(steps: S, fetch: Option<Function>, guard: Guard) -> Result<S, ProviderError> {
    let call = RefCell::new(Exchanging::new(Fetched::new(steps, page_origin())));
    drive(&call, &Io::new(fetch, Some(guard)), None).await?;
    Ok(call.into_inner().into_inner().into_steps())
}
