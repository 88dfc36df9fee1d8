//! Turning an HTTP error answer into a [`ProviderError`].
//!
//! vLLM has sent three error shapes over its releases (flat `{"object":"error",…}` up to 0.10.0,
//! nested `{"error":{…}}` since 0.10.1, and the string 401 `{"error":"Unauthorized"}`), and FastAPI
//! answers unknown routes with `{"detail":…}`. The message keeps the server's words behind the status,
//! as OpenClaw's `"<status> <message>"` does; the hint carries the advice.

use crate::error::{ErrorCode, ProviderError};
use crate::hints;
use crate::http::header_value;
use crate::redact::{redact, redact_cut, truncate_chars};
use crate::url::DEFAULT_BASE_URL;
use crate::wire::{object_sink, AnyValue, Present, Sink, Text};
use std::borrow::Cow;
use words::{model_hint, readable_words};

mod words;
#[cfg(test)]
mod router_tests;
#[cfg(test)]
mod tests;

/// How much of a body an error keeps.
pub const MAX_KEPT_BODY_CHARS: usize = 500;

/// What the classifier knows about the request that failed.
#[derive(Clone, Debug)]
pub struct ClassifyContext<'a> {
    /// The provider's base URL, for hints.
    pub base_url: &'a str,
    /// Secrets to scrub from every text.
    pub secrets: &'a [String],
    /// The request id sent, if any.
    pub request_id: Option<&'a str>,
    /// Variables the process has that were not passed in `env` (see `Provider::unpassed_env`).
    pub unpassed_env: &'a [String],
}

impl Default for ClassifyContext<'_> {
    fn default() -> Self {
        ClassifyContext { base_url: DEFAULT_BASE_URL, secrets: &[], request_id: None, unpassed_env: &[] }
    }
}

/// The parts of an error body that matter.
#[derive(Debug, Default, PartialEq)]
struct ServerError {
    message: Option<String>,
    kind: Option<String>,
    param: Option<String>,
    /// FastAPI's `{"detail":…}` (an unknown route or method).
    fastapi_detail: bool,
}

fn parse_body(body: &str) -> ServerError {
    let Ok(b) = crate::wire::parse::<ErrorBody>(body) else {
        return ServerError::default();
    };
    let text = |v: Option<Cow<str>>| v.map(Cow::into_owned);
    match b.error.0 {
        Some(inner) if inner.object => {
            ServerError { message: text(inner.message), kind: text(inner.kind), param: text(inner.param), fastapi_detail: false }
        }
        Some(ErrorField { text: Some(s), .. }) => ServerError { message: Some(s.into_owned()), ..Default::default() },
        _ if b.object.as_deref() == Some("error") => {
            ServerError { message: text(b.message), kind: text(b.kind), param: text(b.param), fastapi_detail: false }
        }
        _ => match b.detail.0 {
            Some(Detail { text: Some(s), .. }) => ServerError { message: Some(s.into_owned()), fastapi_detail: true, ..Default::default() },
            Some(Detail { whole: AnyValue { value: list @ serde_json::Value::Array(_), .. }, .. }) => {
                ServerError { message: Some(crate::json::to_string(&list)), fastapi_detail: true, ..Default::default() }
            }
            _ => ServerError::default(),
        },
    }
}

/// An error body, as far as its three shapes and FastAPI's go (`error` (object or string), a flat
/// `object: "error"` with `message`/`type`/`param`, or `detail`).
#[derive(Default)]
struct ErrorBody<'a> {
    error: Present<ErrorField<'a>>,
    object: Option<Cow<'a, str>>,
    message: Option<Cow<'a, str>>,
    kind: Option<Cow<'a, str>>,
    param: Option<Cow<'a, str>>,
    detail: Present<Detail<'a>>,
}

object_sink!(impl<'de> for ErrorBody<'de> {
    "error" => error, "object" => object, "message" => message, "type" => kind, "param" => param, "detail" => detail,
});

/// `error`: an object with `message`, `type`, `param`, or a string.
#[derive(Default)]
struct ErrorField<'a> {
    object: bool,
    text: Option<Cow<'a, str>>,
    message: Option<Cow<'a, str>>,
    kind: Option<Cow<'a, str>>,
    param: Option<Cow<'a, str>>,
}

object_sink!(impl<'de> for ErrorField<'de>, object: object { "message" => message, "type" => kind, "param" => param }
    fn text(&mut self, s: Text<'de, '_>) {
        self.text = Some(s.into_cow());
    }
);

/// FastAPI's `detail`: a string, or a list quoted whole (as compact JSON).
#[derive(Default)]
struct Detail<'a> {
    text: Option<Cow<'a, str>>,
    whole: AnyValue,
}

impl<'de> Sink<'de> for Detail<'de> {
    fn text(&mut self, s: Text<'de, '_>) {
        self.text = Some(s.into_cow());
    }
    fn array(&mut self) {
        self.whole.array();
    }
    fn element(&mut self) -> Option<&mut dyn Sink<'de>> {
        self.whole.element()
    }
    fn filled(&mut self) {
        self.whole.filled();
    }
}

/// Whether a message says the prompt does not fit the context (vLLM's wordings across releases, and
/// OpenClaw's overflow patterns), and not that the server is rate limiting.
pub fn is_context_overflow(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    if m.contains("rate limit") || m.contains("too many requests") || m.contains("throttling error:") || m.contains("service unavailable:") {
        return false;
    }
    m.contains("maximum context length")
        || m.contains("reduce the length of the")
        || m.contains("context length exceeded")
        || m.contains("prompt is too long")
        || m.contains("too many tokens")
        || m.contains("exceeds the available context size")
        || (m.contains("max_tokens") && m.contains("exceed") && m.contains("context"))
}

/// Whether a reply's `content` carries thinking tags, the sign of a reasoning model served without
/// `--reasoning-parser` (the hint is [`hints::reasoning_parser`]).
pub fn thinking_in_content(content: &str) -> bool {
    content.contains("<think>") || content.contains("</think>")
}

fn is_max_tokens_over_model_len(message: &str) -> bool {
    message.contains("cannot be greater than max_model_len")
}

fn is_model_missing(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    (m.contains("model") && m.contains("does not exist"))
        || m.contains("model not found")
        || m.contains("unknown model")
        || m.contains("invalid model")
}

fn is_tool_flag_error(message: &str) -> bool {
    message.contains("requires --enable-auto-tool-choice") || message.contains("requires --tool-call-parser")
}

/// `classifyError(status, body, headers?)`: `status` a number (or none), `body` the text (anything
/// else refused before it is read), `headers` an object of strings as JSON text.
pub fn classify_error(status: Option<f64>, body: Option<String>, headers_json: Option<&str>) -> Result<ProviderError, ProviderError> {
    let status = crate::http::status_from_number(status)?;
    let body = body.ok_or_else(|| ProviderError::config_at("body", "body must be a string (the response text)", "Pass the body as text, e.g. await response.text()."))?;
    let headers = headers_json.map(crate::http::headers_from_json).transpose()?.unwrap_or_default();
    Ok(classify_http(status, &body, &headers, &Default::default()))
}

/// Classifies an HTTP error answer. `status` is `None` when there was no HTTP status (an in-band error).
pub fn classify_http(status: Option<u16>, body: &str, headers: &[(String, String)], ctx: &ClassifyContext) -> ProviderError {
    let parsed = parse_body(body);
    let body_text = body.trim();
    let server_words = parsed.message.as_deref().map(readable_words).unwrap_or_else(|| {
        if body_text.is_empty() || looks_like_html(body_text) {
            String::new()
        } else {
            redact_cut(body_text, MAX_KEPT_BODY_CHARS, ctx.secrets)
        }
    });
    let message = match (status, server_words.is_empty()) {
        (Some(s), true) => format!("{s} status code ({})", if body_text.is_empty() { "no body" } else { "non-JSON body" }),
        (Some(s), false) => format!("{s} {server_words}"),
        (None, _) => server_words.clone(),
    };
    let (code, hint) = decide(status, &parsed, &server_words, body_text, headers, ctx);

    let mut e = ProviderError::new(code, message, hint);
    e.status = status;
    e.request_id = ctx.request_id.map(str::to_string);
    if !body_text.is_empty() {
        e.body = Some(redact_cut(body_text, MAX_KEPT_BODY_CHARS, ctx.secrets));
    }
    if let Some(ms) = header_value(headers, "retry-after").and_then(|v| parse_retry_after_ms(v, header_value(headers, "date"))) {
        e.retry_after_ms = Some(ms);
        e.message.push_str(&format!("; Retry-After: {} seconds", ms / 1000));
    }
    e.message = redact_cut(&e.message, 4096, ctx.secrets);
    // A hint may quote a router's header (llm-d's drop reason).
    e.hint = redact(&e.hint, ctx.secrets);
    e
}

fn decide(status: Option<u16>, parsed: &ServerError, words: &str, body: &str, headers: &[(String, String)], ctx: &ClassifyContext) -> (ErrorCode, String) {
    use ErrorCode::*;
    let base = ctx.base_url;
    // Routers in front of vLLM: llm-d says why it dropped a request in a header of its own.
    if let (Some(_), Some(reason)) = (status, header_value(headers, "x-llm-d-request-dropped-reason")) {
        return (Overloaded, hints::llm_d_dropped(&truncate_chars(reason.trim(), 100)));
    }
    let worker = router_worker(words);
    match status {
        Some(401) | Some(403) if !ctx.unpassed_env.is_empty() => (Auth, hints::pass_process_env(ctx.unpassed_env, &hints::auth())),
        Some(401) | Some(403) => (Auth, hints::auth()),
        Some(404 | 405) if parsed.fastapi_detail || looks_like_html(body) => (BadResponse, hints::wrong_route(base)),
        Some(404) if is_context_overflow(words) => (ContextOverflow, hints::context_overflow()),
        Some(404) => (ModelNotFound, model_hint(words)),
        Some(400 | 422) | None if is_tool_flag_error(words) => (ToolChoiceUnsupported, hints::tool_flags()),
        Some(400 | 422) | None if is_max_tokens_over_model_len(words) => (ContextOverflow, hints::max_tokens_too_large()),
        Some(400 | 422) | None if is_context_overflow(words) => (ContextOverflow, hints::context_overflow()),
        Some(400 | 422) if is_model_missing(words) => (ModelNotFound, model_hint(words)),
        Some(400 | 422) => (BadRequest, hints::bad_request()),
        Some(501) => (BadRequest, hints::not_implemented()),
        Some(408 | 499 | 504 | 522 | 524) => (Timeout, hints::timeout(0).replace(" within 0 ms", " in time")),
        Some(429) => (RateLimit, hints::rate_limit()),
        Some(529) => (Overloaded, hints::overloaded_529()),
        Some(503) if is_busy(parsed, words) => (Overloaded, hints::overloaded()),
        // vLLM's own 503 is JSON (or empty, from /health of a dead engine); a plain-text or HTML one
        // comes from a router or proxy without a free worker.
        Some(503) if !body.is_empty() && !looks_like_json(body) => (Overloaded, hints::proxy_unavailable()),
        Some(502) => (ServerError, hints::bad_gateway()),
        Some(500) if worker.is_some() => (ServerError, hints::router_worker_down(worker.unwrap_or_default())),
        Some(s) if s >= 500 => (ServerError, hints::server_error()),
        Some(_) if looks_like_html(body) => (BadResponse, hints::wrong_route(base)),
        Some(_) => (BadRequest, hints::bad_request()),
        None => (StreamError, hints::server_error()),
    }
}

fn is_busy(parsed: &ServerError, words: &str) -> bool {
    parsed.kind.as_deref() == Some("Service Unavailable")
        || parsed.kind.as_deref() == Some("ServiceUnavailableError")
        || words.contains("currently busy")
        || words.contains("backlog limit")
}

fn looks_like_json(body: &str) -> bool {
    matches!(body.trim_start().as_bytes().first(), Some(b'{' | b'['))
}

/// The worker named by vllm-router's answer for a worker it could not reach (a plain-text 500:
/// `Request failed: error sending request for url (http://10.0.0.2:8000/v1/chat/completions)`), as
/// its origin.
fn router_worker(words: &str) -> Option<&str> {
    let url = words.strip_prefix("Request failed: ")?.split_once("for url (")?.1.split(')').next()?;
    let scheme_end = url.find("://")? + 3;
    Some(url[scheme_end..].find('/').map_or(url, |i| &url[..scheme_end + i]))
}

fn looks_like_html(body: &str) -> bool {
    let start = body.trim_start();
    start.starts_with('<')
}

/// An answer's `Retry-After` in milliseconds: delay seconds, or an HTTP date measured against the
/// answer's own `Date` header, else against `now_ms` (milliseconds since the Unix epoch) when given.
/// A date already past is 0.
pub fn retry_after_ms(headers: &[(String, String)], now_ms: Option<u64>) -> Option<u64> {
    let v = header_value(headers, "retry-after")?;
    parse_retry_after_ms(v, header_value(headers, "date"))
        .or_else(|| Some(words::http_date_secs(v.trim())?.saturating_mul(1000).saturating_sub(now_ms?)))
}

/// `Retry-After` as delay seconds, or as an HTTP date measured against the response's own `Date`
/// header (the core has no clock; a proxy that sends one date sends both).
fn parse_retry_after_ms(v: &str, date: Option<&str>) -> Option<u64> {
    // HTTP allows only whole seconds; a fraction some proxies send is cut off by hand, because an
    // f64 parse links core's float parser (about 2 KiB of gzipped wasm).
    let v = v.trim();
    let whole = v.split_once('.').filter(|(_, frac)| frac.bytes().all(|b| b.is_ascii_digit())).map_or(v, |(w, _)| w);
    if let Ok(secs) = whole.parse::<u64>() {
        return Some(secs.saturating_mul(1000));
    }
    let (until, now) = (words::http_date_secs(v)?, words::http_date_secs(date?)?);
    Some(until.saturating_sub(now).saturating_mul(1000))
}
