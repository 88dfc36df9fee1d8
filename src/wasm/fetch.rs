//! The HTTP of every export. gloo-net's `RequestBuilder` builds the request for the platform's fetch; a
//! caller's fetch gets `fetch(url, init)` with the same fields (the core's `FetchInit`). What a fetch
//! resolves to is checked (each getter read once, caught) and rebuilt as a platform `Response`, handled
//! as a `gloo_net::http::Response`, its body read through its reader. Redirects: as the core decides.

use super::convert::{call, call_method, construct, get, page_origin, resolve_url, thrown};
use super::guard::{cancel, Guard, Halt};
use super::{now, random, to_js};
use crate::error::ProviderError;
use crate::http::{probe_init, FetchInit, HttpRequest, HttpResponse, MAX_ERROR_BODY_BYTES};
use crate::redirect::{next_hop, Hop};
use crate::steps::{Step, Steps};
use crate::stream::{Fired, Piece, NOT_A_RESPONSE, NOT_A_STREAM, UNUSABLE_RESPONSE};
use crate::transport::{absorb, answer_status, cors_check_url, null_body, runtime_missing, wants_reachability_probe, FailureKind, Thrown, TransportFailure};
use gloo_net::http::{Headers, Method, RequestBuilder, Response};
use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, ReadableStream, RequestMode, RequestRedirect, ResponseInit};

/// The failure of `kind` for `req`, from what JS threw or the runtime's own words.
fn failure(kind: FailureKind, what: Thrown, req: &HttpRequest) -> TransportFailure {
    what.failure(kind, req, page_origin())
}

/// Sends `init` to `url` (to the caller's fetch, or gloo-net's request to the platform's), not waiting.
/// Not gloo-net's `send()`: its error keeps only the name and message of what fetch threw (Node's
/// reason is in `cause`), and it panics when fetch rejects with something that is not an Error.
fn start(url: &str, init: &FetchInit, fetch: Option<&Function>, signal: &AbortSignal) -> Result<JsValue, JsValue> {
    if let Some(fetch) = fetch {
        let js = to_js(init).map_err(|e| JsValue::from_str(&e.message))?;
        Reflect::set(&js, &"signal".into(), signal)?;
        return call(fetch, &JsValue::UNDEFINED, &[&url.into(), &js]);
    }
    // The platform's `Headers` refuses, catchably, names and values HTTP does not allow.
    let headers = web_sys::Headers::new()?;
    init.headers.iter().try_for_each(|(k, v)| headers.append(k, v))?;
    let method = if init.method == "POST" { Method::POST } else { Method::GET };
    let builder = RequestBuilder::new(url).method(method).headers(Headers::from_raw(headers)).abort_signal(Some(signal));
    let builder = builder.redirect(RequestRedirect::from_js_value(&init.redirect.into()).unwrap_or(RequestRedirect::Manual));
    let builder = init.mode.and_then(|m| RequestMode::from_js_value(&m.into())).into_iter().fold(builder, RequestBuilder::mode);
    let request = if let Some(body) = init.body { builder.body(body) } else { builder.build() };
    let request = request.map_err(|e| JsValue::from_str(&e.to_string()))?;
    call(&get(&js_sys::global(), "fetch")?, &JsValue::UNDEFINED, &[&web_sys::Request::from(request)])
}

/// Takes what a fetch resolved to as a platform `Response` gloo-net can read without surprises.
fn adopt(value: &JsValue, req: &HttpRequest) -> Result<Response, TransportFailure> {
    let bad = |what: String| failure(FailureKind::UnreadableBody, Thrown::text(what), req);
    let read = |key: &str| match value.is_object() {
        true => get(value, key).map_err(|e| bad(format!("{UNUSABLE_RESPONSE}: reading {key} threw ({})", thrown(&e).message))),
        false => Err(bad(NOT_A_RESPONSE.into())),
    };
    let status = answer_status(read("type")?.as_string().as_deref(), read("status")?.as_f64()).map_err(|(kind, what)| failure(kind, Thrown::text(what), req))?;
    let init = ResponseInit::new();
    init.set_status(status);
    init.set_headers(&read("headers")?);
    let body = Some(read("body")?).filter(|b| !b.is_null() && !b.is_undefined() && !null_body(status));
    let body = body.map(|b| b.dyn_into::<ReadableStream>().map_err(|_| bad(NOT_A_STREAM.into()))).transpose()?;
    let response = construct("Response", &[&body.map_or(JsValue::NULL, JsValue::from), &init]);
    response.map(|r| Response::from(r.unchecked_into::<web_sys::Response>())).map_err(|e| bad(format!("{UNUSABLE_RESPONSE} ({})", thrown(&e).message)))
}

/// The answer's headers, names lower-cased (as the platform's `Headers` gives them).
pub(crate) fn headers(resp: &Response) -> Vec<(String, String)> {
    resp.headers().entries().collect()
}

/// Sends `req` under `guard` (its request timer armed with `req.timeout_ms`), following redirects as
/// the core decides; resolves when the answer's head arrives (body unread), or says why nothing did.
pub(crate) async fn open(req: &HttpRequest, fetch: Option<&Function>, guard: &Guard) -> Result<Response, TransportFailure> {
    req.timeout_ms.inspect(|ms| guard.arm(Fired::Request.code(), *ms));
    let (mut req, mut hops) = (req.clone(), 0);
    loop {
        let sent = if guard.caller_aborted() { Err(Halt::Aborted) } else { start(&req.url, &req.fetch_init(), fetch, &guard.signal()).map_err(|reason| Halt::Rejected { reason, threw: false }) };
        let resp = match sent {
            Ok(pending) => guard.race(&pending).await,
            Err(halt) => Err(halt),
        };
        let resp = match resp {
            Ok(raw) => adopt(&raw, &req)?,
            Err(Halt::Rejected { reason, .. }) => return Err(with_probe(failure(FailureKind::Network, thrown(&reason), &req), fetch).await),
            Err(halt) => return Err(failure(halted(&halt), Thrown::default(), &req)),
        };
        // The platform resolves a relative Location against the request's URL, as fetch itself would.
        let location = resp.headers().get("location").map(|l| resolve_url(&l, &req.url));
        let hop = next_hop(&req, resp.status(), location.as_deref(), hops);
        if hop != Hop::Done {
            Reader::of(&resp).ok().flatten().inspect(Reader::cancel); // a redirect's own body is not wanted
        }
        match hop {
            Hop::Done => return Ok(resp),
            Hop::Follow(next) => (req, hops) = (next, hops + 1),
            Hop::Refuse(r) => return Err(failure(FailureKind::Redirect(r), Thrown::default(), &req)),
        }
    }
}

/// A body's reader. The stream may be the caller's: every call on it is caught (guard.js).
#[derive(Clone)]
pub(crate) struct Reader(JsValue);

impl Reader {
    /// The reader of `resp`'s body: `Ok(None)` without a body, `Err` when its stream refuses one.
    pub(crate) fn of(resp: &Response) -> Result<Option<Reader>, JsValue> {
        resp.body().map(|b| call_method(&b, "getReader", &[]).map(Reader)).transpose()
    }

    /// The next piece of the body, unless the guard halts first. A platform reader's `read()` never
    /// throws: one that does is the caller's, not a stream.
    pub(crate) async fn read(&self, guard: &Guard) -> Piece {
        match guard.read(&self.0).await {
            Ok(piece) => piece,
            Err(Halt::Rejected { reason, threw: true }) => Piece::Unreadable(format!("{UNUSABLE_RESPONSE}: its reader's read() threw ({})", thrown(&reason).message)),
            Err(halt) => failed(halt, guard),
        }
    }

    /// Stops reading (the rest of the body is not wanted).
    pub(crate) fn cancel(&self) {
        cancel(&self.0)
    }
}

/// A wait of the body that ended without its value (a timer, the caller's abort, a rejected read).
pub(crate) fn failed(halt: Halt, guard: &Guard) -> Piece {
    let (fired, message) = match halt {
        Halt::Timer(tag) => (Some(tag), String::new()),
        Halt::Rejected { reason, .. } => (None, thrown(&reason).read_failure()),
        Halt::Aborted => (None, String::new()),
    };
    Piece::Failed { caller_aborted: guard.caller_aborted(), fired, message }
}

/// Performs the steps a core call asks for (discovery, diagnosis) until it is done (its result is
/// then in `call`). Each request after the first gets a fresh guard on the same caller's signal (a
/// timer that fired has ended the last).
pub(crate) async fn perform(call: &mut dyn Steps, fetch: Option<&Function>, mut guard: Guard) -> Result<(), ProviderError> {
    let mut first = true;
    loop {
        match call.next(now()) {
            Step::Send(req) => {
                if !std::mem::take(&mut first) {
                    guard = guard.renew().ok_or_else(|| runtime_missing("AbortController"))?;
                }
                let outcome = send(&req, fetch, &guard).await;
                call.answered(outcome, guard.caller_aborted(), now(), random());
            }
            Step::Wait(ms) => call.waited(guard.pause(ms).await.err().as_ref().map(halted)),
            Step::Done => return Ok(()),
        }
    }
}

/// What a race that ended without its value means for the request it waited on.
fn halted(halt: &Halt) -> FailureKind {
    if let Halt::Timer(_) = halt { FailureKind::Timeout } else { FailureKind::Aborted }
}

/// Sends the request under `guard` and reads the body (capped), or says why that failed.
async fn send(req: &HttpRequest, fetch: Option<&Function>, guard: &Guard) -> Result<HttpResponse, TransportFailure> {
    let (started, resp) = (now(), open(req, fetch, guard).await?);
    let mut out = HttpResponse { status: resp.status(), headers: headers(&resp), ..Default::default() };
    let cap = if out.is_success() { req.max_body_bytes } else { MAX_ERROR_BODY_BYTES };
    if let Some(reader) = Reader::of(&resp).map_err(|_| failure(FailureKind::UnreadableBody, Thrown::text(NOT_A_STREAM), req))? {
        let mut more = Ok(true);
        while let Ok(true) = more {
            more = absorb(&mut out, reader.read(guard).await, cap);
        }
        reader.cancel();
        more.map_err(|(kind, what)| failure(kind, Thrown::text(what), req))?;
    }
    out.duration_ms = now().saturating_sub(started) as u32;
    Ok(out)
}

/// Runs the browser probes the core asks for (bodiless GETs, 3 s each), so it can tell a dead server,
/// a CORS refusal and a hidden 401 apart (all three are `TypeError: Failed to fetch` to a page): in
/// `no-cors` mode even an opaque answer means a server is there.
async fn with_probe(mut f: TransportFailure, fetch: Option<&Function>) -> TransportFailure {
    let probe = |url: String, mode: &'static str| async move {
        let guard = Guard::new(None).ok()?;
        guard.arm(Fired::Request.code(), 3_000);
        match guard.race(&start(&url, &probe_init(mode), fetch, &guard.signal()).ok()?).await {
            Ok(_) => Some(true),
            Err(Halt::Rejected { .. }) => Some(false),
            Err(_) => None,
        }
    };
    if wants_reachability_probe(&f) {
        f.probe_reachable = probe(f.url.clone(), "no-cors").await;
    }
    if let Some(health) = cors_check_url(&f) {
        f.health_readable = probe(health, "cors").await;
    }
    f
}
