//! What to do with a chat response, decided from its status, content type and first bytes (§6.1).

use crate::classify::{classify_http, ClassifyContext};
use crate::error::{ErrorCode, ProviderError};

/// How much of an error body is read before classifying it.
pub const MAX_ERROR_BODY: usize = 65_536;

/// How large a JSON reply to a streaming request may be.
pub const MAX_JSON_BODY: usize = 16 * 1024 * 1024;

/// How many first bytes the sniffing looks at.
const SNIFF_BYTES: usize = 2048;

/// How to read a response body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// Server-sent events.
    EventStream,
    /// One JSON reply (a non-streaming answer), read as a single chunk.
    Json,
    /// A non-2xx answer: read at most [`MAX_ERROR_BODY`] bytes and pass them to [`http_error`].
    HttpError,
}

/// Decides how to read a response. `first_bytes` is the start of the body (at least the first chunk
/// read, or empty); it only matters when the content type is JSON or missing. `model` is the
/// requested model id, for the message.
pub fn body_kind(status: u16, content_type: Option<&str>, first_bytes: &[u8], model: &str) -> Result<BodyKind, ProviderError> {
    if !(200..300).contains(&status) {
        return Ok(BodyKind::HttpError);
    }
    let media = content_type.and_then(|t| t.split(';').next()).map(|t| t.trim().to_ascii_lowercase()).filter(|t| !t.is_empty());
    let sniffed = sniff(&first_bytes[..first_bytes.len().min(SNIFF_BYTES)]);
    match media.as_deref() {
        Some("text/event-stream") => Ok(BodyKind::EventStream),
        Some(t) if t == "application/json" || t.ends_with("+json") => {
            Ok(if sniffed == Some(BodyKind::EventStream) { BodyKind::EventStream } else { BodyKind::Json })
        }
        None => match sniffed {
            Some(kind) => Ok(kind),
            None => Err(wrong_content_type(model, "missing content-type")),
        },
        Some(other) => Err(wrong_content_type(model, other)),
    }
}

/// `<` → HTML (unusable), `{`/`[` → JSON, an SSE field or comment → events.
fn sniff(bytes: &[u8]) -> Option<BodyKind> {
    let start = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let start = &start[start.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(start.len())..];
    match start.first()? {
        b'{' | b'[' => Some(BodyKind::Json),
        b':' => Some(BodyKind::EventStream),
        _ if [&b"data:"[..], b"event:", b"id:", b"retry:"].iter().any(|p| start.starts_with(p)) => Some(BodyKind::EventStream),
        _ => None,
    }
}

/// What [`unreadable_body`] says of a body that is not a `ReadableStream`.
pub const NOT_A_STREAM: &str = "the response body is not a ReadableStream";

/// What [`unreadable_body`] says of a body chunk that is not a `Uint8Array`.
pub const NOT_BYTES: &str = "a body chunk was not bytes";

/// A response whose body cannot be read as bytes (typically from a `fetch` passed in that does not
/// return a standard `Response`); `what` says what was wrong.
pub fn unreadable_body(what: &str) -> ProviderError {
    ProviderError::new(
        ErrorCode::BadResponse,
        format!("Cannot read the response: {what}"),
        "A fetch passed to VllmProvider.resolve must return a standard Response whose body is a ReadableStream of \
         Uint8Array chunks (the runtime's own fetch does; leave fetch out to use it).",
    )
}

fn wrong_content_type(model: &str, got: &str) -> ProviderError {
    ProviderError::new(
        ErrorCode::BadResponse,
        format!(
            "vllm/{model}: OpenAI-compatible streamed responses must be text/event-stream or JSON; got {got}. \
             Check the provider baseUrl; OpenAI-compatible APIs commonly require a /v1 path prefix."
        ),
        "The server did not answer like vLLM (often a web page from a base URL without the /v1 prefix): \
         set models.providers.vllm.baseUrl to the server's OpenAI API root, e.g. http://127.0.0.1:8000/v1.",
    )
}

/// Classifies a non-2xx answer from its first [`MAX_ERROR_BODY`] bytes.
pub fn http_error(status: u16, body: &[u8], headers: &[(String, String)], ctx: &ClassifyContext) -> ProviderError {
    let body = String::from_utf8_lossy(&body[..body.len().min(MAX_ERROR_BODY)]);
    classify_http(Some(status), &body, headers, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_stream_and_json_types_are_read_as_such() {
        assert_eq!(body_kind(200, Some("text/event-stream; charset=utf-8"), b"", "m"), Ok(BodyKind::EventStream));
        assert_eq!(body_kind(200, Some("application/json"), b"{\"id\":1}", "m"), Ok(BodyKind::Json));
        assert_eq!(body_kind(200, Some("Application/JSON"), b"data: {}\n\n", "m"), Ok(BodyKind::EventStream));
        assert_eq!(body_kind(200, Some("application/problem+json"), b"{}", "m"), Ok(BodyKind::Json));
    }

    #[test]
    fn html_answers_are_bad_response_naming_the_v1_prefix() {
        let e = body_kind(200, Some("text/html"), b"<!doctype html>", "qwen3-8b").unwrap_err();
        assert_eq!(e.code, ErrorCode::BadResponse);
        assert!(e.message.contains("OpenAI-compatible streamed responses must be text/event-stream or JSON; got text/html"), "{}", e.message);
        assert!(e.message.starts_with("vllm/qwen3-8b: "));
        assert!(e.hint.contains("/v1"));
        let e = body_kind(200, None, b"  <html>", "m").unwrap_err();
        assert!(e.message.contains("got missing content-type"));
    }

    #[test]
    fn a_missing_content_type_is_sniffed() {
        assert_eq!(body_kind(200, None, b"\n{\"choices\":[]}", "m"), Ok(BodyKind::Json));
        assert_eq!(body_kind(200, None, b"[1]", "m"), Ok(BodyKind::Json));
        for start in [&b"data: x"[..], b"event: error", b"id: 1", b"retry: 10", b": ping"] {
            assert_eq!(body_kind(200, Some(""), start, "m"), Ok(BodyKind::EventStream));
        }
        assert!(body_kind(200, None, b"", "m").is_err());
    }

    #[test]
    fn an_unreadable_body_is_bad_response_saying_what_was_wrong() {
        let e = unreadable_body(NOT_BYTES);
        assert_eq!((e.code, e.message.as_str()), (ErrorCode::BadResponse, "Cannot read the response: a body chunk was not bytes"));
        assert!(e.hint.contains("ReadableStream"));
    }

    #[test]
    fn non_2xx_is_classified_from_at_most_64_kib() {
        assert_eq!(body_kind(404, Some("text/html"), b"<html>", "m"), Ok(BodyKind::HttpError));
        let mut body = br#"{"error":{"message":"The model `x` does not exist.","type":"NotFoundError","param":"model","code":404}}"#.to_vec();
        let e = http_error(404, &body, &[], &ClassifyContext::default());
        assert_eq!(e.code, ErrorCode::ModelNotFound);
        body.extend(vec![b' '; 200_000]);
        let e = http_error(500, &body, &[], &ClassifyContext::default());
        assert_eq!(e.code, ErrorCode::ServerError);
    }
}
