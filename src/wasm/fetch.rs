//! The HTTP of every export: gloo-net's `RequestBuilder` for the platform's fetch, `fetch(url, init)`
//! for a caller's (the core's `FetchInit`). What a fetch resolves to is checked (each getter read once,
//! caught) and handled as a `gloo_net::http::Response`, its body read through its reader.

use super::{convert::{call, construct, get, page_origin, resolve_url, thrown, to_js}, guard::{settled, Guard, JsGuard}};
use crate::http::{probe_init, FetchInit, HttpRequest, PROBE_TIMEOUT_MS};
use crate::stream::{Answer, Body, Fired, Halt, NOT_A_RESPONSE, NOT_A_STREAM, UNUSABLE_RESPONSE};
use crate::transport::{answer_status, null_body, FailureKind, Thrown, TransportFailure};
use gloo_net::http::{Headers, Method, RequestBuilder, Response};
use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, ReadableStream, RequestMode, RequestRedirect, ResponseInit};

/// Sends `init` to `url` (the caller's fetch, or gloo-net's request to the platform's), not waiting. Not
/// gloo-net's `send()`: its error drops Node's reason (in `cause`), and it panics on a non-Error rejection.
fn start(url: &str, init: &FetchInit, fetch: Option<&Function>, signal: &AbortSignal) -> Result<JsValue, JsValue> {
    if let Some(fetch) = fetch {
        let js = to_js(init).map_err(|e| JsValue::from_str(&e.message))?;
        Reflect::set(&js, &"signal".into(), signal)?;
        return call(fetch, &JsValue::UNDEFINED, &[&url.into(), &js]);
    }
    // The platform's `Headers` refuses, catchably, names and values HTTP does not allow.
    let headers = web_sys::Headers::new()?;
    init.headers.iter().try_for_each(|(k, v)| headers.append(k, v))?;
    let builder = RequestBuilder::new(url).method(if init.method == "POST" { Method::POST } else { Method::GET });
    let builder = builder.headers(Headers::from_raw(headers)).abort_signal(Some(signal));
    let builder = builder.redirect(RequestRedirect::from_js_value(&init.redirect.into()).unwrap_or(RequestRedirect::Manual));
    let builder = init.mode.and_then(|m| RequestMode::from_js_value(&m.into())).into_iter().fold(builder, RequestBuilder::mode);
    let request = if let Some(body) = init.body { builder.body(body) } else { builder.build() };
    let request = request.map_err(|e| JsValue::from_str(&e.to_string()))?;
    call(&get(&js_sys::global(), "fetch")?, &JsValue::UNDEFINED, &[&web_sys::Request::from(request)])
}

/// Takes what a fetch resolved to as a platform `Response` gloo-net can read without surprises. Its
/// failures name no page: fetch resolved, so no CORS refusal is to be read into them.
fn adopt(value: &JsValue, req: &HttpRequest) -> Result<Response, TransportFailure> {
    let bad = |kind, what: String| Thrown::text(what).failure(kind, req, None);
    let read = |key: &str| match value.is_object() {
        true => get(value, key).map_err(|e| bad(FailureKind::UnreadableBody, format!("{UNUSABLE_RESPONSE}: reading {key} threw ({})", thrown(&e).message))),
        false => Err(bad(FailureKind::UnreadableBody, NOT_A_RESPONSE.into())),
    };
    let status = answer_status(read("type")?.as_string().as_deref(), read("status")?.as_f64()).map_err(|(kind, what)| bad(kind, what))?;
    let init = ResponseInit::new();
    init.set_status(status);
    init.set_headers(&read("headers")?);
    let body = Some(read("body")?).filter(|b| !b.is_null() && !b.is_undefined() && !null_body(status));
    let body = body.map(|b| b.dyn_into::<ReadableStream>().map_err(|_| bad(FailureKind::UnreadableBody, NOT_A_STREAM.into()))).transpose()?;
    let response = construct("Response", &[&body.map_or(JsValue::NULL, JsValue::from), &init]);
    response.map(|r| Response::from(r.unchecked_into::<web_sys::Response>())).map_err(|e| bad(FailureKind::UnreadableBody, format!("{UNUSABLE_RESPONSE} ({})", thrown(&e).message)))
}

/// Sends `req` under `guard`; resolves when the answer's head arrives, with its body's reader, or says
/// why nothing arrived. The stream may be the caller's: every later call on its reader is caught.
pub(crate) async fn open(req: &HttpRequest, fetch: Option<&Function>, guard: &JsGuard) -> Result<(Answer, Option<JsValue>), TransportFailure> {
    let sent = if guard.caller_aborted() { Err(Halt::Aborted) } else { start(&req.url, &req.fetch_init(), fetch, &guard.signal()).map_err(|e| Halt::Rejected(thrown(&e))) };
    let raw = match sent { Ok(pending) => settled(guard.race(&pending)).await, Err(halt) => Err(halt) };
    let resp = adopt(&raw.map_err(|halt| halt.failure(req, page_origin()))?, req)?;
    let reader = resp.body().map(|b| call(&get(&b, "getReader")?, &b, &[])).transpose();
    let body = match &reader { Ok(None) => Body::None, Ok(Some(_)) => Body::Stream, Err(_) => Body::NotAStream };
    // The platform resolves a relative Location against the request's URL, as fetch itself would.
    let location = resp.headers().get("location").map(|l| resolve_url(&l, &req.url));
    Ok((Answer { status: resp.status(), headers: resp.headers().entries().collect(), body, location }, reader.ok().flatten()))
}

/// A browser probe the core asks for (a bodiless GET of `url` in `mode`): whether an answer came.
pub(crate) async fn probe(url: &str, mode: &'static str, fetch: Option<&Function>) -> Option<bool> {
    let Guard(guard) = &Guard::new(None).ok()?;
    guard.arm(Fired::Request.code(), PROBE_TIMEOUT_MS);
    Halt::reachable(settled(guard.race(&start(url, &probe_init(mode), fetch, &guard.signal()).ok()?)).await.map(drop))
}
