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
/// requested model id, for the message. A body read piece by piece goes through [`body_kind_so_far`].
pub fn body_kind(status: u16, content_type: Option<&str>, first_bytes: &[u8], model: &str) -> Result<BodyKind, ProviderError> {
    if !(200..300).contains(&status) {
        return Ok(BodyKind::HttpError);
    }
    let sniffed = sniff(&first_bytes[..first_bytes.len().min(SNIFF_BYTES)]);
    match media_type(content_type).as_deref() {
        Some("text/event-stream") => Ok(BodyKind::EventStream),
        Some(t) if is_json(t) => Ok(if sniffed == Some(BodyKind::EventStream) { BodyKind::EventStream } else { BodyKind::Json }),
        None => match sniffed {
            Some(kind) => Ok(kind),
            None => Err(wrong_content_type(model, "missing content-type")),
        },
        // Quoted as sent (not lower-cased), so that a key a proxy echoes into it is still recognised
        // and redacted.
        Some(_) => Err(wrong_content_type(model, content_type.and_then(|t| t.split(';').next()).unwrap_or("").trim())),
    }
}

/// [`body_kind`] for a body that arrives in pieces: `start` is all of it read so far (`end`: all of
/// it). `None` means "read more first": the kind is sniffed (a JSON or missing content type) and the
/// start is still blank or the beginning of an SSE field name, within the first bytes sniffed, so
/// the answer never depends on where the chunks split.
pub fn body_kind_so_far(status: u16, content_type: Option<&str>, start: &[u8], end: bool, model: &str) -> Option<Result<BodyKind, ProviderError>> {
    let sniffs = (200..300).contains(&status) && media_type(content_type).as_deref().is_none_or(is_json);
    if sniffs && !end && start.len() < SNIFF_BYTES && undecided(start) {
        return None;
    }
    Some(body_kind(status, content_type, start, model))
}

/// The media type, lowercased, without parameters; `None` when missing or blank.
fn media_type(content_type: Option<&str>) -> Option<String> {
    content_type.and_then(|t| t.split(';').next()).map(|t| t.trim().to_ascii_lowercase()).filter(|t| !t.is_empty())
}

fn is_json(media: &str) -> bool {
    media == "application/json" || media.ends_with("+json")
}

const BOM: &[u8] = "\u{feff}".as_bytes();
const SSE_FIELDS: [&[u8]; 4] = [b"data:", b"event:", b"id:", b"retry:"];

/// The body after a byte-order mark and leading blanks.
fn content_start(bytes: &[u8]) -> &[u8] {
    let start = bytes.strip_prefix(BOM).unwrap_or(bytes);
    &start[start.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(start.len())..]
}

/// `<` → HTML (unusable), `{`/`[` → JSON, an SSE field or comment → events.
fn sniff(bytes: &[u8]) -> Option<BodyKind> {
    let start = content_start(bytes);
    match start.first()? {
        b'{' | b'[' => Some(BodyKind::Json),
        b':' => Some(BodyKind::EventStream),
        _ if SSE_FIELDS.iter().any(|p| start.starts_with(p)) => Some(BodyKind::EventStream),
        _ => None,
    }
}

/// Whether more bytes could still change what [`sniff`] says: only blanks so far (or part of a
/// byte-order mark), or the beginning of an SSE field name.
fn undecided(bytes: &[u8]) -> bool {
    let start = content_start(bytes);
    BOM.starts_with(bytes) || SSE_FIELDS.iter().any(|f| f.len() > start.len() && f.starts_with(start))
}

/// What [`unreadable_body`] says of a body that is not a `ReadableStream`.
pub const NOT_A_STREAM: &str = "the response body is not a ReadableStream";

/// What [`unreadable_body`] says when a caller's `fetch` resolved to something that is not a `Response`.
pub const NOT_A_RESPONSE: &str = "fetch resolved to something that is not a Response";

/// What [`unreadable_body`] says of a `Response` that cannot be read as one: its body locked or already
/// read, a getter that threw, headers that are not headers. The runtime's own words follow.
pub const UNUSABLE_RESPONSE: &str = "the Response cannot be read";

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

    /// `body_kind_so_far` fed `body` split after each of `cuts`, as a reader would: the first answer.
    fn kind_in_pieces(content_type: Option<&str>, body: &[u8], cuts: &[usize]) -> Result<BodyKind, ProviderError> {
        let mut ends = cuts.to_vec();
        ends.push(body.len());
        for end in ends {
            if let Some(kind) = body_kind_so_far(200, content_type, &body[..end], end == body.len(), "m") {
                return kind;
            }
        }
        unreachable!("the end of the body always decides")
    }

    #[test]
    fn the_kind_does_not_depend_on_where_the_chunks_split() {
        let sse = "\u{feff}\n data: {\"choices\":[]}\n\n".as_bytes();
        let json = b"\n\n  {\"choices\":[]}";
        let html = b"\n<html></html>";
        for (ct, body, want) in [
            (None, sse, Ok(BodyKind::EventStream)),
            (Some("application/json"), sse, Ok(BodyKind::EventStream)),
            (None, &json[..], Ok(BodyKind::Json)),
            (Some("application/json"), &json[..], Ok(BodyKind::Json)),
            (None, &html[..], Err(ErrorCode::BadResponse)),
            (Some("text/event-stream"), &html[..], Ok(BodyKind::EventStream)),
        ] {
            let whole = kind_in_pieces(ct, body, &[]).map_err(|e| e.code);
            assert_eq!(whole, want, "{ct:?} {body:?}");
            for cut in 0..body.len() {
                assert_eq!(kind_in_pieces(ct, body, &[cut]).map_err(|e| e.code), want, "{ct:?} cut at {cut}");
            }
            let every_byte: Vec<usize> = (0..body.len()).collect();
            assert_eq!(kind_in_pieces(ct, body, &every_byte).map_err(|e| e.code), want, "{ct:?} byte by byte");
        }
    }

    #[test]
    fn sniffing_waits_only_while_the_start_is_undecided() {
        assert_eq!(body_kind_so_far(200, None, b"\n", false, "m"), None);
        assert_eq!(body_kind_so_far(200, None, b"da", false, "m"), None);
        assert_eq!(body_kind_so_far(200, None, &BOM[..1], false, "m"), None);
        assert_eq!(body_kind_so_far(200, Some("application/json"), b"  ", false, "m"), None);
        // Decided at once: a content type that is not sniffed, an error status, a start no field begins
        // with, the end of the body, and a blank start as long as the sniffing window.
        assert_eq!(body_kind_so_far(200, Some("text/event-stream"), b"", false, "m"), Some(Ok(BodyKind::EventStream)));
        assert_eq!(body_kind_so_far(500, None, b"", false, "m"), Some(Ok(BodyKind::HttpError)));
        assert!(matches!(body_kind_so_far(200, Some("text/html"), b"", false, "m"), Some(Err(_))));
        assert!(matches!(body_kind_so_far(200, None, b"dx", false, "m"), Some(Err(_))));
        assert!(matches!(body_kind_so_far(200, None, b"\n", true, "m"), Some(Err(_))));
        assert_eq!(body_kind_so_far(200, Some("application/json"), &[b' '; SNIFF_BYTES], false, "m"), Some(Ok(BodyKind::Json)));
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
