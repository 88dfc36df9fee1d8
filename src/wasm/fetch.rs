//! Performing an [`HttpRequest`] with `fetch`: the caller's function or the global one (never the
//! browser-only window object, so Node, browsers and workers all work), under one `AbortController` that the timer and
//! the caller's signal both trigger.

use super::convert::{get, set, set_str, CallOptions};
use crate::http::{HttpRequest, HttpResponse, MAX_ERROR_BODY_BYTES};
use crate::stream::{NOT_A_STREAM, NOT_BYTES};
use crate::transport::{cors_check_url, wants_reachability_probe, FailureKind, TransportFailure};
use js_sys::{Function, Object, Promise, Uint8Array};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, ReadableStream, ReadableStreamDefaultReader, Response};

pub(crate) fn global() -> JsValue {
    js_sys::global().into()
}

pub(crate) fn global_fn(name: &str) -> Option<Function> {
    get(&global(), name).and_then(|f| f.dyn_into::<Function>().ok())
}

/// `value` as a Promise if it is a thenable of any realm. `instanceof Promise` is false for another
/// realm's promise: Node's fetch seen from Jest's vm context, an iframe's fetch.
pub(crate) fn thenable(value: JsValue) -> Option<Promise> {
    get(&value, "then").filter(JsValue::is_function).map(|_| Promise::resolve(&value))
}

/// `value` as a Uint8Array if it is one of any realm (a typed-array view tagged `Uint8Array`), for the
/// same reason: body chunks made by the host's fetch in another realm.
pub(crate) fn bytes(value: JsValue) -> Option<Uint8Array> {
    let tag = js_sys::Reflect::get(&value, &js_sys::Symbol::to_string_tag()).ok()?;
    (js_sys::ArrayBuffer::is_view(&value) && tag.as_string().as_deref() == Some("Uint8Array")).then(|| value.unchecked_into())
}

/// The page's origin when running in a browser page or worker (for CORS diagnosis).
pub fn page_origin() -> Option<String> {
    get(&global(), "location")
        .and_then(|l| get(&l, "origin"))
        .and_then(|o| o.as_string())
        .filter(|o| o.starts_with("http"))
}

/// Which timer of a [`Guard`] fired (`Guard::fired`): the whole request's is [`REQUEST_TIMER`].
pub(crate) const REQUEST_TIMER: u8 = 1;

/// A `setTimeout` that aborts the controller, re-armable with the same callback.
struct Timer {
    tag: u8,
    id: Option<JsValue>,
    callback: Closure<dyn FnMut()>,
}

impl Timer {
    fn clear(&mut self) {
        if let (Some(id), Some(clear)) = (self.id.take(), global_fn("clearTimeout")) {
            let _ = clear.call1(&global(), &id);
        }
    }
}

/// One request's `AbortController`, triggered by its timers and the caller's signal. Dropping it
/// clears the timers and detaches from the signal, however the request ends.
pub(crate) struct Guard {
    pub(crate) controller: AbortController,
    fired: Rc<Cell<u8>>,
    timers: Vec<Timer>,
    caller: Option<(AbortSignal, Closure<dyn FnMut()>)>,
}

impl Guard {
    pub(crate) fn new(timeout_ms: Option<u32>, caller: Option<&AbortSignal>) -> Result<Guard, String> {
        let controller = AbortController::new().map_err(|_| "AbortController is not available in this runtime".to_string())?;
        let mut guard = Guard { controller, fired: Rc::new(Cell::new(0)), timers: Vec::new(), caller: None };
        if let Some(ms) = timeout_ms {
            guard.arm(REQUEST_TIMER, ms);
        }
        if let Some(signal) = caller {
            let c = guard.controller.clone();
            let cb = Closure::<dyn FnMut()>::new(move || c.abort());
            let _ = signal.add_event_listener_with_callback("abort", cb.as_ref().unchecked_ref());
            guard.caller = Some((signal.clone(), cb));
        }
        Ok(guard)
    }

    /// (Re)starts the timer `tag`: after `ms` it records `tag` as fired and aborts.
    pub(crate) fn arm(&mut self, tag: u8, ms: u32) {
        self.disarm(tag);
        if !self.timers.iter().any(|t| t.tag == tag) {
            let (c, fired) = (self.controller.clone(), self.fired.clone());
            let callback = Closure::<dyn FnMut()>::new(move || {
                // The first timer to fire is the reason; the abort ends the request anyway.
                if fired.get() == 0 {
                    fired.set(tag);
                }
                c.abort();
            });
            self.timers.push(Timer { tag, id: None, callback });
        }
        if let (Some(timer), Some(set_timeout)) = (self.timers.iter_mut().find(|t| t.tag == tag), global_fn("setTimeout")) {
            timer.id = set_timeout.call2(&global(), timer.callback.as_ref(), &JsValue::from(ms)).ok();
        }
    }

    /// Stops the timer `tag` if it is running.
    pub(crate) fn disarm(&mut self, tag: u8) {
        self.timers.iter_mut().filter(|t| t.tag == tag).for_each(Timer::clear);
    }

    /// The tag of the timer that fired, or 0.
    pub(crate) fn fired(&self) -> u8 {
        self.fired.get()
    }

    pub(crate) fn failure_kind(&self, caller: Option<&AbortSignal>) -> FailureKind {
        if caller.is_some_and(AbortSignal::aborted) {
            FailureKind::Aborted
        } else if self.fired() == REQUEST_TIMER {
            FailureKind::Timeout
        } else {
            FailureKind::Network
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.timers.iter_mut().for_each(Timer::clear);
        if let Some((signal, cb)) = self.caller.take() {
            let _ = signal.remove_event_listener_with_callback("abort", cb.as_ref().unchecked_ref());
        }
    }
}

fn failure(kind: FailureKind, thrown: &JsValue, req: &HttpRequest, timeout_ms: Option<u32>) -> TransportFailure {
    let text = |v: &JsValue, k: &str| get(v, k).and_then(|x| x.as_string());
    let cause = get(thrown, "cause");
    TransportFailure {
        kind,
        name: text(thrown, "name").unwrap_or_else(|| "Error".into()),
        message: text(thrown, "message").or_else(|| thrown.as_string()).unwrap_or_default(),
        cause_code: cause.as_ref().and_then(|c| text(c, "code")),
        cause_message: cause.as_ref().and_then(|c| text(c, "message")),
        page_origin: page_origin(),
        url: req.url.clone(),
        timeout_ms,
        probe_reachable: None,
        health_readable: None,
        sent_authorization: req.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("authorization")),
    }
}

/// How long the browser reachability probe may take.
const PROBE_TIMEOUT_MS: u32 = 3_000;

/// A bodiless GET of `url` in the given fetch `mode`: `Some(true)` when it resolved (in `no-cors` mode
/// an opaque answer still means a server is there), `Some(false)` when it was refused, `None` on timeout.
async fn probe(url: &str, mode: &str, fetch: &Function) -> Option<bool> {
    let guard = Guard::new(Some(PROBE_TIMEOUT_MS), None).ok()?;
    let init = Object::new();
    set_str(&init, "mode", mode);
    set(&init, "signal", &guard.controller.signal());
    let pending = thenable(fetch.call2(&global(), &url.into(), &init).ok()?)?;
    match JsFuture::from(pending).await {
        Ok(_) => Some(true),
        Err(_) if guard.fired() == REQUEST_TIMER => None,
        Err(_) => Some(false),
    }
}

/// Runs the browser probes the core asks for, so it can tell a dead server, a CORS refusal and a
/// hidden 401 apart (all three are `TypeError: Failed to fetch` to a page).
async fn with_probe(mut f: TransportFailure, fetch: &Function) -> TransportFailure {
    if wants_reachability_probe(&f) {
        f.probe_reachable = probe(&f.url, "no-cors", fetch).await;
        if let Some(health) = cors_check_url(&f) {
            f.health_readable = probe(&health, "cors", fetch).await;
        }
    }
    f
}

fn init_object(req: &HttpRequest, signal: &AbortSignal) -> Object {
    let init = Object::new();
    let headers = Object::new();
    for (k, v) in &req.headers {
        set_str(&headers, k, v);
    }
    set_str(&init, "method", req.method.as_str());
    set(&init, "headers", &headers);
    if let Some(body) = &req.body {
        set_str(&init, "body", body);
    }
    set(&init, "signal", signal);
    init
}

/// Sends the request and reads the body (capped), or says why that failed.
pub async fn send(req: &HttpRequest, fetch: Option<&Function>, opts: &CallOptions) -> Result<HttpResponse, TransportFailure> {
    let timeout_ms = opts.timeout_ms.or(req.timeout_ms);
    let caller = opts.signal.as_ref();
    let started = js_sys::Date::now();
    let guard = RefCell::default();
    let response = open(req, fetch, timeout_ms, caller, &guard).await?;
    let mut out = HttpResponse { status: response.status(), headers: read_headers(&response), ..Default::default() };
    let cap = if out.is_success() { req.max_body_bytes } else { MAX_ERROR_BODY_BYTES };
    read_body(&response, cap, &mut out).await.map_err(|e| match e {
        Unread::Thrown(e) => failure(failure_kind(&guard, caller), &e, req, timeout_ms),
        Unread::NotBytes(what) => failure(FailureKind::UnreadableBody, &JsValue::from_str(what), req, timeout_ms),
    })?;
    out.duration_ms = (js_sys::Date::now() - started).max(0.0) as u32;
    Ok(out)
}

/// Why a request under the guard in `slot` failed; an emptied slot means its owner cancelled it.
fn failure_kind(slot: &RefCell<Option<Guard>>, caller: Option<&AbortSignal>) -> FailureKind {
    slot.borrow().as_ref().map_or(FailureKind::Aborted, |g| g.failure_kind(caller))
}

/// Sends the request under a new [`Guard`] (the whole-request timer and the caller's signal), put in
/// `slot` before `fetch` is called so that the slot's owner can abort the request while it is pending;
/// resolves when the headers arrive, with the body unread, or says why nothing arrived.
pub(crate) async fn open(
    req: &HttpRequest,
    fetch: Option<&Function>,
    timeout_ms: Option<u32>,
    caller: Option<&AbortSignal>,
    slot: &RefCell<Option<Guard>>,
) -> Result<Response, TransportFailure> {
    let network = |msg: &str| failure(FailureKind::Network, &JsValue::from_str(msg), req, timeout_ms);
    if caller.is_some_and(AbortSignal::aborted) {
        return Err(failure(FailureKind::Aborted, &JsValue::UNDEFINED, req, timeout_ms));
    }
    let guard = Guard::new(timeout_ms, caller).map_err(|m| network(&m))?;
    let fetch = fetch.cloned().or_else(|| global_fn("fetch")).ok_or_else(|| network("fetch is not available in this runtime"))?;
    let init = init_object(req, &guard.controller.signal());
    *slot.borrow_mut() = Some(guard);
    let pending = fetch.call2(&global(), &req.url.as_str().into(), &init).map_err(|e| failure(failure_kind(slot, caller), &e, req, timeout_ms))?;
    let pending = thenable(pending).ok_or_else(|| network("fetch did not return a Promise"))?;
    let response = match JsFuture::from(pending).await {
        Ok(r) => r,
        Err(e) => return Err(with_probe(failure(failure_kind(slot, caller), &e, req, timeout_ms), &fetch).await),
    };
    if !response.is_object() || get(&response, "status").is_none() {
        return Err(network("fetch resolved to something that is not a Response"));
    }
    Ok(response.unchecked_into())
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    // `Array.from`, caught: a caller's fetch may answer with headers that cannot be iterated.
    #[wasm_bindgen(js_namespace = Array, js_name = from, catch)]
    fn array_from(value: &JsValue) -> Result<js_sys::Array, JsValue>;
}

/// The response's headers as `[name, value]` pairs, names lowercased (what `Array.from(headers)` gives).
pub(crate) fn read_headers(response: &Response) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let entries = array_from(&response.headers()).unwrap_or_default();
    for i in 0..entries.length() {
        let pair = array_from(&entries.get(i)).unwrap_or_default();
        if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
            out.push((k.to_ascii_lowercase(), v));
        }
    }
    out
}

/// Why reading a body stopped early.
enum Unread {
    /// A read rejected (abort, timer, connection).
    Thrown(JsValue),
    /// The body is not a stream of bytes (what was wrong).
    NotBytes(&'static str),
}

/// Reads the body through its stream reader, stopping (and cancelling the rest) at `cap` bytes.
async fn read_body(response: &Response, cap: usize, out: &mut HttpResponse) -> Result<(), Unread> {
    let Some(stream) = response.body() else { return Ok(()) };
    // A caller's fetch may answer with any body: only a ReadableStream of bytes is read.
    let stream: ReadableStream = JsValue::from(stream).dyn_into().map_err(|_| Unread::NotBytes(NOT_A_STREAM))?;
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(Unread::Thrown)?;
        if get(&chunk, "done").and_then(|d| d.as_bool()).unwrap_or(true) {
            return Ok(());
        }
        let Some(value) = get(&chunk, "value") else { continue };
        let Some(value) = bytes(value) else {
            let _ = reader.cancel();
            return Err(Unread::NotBytes(NOT_BYTES));
        };
        let bytes = value.to_vec();
        let room = cap.saturating_sub(out.body.len());
        if bytes.len() > room {
            out.body.extend_from_slice(&bytes[..room]);
            out.truncated = true;
            let _ = reader.cancel();
            return Ok(());
        }
        out.body.extend_from_slice(&bytes);
    }
}
