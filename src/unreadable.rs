//! An answer the runtime received but could not read: a body that does not decode as its
//! `Content-Encoding` says, or more header bytes than the runtime accepts. The server answered, so
//! this is `bad_response`, never `unreachable` or a cut stream.
//!
//! Only the runtime's words tell: Node's fetch (undici) rejects with `TypeError: fetch failed` (before
//! the head) or `terminated` (a body read), its reason in `cause`: `UND_ERR_HEADERS_OVERFLOW`, zlib's
//! `Z_DATA_ERROR` (`incorrect header check`), brotli's `Decompression failed` (code `ERR__ERROR_…`).
//! Bun says `ZlibError` or `BrotliDecompressionError`. A browser hides both behind the same
//! `TypeError` as a dropped connection (Chrome's `ERR_CONTENT_DECODING_FAILED` and
//! `ERR_RESPONSE_HEADERS_TOO_BIG` reach only its console), so there they stay what they look like.

use crate::error::{ErrorCode, ProviderError};
use crate::hints;

/// What the runtime could not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unreadable {
    /// A body that does not decode as its `Content-Encoding` says (gzip, deflate, br).
    Encoding,
    /// Response headers larger than the runtime accepts.
    Headers,
}

// The runtime's words for each, as codes or messages (matched case-sensitively: these are spellings,
// not prose). Z_BUF_ERROR: a compressed body that ends inside its stream.
const WORDS: [(&str, Unreadable); 8] = [
    ("Z_DATA_ERROR", Unreadable::Encoding),
    ("Z_BUF_ERROR", Unreadable::Encoding),
    ("ERR__ERROR_FORMAT_", Unreadable::Encoding),
    ("Decompression failed", Unreadable::Encoding),
    ("ZlibError", Unreadable::Encoding),
    ("BrotliDecompressionError", Unreadable::Encoding),
    ("UND_ERR_HEADERS_OVERFLOW", Unreadable::Headers),
    ("HPE_HEADER_OVERFLOW", Unreadable::Headers),
];

/// What the runtime's words (a `cause.code`, a message, or a text [`with_cause`] made) say it could
/// not read, if they name such a failure.
pub fn recognise(words: &str) -> Option<Unreadable> {
    WORDS.iter().find(|(w, _)| words.contains(w)).map(|&(_, kind)| kind)
}

/// A failure's message with its `cause` folded in (`terminated: incorrect header check (Z_DATA_ERROR)`):
/// how the wasm layer reports a failed body read, whose reason Node keeps in `cause`.
pub fn with_cause(message: &str, cause_code: Option<&str>, cause_message: Option<&str>) -> String {
    let mut out = message.to_string();
    if let Some(m) = cause_message.filter(|m| !m.is_empty()) {
        out = if out.is_empty() { m.to_string() } else { format!("{out}: {m}") };
    }
    if let Some(c) = cause_code.filter(|c| !c.is_empty()) {
        out = if out.is_empty() { c.to_string() } else { format!("{out} ({c})") };
    }
    out
}

/// The error for an answer from `who` (a URL, or `vllm/<model>`) that the runtime could not read;
/// `detail` is the runtime's words, `base_url` the provider's (for the hint's `curl`).
pub fn unreadable_answer(kind: Unreadable, who: &str, detail: &str, base_url: &str) -> ProviderError {
    let (what, hint) = match kind {
        Unreadable::Encoding => ("a body that does not decode as its Content-Encoding says", hints::undecodable_body(base_url)),
        Unreadable::Headers => ("more response headers than the runtime accepts", hints::oversized_headers(base_url)),
    };
    ProviderError::new(ErrorCode::BadResponse, format!("{who} answered with {what} ({detail})"), hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_zlib_and_brotli_failures_are_undecodable_bodies() {
        for words in ["Z_DATA_ERROR", "terminated: incorrect header check (Z_DATA_ERROR)", "unexpected end of file (Z_BUF_ERROR)", "terminated: Decompression failed (ERR__ERROR_FORMAT_PADDING_2)", "Decompression error: ZlibError"] {
            assert_eq!(recognise(words), Some(Unreadable::Encoding), "{words}");
        }
    }

    #[test]
    fn a_header_overflow_is_oversized_headers() {
        assert_eq!(recognise("UND_ERR_HEADERS_OVERFLOW"), Some(Unreadable::Headers));
        assert_eq!(recognise("Parse Error: Header overflow (HPE_HEADER_OVERFLOW)"), Some(Unreadable::Headers));
    }

    #[test]
    fn a_cut_connection_or_a_refusal_is_neither() {
        for words in ["terminated: other side closed (UND_ERR_SOCKET)", "ECONNREFUSED", "UND_ERR_HEADERS_TIMEOUT", "network error", "Failed to fetch", ""] {
            assert_eq!(recognise(words), None, "{words}");
        }
    }

    #[test]
    fn the_cause_is_folded_after_the_message() {
        assert_eq!(with_cause("terminated", Some("Z_DATA_ERROR"), Some("incorrect header check")), "terminated: incorrect header check (Z_DATA_ERROR)");
        assert_eq!(with_cause("terminated", None, None), "terminated");
        assert_eq!(with_cause("", Some("UND_ERR_SOCKET"), Some("")), "UND_ERR_SOCKET");
        assert_eq!(with_cause("", None, Some("other side closed")), "other side closed");
    }

    #[test]
    fn the_error_is_a_bad_response_whose_hint_says_what_to_fix() {
        let e = unreadable_answer(Unreadable::Encoding, "vllm/m", "terminated: incorrect header check (Z_DATA_ERROR)", "http://h:8000/v1");
        assert_eq!((e.code, e.retryable), (ErrorCode::BadResponse, false));
        assert!(e.message.contains("Content-Encoding") && e.message.contains("Z_DATA_ERROR"), "{}", e.message);
        assert!(e.hint.contains("proxy") && e.hint.contains("curl -sv --compressed http://h:8000/v1/models"), "{}", e.hint);
        let e = unreadable_answer(Unreadable::Headers, "http://h:8000/v1/models", "Headers Overflow Error", "http://h:8000/v1");
        assert_eq!(e.code, ErrorCode::BadResponse);
        assert!(e.message.starts_with("http://h:8000/v1/models answered with more response headers"), "{}", e.message);
        assert!(e.hint.contains("--max-http-header-size") && e.hint.contains("proxy"), "{}", e.hint);
    }
}
