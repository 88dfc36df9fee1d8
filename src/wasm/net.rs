//! The HTTP of every export. A request is built by gloo-net's `RequestBuilder` (method, URL, headers,
//! body, the call's `AbortSignal`, `redirect: "manual"`) and given to the platform's `fetch`, or handed
//! to the caller's `fetch` as `fetch(url, init)` with the same fields; what comes back is checked and
//! handled as a `gloo_net::http::Response`, its body read through its stream's reader.
//!
//! Nothing from JS is trusted: every call into JS that can throw is caught, and every wait (the fetch,
//! each read) is raced with the call's timers and aborts, so a fetch that ignores its signal or a body
//! that never ends cannot hold a call past its timeout. No Rust closure is handed to JS: the listeners
//! and timers are bound built-ins that resolve promises with tokens only this module holds.

use crate::http::{HttpRequest, HttpResponse, MAX_ERROR_BODY_BYTES};
use crate::redirect::{next_hop, Hop, Refusal};
use crate::stream::{Fired, Piece, NOT_A_RESPONSE, NOT_A_STREAM, NOT_BYTES, UNUSABLE_RESPONSE};
use crate::transport::{cors_check_url, wants_reachability_probe, FailureKind, TransportFailure};
use gloo_net::http::{Headers, Method, RequestBuilder, Response};
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, RequestMode, RequestRedirect, ResponseInit};

#[wasm_bindgen]
extern "C" {
    // The platform's fetch, given the Request gloo-net built. gloo-net's own `send()` is not used: its
    // error keeps only the name and message of what fetch threw (Node puts the reason in `cause`), and
    // it panics when fetch rejects with something that is not an Error.
    #[wasm_bindgen(catch, js_name = fetch)]
    fn fetch_request(request: &web_sys::Request) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = setTimeout)]
    pub(crate) fn set_timeout(callback: &Function, ms: u32, token: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue) -> Result<(), JsValue>;
    // A copy of a chunk into a new array: a chunk's own getters may be replaced, a Proxy or a detached
    // buffer make the copy fail, and the failure is caught.
    #[wasm_bindgen(js_name = Uint8Array)]
    type Copy;
    #[wasm_bindgen(catch, constructor, js_class = "Uint8Array")]
    fn new(from: &JsValue) -> Result<Copy, JsValue>;
}

/// Calls `target[name](...args)`, catching whatever the getter or the call throws.
pub(crate) fn call_method(target: &JsValue, name: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let f = Reflect::get(target, &name.into())?;
    let f: &Function = f.unchecked_ref();
    Reflect::apply(f, target, &args.iter().copied().collect())
}

/// Marks a promise's rejection as handled (a cancelled read, a caller's failing `cancel()`).
fn handled(p: &JsValue) {
    if let Ok(noop) = Reflect::get(&js_sys::global(), &"Boolean".into()) {
        let _ = call_method(&Promise::resolve(p), "catch", &[&noop]);
    }
}

/// A promise and its `resolve`, called with `token`: `resolve.bind(null, token)` is a built-in that
/// cannot throw and holds no Rust state, so it is safe wherever JS may call it, for as long as it likes.
fn token_promise(arm: impl FnOnce(&Function)) -> (Promise, Object) {
    let token = Object::new();
    let mut resolve = None;
    let promise = Promise::new(&mut |r: Function, _| resolve = Some(r.bind1(&JsValue::NULL, &JsValue::from(&token)).unchecked_into::<Function>()));
    if let Some(r) = resolve {
        arm(&r);
    }
    (promise, token)
}

/// Why a race ended without the awaited value.
#[derive(Debug)]
pub(crate) enum Halt {
    /// One of the guard's timers fired (the request has been aborted).
    Timer(Fired),
    /// The caller's signal fired, or the call was ended on our side.
    Aborted,
    /// The awaited promise rejected with this (or the call into JS threw it).
    Rejected(JsValue),
}

struct Timer {
    tag: Fired,
    id: JsValue,
    token: Object,
    promise: Promise,
}

/// The caller's signal, and the listeners put on it: they mark `Guard::aborted`, resolve `promise`
/// and abort our controller (so a fetch that honours `init.signal` stops at once).
struct Caller {
    signal: JsValue,
    promise: Promise,
    listeners: Vec<Function>,
}

/// One call's aborts and timers: the `AbortController` whose signal goes with every request, the
/// caller's signal, our own stop, and the whole-request and watchdog timers.
pub(crate) struct Guard {
    controller: AbortController,
    caller: Option<Caller>,
    stop: (Promise, Object, Option<Function>),
    timers: RefCell<Vec<Timer>>,
    // Not empty once the caller's signal has fired: its first listener is `aborted.push`, so this is
    // known at once, also to stream()'s iterator (events.js), without a race or a getter of theirs.
    aborted: Array,
}

impl Guard {
    /// A guard for a call, listening to the caller's `signal` (validated by `convert::call_options`).
    pub(crate) fn new(signal: Option<&JsValue>, already_aborted: bool) -> Option<Guard> {
        let controller = AbortController::new().ok()?;
        let aborted = Array::new();
        let mut stop_resolve = None;
        let (stop, stop_token) = token_promise(|r| stop_resolve = Some(r.clone()));
        let bound = |target: &JsValue, method: &str| Reflect::get(target, &method.into()).ok().and_then(|f| f.dyn_into::<Function>().ok()).map(|f| f.bind0(target));
        let caller = signal.map(|signal| {
            let mut listeners: Vec<Function> = bound(&aborted, "push").into_iter().collect();
            let (promise, _) = token_promise(|resolve| {
                listeners.push(resolve.clone());
                listeners.extend(bound(&controller, "abort"));
                for f in &listeners {
                    let _ = call_method(signal, "addEventListener", &[&"abort".into(), f]);
                }
            });
            Caller { signal: signal.clone(), promise, listeners }
        });
        let guard = Guard { controller, caller, stop: (stop, stop_token, stop_resolve), timers: RefCell::default(), aborted };
        if already_aborted {
            guard.aborted.push(&JsValue::TRUE);
            guard.end(true);
        }
        Some(guard)
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
        let mut id = JsValue::UNDEFINED;
        let (promise, token) = token_promise(|resolve| id = set_timeout(resolve, ms, &JsValue::UNDEFINED).unwrap_or_default());
        self.timers.borrow_mut().push(Timer { tag, id, token, promise });
    }

    /// Stops the timer `tag`, if it runs.
    pub(crate) fn disarm(&self, tag: Fired) {
        self.timers.borrow_mut().retain(|t| {
            if t.tag == tag {
                let _ = clear_timeout(&t.id);
            }
            t.tag != tag
        });
    }

    /// Ends the call: timers cleared, listeners removed, and with `abort` the request aborted and every
    /// pending race ended.
    pub(crate) fn end(&self, abort: bool) {
        for t in self.timers.take() {
            let _ = clear_timeout(&t.id);
        }
        // The first listener (marking `aborted`) stays until the guard is dropped: stream()'s iterator
        // may still hold events the caller's abort must win over.
        self.unlisten(1);
        if abort {
            if let Some(resolve) = &self.stop.2 {
                let _ = resolve.call0(&JsValue::NULL);
            }
            self.controller.abort();
        }
    }

    /// Removes the listeners put on the caller's signal, from the `from`th on.
    fn unlisten(&self, from: usize) {
        if let Some(c) = &self.caller {
            for f in c.listeners.iter().skip(from) {
                let _ = call_method(&c.signal, "removeEventListener", &[&"abort".into(), f]);
            }
        }
    }

    /// Waits for `pending` (any value: a promise, a thenable, or not), unless a timer fires, the caller
    /// aborts or the call is ended first.
    pub(crate) async fn race(&self, pending: &JsValue) -> Result<JsValue, Halt> {
        // Our promises first: when several have settled already (the caller aborted between two
        // reads, which also failed the read), the abort is what happened.
        let all = Array::of1(&self.stop.0);
        if let Some(c) = &self.caller {
            all.push(&c.promise);
        }
        for t in self.timers.borrow().iter() {
            all.push(&t.promise);
        }
        all.push(pending);
        let settled = JsFuture::from(Promise::race(&all)).await;
        let fired = settled.as_ref().ok().and_then(|v| self.timers.borrow().iter().find(|t| JsValue::from(&t.token) == *v).map(|t| t.tag));
        if let Some(tag) = fired {
            self.end(true);
            return Err(Halt::Timer(tag));
        }
        if self.caller_aborted() {
            self.end(true);
            return Err(Halt::Aborted);
        }
        match settled {
            Ok(v) if v == JsValue::from(&self.stop.1) => Err(Halt::Aborted),
            Ok(v) => Ok(v),
            Err(e) => Err(Halt::Rejected(e)),
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.end(false);
        self.unlisten(0);
    }
}

/// The page's origin when running in a browser page or worker (for CORS diagnosis).
pub(crate) fn page_origin() -> Option<String> {
    let global = js_sys::global();
    let location = Reflect::get(&global, &"location".into()).ok().filter(JsValue::is_object)?;
    Reflect::get(&location, &"origin".into()).ok()?.as_string().filter(|o| o.starts_with("http"))
}

/// The `message` of what JS threw (or the thrown string).
fn message_of(thrown: &JsValue) -> String {
    Reflect::get(thrown, &"message".into()).ok().and_then(|m| m.as_string()).or_else(|| thrown.as_string()).unwrap_or_default()
}

/// What went wrong, for the core to classify: `thrown` is what JS threw or rejected with.
fn failure(kind: FailureKind, thrown: &JsValue, req: &HttpRequest) -> TransportFailure {
    let text = |v: &JsValue, k: &str| Reflect::get(v, &k.into()).ok().and_then(|x| x.as_string());
    let cause = Reflect::get(thrown, &"cause".into()).ok().filter(JsValue::is_object);
    TransportFailure {
        kind,
        name: text(thrown, "name").unwrap_or_else(|| "Error".into()),
        message: message_of(thrown),
        cause_code: cause.as_ref().and_then(|c| text(c, "code")),
        cause_message: cause.as_ref().and_then(|c| text(c, "message")),
        page_origin: page_origin(),
        url: req.url.clone(),
        timeout_ms: req.timeout_ms,
        probe_reachable: None,
        health_readable: None,
        sent_authorization: req.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("authorization")),
    }
}

/// The failure for a race that ended without a value.
fn halted(halt: Halt, req: &HttpRequest) -> TransportFailure {
    match halt {
        Halt::Timer(_) => failure(FailureKind::Timeout, &JsValue::UNDEFINED, req),
        Halt::Aborted => failure(FailureKind::Aborted, &JsValue::UNDEFINED, req),
        Halt::Rejected(e) => failure(FailureKind::Network, &e, req),
    }
}

/// The request as gloo-net builds it for the platform's fetch (redirects manual, or a probe's `mode`);
/// headers go through the platform's `Headers`, which refuses (catchably) what HTTP does not allow.
fn build(req: &HttpRequest, signal: &AbortSignal, mode: Option<RequestMode>) -> Result<web_sys::Request, JsValue> {
    let headers = web_sys::Headers::new()?;
    for (k, v) in &req.headers {
        headers.append(k, v)?;
    }
    let method = Method::from_bytes(req.method.as_bytes()).map_err(|_| JsValue::from_str("invalid method"))?;
    let builder = RequestBuilder::new(&req.url).method(method).headers(Headers::from_raw(headers)).abort_signal(Some(signal));
    // A browser probe (a bodiless GET without headers) keeps the default redirect policy: `no-cors`
    // requests must follow redirects, and they carry nothing secret.
    let builder = match mode {
        Some(mode) => builder.mode(mode),
        None => builder.redirect(RequestRedirect::Manual),
    };
    let built = match &req.body {
        Some(body) => builder.body(body.as_str()),
        None => builder.build(),
    };
    built.map(Into::into).map_err(|e| JsValue::from_str(&e.to_string()))
}

/// `init` for the caller's `fetch(url, init)`: the same method, headers, body and redirect policy, and
/// the call's signal.
#[derive(serde::Serialize)]
struct Init<'a> {
    method: &'a str,
    #[serde(serialize_with = "pairs")]
    headers: &'a [(String, String)],
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<&'a str>,
    redirect: &'static str,
}

fn pairs<S: serde::Serializer>(headers: &&[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(headers.iter().map(|(k, v)| (k, v)))
}

/// Sends the request (to the caller's `fetch`, or the platform's), without waiting.
fn start(req: &HttpRequest, fetch: Option<&Function>, signal: &AbortSignal) -> Result<JsValue, JsValue> {
    let Some(fetch) = fetch else { return fetch_request(&build(req, signal, None)?) };
    let init = super::convert::to_js(&Init { method: &req.method, headers: &req.headers, body: req.body.as_deref(), redirect: "manual" }).map_err(|e| JsValue::from_str(&e.message))?;
    Reflect::set(&init, &"signal".into(), signal)?;
    fetch.call2(&JsValue::UNDEFINED, &req.url.as_str().into(), &init)
}

/// Takes what a fetch resolved to as a platform `Response` that gloo-net can read without surprises:
/// its status, headers and body are read once (catching), checked, and given to a new `Response`.
fn adopt(value: &JsValue, req: &HttpRequest) -> Result<Response, TransportFailure> {
    let bad = |what: String| failure(FailureKind::UnreadableBody, &JsValue::from_str(&what), req);
    if !value.is_object() {
        return Err(bad(NOT_A_RESPONSE.into()));
    }
    let read = |key: &str| Reflect::get(value, &key.into()).map_err(|e| bad(format!("{UNUSABLE_RESPONSE}: reading `{key}` threw ({})", message_of(&e))));
    if read("type")?.as_string().as_deref() == Some("opaqueredirect") {
        return Err(failure(FailureKind::Redirect(Refusal::Hidden), &JsValue::UNDEFINED, req));
    }
    let status = read("status")?.as_f64().ok_or_else(|| bad(NOT_A_RESPONSE.into()))?;
    if status == 0.0 {
        return Err(failure(FailureKind::Network, &JsValue::from_str("fetch answered a network error (a Response of status 0)"), req));
    }
    if !(200.0..=599.0).contains(&status) || status.fract() != 0.0 {
        // (as an integer: printing an f64 links core's float formatting, 12 KiB of gzipped wasm)
        return Err(bad(format!("{UNUSABLE_RESPONSE}: status {} is not a final HTTP status", status as i64)));
    }
    let init = ResponseInit::new();
    init.set_status(status as u16);
    init.set_headers(&read("headers")?);
    let body = read("body")?;
    let body = match body.is_null() || body.is_undefined() || matches!(status as u16, 204 | 205 | 304) {
        true => None,
        false => Some(body.dyn_into::<web_sys::ReadableStream>().map_err(|_| bad(NOT_A_STREAM.into()))?),
    };
    web_sys::Response::new_with_opt_readable_stream_and_init(body.as_ref(), &init)
        .map(Response::from)
        .map_err(|e| bad(format!("{UNUSABLE_RESPONSE} ({})", message_of(&e))))
}

/// The answer's headers, names lower-cased (as the platform's `Headers` gives them).
pub(crate) fn headers(resp: &Response) -> Vec<(String, String)> {
    resp.headers().entries().collect()
}

/// Sends `req` under `guard`, following same-origin redirects as the core decides, and resolves when
/// the answer's head arrives (body unread), or says why nothing did.
pub(crate) async fn open(req: &HttpRequest, fetch: Option<&Function>, guard: &Guard) -> Result<Response, TransportFailure> {
    let mut req = req.clone();
    let mut hops = 0;
    loop {
        if guard.caller_aborted() {
            return Err(halted(Halt::Aborted, &req));
        }
        let raw = match start(&req, fetch, &guard.signal()) {
            Ok(pending) => guard.race(&pending).await,
            Err(thrown) => Err(Halt::Rejected(thrown)),
        };
        let raw = match raw {
            Ok(raw) => raw,
            Err(Halt::Rejected(e)) => return Err(with_probe(failure(FailureKind::Network, &e, &req), fetch).await),
            Err(halt) => return Err(halted(halt, &req)),
        };
        let resp = adopt(&raw, &req)?;
        let hop = next_hop(&req, resp.status(), resp.headers().get("location").as_deref(), hops);
        if hop != Hop::Done {
            // The redirect's own body is not wanted.
            if let Ok(Some(reader)) = Reader::of(&resp) {
                reader.cancel();
            }
        }
        match hop {
            Hop::Done => return Ok(resp),
            Hop::Follow(next) => req = next,
            Hop::Refuse(r) => return Err(failure(FailureKind::Redirect(r), &JsValue::UNDEFINED, &req)),
        }
        hops += 1;
    }
}

/// A body's reader (the caller's stream may hand out anything: every call on it is caught).
#[derive(Clone)]
pub(crate) struct Reader(JsValue);

impl Reader {
    /// The reader of `resp`'s body: `Ok(None)` without a body, `Err` when its stream refuses one.
    pub(crate) fn of(resp: &Response) -> Result<Option<Reader>, JsValue> {
        resp.body().map(|b| call_method(&b, "getReader", &[]).map(Reader)).transpose()
    }

    /// The next piece of the body, unless the guard halts first.
    pub(crate) async fn read(&self, guard: &Guard) -> Result<Piece, Halt> {
        let pending = call_method(&self.0, "read", &[]).map_err(Halt::Rejected)?;
        let chunk = guard.race(&pending).await?;
        let (Ok(done), Ok(value)) = (Reflect::get(&chunk, &"done".into()), Reflect::get(&chunk, &"value".into())) else { return Ok(Piece::NotBytes) };
        if done.as_bool() != Some(false) {
            return Ok(Piece::End);
        }
        if value.is_undefined() {
            return Ok(Piece::Bytes(Vec::new()));
        }
        Ok(match value.dyn_ref::<Uint8Array>().map(|v| Copy::new(v)) {
            Some(Ok(bytes)) => Piece::Bytes(bytes.unchecked_into::<Uint8Array>().to_vec()),
            _ => Piece::NotBytes,
        })
    }

    /// Stops reading (the rest of the body is not wanted); a failing `cancel()` is ignored.
    pub(crate) fn cancel(&self) {
        if let Ok(p) = call_method(&self.0, "cancel", &[]) {
            handled(&p);
        }
    }
}

/// Sends the request under `guard` and reads the body (capped), or says why that failed.
pub(crate) async fn send(req: &HttpRequest, fetch: Option<&Function>, guard: &Guard) -> Result<HttpResponse, TransportFailure> {
    let started = js_sys::Date::now();
    if let Some(ms) = req.timeout_ms {
        guard.arm(Fired::Request, ms);
    }
    let resp = open(req, fetch, guard).await?;
    let mut out = HttpResponse { status: resp.status(), headers: headers(&resp), ..Default::default() };
    let cap = if out.is_success() { req.max_body_bytes } else { MAX_ERROR_BODY_BYTES };
    let unreadable = |what: &str| failure(FailureKind::UnreadableBody, &JsValue::from_str(what), req);
    if let Some(reader) = Reader::of(&resp).map_err(|_| unreadable(NOT_A_STREAM))? {
        loop {
            match reader.read(guard).await.map_err(|h| halted(h, req))? {
                Piece::Bytes(bytes) if bytes.len() > cap - out.body.len() => {
                    let room = cap - out.body.len();
                    out.body.extend_from_slice(&bytes[..room]);
                    out.truncated = true;
                    reader.cancel();
                    break;
                }
                Piece::Bytes(bytes) => out.body.extend_from_slice(&bytes),
                Piece::NotBytes => {
                    reader.cancel();
                    return Err(unreadable(NOT_BYTES));
                }
                _ => break,
            }
        }
    }
    out.duration_ms = (js_sys::Date::now() - started).max(0.0) as u32;
    Ok(out)
}

/// A bodiless GET of `url` in the given fetch `mode`, for at most 3 s: `Some(true)` when it resolved (in
/// `no-cors` mode an opaque answer still means a server is there), `Some(false)` when it was refused.
async fn probe(url: &str, mode: RequestMode, fetch: Option<&Function>) -> Option<bool> {
    let guard = Guard::new(None, false)?;
    guard.arm(Fired::Request, 3_000);
    let req = HttpRequest { method: "GET".into(), url: url.into(), headers: Vec::new(), body: None, timeout_ms: None, max_body_bytes: 0 };
    let pending = match fetch {
        Some(f) => {
            let init = Object::new();
            let _ = Reflect::set(&init, &"mode".into(), &JsValue::from_str(if mode == RequestMode::NoCors { "no-cors" } else { "cors" }));
            let _ = Reflect::set(&init, &"signal".into(), &guard.signal());
            f.call2(&JsValue::UNDEFINED, &url.into(), &init)
        }
        None => build(&req, &guard.signal(), Some(mode)).and_then(|r| fetch_request(&r)),
    };
    match guard.race(&pending.ok()?).await {
        Ok(_) => Some(true),
        Err(Halt::Rejected(_)) => Some(false),
        Err(_) => None,
    }
}

/// Runs the browser probes the core asks for, so it can tell a dead server, a CORS refusal and a
/// hidden 401 apart (all three are `TypeError: Failed to fetch` to a page).
async fn with_probe(mut f: TransportFailure, fetch: Option<&Function>) -> TransportFailure {
    if wants_reachability_probe(&f) {
        f.probe_reachable = probe(&f.url, RequestMode::NoCors, fetch).await;
        if let Some(health) = cors_check_url(&f) {
            f.health_readable = probe(&health, RequestMode::Cors, fetch).await;
        }
    }
    f
}
