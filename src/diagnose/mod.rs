//! `diagnose()`: OpenClaw's troubleshooting steps as checks a program or a person can act on.
//!
//! Sans-I/O: [`Diagnosis`] plans the next request ([`Diagnosis::next_request`]), the caller performs it
//! and hands back the response or the transport failure ([`Diagnosis::record`]), and
//! [`Diagnosis::report`] turns what was seen into checks. Tests feed it recorded responses.
//!
//! With several servers (`baseUrls`), one diagnosis runs per replica, each on
//! [`crate::config::Provider::replica`], and [`merge_replica_reports`] makes one report naming each.

pub mod closest;
mod checks;
mod replicas;
pub mod server;
pub mod url_lint;
#[cfg(test)]
mod tests;

pub use replicas::merge_replica_reports;

use crate::config::Provider;
use crate::http::{HttpRequest, HttpResponse, DISCOVERY_TIMEOUT_MS, MAX_ERROR_BODY_BYTES, MAX_JSON_BODY_BYTES};
use crate::transport::TransportFailure;
use crate::url::BaseUrl;
use serde::{Deserialize, Serialize};

/// What `diagnose()` is asked to look at.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DiagnoseOptions {
    /// The model to check (`vllm/<id>` or a bare id); default: the first declared model.
    pub model: Option<String>,
    /// Send a one-token chat request to the model.
    pub probe_chat: bool,
    /// Per-request timeout in milliseconds (default 5000; the chat probe uses the provider's timeout).
    pub timeout_ms: Option<u32>,
    /// The page's origin when running in a browser (set by the wasm layer, not by callers).
    #[serde(skip)]
    pub page_origin: Option<String>,
    /// The caller runs inside a container (`localhost` is then not the host).
    pub in_container: bool,
}

impl DiagnoseOptions {
    /// The options `diagnose()` was called with, in a page of `page_origin` (or none).
    pub fn of(o: crate::args::Options, page_origin: Option<String>) -> Self {
        DiagnoseOptions { model: o.model, probe_chat: o.probe_chat, timeout_ms: o.timeout_ms, page_origin, in_container: o.in_container }
    }
}

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckStatus {
    /// Fine.
    Pass,
    /// Works, but something is likely wrong.
    Warn,
    /// Broken; the hint says how to fix it.
    Fail,
    /// Not run; the detail says why.
    Skip,
}

impl CheckStatus {
    /// The name JSON and JS see.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Warn => "warn",
            CheckStatus::Fail => "fail",
            CheckStatus::Skip => "skip",
        }
    }
}

serialize_as_str!(CheckStatus);

/// One check of the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// Stable id: `config`, `base-url`, `reachable`, `health`, `auth`, `models`, `version`, `model`, `chat`, `cors`.
    pub id: &'static str,
    /// The outcome.
    pub status: CheckStatus,
    /// A short title.
    pub title: &'static str,
    /// What was seen.
    pub detail: String,
    /// What to do, for `warn` and `fail`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// How long the check's request took.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// With several servers (`baseUrls`): the base URL this check is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica: Option<String>,
}

/// What the server told about itself.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerInfo {
    /// `GET /version`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Served ids from `/v1/models`.
    pub models: Vec<String>,
    /// `max_model_len` per served id, where listed (a JSON object on the wire).
    #[serde(serialize_with = "pairs_as_object")]
    pub max_model_len: Vec<(String, u64)>,
}

/// Writes `[(k, v)]` as `{k: v}` without instantiating a map type for it.
fn pairs_as_object<S: serde::Serializer>(pairs: &[(String, u64)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

/// The whole diagnosis. Never holds a secret.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiagnosisReport {
    /// No check failed.
    pub ok: bool,
    /// The checks in the order they were made.
    pub checks: Vec<Check>,
    /// What the server said about itself, when it said anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerInfo>,
}

/// The requests a diagnosis may make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Probe {
    /// `GET /health` at the server root, without auth.
    Health,
    /// `GET /version` at the server root, without auth.
    Version,
    /// `GET {baseUrl}/models` with the provider's headers.
    Models,
    /// A one-token `POST {baseUrl}/chat/completions`.
    Chat,
}

/// What happened to a request: a response, or why there was none.
pub type Outcome = Result<HttpResponse, TransportFailure>;

/// A diagnosis in progress. See the module docs for the protocol.
pub struct Diagnosis<'a> {
    // Borrowed, or owned when the diagnosis is of a replica (`crate::steps::DiagnoseRun`).
    provider: std::borrow::Cow<'a, Provider>,
    opts: DiagnoseOptions,
    /// The base URL with known mistakes corrected: `/health` and `/version` live at its root.
    fixed: BaseUrl,
    /// Outcome and duration per [`Probe`], indexed by its discriminant (an array, not a map: wasm size).
    seen: [Option<(Outcome, u64)>; 4],
}

impl<'a> Diagnosis<'a> {
    /// Starts a diagnosis of `provider`.
    pub fn new(provider: &'a Provider, opts: DiagnoseOptions) -> Self {
        Diagnosis::of(std::borrow::Cow::Borrowed(provider), opts)
    }

    /// Starts a diagnosis of `provider`, which it keeps.
    pub fn owned(provider: Provider, opts: DiagnoseOptions) -> Diagnosis<'static> {
        Diagnosis::of(std::borrow::Cow::Owned(provider), opts)
    }

    fn of(provider: std::borrow::Cow<'a, Provider>, opts: DiagnoseOptions) -> Self {
        // The path is corrected (so `/health` is found even without `/v1`); the host is kept, so the
        // probes test the address actually configured.
        let mut fixed = url_lint::corrected(provider.base(), false);
        fixed.host = provider.base().host.clone();
        Diagnosis { provider, opts, fixed, seen: [None, None, None, None] }
    }

    /// The next request to perform, or `None` when the report is ready.
    pub fn next_request(&self) -> Option<(Probe, HttpRequest)> {
        let timeout = Some(self.opts.timeout_ms.unwrap_or(DISCOVERY_TIMEOUT_MS));
        let plain = |suffix: &str| HttpRequest {
            method: "GET".into(),
            url: self.fixed.server_endpoint(suffix),
            headers: Vec::new(),
            body: None,
            timeout_ms: timeout,
            max_body_bytes: MAX_ERROR_BODY_BYTES,
        };
        if !self.has(Probe::Health) {
            return Some((Probe::Health, plain("/health")));
        }
        if !self.reached() {
            return None;
        }
        if !self.has(Probe::Version) {
            return Some((Probe::Version, plain("/version")));
        }
        if !self.has(Probe::Models) {
            return Some((Probe::Models, self.provider.discovery_request(timeout)));
        }
        if self.opts.probe_chat && !self.has(Probe::Chat) {
            let model = checks::served_model(self)?;
            return Some((Probe::Chat, self.chat_request(&model)));
        }
        None
    }

    /// Hands back the outcome of the request [`Diagnosis::next_request`] planned.
    pub fn record(&mut self, probe: Probe, outcome: Outcome, duration_ms: u64) {
        self.seen[probe as usize] = Some((outcome, duration_ms));
    }

    /// The report of everything seen so far, scrubbed of the provider's secrets.
    pub fn report(&self) -> DiagnosisReport {
        checks::report(self)
    }

    fn has(&self, p: Probe) -> bool {
        self.seen[p as usize].is_some()
    }

    fn outcome(&self, p: Probe) -> Option<&(Outcome, u64)> {
        self.seen[p as usize].as_ref()
    }

    /// Whether something answered `/health` (in a browser: or a `no-cors` probe showed a server there).
    fn reached(&self) -> bool {
        match self.outcome(Probe::Health) {
            Some((Ok(_), _)) => true,
            Some((Err(f), _)) => f.probe_reachable == Some(true),
            None => false,
        }
    }

    fn chat_request(&self, model: &str) -> HttpRequest {
        let mut headers = self.provider.request_headers();
        headers.push(("Content-Type".into(), "application/json".into()));
        // Built by hand: `json!` turns each interpolated value into a Value through serde_json's
        // value serializer (`to_value`), compiled only for this.
        let mut message = serde_json::Map::new();
        message.insert("role".into(), "user".into());
        message.insert("content".into(), "hi".into());
        let mut body = serde_json::Map::new();
        body.insert("model".into(), model.into());
        body.insert("messages".into(), serde_json::Value::Array(vec![message.into()]));
        body.insert("max_tokens".into(), 1.into());
        let body = serde_json::Value::Object(body);
        let provider_timeout = self.provider.describe().timeout_ms.map(|t| t.min(u64::from(u32::MAX)) as u32);
        HttpRequest {
            method: "POST".into(),
            url: self.provider.base().endpoint("/chat/completions"),
            headers,
            body: Some(crate::json::to_string(&body)),
            timeout_ms: Some(self.opts.timeout_ms.or(provider_timeout).unwrap_or(30_000)),
            max_body_bytes: MAX_JSON_BODY_BYTES,
        }
    }
}
