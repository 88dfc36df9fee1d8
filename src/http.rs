//! The sans-I/O seam: requests the core wants sent, and responses handed back to it.
//!
//! The wasm layer performs an [`HttpRequest`] with `fetch` and returns an [`HttpResponse`] or a
//! [`crate::transport::TransportFailure`]; everything before and after is pure.

use serde::{Deserialize, Serialize};

/// The largest `/v1/models` body read (16 MiB, as OpenClaw caps it).
pub const MAX_JSON_BODY_BYTES: usize = 16 * 1024 * 1024;
/// How much of an error body is read (64 KiB, as OpenClaw caps it).
pub const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;
/// Discovery's timeout (OpenClaw: 5000 ms).
pub const DISCOVERY_TIMEOUT_MS: u32 = 5_000;

/// A request to perform.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRequest {
    /// `GET` or `POST`.
    pub method: String,
    /// Absolute URL.
    pub url: String,
    /// Header names as they are sent.
    pub headers: Vec<(String, String)>,
    /// JSON body text, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub body: Option<String>,
    /// Whole-request timeout; `None` leaves it to the caller.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub timeout_ms: Option<u32>,
    /// Stop reading a successful body after this many bytes (and report it truncated).
    pub max_body_bytes: usize,
}

/// A response as read from the network.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpResponse {
    /// HTTP status.
    pub status: u16,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body bytes that were read.
    pub body: Vec<u8>,
    /// True when reading stopped at the byte cap before the end of the body.
    pub truncated: bool,
    /// How long the request took, for reports.
    pub duration_ms: u32,
}

/// The `init` of `fetch(url, init)`: what a caller's fetch is given (with the call's `signal` added),
/// and what gloo-net's `RequestBuilder` is told for the platform's fetch, so both send the same.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FetchInit<'a> {
    /// `GET` or `POST`.
    pub method: &'a str,
    /// Header names as they are sent.
    #[serde(serialize_with = "header_record")]
    pub headers: &'a [(String, String)],
    /// JSON body text, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<&'a str>,
    /// `manual` for every request (see [`crate::redirect`]); `follow` for a browser probe, which sends
    /// nothing secret and whose `no-cors` mode requires it.
    pub redirect: &'static str,
    /// A browser probe's mode (`no-cors` or `cors`); the runtime's default otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<&'static str>,
}

fn header_record<S: serde::Serializer>(headers: &&[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(headers.iter().map(|(k, v)| (k, v)))
}

impl HttpRequest {
    /// What to send for this request: redirects are seen, never followed by the runtime.
    pub fn fetch_init(&self) -> FetchInit<'_> {
        FetchInit { method: &self.method, headers: &self.headers, body: self.body.as_deref(), redirect: "manual", mode: None }
    }
}

/// How long a browser probe may take before it counts as unanswered.
pub const PROBE_TIMEOUT_MS: u32 = 3_000;

/// A browser probe: a bodiless GET without headers in the given mode (`no-cors` or `cors`).
pub fn probe_init(mode: &'static str) -> FetchInit<'static> {
    FetchInit { method: "GET", headers: &[], body: None, redirect: "follow", mode: Some(mode) }
}

impl HttpResponse {
    /// The value of a header (names compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }

    /// The body as text, invalid UTF-8 replaced.
    pub fn text(&self) -> String {
        crate::json::utf8_lossy(&self.body).into_owned()
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Finds a header by case-insensitive name.
pub fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The longest timeout `setTimeout` honours (2^31 − 1 ms); a longer one would fire at once.
pub const MAX_TIMEOUT_MS: f64 = 2_147_483_647.0;

/// A caller's `timeoutMs`: a number of milliseconds from 1 to [`MAX_TIMEOUT_MS`].
pub fn timeout_from_number(ms: Option<f64>) -> Result<u32, crate::error::ProviderError> {
    match ms {
        Some(ms) if (1.0..=MAX_TIMEOUT_MS).contains(&ms) => Ok(ms as u32),
        _ => Err(crate::error::ProviderError::config_at(
            "timeoutMs",
            "timeoutMs must be a number of milliseconds between 1 and 2147483647",
            "Check the argument against the package's TypeScript types.",
        )),
    }
}

/// A caller's HTTP status for `classifyError`: `None` (no status), or a whole number from 100 to 599.
pub fn status_from_number(status: Option<f64>) -> Result<Option<u16>, crate::error::ProviderError> {
    match status {
        None => Ok(None),
        Some(s) if s.fract() == 0.0 && (100.0..=599.0).contains(&s) => Ok(Some(s as u16)),
        Some(_) => Err(crate::error::ProviderError::config_at(
            "status",
            "status must be an HTTP status (100-599) or null",
            "Check the argument against the package's TypeScript types.",
        )),
    }
}

/// Headers given as a JSON object of strings (other values are ignored, as `Headers` would drop them).
pub fn headers_from_json(text: &str) -> Result<Vec<(String, String)>, crate::error::ProviderError> {
    // A `Value` matched here, not a `Map` deserialized: see `crate::json` for why.
    let Ok(serde_json::Value::Object(map)) = crate::json::parse(text.as_bytes()) else {
        return Err(crate::error::ProviderError::config_at("headers", "headers must be an object of strings", "Pass headers like { \"retry-after\": \"7\" }."));
    };
    Ok(map.into_iter().filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string()))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_from_json_keeps_strings_and_refuses_non_objects() {
        assert_eq!(headers_from_json(r#"{"a":"1","b":2}"#).unwrap(), vec![("a".to_string(), "1".to_string())]);
        assert!(headers_from_json("[1]").is_err());
    }

    #[test]
    fn timeouts_must_fit_set_timeout() {
        assert_eq!(timeout_from_number(Some(1.0)).unwrap(), 1);
        assert_eq!(timeout_from_number(Some(MAX_TIMEOUT_MS)).unwrap(), 2_147_483_647);
        for bad in [None, Some(0.0), Some(-5.0), Some(MAX_TIMEOUT_MS + 1.0), Some(f64::NAN)] {
            assert_eq!(timeout_from_number(bad).unwrap_err().path.as_deref(), Some("timeoutMs"), "{bad:?}");
        }
    }

    #[test]
    fn statuses_are_whole_numbers_from_100_to_599() {
        assert_eq!(status_from_number(None).unwrap(), None);
        assert_eq!(status_from_number(Some(404.0)).unwrap(), Some(404));
        for bad in [99.0, 600.0, 404.5, f64::INFINITY] {
            assert!(status_from_number(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_fetch_init_carries_the_request_with_manual_redirects_and_headers_as_a_record() {
        let req = HttpRequest {
            method: "POST".into(),
            url: "http://h/v1/chat/completions".into(),
            headers: vec![("Authorization".into(), "Bearer k".into()), ("X-Request-Id".into(), "1".into())],
            body: Some("{}".into()),
            timeout_ms: Some(5),
            max_body_bytes: 9,
        };
        let init = serde_json::to_value(req.fetch_init()).unwrap();
        assert_eq!(init, serde_json::json!({ "method": "POST", "headers": { "Authorization": "Bearer k", "X-Request-Id": "1" }, "body": "{}", "redirect": "manual" }));
        let probe = serde_json::to_value(probe_init("no-cors")).unwrap();
        assert_eq!(probe, serde_json::json!({ "method": "GET", "headers": {}, "redirect": "follow", "mode": "no-cors" }));
    }

    #[test]
    fn header_lookup_ignores_case() {
        let r = HttpResponse { headers: vec![("content-type".into(), "text/html".into())], ..Default::default() };
        assert_eq!(r.header("Content-Type"), Some("text/html"));
        assert_eq!(r.header("x"), None);
    }
}
