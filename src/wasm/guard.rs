//! One call's aborts and timers: guard.js races them with every wait of the call, so that neither a
//! fetch that ignores `init.signal` nor a body that never ends holds a call past its timeout.

use super::convert::thrown;
use crate::stream::{Fired, Halt, Piece};
use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

// Each is documented in guard.js; `Fired::code` numbers the timers.
#[wasm_bindgen(module = "/src/wasm/guard.js")]
extern "C" {
    pub(crate) type JsGuard;
    fn guard(signal: &JsValue) -> JsValue;
    pub(crate) fn cancel(reader: &JsValue);
    pub(crate) fn tick() -> Promise;
    #[wasm_bindgen(method, getter)] pub(crate) fn signal(this: &JsGuard) -> web_sys::AbortSignal;
    #[wasm_bindgen(method, getter)] pub(crate) fn aborted(this: &JsGuard) -> Array;
    #[wasm_bindgen(method, getter = callerAborted)] pub(crate) fn caller_aborted(this: &JsGuard) -> bool;
    #[wasm_bindgen(method)] pub(crate) fn renew(this: &JsGuard);
    #[wasm_bindgen(method)] pub(crate) fn arm(this: &JsGuard, timer: u32, ms: u32);
    #[wasm_bindgen(method)] pub(crate) fn disarm(this: &JsGuard, timer: u32);
    #[wasm_bindgen(method)] pub(crate) fn end(this: &JsGuard, abort: bool);
    #[wasm_bindgen(method)] fn free(this: &JsGuard);
    #[wasm_bindgen(method)] pub(crate) fn pause(this: &JsGuard, ms: u32) -> Promise;
    #[wasm_bindgen(method)] pub(crate) fn race(this: &JsGuard, pending: &JsValue) -> Promise;
    #[wasm_bindgen(method, js_name = read)] fn read_js(this: &JsGuard, reader: &JsValue) -> Promise;
}

/// The guard of one call; dropping it leaves nothing on the caller's signal.
pub(crate) struct Guard(pub(crate) JsGuard);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.free();
    }
}

impl Guard {
    /// A guard on the caller's `signal`: `Err(true)` when it is no AbortSignal, `Err(false)` without AbortController.
    pub(crate) fn new(signal: Option<&JsValue>) -> Result<Guard, bool> {
        let v = guard(signal.unwrap_or(&JsValue::UNDEFINED));
        v.as_f64().map_or_else(|| Ok(Guard(v.unchecked_into())), |code| Err(code == 1.0))
    }
}

impl JsGuard {
    /// The next piece of the body `reader` gives (its bytes copied), or how the read ended.
    pub(crate) async fn read(&self, reader: &JsValue) -> Piece {
        match settled(self.read_js(reader)).await.map(|v| (v.as_f64(), v)) {
            Ok((Some(4.0), _)) => Piece::End,
            Ok((Some(_), _)) => Piece::NotBytes,
            Ok((None, v)) => Piece::Bytes(v.unchecked_into::<Uint8Array>().to_vec()),
            Err(halt) => halt.piece(self.caller_aborted()),
        }
    }
}

/// What a wait of guard.js (`pause`, `race`, `read`) resolved to: `[what, value]`, see there.
pub(crate) async fn settled(wait: Promise) -> Result<JsValue, Halt> {
    let out = JsFuture::from(wait).await.ok().and_then(|v| v.dyn_into::<Array>().ok()).unwrap_or_default();
    match out.get(0).as_f64().unwrap_or(2.0) as u32 {
        0 => Ok(out.get(1)),
        1 => Err(Halt::Timer(Fired::of_code(out.get(1).as_f64().unwrap_or_default() as u32))),
        3 => Err(Halt::Rejected(thrown(&out.get(1)))),
        6 => Err(Halt::ReadThrew(thrown(&out.get(1)))),
        4 | 5 => Ok(out.get(0)),
        _ => Err(Halt::Aborted),
    }
}
