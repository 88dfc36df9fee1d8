//! Redirects: which to follow and which end the call.
//!
//! Every request goes out with `redirect: "manual"`, so the runtime never follows one by itself. A
//! redirect within the request's origin (vLLM's own 307 for a trailing slash) is followed with the
//! same headers and body, a bounded number of times. One to another origin (another host, another
//! port, or http→https on the same host) ends the call: following it would carry the key, the secret
//! headers and the prompt to a server the config does not name. This module decides each hop and
//! words the error; `steps::Exchanging` asks for the hops, and the runtime sends them.

use crate::error::{ErrorCode, ProviderError};
use crate::http::HttpRequest;
use crate::url::BaseUrl;
use serde::{Deserialize, Serialize};

/// How many same-origin redirects one request may follow.
pub const MAX_REDIRECTS: usize = 5;

/// Why a redirect was not followed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Refusal {
    /// To another origin.
    CrossOrigin {
        /// The redirect's status.
        status: u16,
        /// The absolute URL it points to.
        to: String,
    },
    /// A browser's answer to a manual redirect (`type: "opaqueredirect"`, status 0): where it points
    /// is hidden from the page.
    Hidden,
    /// More than [`MAX_REDIRECTS`] hops within the origin.
    TooMany {
        /// The last redirect's status.
        status: u16,
    },
    /// A `Location` that is not an http(s) URL.
    Unusable {
        /// The redirect's status.
        status: u16,
    },
}

/// What to do with an answer.
#[derive(Debug, PartialEq)]
pub enum Hop {
    /// It is the answer: read it.
    Done,
    /// Discard it and send this request (same headers and body, the new URL).
    Follow(HttpRequest),
    /// End the call with this refusal (see [`refused`]).
    Refuse(Refusal),
}

/// Whether `status` is a redirect a client follows.
pub fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Decides what to do with an answer of `status` to `req`, after `hops` redirects were followed for it;
/// `location` is its `Location` resolved against `req.url` (by the platform's URL parser, as fetch
/// resolves it). A 3xx without a `Location` is the answer itself.
pub fn next_hop(req: &HttpRequest, status: u16, location: Option<&str>, hops: usize) -> Hop {
    let Some(location) = location.filter(|_| is_redirect(status)) else { return Hop::Done };
    let Some(target) = BaseUrl::parse(location).filter(|_| location.contains("://")) else {
        return Hop::Refuse(Refusal::Unusable { status });
    };
    let to = location.to_string();
    if BaseUrl::parse(&req.url).map(|from| from.origin()) != Some(target.origin()) {
        return Hop::Refuse(Refusal::CrossOrigin { status, to });
    }
    if hops >= MAX_REDIRECTS {
        return Hop::Refuse(Refusal::TooMany { status });
    }
    let mut next = req.clone();
    next.url = to;
    // 303 See Other asks for a GET of another resource (RFC 9110 §15.4.4); 301, 302, 307 and 308 keep
    // the method and body, as vLLM's trailing-slash 307 expects.
    if status == 303 && next.method != "GET" {
        next.method = "GET".into();
        next.body = None;
        next.headers.retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
    }
    Hop::Follow(next)
}

/// The error that ends a call whose request to `from` was redirected as `refusal` says; `base_url` is
/// the provider's, for the suggested fix.
pub fn refused(refusal: &Refusal, from: &str, base_url: &str) -> ProviderError {
    let origin = |url: &str| BaseUrl::parse(url).map_or_else(|| url.to_string(), |u| u.origin());
    let (status, message, hint) = match refusal {
        Refusal::CrossOrigin { status, to } => (
            Some(*status),
            format!(
                "{} answered {status}, a redirect to another origin ({}): it was not followed, so the key, the headers and the body were not sent there",
                origin(from),
                origin(to)
            ),
            format!("Set baseUrl to the final URL, {}, so requests go there directly.", suggest(from, to, base_url)),
        ),
        Refusal::Hidden => (
            None,
            format!("{} answered with a redirect (the browser hides where to: an opaque redirect) and it was not followed, so the key was not sent elsewhere", origin(from)),
            format!("Set baseUrl to the URL the server redirects to (`curl -i {from}` shows its Location header)."),
        ),
        Refusal::TooMany { status } => (
            Some(*status),
            format!("{from} redirected more than {MAX_REDIRECTS} times within {}", origin(from)),
            "Set baseUrl to the final URL the server redirects to; a loop of redirects is a proxy or server misconfiguration.".to_string(),
        ),
        Refusal::Unusable { status } => (
            Some(*status),
            format!("{from} answered {status} with a Location that is not an http(s) URL"),
            "Set baseUrl to vLLM's own OpenAI-compatible URL (http(s)://host:port/v1).".to_string(),
        ),
    };
    let mut e = ProviderError::new(ErrorCode::BadResponse, message, hint);
    e.status = status;
    e
}

/// The base URL to set after a redirect from `from` (a request under `base_url`) to `to`: `to` without
/// the endpoint the request named (`/models`, `/chat/completions`), or the base path on `to`'s origin.
fn suggest(from: &str, to: &str, base_url: &str) -> String {
    let (Some(from), Some(to), Some(base)) = (BaseUrl::parse(from), BaseUrl::parse(to), BaseUrl::parse(base_url)) else {
        return to.to_string();
    };
    match from.path.strip_prefix(base.path.as_str()).filter(|s| !s.is_empty()).and_then(|endpoint| to.path.strip_suffix(endpoint)) {
        Some(prefix) => format!("{}{prefix}", to.origin()),
        None => format!("{}{}", to.origin(), base.path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, url: &str) -> HttpRequest {
        HttpRequest {
            method: method.into(),
            url: url.into(),
            headers: vec![("Authorization".into(), "Bearer sk".into()), ("Content-Type".into(), "application/json".into())],
            body: (method == "POST").then(|| "{}".to_string()),
            timeout_ms: None,
            max_body_bytes: 1,
        }
    }

    #[test]
    fn same_origin_redirects_are_followed_with_the_same_headers_and_body() {
        let r = req("POST", "http://h:8000/v1/chat/completions/");
        for status in [301, 302, 307, 308] {
            match next_hop(&r, status, Some("http://h:8000/v1/chat/completions"), 0) {
                Hop::Follow(next) => {
                    assert_eq!(next.url, "http://h:8000/v1/chat/completions");
                    assert_eq!((next.method.as_str(), next.headers.clone(), next.body.clone()), ("POST", r.headers.clone(), r.body.clone()));
                }
                other => panic!("{status}: {other:?}"),
            }
        }
    }

    #[test]
    fn see_other_becomes_a_bodiless_get() {
        let Hop::Follow(next) = next_hop(&req("POST", "http://h/v1/chat/completions"), 303, Some("http://h/v1/x"), 0) else { panic!() };
        assert_eq!((next.method.as_str(), next.body, next.url.as_str()), ("GET", None, "http://h/v1/x"));
        assert_eq!(next.headers, vec![("Authorization".to_string(), "Bearer sk".to_string())]);
    }

    #[test]
    fn another_origin_is_refused_whatever_differs() {
        let r = req("GET", "http://h:8000/v1/models");
        for to in ["https://h:8000/v1/models", "http://h:8001/v1/models", "http://other:8000/v1/models", "https://h/v1/models", "http://evil.example/v1/models"] {
            assert!(matches!(next_hop(&r, 302, Some(to), 0), Hop::Refuse(Refusal::CrossOrigin { status: 302, .. })), "{to}");
        }
        // Default ports and host case are the same origin.
        let r = req("GET", "http://H/v1/models");
        assert!(matches!(next_hop(&r, 307, Some("http://h:80/v1/models/"), 0), Hop::Follow(_)));
    }

    #[test]
    fn not_a_redirect_or_no_location_is_the_answer_and_hops_are_bounded() {
        let r = req("GET", "http://h/v1/models");
        assert_eq!(next_hop(&r, 200, Some("http://h/x"), 0), Hop::Done);
        assert_eq!(next_hop(&r, 304, Some("http://h/x"), 0), Hop::Done);
        assert_eq!(next_hop(&r, 302, None, 0), Hop::Done);
        assert_eq!(next_hop(&r, 302, Some("http://h/x"), MAX_REDIRECTS), Hop::Refuse(Refusal::TooMany { status: 302 }));
        for unusable in ["ftp://h/x", "/x", "mailto:a@b"] {
            assert_eq!(next_hop(&r, 302, Some(unusable), 0), Hop::Refuse(Refusal::Unusable { status: 302 }), "{unusable}");
        }
    }

    #[test]
    fn the_refusal_names_both_origins_and_the_base_url_to_set() {
        let e = refused(&Refusal::CrossOrigin { status: 308, to: "https://gw.example/vllm/v1/models".into() }, "http://h:8000/v1/models", "http://h:8000/v1");
        assert_eq!((e.code, e.status, e.retryable), (ErrorCode::BadResponse, Some(308), false));
        assert!(e.message.contains("http://h:8000") && e.message.contains("https://gw.example"), "{}", e.message);
        assert_eq!(e.hint, "Set baseUrl to the final URL, https://gw.example/vllm/v1, so requests go there directly.");
        let e = refused(&Refusal::CrossOrigin { status: 302, to: "https://h/elsewhere".into() }, "http://h:8000/health", "http://h:8000/v1");
        assert!(e.hint.contains("https://h/v1"), "{}", e.hint);
        let e = refused(&Refusal::Hidden, "http://h:8000/v1/models", "http://h:8000/v1");
        assert!(e.message.contains("redirect") && e.status.is_none(), "{}", e.message);
    }
}
