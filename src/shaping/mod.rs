//! Request shaping: the exact chat request OpenClaw's managed `openai-completions` transport sends
//! to vLLM (a proxy-style endpoint), and notes explaining each way it differs from a native-OpenAI
//! request.
//!
//! [`build`] produces both the public [`PreparedRequest`] (key redacted) and the [`HttpRequest`] to
//! send, from one body, so what `buildChatRequest` shows is byte for byte what `chat()` sends.

mod body;
mod budget;
mod messages;
mod model;
mod notes;
mod params;
mod request;
mod surrogates;
mod thinking;
mod tools;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_cap;
#[cfg(test)]
mod tests_errata;
#[cfg(test)]
mod tests_messages;
#[cfg(test)]
mod tests_params;
#[cfg(test)]
mod tests_thinking;
#[cfg(test)]
mod tests_tools;

pub use body::Body;
pub use budget::estimate_tokens;
pub use messages::normalize_tool_call_id;
pub use crate::models::thinking::{attach_thinking, thinking_profile, Level, ThinkingProfile};
pub use model::{fallback_row, resolve_model, resolve_model_in};
pub use notes::{Action, Note, Notes};
pub use request::{ChatRequest, Content, ContentPart, Message, Tool, ToolCall, ToolChoice};
pub use surrogates::strip_lone_surrogates;

use crate::config::Provider;
use crate::error::ProviderError;
use crate::http::{header_value, HttpRequest, MAX_JSON_BODY_BYTES};
use crate::models::ModelDefinition;
use crate::str_map::StrMap;
use model::compat_bool;
use serde::Serialize;
use serde_json::{Map, Value};

/// What `buildChatRequest` returns (`PreparedRequest` in the contract).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PreparedRequest {
    /// Always `POST`.
    pub method: &'static str,
    /// `{baseUrl}/chat/completions`, with the base URL's query (a key in it shown as `[redacted]`).
    pub url: String,
    /// Headers as sent, `Authorization` shown as `Bearer [redacted]` (or `Basic [redacted]`), other
    /// secret-named headers as `[redacted]`.
    pub headers: StrMap,
    /// The exact JSON body.
    pub body: Body,
    /// Why the body differs from a native-OpenAI request.
    pub notes: Vec<Note>,
}

/// One build: the public view and the request to send.
#[derive(Clone, Debug)]
pub struct Shaped {
    /// What callers see.
    pub prepared: PreparedRequest,
    /// What `chat()`/`stream()` send (real headers, the body as JSON text).
    pub http: HttpRequest,
    /// The model row used.
    pub model: ModelDefinition,
}

/// Reads a `ChatRequest` from JSON text (lone surrogates removed first, as OpenClaw sanitises them).
pub fn parse_request(json: &str) -> Result<ChatRequest, ProviderError> {
    let clean = strip_lone_surrogates(json);
    let value: Value = crate::json::parse_str(&clean)
        .map_err(|e| ProviderError::config_at("request", format!("Invalid chat request: {e}"), "Pass the request as a JSON object."))?;
    request::from_value(value)
}

/// Builds the request for `request` against `provider` (managed mode, §5.3–§5.8), among
/// [`Provider::model_rows`]: the merged catalog once `listModels()` has merged the server's rows.
pub fn build(provider: &Provider, request: &ChatRequest) -> Result<Shaped, ProviderError> {
    build_owned(provider, request.clone())
}

/// [`build`] for a request read for this alone (its texts move into the body instead of being copied).
pub fn build_owned(provider: &Provider, request: ChatRequest) -> Result<Shaped, ProviderError> {
    provider.with_model_rows(|rows| shape(provider, rows, request))
}

/// Builds against `rows` (declared and discovered, e.g. a `listModels()` catalog) instead of the
/// declared rows only, so a discovered model gets its server-reported window and cap.
pub fn build_among(provider: &Provider, rows: &[ModelDefinition], request: &ChatRequest) -> Result<Shaped, ProviderError> {
    shape(provider, rows, request.clone())
}

/// Builds from a request that is read for this alone: its texts move into the body.
fn shape(provider: &Provider, rows: &[ModelDefinition], request: ChatRequest) -> Result<Shaped, ProviderError> {
    let mut notes = Notes::default();
    let model = model::resolve_model_in(provider, rows, &request.model, &mut notes)?;
    let merged = params::merge(&model, provider.agent_params(&model.id), request.params.as_ref(), &mut notes);
    let params = &merged.map;
    let level = thinking::resolve_level(&model, request.thinking.as_deref(), &mut notes)?;

    // Built in OpenClaw's order, which is also the order of the notes.
    let messages = messages::convert(&model, request.messages, &mut notes);
    let cache = prompt_cache(&model, params, &mut notes);
    let mut body = Body {
        model: model.id.clone(),
        messages,
        prompt_cache_retention: cache.retention,
        include_usage: compat_bool(&model, "supportsUsageInStreaming", true),
        prompt_cache_key: cache.key,
        ..Body::default()
    };
    if !body.include_usage {
        notes.push("stream_options", Action::Dropped, "stream_options.include_usage is not sent because the model row sets compat.supportsUsageInStreaming to false, so no usage arrives.");
    }
    let rf = params::response_format(&model, params, &mut notes);
    params::sampling(params, &mut body, &mut notes, rf);
    let t = tools::tool_fields(&model, request.tools, request.tool_choice.as_ref(), &mut notes)?;
    body.tools = t.tools;
    body.tool_choice = t.tool_choice;
    budget::apply(&model, &merged, &mut body, &mut notes)?;
    thinking::apply(&model, &level, &mut body, &mut notes);
    params::late_patches(params, &mut body, &mut notes);
    if !notes.has("store") {
        notes.push("store", Action::Dropped, "store is not sent: OpenClaw only sends it to OpenAI's own endpoints, and vLLM does not keep responses.");
    }
    thinking::priority(params, request.priority.as_deref(), &mut body, &mut notes)?;

    let url = provider.base().endpoint("/chat/completions");
    let mut headers = vec![("Content-Type".to_string(), "application/json".to_string()), ("Accept".to_string(), "application/json".to_string())];
    // Request-time key order (§4.2) and this model's own headers.
    for (k, v) in provider.chat_headers(Some(&model.id)) {
        if !k.eq_ignore_ascii_case("content-type") && !k.eq_ignore_ascii_case("accept") {
            headers.push((k, v));
        }
    }
    header_notes(&headers, &mut notes);
    let text = body::to_json(&body);
    let http = HttpRequest {
        method: "POST".to_string(),
        url: url.clone(),
        headers: headers.clone(),
        body: Some(text),
        timeout_ms: provider.describe().timeout_ms.map(|t| t.min(u32::MAX as u64) as u32),
        max_body_bytes: MAX_JSON_BODY_BYTES,
    };
    let mut shown = StrMap::new();
    for (k, v) in headers {
        let v = crate::redact::shown_header(&k, &v, provider.secrets());
        shown.insert(crate::redact::redact(&k, provider.secrets()), v);
    }
    // The URL as sent (its query may hold a key), shown redacted.
    let url = crate::redact::redact(&url, provider.secrets());
    let prepared = PreparedRequest { method: "POST", url, headers: shown, body, notes: notes.0 };
    Ok(Shaped { prepared, http, model })
}

impl Shaped {
    /// `prepared` as compact JSON text, what serializing it writes, with the body spliced in from the
    /// text sent instead of written again (the wasm layer hands this to `JSON.parse`). An integer a JS
    /// number cannot hold exactly, which `JSON.parse` would round, is refused as the typed conversion
    /// to JS (`to_js`) refuses it.
    pub fn prepared_json(&self) -> Result<String, ProviderError> {
        let p = &self.prepared;
        if let Some(n) = p.body.first_integer_beyond_js() {
            return Err(crate::args::arg_error("", format!("cannot convert the result to JS: {n} can't be represented as a JavaScript number")));
        }
        let body = self.http.body.as_deref().unwrap_or("null");
        let (url, headers, notes) = (crate::json::to_string(&p.url), crate::json::to_string(&p.headers), crate::json::to_string(&p.notes));
        Ok([r#"{"method":"#, &crate::json::to_string(p.method), r#","url":"#, &url, r#","headers":"#, &headers, r#","body":"#, body, r#","notes":"#, &notes, "}"].concat())
    }
}

/// Parses and builds in one go (the wasm layer's entry point).
pub fn build_from_json(provider: &Provider, json: &str) -> Result<Shaped, ProviderError> {
    build_owned(provider, parse_request(json)?).map_err(|e| e.redact(provider.secrets()))
}

/// The thinking profile of a model reference (declared row, or the configured-fallback row).
pub fn profile_for(provider: &Provider, reference: &str) -> Result<ThinkingProfile, ProviderError> {
    Ok(thinking_profile(&resolve_model(provider, reference, &mut Notes::default())?))
}

/// The first `n` characters of `text`.
pub(crate) fn first_chars(text: &str, n: usize) -> String {
    let end = text.char_indices().nth(n).map_or(text.len(), |(i, _)| i);
    text[..end].to_string()
}

fn header_notes(headers: &[(String, String)], notes: &mut Notes) {
    if header_value(headers, "authorization").is_none() {
        notes.push("headers.Authorization", Action::Dropped, "No Authorization header is sent because the provider has no real key (none, a marker such as an env-var name, or the synthetic custom-local key).");
    }
    notes.push(
        "headers",
        Action::Dropped,
        "Only Content-Type, Accept, Authorization, configured headers and, when sent, an X-Request-Id (to find the request in vLLM's logs) go out: no OpenAI SDK User-Agent or X-Stainless-* headers, no OpenAI-Organization or OpenAI-Project, and no OpenClaw attribution, so a browser's CORS preflight only has to allow Content-Type, Authorization and X-Request-Id (vLLM allows every header by default).",
    );
}

struct PromptCache {
    retention: Option<&'static str>,
    key: Option<String>,
}

/// Prompt-cache fields (§5.3 items 4 and 7): only with `compat.supportsPromptCacheKey`.
fn prompt_cache(model: &ModelDefinition, params: &Map<String, Value>, notes: &mut Notes) -> PromptCache {
    let none = PromptCache { retention: None, key: None };
    let retention = match params.get("cacheRetention") {
        None => "short",
        Some(Value::String(s)) if matches!(s.as_str(), "none" | "short" | "long") => s.as_str(),
        Some(_) => {
            notes.push("prompt_cache_retention", Action::Dropped, "The cacheRetention param was ignored because it is not \"none\", \"short\" or \"long\".");
            "short"
        }
    };
    let key = params.get("promptCacheKey").and_then(Value::as_str).map(|k| first_chars(k, 64));
    if !compat_bool(model, "supportsPromptCacheKey", false) {
        if key.is_some() || retention == "long" {
            notes.push("prompt_cache_key", Action::Dropped, "Prompt-cache fields are not sent because vLLM is not a native OpenAI endpoint; set compat.supportsPromptCacheKey on the model row to send them.");
        }
        return none;
    }
    if retention == "none" {
        return none;
    }
    let long = retention == "long" && compat_bool(model, "supportsLongCacheRetention", true);
    PromptCache { retention: long.then_some("24h"), key }
}
