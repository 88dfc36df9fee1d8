//! Turning an HTTP error answer into a [`ProviderError`].
//!
//! vLLM has sent three error shapes over its releases (flat `{"object":"error",…}` up to 0.10.0,
//! nested `{"error":{…}}` since 0.10.1, and the string 401 `{"error":"Unauthorized"}`), and FastAPI
//! answers unknown routes with `{"detail":…}`. The message keeps the server's words behind the status,
//! as OpenClaw's `"<status> <message>"` does; the hint carries the advice.

use crate::error::{ErrorCode, ProviderError};
use crate::hints;
use crate::http::header_value;
use crate::redact::{redact, truncate_chars};
use crate::url::DEFAULT_BASE_URL;
use serde_json::Value;

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
}

impl Default for ClassifyContext<'_> {
    fn default() -> Self {
        ClassifyContext { base_url: DEFAULT_BASE_URL, secrets: &[], request_id: None }
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
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return ServerError::default();
    };
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    match v.get("error") {
        Some(Value::Object(inner)) => ServerError {
            message: text(inner.get("message")),
            kind: text(inner.get("type")),
            param: text(inner.get("param")),
            fastapi_detail: false,
        },
        Some(Value::String(s)) => ServerError { message: Some(s.clone()), ..Default::default() },
        _ if v.get("object").and_then(Value::as_str) == Some("error") => ServerError {
            message: text(v.get("message")),
            kind: text(v.get("type")),
            param: text(v.get("param")),
            fastapi_detail: false,
        },
        _ => match v.get("detail") {
            Some(Value::String(s)) => ServerError { message: Some(s.clone()), fastapi_detail: true, ..Default::default() },
            Some(d @ Value::Array(_)) => ServerError { message: Some(d.to_string()), fastapi_detail: true, ..Default::default() },
            _ => ServerError::default(),
        },
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

/// Classifies an HTTP error answer. `status` is `None` when there was no HTTP status (an in-band error).
pub fn classify_http(status: Option<u16>, body: &str, headers: &[(String, String)], ctx: &ClassifyContext) -> ProviderError {
    let parsed = parse_body(body);
    let body_text = body.trim();
    let server_words = parsed.message.as_deref().map(readable_words).unwrap_or_else(|| {
        if body_text.is_empty() || looks_like_html(body_text) {
            String::new()
        } else {
            truncate_chars(body_text, MAX_KEPT_BODY_CHARS)
        }
    });
    let message = match (status, server_words.is_empty()) {
        (Some(s), true) => format!("{s} status code ({})", if body_text.is_empty() { "no body" } else { "non-JSON body" }),
        (Some(s), false) => format!("{s} {server_words}"),
        (None, _) => server_words.clone(),
    };
    let (code, hint) = decide(status, &parsed, &server_words, body_text, ctx);

    let mut e = ProviderError::new(code, message, hint);
    e.status = status;
    e.request_id = ctx.request_id.map(str::to_string);
    if !body_text.is_empty() {
        e.body = Some(truncate_chars(body_text, MAX_KEPT_BODY_CHARS));
    }
    if let Some(ms) = header_value(headers, "retry-after").and_then(parse_retry_after_ms) {
        e.retry_after_ms = Some(ms);
        e.message.push_str(&format!("; Retry-After: {} seconds", ms / 1000));
    }
    e.message = truncate_chars(&e.message, 4096);
    e.message = redact(&e.message, ctx.secrets);
    e.body = e.body.map(|b| redact(&b, ctx.secrets));
    e
}

fn decide(status: Option<u16>, parsed: &ServerError, words: &str, body: &str, ctx: &ClassifyContext) -> (ErrorCode, String) {
    use ErrorCode::*;
    let base = ctx.base_url;
    match status {
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
        Some(529) => (Overloaded, hints::overloaded()),
        Some(503) if is_busy(parsed, words) => (Overloaded, hints::overloaded()),
        Some(s) if s >= 500 => (ServerError, hints::server_error()),
        Some(_) if looks_like_html(body) => (BadResponse, hints::wrong_route(base)),
        Some(_) => (BadRequest, hints::bad_request()),
        None => (StreamError, hints::server_error()),
    }
}

/// The server's words made fit for a one-line message: the literal ` None` that vLLM 0.9–0.14 append
/// to preprocessing errors is dropped, and a raw pydantic dump (old releases, with server file paths
/// in it) is reduced to its `loc: msg` items, paths replaced by `<path>`.
fn readable_words(message: &str) -> String {
    let trimmed = message.trim_end();
    let words = trimmed.strip_suffix(" None").unwrap_or(trimmed);
    let items = pydantic_items(words);
    if items.is_empty() {
        scrub_paths(words)
    } else {
        scrub_paths(&items.join("; "))
    }
}

/// `'loc': …, 'msg': '…'` pairs of a Python-repr'd pydantic error list, as `loc: msg`.
fn pydantic_items(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("'msg': ") {
        let before = &rest[..i];
        let after = &rest[i + "'msg': ".len()..];
        let Some(msg) = quoted(after) else { break };
        let loc = before.rfind("'loc': ").map(|j| loc_text(&before[j + "'loc': ".len()..])).unwrap_or_default();
        out.push(if loc.is_empty() { msg.to_string() } else { format!("{loc}: {msg}") });
        rest = &after[msg.len() + 2..];
        if out.len() == 10 {
            break;
        }
    }
    out
}

/// The text of a Python string literal at the start of `s` (`'…'` or `"…"`), without escapes.
fn quoted(s: &str) -> Option<&str> {
    let q = s.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let end = s[1..].find(q)?;
    Some(&s[1..1 + end])
}

/// `('body', 'temperature')` or `'body.temperature'` → `body.temperature`.
fn loc_text(s: &str) -> String {
    let s = s.trim_start();
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.split(')').next()) {
        return inner.split(',').map(|p| p.trim().trim_matches(|c| c == '\'' || c == '"')).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(".");
    }
    quoted(s).unwrap_or("").to_string()
}

/// Replaces absolute file paths (`/usr/lib/python3/site-packages/vllm/x.py`) with `<path>`.
fn scrub_paths(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, token) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let bare = token.trim_matches(|c: char| matches!(c, '"' | '\'' | ',' | '(' | ')' | '[' | ']'));
        let is_path = bare.len() > 1
            && (bare.starts_with('/') || bare.get(1..3) == Some(":\\"))
            && (bare.ends_with(".py") || bare.contains("site-packages") || bare.contains("/vllm/"));
        if is_path {
            out.push_str(&token.replace(bare, "<path>"));
        } else {
            out.push_str(token);
        }
    }
    out
}

/// vLLM 0.32+ lists the served names (`… does not exist. Valid aliases: a, b.`): the hint then names
/// the closest one.
fn model_hint(words: &str) -> String {
    let asked = words.split('`').nth(1);
    let aliases: Vec<String> = words
        .split_once("Valid aliases: ")
        .map(|(_, list)| list.trim_end().trim_end_matches('.').split(", ").map(str::to_string).filter(|a| !a.is_empty()).collect())
        .unwrap_or_default();
    match asked {
        Some(model) if !aliases.is_empty() => {
            let served: Vec<crate::diagnose::closest::Served> = aliases.iter().map(|a| crate::diagnose::closest::Served { id: a, root: None }).collect();
            hints::unknown_model(model, crate::diagnose::closest::closest(model, &served), &aliases)
        }
        _ => hints::model_not_found(),
    }
}

fn is_busy(parsed: &ServerError, words: &str) -> bool {
    parsed.kind.as_deref() == Some("Service Unavailable")
        || parsed.kind.as_deref() == Some("ServiceUnavailableError")
        || words.contains("currently busy")
        || words.contains("backlog limit")
}

fn looks_like_html(body: &str) -> bool {
    let start = body.trim_start();
    start.starts_with('<')
}

/// `Retry-After` as seconds (HTTP dates are not worth a date parser here: they are rare from vLLM's proxies).
fn parse_retry_after_ms(v: &str) -> Option<u64> {
    let secs: f64 = v.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| (secs * 1000.0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(status: u16, body: &str) -> ProviderError {
        classify_http(Some(status), body, &[], &ClassifyContext::default())
    }

    #[test]
    fn string_401_is_auth_with_the_key_hint() {
        let e = classify(401, r#"{"error":"Unauthorized"}"#);
        assert_eq!(e.code, ErrorCode::Auth);
        assert_eq!(e.message, "401 Unauthorized");
        assert!(e.hint.contains("VLLM_API_KEY"));
        assert!(!e.retryable);
    }

    #[test]
    fn nested_404_keeps_the_servers_words() {
        let e = classify(404, r#"{"error":{"message":"The model `x` does not exist.","type":"NotFoundError","param":"model","code":404}}"#);
        assert_eq!(e.code, ErrorCode::ModelNotFound);
        assert_eq!(e.message, "404 The model `x` does not exist.");
    }

    #[test]
    fn flat_context_error_is_overflow() {
        let e = classify(400, r#"{"object":"error","message":"This model's maximum context length is 32768 tokens. However, you requested 40000 tokens","type":"BadRequestError","code":400}"#);
        assert_eq!(e.code, ErrorCode::ContextOverflow);
        assert!(e.message.starts_with("400 This model's maximum context length is 32768 tokens"));
    }

    #[test]
    fn fastapi_not_found_points_at_the_v1_prefix() {
        let e = classify(404, r#"{"detail":"Not Found"}"#);
        assert_eq!(e.code, ErrorCode::BadResponse);
        assert!(e.hint.contains("/v1"));
    }

    #[test]
    fn empty_body_reads_no_body() {
        let e = classify(500, "");
        assert_eq!(e.message, "500 status code (no body)");
        assert_eq!(e.code, ErrorCode::ServerError);
        assert!(e.retryable);
    }

    #[test]
    fn statuses_map_as_openclaw_does() {
        assert_eq!(classify(429, "{}").code, ErrorCode::RateLimit);
        assert_eq!(classify(504, "").code, ErrorCode::Timeout);
        assert_eq!(classify(502, "").code, ErrorCode::ServerError);
        assert_eq!(classify(529, "").code, ErrorCode::Overloaded);
    }

    #[test]
    fn retry_after_is_read_and_reported() {
        let h = vec![("Retry-After".to_string(), "7".to_string())];
        let e = classify_http(Some(429), "{}", &h, &ClassifyContext::default());
        assert_eq!(e.retry_after_ms, Some(7000));
        assert!(e.message.ends_with("; Retry-After: 7 seconds"));
    }

    #[test]
    fn kept_body_is_cut_and_scrubbed() {
        let secrets = vec!["sk-secret-1".to_string()];
        let body = format!("{{\"error\":{{\"message\":\"bad key sk-secret-1 {}\"}}}}", "x".repeat(900));
        let ctx = ClassifyContext { secrets: &secrets, ..Default::default() };
        let e = classify_http(Some(400), &body, &[], &ctx);
        assert!(e.body.as_ref().unwrap().chars().count() <= MAX_KEPT_BODY_CHARS);
        assert!(!format!("{e:?}").contains("sk-secret-1"));
    }

    fn fixture(path: &str) -> String {
        std::fs::read_to_string(format!("{}/tests/fixtures/vllm/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn every_recorded_error_fixture_gets_its_code() {
        use ErrorCode::*;
        for (path, status, code, hint_word) in [
            ("v0.11.0/error_400_context_length_max_tokens_too_large.json", 400, ContextOverflow, "maxTokens"),
            ("v0.11.0/error_400_context_length_prompt_too_long.json", 400, ContextOverflow, "contextWindow"),
            ("v0.11.0/error_404_model_not_found.json", 404, ModelNotFound, "/v1/models"),
            ("v0.33.0/error_400_auto_tool_choice_not_enabled.json", 400, ToolChoiceUnsupported, "--enable-auto-tool-choice"),
            ("v0.33.0/error_400_bad_param_type.json", 400, BadRequest, "parameter"),
            ("v0.33.0/error_400_context_length.json", 400, ContextOverflow, "max_model_len"),
            ("v0.33.0/error_400_max_tokens_exceeds_max_model_len.json", 400, ContextOverflow, "--max-model-len"),
            ("v0.33.0/error_400_stream_options_without_stream.json", 400, BadRequest, "parameter"),
            ("v0.33.0/error_401_unauthorized.json", 401, Auth, "VLLM_API_KEY"),
            ("v0.33.0/error_404_model_not_found.json", 404, ModelNotFound, "/v1/models"),
            ("v0.33.0/error_404_unknown_route.json", 404, BadResponse, "/v1"),
            ("v0.33.0/error_503_queue_full.json", 503, Overloaded, "--max-num-queued-reqs"),
        ] {
            let e = classify(status, &fixture(path));
            assert_eq!(e.code, code, "{path}");
            assert!(e.hint.contains(hint_word), "{path}: {}", e.hint);
            assert_eq!(e.retryable, code.default_retryable(), "{path}");
            assert!(e.message.starts_with(&status.to_string()), "{path}");
        }
    }

    #[test]
    fn the_401_http_fixture_head_does_not_matter() {
        let raw = fixture("v0.33.0/error_401_unauthorized.http");
        let body = raw.replace("\r\n", "\n").split("\n\n").nth(1).unwrap().to_string();
        assert_eq!(classify(401, &body).code, ErrorCode::Auth);
    }

    #[test]
    fn the_trailing_none_of_old_releases_is_dropped() {
        let e = classify(400, &fixture("v0.11.0/error_400_context_length_prompt_too_long.json"));
        assert!(e.message.ends_with("input messages."), "{}", e.message);
    }

    #[test]
    fn old_validation_dumps_show_fields_not_server_paths() {
        let body = r#"{"object":"error","message":"[{'type': 'float_parsing', 'loc': ('body', 'temperature'), 'msg': 'Input should be a valid number, unable to parse string as a number', 'input': 'hot'}] File \"/usr/lib/python3/site-packages/vllm/entrypoints/openai/api_server.py\", line 123","type":"Bad Request","param":null,"code":400}"#;
        let e = classify(400, body);
        assert_eq!(e.code, ErrorCode::BadRequest);
        assert_eq!(e.message, "400 body.temperature: Input should be a valid number, unable to parse string as a number");
        let e = classify(400, r#"{"object":"error","message":"bad thing at /opt/venv/lib/python3.12/site-packages/vllm/x.py line 3","type":"Bad Request","code":400}"#);
        assert_eq!(e.message, "400 bad thing at <path> line 3");
    }

    #[test]
    fn method_not_allowed_and_html_are_wrong_routes() {
        let e = classify(405, r#"{"detail":"Method Not Allowed"}"#);
        assert_eq!((e.code, e.message.as_str()), (ErrorCode::BadResponse, "405 Method Not Allowed"));
        let e = classify(404, "<html><body>nginx</body></html>");
        assert_eq!(e.code, ErrorCode::BadResponse);
        assert_eq!(e.message, "404 status code (non-JSON body)");
        assert!(e.hint.contains("/v1"));
    }

    #[test]
    fn a_model_without_chat_support_is_not_retried() {
        let e = classify(501, r#"{"error":{"message":"The model does not support Chat Completions API","type":"NotImplementedError","param":null,"code":501}}"#);
        assert_eq!(e.code, ErrorCode::BadRequest);
        assert!(!e.retryable);
        assert!(e.hint.contains("--runner"));
    }

    #[test]
    fn throttling_texts_are_not_overflow() {
        assert!(!is_context_overflow("Throttling error: too many tokens"));
        assert!(!is_context_overflow("Service unavailable: too many tokens"));
        assert!(is_context_overflow("You passed 10 input tokens and requested 600 output tokens. However, the model's context length is only 512 tokens. max_tokens would exceed the context"));
    }

    #[test]
    fn model_missing_wordings_on_400_are_model_not_found() {
        for text in ["unknown model foo", "Model not found", "invalid model id"] {
            let body = format!(r#"{{"error":{{"message":"{text}","type":"BadRequestError","code":400}}}}"#);
            assert_eq!(classify(400, &body).code, ErrorCode::ModelNotFound, "{text}");
        }
    }

    #[test]
    fn auth_403_and_other_statuses() {
        assert_eq!(classify(403, "").code, ErrorCode::Auth);
        for s in [408, 499, 522, 524] {
            assert_eq!(classify(s, "").code, ErrorCode::Timeout, "{s}");
        }
        assert_eq!(classify(500, "").code, ErrorCode::ServerError);
        let e = classify(503, r#"{"error":{"message":"x","type":"ServiceUnavailableError","code":503}}"#);
        assert_eq!(e.code, ErrorCode::Overloaded);
        assert!(e.retryable);
        assert_eq!(classify(418, "<html>teapot</html>").code, ErrorCode::BadResponse);
    }

    #[test]
    fn valid_aliases_lead_to_the_closest_name() {
        let e = classify(404, &fixture("v0.33.0/error_404_model_not_found.json"));
        assert!(e.hint.contains("did you mean `qwen3-8b`?"), "{}", e.hint);
        assert!(e.hint.contains("served: qwen3-8b, qwen3"), "{}", e.hint);
    }

    #[test]
    fn in_band_errors_without_a_status() {
        let e = classify_http(None, r#"{"error":{"message":"engine died","type":"InternalServerError","code":500}}"#, &[], &ClassifyContext::default());
        assert_eq!((e.code, e.status), (ErrorCode::StreamError, None));
        assert!(e.retryable);
        let e = classify_http(None, r#"{"error":{"message":"This model's maximum context length is 512 tokens.","code":400}}"#, &[], &ClassifyContext::default());
        assert_eq!(e.code, ErrorCode::ContextOverflow);
    }

    #[test]
    fn thinking_tags_in_content_are_noticed() {
        assert!(thinking_in_content("<think>hmm</think>Hi"));
        assert!(!thinking_in_content("Hi"));
    }
}
