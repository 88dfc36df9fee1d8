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

impl HttpResponse {
    /// The value of a header (names compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }

    /// The body as text, invalid UTF-8 replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
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
    fn header_lookup_ignores_case() {
        let r = HttpResponse { headers: vec![("content-type".into(), "text/html".into())], ..Default::default() };
        assert_eq!(r.header("Content-Type"), Some("text/html"));
        assert_eq!(r.header("x"), None);
    }
}
