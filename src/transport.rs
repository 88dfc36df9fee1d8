//! Telling apart the ways a request can fail before any HTTP status arrives.
//!
//! The wasm layer reports what the runtime threw (name, message and Node's `cause`), whether our own
//! timer or the caller's signal fired, and the page's origin in a browser; the decision is made here.

use crate::error::{ErrorCode, ProviderError};
use crate::hints;
use crate::http::{HttpRequest, HttpResponse};
use crate::stream::Piece;
use crate::unreadable;
use crate::url::BaseUrl;
use serde::{Deserialize, Serialize};

/// Why `fetch` did not produce a response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The caller's `AbortSignal` fired.
    Aborted,
    /// Our own timer fired.
    Timeout,
    /// `fetch` rejected for another reason.
    Network,
    /// The answer arrived but its body is not a stream of bytes (a caller's `fetch` may answer with
    /// anything); `message` says what was wrong.
    UnreadableBody,
    /// A redirect that was not followed (see [`crate::redirect`]); `url` is the request it answered.
    Redirect(crate::redirect::Refusal),
}

/// What the runtime said when `fetch` (or reading the body) failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransportFailure {
    /// The broad reason.
    pub kind: FailureKind,
    /// The thrown value's `name` (`TypeError`).
    pub name: String,
    /// The thrown value's `message` (`fetch failed`, `Failed to fetch`).
    pub message: String,
    /// Node's `cause.code` (`ECONNREFUSED`, `ENOTFOUND`, …).
    pub cause_code: Option<String>,
    /// Node's `cause.message`.
    pub cause_message: Option<String>,
    /// `location.origin` when running in a browser page.
    pub page_origin: Option<String>,
    /// The URL that was requested.
    pub url: String,
    /// The timeout that applied, for the message.
    pub timeout_ms: Option<u32>,
    /// In a browser, whether a `no-cors` probe of the same URL got an answer: `Some(true)` means a
    /// server is there and only CORS hid it, `Some(false)` that nothing answered.
    #[serde(default)]
    pub probe_reachable: Option<bool>,
    /// In a browser, whether this page could read the server's `/health` (no auth there): `Some(true)`
    /// means CORS allows this origin, so the hidden answer was an auth refusal (vLLM sends its 401
    /// before any CORS header).
    #[serde(default)]
    pub health_readable: Option<bool>,
    /// Whether the failed request carried an `Authorization` header.
    #[serde(default)]
    pub sent_authorization: bool,
    /// Whether fetch itself rejected (or threw): only then can a browser's probes tell why. An
    /// answer the runtime could not use (`Response.error()`, status 0) says nothing about CORS.
    #[serde(skip)]
    pub rejected: bool,
}

/// The URL whose CORS readability tells a hidden 401 from a CORS refusal, once the `no-cors` probe
/// found the server up: the server root's `/health`.
pub fn cors_check_url(f: &TransportFailure) -> Option<String> {
    let url = BaseUrl::parse(&f.url).filter(|_| f.probe_reachable == Some(true))?;
    // Requests go to `{base}/models` or `{base}/chat/completions`; the server root is before `/v1/`.
    let root = url.path.find("/v1/").map(|i| &url.path[..i]).unwrap_or("");
    Some(format!("{}{root}/health", url.origin()))
}

/// Whether a `no-cors` reachability probe can tell CORS from a dead server: only for network
/// failures of cross-origin requests in a browser page, where both look like `Failed to fetch`.
pub fn wants_reachability_probe(f: &TransportFailure) -> bool {
    f.kind == FailureKind::Network
        && f.rejected
        && f.cause_code.is_none()
        && match (f.page_origin.as_deref(), BaseUrl::parse(&f.url)) {
            (Some(page), Some(target)) => page != target.origin() && !(page.starts_with("https:") && target.scheme == "http"),
            _ => false,
        }
}

/// What to make of a fetch's answer from its `type` and `status` (a caller's fetch may answer anything):
/// the status to read it with, or the failure kind and what was wrong.
pub fn answer_status(kind: Option<&str>, status: Option<f64>) -> Result<u16, (FailureKind, String)> {
    use crate::stream::{NOT_A_RESPONSE, UNUSABLE_RESPONSE};
    match (kind, status) {
        // A browser's answer to `redirect: "manual"`: where it points is hidden from the page.
        (Some("opaqueredirect"), _) => Err((FailureKind::Redirect(crate::redirect::Refusal::Hidden), String::new())),
        (_, None) => Err((FailureKind::UnreadableBody, NOT_A_RESPONSE.to_string())),
        // `Response.error()`: what a fetch gives for a network failure.
        (Some("error"), _) | (_, Some(0.0)) => Err((FailureKind::Network, "fetch answered a network error (a Response of status 0)".to_string())),
        (_, Some(s)) if (200.0..=599.0).contains(&s) && s.fract() == 0.0 => Ok(s as u16),
        // Printed as an integer: an f64's `{}` links core's float formatting (12 KiB of gzipped wasm).
        (_, Some(s)) => Err((FailureKind::UnreadableBody, format!("{UNUSABLE_RESPONSE}: status {} is not a final HTTP status", s as i64))),
    }
}

/// Whether an answer of `status` has no body (a `Response` of it cannot carry one).
pub fn null_body(status: u16) -> bool {
    matches!(status, 204 | 205 | 304)
}

/// Reading a whole body (discovery, diagnosis): takes one piece into `out`, keeping at most `cap`
/// bytes. `Ok(true)`: read on; `Ok(false)`: done (the end, or the cap reached: `truncated`); `Err`:
/// why reading failed.
pub fn absorb(out: &mut HttpResponse, piece: Piece, cap: usize) -> Result<bool, (FailureKind, String)> {
    match piece {
        Piece::Bytes(bytes) => {
            let room = cap.saturating_sub(out.body.len());
            out.body.extend_from_slice(&bytes[..room.min(bytes.len())]);
            out.truncated = bytes.len() > room;
            Ok(!out.truncated)
        }
        Piece::End => Ok(false),
        Piece::NotBytes => Err((FailureKind::UnreadableBody, crate::stream::NOT_BYTES.to_string())),
        Piece::Unreadable(what) => Err((FailureKind::UnreadableBody, what)),
        Piece::Failed { caller_aborted: true, .. } => Err((FailureKind::Aborted, String::new())),
        Piece::Failed { fired: Some(_), .. } => Err((FailureKind::Timeout, String::new())),
        Piece::Failed { message, .. } => Err((FailureKind::Network, message)),
    }
}

/// What JS threw or rejected with, as the runtime read it: its `name`, its `message` (or the thrown
/// text), and Node's `cause.code` and `cause.message` (why fetch failed; zlib's or undici's for a body).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Thrown {
    /// `name` (`TypeError`), when a string.
    pub name: Option<String>,
    /// `message`, or the thrown string itself.
    pub message: String,
    /// `cause.code` (`ECONNREFUSED`, `Z_DATA_ERROR`).
    pub cause_code: Option<String>,
    /// `cause.message`.
    pub cause_message: Option<String>,
}

impl Thrown {
    /// Words of the runtime's own (no name, no cause).
    pub fn text(message: impl Into<String>) -> Thrown {
        Thrown { message: message.into(), ..Thrown::default() }
    }

    /// The failure of `kind` for `req` this makes; `page_origin` is the page's, in a browser.
    pub fn failure(self, kind: FailureKind, req: &HttpRequest, page_origin: Option<String>) -> TransportFailure {
        let name = self.name.unwrap_or_else(|| "Error".into());
        TransportFailure { name, message: self.message, cause_code: self.cause_code, cause_message: self.cause_message, page_origin, ..TransportFailure::new(kind, req) }
    }

    /// What a failed body read says, its cause folded in.
    pub fn read_failure(&self) -> String {
        crate::unreadable::with_cause(&self.message, self.cause_code.as_deref(), self.cause_message.as_deref())
    }
}

impl TransportFailure {
    /// This failure, a timeout naming `call_ms` (the caller's timeout) where given: a retried try's
    /// timer is what was left of the call's time (199 ms of 200 a millisecond later), which is not the
    /// figure the caller set.
    pub fn naming_timeout(mut self, call_ms: Option<u32>) -> Self {
        if self.kind == FailureKind::Timeout {
            self.timeout_ms = call_ms.or(self.timeout_ms);
        }
        self
    }

    /// A failure of `kind` for `req`, before the runtime's words (`name`, `message`, `cause`) are added.
    pub fn new(kind: FailureKind, req: &HttpRequest) -> Self {
        TransportFailure {
            kind,
            name: "Error".into(),
            message: String::new(),
            cause_code: None,
            cause_message: None,
            page_origin: None,
            url: req.url.clone(),
            timeout_ms: req.timeout_ms,
            probe_reachable: None,
            health_readable: None,
            sent_authorization: req.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("authorization")),
            rejected: false,
        }
    }
}

/// The error when the runtime lacks something every request needs (`AbortController`).
pub fn runtime_missing(what: &str) -> ProviderError {
    ProviderError::new(ErrorCode::Unreachable, format!("{what} is not available in this runtime"), "Use Node 18 or later, or a current browser.")
}

/// Classifies a transport failure. `base_url` is the provider's, for hints.
pub fn classify_transport(f: &TransportFailure, base_url: &str) -> ProviderError {
    let target = BaseUrl::parse(&f.url);
    match &f.kind {
        FailureKind::Aborted => ProviderError::new(ErrorCode::Aborted, "Request was aborted", hints::aborted()),
        FailureKind::Timeout => {
            let ms = f.timeout_ms.unwrap_or(0);
            ProviderError::new(
                ErrorCode::Timeout,
                format!("No response from {} within {ms} ms", f.url),
                hints::timeout(ms),
            )
        }
        FailureKind::Network => network(f, target.as_ref(), base_url),
        FailureKind::UnreadableBody => crate::stream::unreadable_body(&f.message),
        FailureKind::Redirect(r) => crate::redirect::refused(r, &f.url, base_url),
    }
}

fn network(f: &TransportFailure, target: Option<&BaseUrl>, base_url: &str) -> ProviderError {
    let code = f.cause_code.as_deref().unwrap_or("");
    let detail = f.cause_message.as_deref().unwrap_or(&f.message);
    // The server answered, with something the runtime could not read (Node names it; a browser cannot).
    if let Some(kind) = [code, detail, &f.message].into_iter().find_map(unreadable::recognise) {
        return unreadable::unreadable_answer(kind, &f.url, detail, base_url);
    }
    let reason = match code {
        "ECONNREFUSED" => "connection refused".to_string(),
        "ENOTFOUND" | "EAI_AGAIN" => "host name not found (DNS)".to_string(),
        "ECONNRESET" => "connection reset".to_string(),
        "EHOSTUNREACH" | "ENETUNREACH" => "host unreachable".to_string(),
        "ETIMEDOUT" | "UND_ERR_CONNECT_TIMEOUT" => "connection timed out".to_string(),
        "UND_ERR_HEADERS_TIMEOUT" | "UND_ERR_BODY_TIMEOUT" => "the server stopped answering (timed out)".to_string(),
        "UND_ERR_SOCKET" | "EPIPE" => "the server closed the connection".to_string(),
        "ERR_SSL_WRONG_VERSION_NUMBER" | "ERR_SSL_PACKET_LENGTH_TOO_LONG" => "TLS failure: the server speaks plain http, not https".to_string(),
        c if is_tls(c) => format!("TLS failure ({c})"),
        _ if detail.contains("bad port") => "the runtime refuses this port (a 'bad port' for fetch)".to_string(),
        _ => String::new(),
    };
    if let (Some(page), Some(target)) = (f.page_origin.as_deref(), target) {
        if reason.is_empty() && page != target.origin() && f.probe_reachable == Some(true) && f.health_readable == Some(true) {
            let hidden = if f.sent_authorization { "the key was rejected" } else { "no key was sent" };
            let mut e = ProviderError::new(
                ErrorCode::Auth,
                format!("{} refused the request and the browser hid the answer: {hidden} (vLLM sends its 401 without CORS headers)", f.url),
                hints::auth(),
            );
            e.status = Some(401);
            return e;
        }
        if reason.is_empty() && page != target.origin() && f.probe_reachable != Some(false) {
            if page.starts_with("https:") && target.scheme == "http" {
                return ProviderError::new(
                    ErrorCode::Cors,
                    format!("The browser blocked a request from {page} to {} (mixed content)", f.url),
                    hints::mixed_content(),
                );
            }
            let message = if f.probe_reachable == Some(true) {
                format!("The server at {} answers, but not to pages from {page}: CORS does not allow this origin", f.url)
            } else {
                format!("The browser could not read {} from {page}: probably CORS (the server does not allow this origin) or the server is down", f.url)
            };
            return ProviderError::new(ErrorCode::Cors, message, hints::cors(page));
        }
    }
    let what = match (reason.is_empty(), f.probe_reachable) {
        (false, _) => reason,
        (true, Some(false)) => "nothing answered (connection refused, host down or port blocked)".to_string(),
        (true, _) => detail.to_string(),
    };
    let mut e = ProviderError::new(
        ErrorCode::Unreachable,
        format!("Cannot reach {}: {what}", f.url),
        hints::unreachable(base_url),
    );
    if code.starts_with("ERR_SSL_WRONG_VERSION") || code == "ERR_SSL_PACKET_LENGTH_TOO_LONG" {
        e.hint = format!("{} The server answers plain http: use an http:// base URL (vLLM serves https only with --ssl-certfile).", e.hint);
    } else if is_tls(code) {
        e.hint = format!("{} The TLS certificate was not accepted; use a trusted certificate or plain http on a private network.", e.hint);
    }
    if let Some(t) = target.filter(|t| t.host == "0.0.0.0" || t.host == "[::]") {
        let mut fixed = t.clone();
        fixed.host = "127.0.0.1".to_string();
        fixed.path = BaseUrl::parse(base_url).map(|b| b.path).unwrap_or_default();
        e.hint = format!("{} {}", hints::url_unspecified_host(&fixed.endpoint("")), e.hint);
    }
    e
}

/// Node's certificate and TLS error codes (`DEPTH_ZERO_SELF_SIGNED_CERT`, `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `ERR_TLS_…`, `ERR_SSL_…`).
fn is_tls(code: &str) -> bool {
    code.contains("CERT") || code.starts_with("ERR_TLS") || code.contains("SSL") || code.starts_with("UNABLE_TO_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::Fired;

    fn failure(code: Option<&str>, message: &str) -> TransportFailure {
        TransportFailure {
            kind: FailureKind::Network,
            name: "TypeError".into(),
            message: "fetch failed".into(),
            cause_code: code.map(str::to_string),
            cause_message: Some(message.into()),
            page_origin: None,
            url: "http://127.0.0.1:9/v1/models".into(),
            timeout_ms: Some(5000),
            probe_reachable: None,
            health_readable: None,
            sent_authorization: true,
            rejected: true,
        }
    }

    #[test]
    fn refused_connection_is_unreachable_with_the_curl_hint() {
        let e = classify_transport(&failure(Some("ECONNREFUSED"), "connect ECONNREFUSED"), "http://127.0.0.1:9/v1");
        assert_eq!(e.code, ErrorCode::Unreachable);
        assert!(e.message.contains("connection refused"));
        assert!(e.hint.contains("curl http://127.0.0.1:9/v1/models"));
        assert!(e.retryable);
    }

    #[test]
    fn a_body_that_is_not_bytes_is_a_bad_response_saying_what_was_wrong() {
        let f = TransportFailure { kind: FailureKind::UnreadableBody, message: crate::stream::NOT_A_STREAM.into(), ..failure(None, "") };
        let e = classify_transport(&f, "http://h/v1");
        assert_eq!(e.code, ErrorCode::BadResponse);
        assert!(e.message.contains(crate::stream::NOT_A_STREAM), "{}", e.message);
    }

    #[test]
    fn a_refused_redirect_is_worded_by_the_redirect_module() {
        let to = "https://other.example/v1/models".to_string();
        let f = TransportFailure { kind: FailureKind::Redirect(crate::redirect::Refusal::CrossOrigin { status: 307, to }), ..failure(None, "") };
        let e = classify_transport(&f, "http://127.0.0.1:9/v1");
        assert_eq!((e.code, e.status), (ErrorCode::BadResponse, Some(307)));
        assert!(e.hint.contains("https://other.example/v1"), "{}", e.hint);
    }

    #[test]
    fn what_a_fetch_answered_is_read_or_refused_with_the_reason() {
        assert_eq!(answer_status(Some("basic"), Some(200.0)), Ok(200));
        assert_eq!(answer_status(None, Some(307.0)), Ok(307));
        assert!(matches!(answer_status(Some("opaqueredirect"), Some(0.0)), Err((FailureKind::Redirect(crate::redirect::Refusal::Hidden), _))));
        assert!(matches!(answer_status(Some("error"), Some(0.0)), Err((FailureKind::Network, _))));
        assert_eq!(answer_status(None, None), Err((FailureKind::UnreadableBody, crate::stream::NOT_A_RESPONSE.to_string())));
        for bad in [101.0, 99.5, 600.0, f64::NAN] {
            assert!(matches!(answer_status(None, Some(bad)), Err((FailureKind::UnreadableBody, ref m)) if m.contains("not a final HTTP status")), "{bad}");
        }
        assert!(null_body(204) && null_body(304) && !null_body(200));
    }

    #[test]
    fn a_whole_body_is_read_up_to_its_cap_and_failures_say_why() {
        let mut out = HttpResponse::default();
        assert_eq!(absorb(&mut out, Piece::Bytes(b"abc".to_vec()), 5), Ok(true));
        assert_eq!(absorb(&mut out, Piece::Bytes(b"defg".to_vec()), 5), Ok(false));
        assert_eq!((out.body.as_slice(), out.truncated), (&b"abcde"[..], true));
        assert_eq!(absorb(&mut HttpResponse::default(), Piece::End, 5), Ok(false));
        assert_eq!(absorb(&mut out, Piece::NotBytes, 5).unwrap_err().0, FailureKind::UnreadableBody);
        let failed = |caller_aborted, fired| Piece::Failed { caller_aborted, fired, message: "terminated".into() };
        assert_eq!(absorb(&mut out, failed(true, Some(Fired::Request)), 5).unwrap_err().0, FailureKind::Aborted);
        assert_eq!(absorb(&mut out, failed(false, Some(Fired::Request)), 5).unwrap_err().0, FailureKind::Timeout);
        assert_eq!(absorb(&mut out, failed(false, None), 5), Err((FailureKind::Network, "terminated".into())));
    }

    #[test]
    fn dns_failure_says_so() {
        let e = classify_transport(&failure(Some("ENOTFOUND"), "getaddrinfo ENOTFOUND x"), "http://x/v1");
        assert!(e.message.contains("DNS"));
    }

    #[test]
    fn cross_origin_failure_in_a_browser_is_cors_with_the_flag() {
        let mut f = failure(None, "Failed to fetch");
        f.page_origin = Some("http://127.0.0.1:5173".into());
        let e = classify_transport(&f, "http://127.0.0.1:9/v1");
        assert_eq!(e.code, ErrorCode::Cors);
        assert!(e.hint.contains("--allowed-origins"));
    }

    #[test]
    fn the_no_cors_probe_tells_cors_from_a_dead_server() {
        let mut f = failure(None, "Failed to fetch");
        f.page_origin = Some("http://127.0.0.1:5173".into());
        assert!(wants_reachability_probe(&f));
        f.probe_reachable = Some(false);
        let e = classify_transport(&f, "http://127.0.0.1:9/v1");
        assert_eq!(e.code, ErrorCode::Unreachable);
        assert!(e.hint.contains("curl"));
        f.probe_reachable = Some(true);
        let e = classify_transport(&f, "http://127.0.0.1:9/v1");
        assert_eq!(e.code, ErrorCode::Cors);
        assert!(e.message.contains("answers"));
    }

    #[test]
    fn a_readable_health_endpoint_means_the_hidden_answer_was_a_401() {
        let mut f = failure(None, "Failed to fetch");
        f.page_origin = Some("http://127.0.0.1:5173".into());
        assert_eq!(cors_check_url(&f), None, "only once the server is known to be up");
        f.probe_reachable = Some(true);
        assert_eq!(cors_check_url(&f).as_deref(), Some("http://127.0.0.1:9/health"));
        f.health_readable = Some(true);
        let e = classify_transport(&f, "http://127.0.0.1:9/v1");
        assert_eq!((e.code, e.status), (ErrorCode::Auth, Some(401)));
        assert!(e.hint.contains("VLLM_API_KEY"));
        f.health_readable = Some(false);
        assert_eq!(classify_transport(&f, "http://127.0.0.1:9/v1").code, ErrorCode::Cors);
    }

    #[test]
    fn no_probe_in_node_or_for_same_origin_or_mixed_content() {
        assert!(!wants_reachability_probe(&failure(Some("ECONNREFUSED"), "")));
        let mut f = failure(None, "Failed to fetch");
        f.page_origin = Some("http://127.0.0.1:9".into());
        assert!(!wants_reachability_probe(&f));
        f.page_origin = Some("https://x.example".into());
        assert!(!wants_reachability_probe(&f));
    }

    #[test]
    fn https_page_to_http_server_is_mixed_content() {
        let mut f = failure(None, "Failed to fetch");
        f.page_origin = Some("https://tester.example".into());
        let e = classify_transport(&f, "http://127.0.0.1:9/v1");
        assert_eq!(e.code, ErrorCode::Cors);
        assert!(e.message.contains("mixed content"));
    }

    #[test]
    fn abort_and_timeout_have_their_own_codes() {
        let mut f = failure(None, "");
        f.kind = FailureKind::Aborted;
        assert_eq!(classify_transport(&f, "").code, ErrorCode::Aborted);
        f.kind = FailureKind::Timeout;
        let e = classify_transport(&f, "");
        assert_eq!(e.code, ErrorCode::Timeout);
        assert!(e.message.contains("5000 ms"));
    }

    #[test]
    fn tls_failures_are_named_with_their_fix() {
        let e = classify_transport(&failure(Some("UNABLE_TO_VERIFY_LEAF_SIGNATURE"), "unable to verify"), "https://h/v1");
        assert!(e.message.contains("TLS failure"), "{}", e.message);
        assert!(e.hint.contains("certificate"));
        let e = classify_transport(&failure(Some("ERR_SSL_WRONG_VERSION_NUMBER"), "wrong version number"), "https://h/v1");
        assert!(e.message.contains("plain http"));
        assert!(e.hint.contains("http:// base URL"));
    }

    #[test]
    fn undici_socket_and_header_timeouts_are_unreachable_and_retryable() {
        let e = classify_transport(&failure(Some("UND_ERR_HEADERS_TIMEOUT"), ""), "http://h/v1");
        assert_eq!(e.code, ErrorCode::Unreachable);
        assert!(e.message.contains("timed out"));
        assert!(e.retryable);
        assert!(classify_transport(&failure(Some("UND_ERR_SOCKET"), ""), "").message.contains("closed the connection"));
    }

    #[test]
    fn oversized_headers_and_undecodable_bodies_are_bad_responses_not_unreachable() {
        let mut f = failure(Some("UND_ERR_HEADERS_OVERFLOW"), "Headers Overflow Error");
        let e = classify_transport(&f, "http://127.0.0.1:9/v1");
        assert_eq!((e.code, e.retryable), (ErrorCode::BadResponse, false));
        assert!(e.message.contains("more response headers") && e.message.contains("Headers Overflow Error"), "{}", e.message);
        assert!(e.hint.contains("--max-http-header-size"), "{}", e.hint);
        // A failed body read (discovery): Node's reason folded into the message by the wasm layer.
        (f.cause_code, f.cause_message) = (None, None);
        f.message = crate::unreadable::with_cause("terminated", Some("Z_DATA_ERROR"), Some("incorrect header check"));
        let e = classify_transport(&f, "http://127.0.0.1:9/v1");
        assert_eq!(e.code, ErrorCode::BadResponse);
        assert!(e.message.contains("Content-Encoding") && e.message.contains("incorrect header check"), "{}", e.message);
        f.message = crate::unreadable::with_cause("terminated", Some("UND_ERR_SOCKET"), Some("other side closed"));
        assert_eq!(classify_transport(&f, "http://127.0.0.1:9/v1").code, ErrorCode::Unreachable);
    }

    #[test]
    fn the_listen_address_gets_the_loopback_advice() {
        let mut f = failure(Some("ECONNREFUSED"), "connect ECONNREFUSED");
        f.url = "http://0.0.0.0:8000/v1/models".into();
        let e = classify_transport(&f, "http://0.0.0.0:8000/v1");
        assert!(e.hint.starts_with("0.0.0.0 is the address vLLM listens on"), "{}", e.hint);
        assert!(e.hint.contains("http://127.0.0.1:8000/v1"));
    }
}
