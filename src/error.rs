//! The one error type every operation returns, and its stable codes.
//!
//! The wasm layer turns a [`ProviderError`] into a JS `Error` named `VllmProviderError` with the same
//! fields; `classifyError` returns it as a plain object. Codes are the contract's spelling
//! (`snake_case`), so Rust, JSON and JS agree.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What went wrong, as a stable machine-readable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The config (or another argument) is invalid; `path` or the position says where.
    Config,
    /// The provider is not registered: no key and no explicit `models.providers.vllm` entry.
    Unregistered,
    /// Nothing answered: connection refused, DNS failure, TLS failure or a blocked port.
    Unreachable,
    /// The request took longer than allowed, or the server said it timed out.
    Timeout,
    /// The caller aborted the request.
    Aborted,
    /// A browser refused to show the response of another origin (CORS or mixed content).
    Cors,
    /// The server rejected the key (401/403).
    Auth,
    /// The server does not serve the requested model.
    ModelNotFound,
    /// The prompt and output budget do not fit the model's context window.
    ContextOverflow,
    /// The server was not started with the tool-calling flags the request needs.
    ToolChoiceUnsupported,
    /// The server rejected the request as invalid (other 400/422 answers).
    BadRequest,
    /// Too many requests (429).
    RateLimit,
    /// The server failed (5xx).
    ServerError,
    /// The server is too busy to accept the request (503 queue full, 529).
    Overloaded,
    /// The answer is not what a vLLM server sends (HTML, wrong route, malformed JSON, too large).
    BadResponse,
    /// The server reported an error in the middle of a stream.
    StreamError,
    /// The model produced a tool call whose name or arguments are incomplete.
    MalformedToolCall,
}

impl ErrorCode {
    /// The code as it appears on the wire and in JS (`"model_not_found"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Config => "config",
            ErrorCode::Unregistered => "unregistered",
            ErrorCode::Unreachable => "unreachable",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Aborted => "aborted",
            ErrorCode::Cors => "cors",
            ErrorCode::Auth => "auth",
            ErrorCode::ModelNotFound => "model_not_found",
            ErrorCode::ContextOverflow => "context_overflow",
            ErrorCode::ToolChoiceUnsupported => "tool_choice_unsupported",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::RateLimit => "rate_limit",
            ErrorCode::ServerError => "server_error",
            ErrorCode::Overloaded => "overloaded",
            ErrorCode::BadResponse => "bad_response",
            ErrorCode::StreamError => "stream_error",
            ErrorCode::MalformedToolCall => "malformed_tool_call",
        }
    }

    /// Whether trying the same request again later can succeed.
    pub fn default_retryable(self) -> bool {
        matches!(
            self,
            ErrorCode::Unreachable
                | ErrorCode::Timeout
                | ErrorCode::RateLimit
                | ErrorCode::ServerError
                | ErrorCode::Overloaded
                | ErrorCode::StreamError
        )
    }
}

serialize_as_str!(ErrorCode);

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failure with everything a caller needs to act on it. Never holds a secret.
///
/// The fields live behind one `Box` (reached through `Deref`), so a `Result<T, ProviderError>` stays
/// pointer-sized: every fallible function would otherwise move 160 bytes around, which costs the wasm
/// several KiB of copying code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProviderError(Box<ErrorFields>);

/// The fields of a [`ProviderError`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorFields {
    /// The stable code.
    pub code: ErrorCode,
    /// What happened, keeping the server's own words (`"404 The model `x` does not exist."`).
    pub message: String,
    /// What to do about it, in one or two sentences.
    pub hint: String,
    /// Whether the same request may succeed later.
    pub retryable: bool,
    /// The HTTP status, where there was one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status: Option<u16>,
    /// The `X-Request-Id` of the request, where there was one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub request_id: Option<String>,
    /// The server's body, cut to 500 characters, secrets removed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub body: Option<String>,
    /// For `config`: where in the config, e.g. `models.providers.vllm.models[0].contextWindow`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub path: Option<String>,
    /// For JSON5 parse errors: 1-based line.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<u32>,
    /// For JSON5 parse errors: 1-based column.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub column: Option<u32>,
    /// Milliseconds the server asked to wait (`Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub retry_after_ms: Option<u64>,
    /// Every try of a call that was tried more than once (retries, other replicas), in order.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub attempts: Vec<Attempt>,
}

/// One try of a call: which server, and what came of it. Never holds a secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    /// The base URL tried, as `describe()` shows it.
    pub base_url: String,
    /// The HTTP status, when the server answered.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status: Option<u16>,
    /// Why nothing answered (`connection refused`), when no status arrived.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub failure: Option<String>,
}

impl ProviderError {
    /// A new error with the code's default `retryable` and no extras.
    #[inline]
    pub fn new(code: ErrorCode, message: impl Into<String>, hint: impl Into<String>) -> Self {
        // The generic part only converts; one non-generic body is compiled for every call pattern.
        Self::build(code, message.into(), hint.into())
    }

    #[inline(never)]
    fn build(code: ErrorCode, message: String, hint: String) -> Self {
        ProviderError(Box::new(ErrorFields {
            code,
            message,
            hint,
            retryable: code.default_retryable(),
            status: None,
            request_id: None,
            body: None,
            path: None,
            line: None,
            column: None,
            retry_after_ms: None,
            attempts: Vec::new(),
        }))
    }

    /// A `config` error at a dotted path.
    #[inline]
    pub fn config_at(path: &str, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self::config_at_path(path, message.into(), hint.into())
    }

    #[inline(never)]
    fn config_at_path(path: &str, message: String, hint: String) -> Self {
        let mut e = ProviderError::build(ErrorCode::Config, message, hint);
        if !path.is_empty() {
            e.path = Some(path.to_string());
        }
        e
    }

    /// The same error with an HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Removes every occurrence of the given secrets from the texts this error carries.
    pub fn redact(self, secrets: &[String]) -> Self {
        self.map_texts(&|t| crate::redact::redact(t, secrets))
    }

    /// The same error with `f` applied to its message, hint and body.
    pub fn map_texts(mut self, f: &dyn Fn(&str) -> String) -> Self {
        self.message = f(&self.message);
        self.hint = f(&self.hint);
        self.body = self.body.take().map(|b| f(&b));
        self
    }
}

impl std::ops::Deref for ProviderError {
    type Target = ErrorFields;
    fn deref(&self) -> &ErrorFields {
        &self.0
    }
}

impl std::ops::DerefMut for ProviderError {
    fn deref_mut(&mut self) -> &mut ErrorFields {
        &mut self.0
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ProviderError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_the_contract_spells_them() {
        for (code, text) in [
            (ErrorCode::ModelNotFound, "model_not_found"),
            (ErrorCode::ToolChoiceUnsupported, "tool_choice_unsupported"),
            (ErrorCode::Cors, "cors"),
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(text));
            assert_eq!(code.as_str(), text);
        }
    }

    #[test]
    fn error_serializes_camel_case_without_empty_extras() {
        let mut e = ProviderError::new(ErrorCode::Auth, "401 Unauthorized", "Set the key.");
        e.status = Some(401);
        e.request_id = Some("r1".into());
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["requestId"], "r1");
        assert_eq!(v["retryable"], false);
        assert!(v.get("path").is_none());
    }

    #[test]
    fn redact_removes_secrets_from_every_text() {
        let mut e = ProviderError::new(ErrorCode::Auth, "bad key sk-123", "key sk-123 rejected");
        e.body = Some("{\"k\":\"sk-123\"}".into());
        let e = e.redact(&["sk-123".to_string()]);
        assert!(!format!("{e:?}").contains("sk-123"));
    }

    #[test]
    fn every_code_has_its_spelling_and_retry_default() {
        use ErrorCode::*;
        let all = [
            (Config, false), (Unregistered, false), (Unreachable, true), (Timeout, true), (Aborted, false), (Cors, false),
            (Auth, false), (ModelNotFound, false), (ContextOverflow, false), (ToolChoiceUnsupported, false),
            (BadRequest, false), (RateLimit, true), (ServerError, true), (Overloaded, true), (BadResponse, false),
            (StreamError, true), (MalformedToolCall, false),
        ];
        let mut seen = std::collections::BTreeSet::new();
        for (code, retryable) in all {
            assert_eq!(code.default_retryable(), retryable, "{code}");
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(code.as_str()));
            assert!(seen.insert(code.as_str()), "{code} spelled twice");
        }
        assert_eq!(seen.len(), 17, "the contract lists 17 codes");
    }
}
