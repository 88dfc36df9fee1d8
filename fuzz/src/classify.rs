//! Target `classify`: `classify::classify_http` (what `classifyError` and every HTTP error use) and
//! `stream::http_error`, on any status, body and headers.
//!
//! Input: a flag byte (status kind, where to put the canary, which headers), two status bytes, then
//! the body; the body's first line, when it starts with `H:`, is split into `retry-after` and `date`
//! values at `|`. Properties: no panic; the status is kept; 401/403 are `auth`, 429 `rate_limit`, other
//! statuses of 500 and over a server-side code; an in-band error (no status) is a stream code; the
//! body is cut to 500 characters and the message to 4096; the canary key never appears in any text,
//! wherever in the body it was put (as is, or JSON-escaped).

use crate::common::{code_in, head, no_secret_in_error, SECRET};
use vllm_provider::classify::{classify_http, ClassifyContext};
use vllm_provider::error::ErrorCode::*;

/// Checks one input.
pub fn check(data: &[u8]) {
    let ([flags, s1, s2], rest) = head::<3>(data);
    let mut body = String::from_utf8_lossy(rest).into_owned();
    let mut headers = Vec::new();
    if let Some(line) = body.strip_prefix("H:") {
        let (line, after) = line.split_once('\n').unwrap_or((line, ""));
        let (retry, date) = line.split_once('|').unwrap_or((line, ""));
        headers.push(("retry-after".to_string(), retry.to_string()));
        if flags & 64 != 0 {
            headers.push(("Date".to_string(), date.to_string()));
        }
        body = after.to_string();
    }
    // The canary, spliced into the body as the server might echo it.
    if flags & 8 != 0 {
        let at = (usize::from(s2) * body.len() / 256).min(body.len());
        let at = (0..=at).rev().find(|&i| body.is_char_boundary(i)).unwrap_or(0);
        let form = if flags & 16 != 0 { SECRET.replace('Q', "\\u0051") } else { SECRET.to_string() };
        body.insert_str(at, &form);
    }
    let status = match flags & 7 {
        0 => None,
        1 => Some(400),
        2 => Some(404),
        3 => Some(500 + u16::from(s1 % 100)),
        4 => Some(100 + u16::from(s1) * 2 % 500),
        _ => Some(u16::from_le_bytes([s1, s2])),
    };
    let secrets = vec![SECRET.to_string()];
    let ctx = ClassifyContext { base_url: "http://127.0.0.1:8000/v1", secrets: &secrets, request_id: Some("rid-1"), ..Default::default() };
    let e = classify_http(status, &body, &headers, &ctx);
    assert_eq!(e.status, status);
    assert_eq!(e.request_id.as_deref(), Some("rid-1"));
    no_secret_in_error(&e, "classify_http");
    assert!(e.body.as_ref().is_none_or(|b| b.chars().count() <= 501), "body of {} chars", e.body.as_ref().unwrap().chars().count());
    assert!(e.message.chars().count() <= 4097, "message of {} chars", e.message.chars().count());
    assert!(!e.hint.is_empty());
    match status {
        Some(401 | 403) => assert_eq!(e.code, Auth, "{e:?}"),
        Some(429) => assert_eq!(e.code, RateLimit, "{e:?}"),
        Some(s) if s >= 500 => code_in(&e, &[ServerError, Overloaded, Timeout, BadRequest], "5xx"),
        None => code_in(&e, &[StreamError, ContextOverflow, ToolChoiceUnsupported], "in-band"),
        Some(_) => code_in(&e, &[BadRequest, BadResponse, ModelNotFound, ContextOverflow, ToolChoiceUnsupported, Timeout], "4xx"),
    }
    if let Some(s) = status {
        let again = vllm_provider::stream::http_error(s, body.as_bytes(), &headers, &ctx);
        no_secret_in_error(&again, "http_error");
        assert_eq!(again.status, Some(s));
    }
}
