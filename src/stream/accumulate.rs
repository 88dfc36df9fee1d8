//! Parsed chunks folded into events and one [`ChatResult`] (§6.2–§6.5).

use super::think_tags::TagFilter;
use super::tools::{ToolCalls, MAX_TOOL_ARGS};
use super::usage::{parse_usage, Usage};
use super::{ChatMessage, ChatResult, SseEvent, StopReason, StreamEvent, StreamOptions};
use crate::classify::{classify_http, ClassifyContext};
use crate::error::{ErrorCode, ProviderError};
use serde_json::Value;

/// The reasoning fields vLLM has sent, in the order OpenClaw reads them.
const REASONING_FIELDS: [&str; 3] = ["reasoning_content", "reasoning", "reasoning_text"];

/// Folds chunks into events and the final result.
#[derive(Debug)]
pub struct Accumulator {
    opts: StreamOptions,
    started: bool,
    id: String,
    model: String,
    text: String,
    reasoning: String,
    reasoning_field: Option<&'static str>,
    tags: TagFilter,
    tools: ToolCalls,
    finish_reason: Option<String>,
    done: bool,
    usage: Option<Usage>,
    /// Visible bytes since the first tool call (OpenClaw buffers them, with a cap).
    after_tools: usize,
}

impl Accumulator {
    /// An accumulator for one reply.
    pub fn new(opts: StreamOptions) -> Self {
        let model = opts.model.clone();
        Accumulator {
            opts,
            started: false,
            id: String::new(),
            model,
            text: String::new(),
            reasoning: String::new(),
            reasoning_field: None,
            tags: TagFilter::default(),
            tools: ToolCalls::default(),
            finish_reason: None,
            done: false,
            usage: None,
            after_tools: 0,
        }
    }

    /// Whether `[DONE]` was seen; the reader may stop, later events are ignored.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Handles one decoded SSE event.
    pub fn event(&mut self, ev: SseEvent) -> Result<Vec<StreamEvent>, ProviderError> {
        let mut out = Vec::new();
        self.event_into(ev, &mut out)?;
        Ok(out)
    }

    /// Like [`Accumulator::event`], appending to `out` (one buffer for a whole read).
    pub fn event_into(&mut self, ev: SseEvent, out: &mut Vec<StreamEvent>) -> Result<(), ProviderError> {
        if self.done {
            return Ok(());
        }
        match ev {
            // `[DONE]` before any chunk still opens the reply: events always run `start` … `done`.
            SseEvent::Done => self.chunk(&Value::Object(Default::default()), out).map(|()| self.done = true)?,
            SseEvent::Error(data) => return Err(self.in_band_error(&data)),
            SseEvent::Data(data) => {
                let v = crate::json::parse(data.as_bytes()).map_err(|_| self.malformed_json())?;
                if v.get("error").is_some_and(truthy) {
                    return Err(self.in_band_error(&data));
                }
                self.chunk(&v, out)?;
            }
        }
        Ok(())
    }

    /// Handles one parsed chunk (or a whole non-streaming reply, read through `choices[0].message`).
    pub fn chunk(&mut self, v: &Value, out: &mut Vec<StreamEvent>) -> Result<(), ProviderError> {
        let Some(obj) = v.as_object() else { return Ok(()) };
        let text_of = |k: &str| obj.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
        // The server's id and model name are scrubbed like its other words: a proxy may echo a key.
        if self.id.is_empty() {
            self.id = crate::redact::redact(text_of("id").unwrap_or(""), &self.opts.secrets);
        }
        if !self.started {
            self.started = true;
            self.model = crate::redact::redact(text_of("model").unwrap_or(&self.opts.model), &self.opts.secrets);
            out.push(StreamEvent::Start { id: self.id.clone(), model: self.model.clone() });
        }
        let first = out.len();
        let choice = obj.get("choices").and_then(|c| c.get(0)).and_then(Value::as_object);
        if let Some(choice) = choice {
            if let Some(r) = choice.get("finish_reason").and_then(Value::as_str) {
                self.finish_reason = Some(r.to_string());
            }
            if let Some(delta) = choice.get("delta").or_else(|| choice.get("message")).and_then(Value::as_object) {
                self.delta(delta, out)?;
            }
        }
        let usage = obj.get("usage").or_else(|| choice.and_then(|c| c.get("usage"))).and_then(parse_usage);
        if let Some(usage) = usage {
            // A usage-only chunk that counts reasoning is a sign of life while the model thinks.
            let thinking = usage.reasoning_tokens.unwrap_or(0) > 0;
            if thinking && out.len() == first && self.opts.emit_reasoning && self.text.is_empty() && !self.tools.any() {
                out.push(StreamEvent::Reasoning { delta: String::new(), field: self.reasoning_field.unwrap_or("reasoning") });
            }
            self.usage = Some(usage.clone());
            out.push(StreamEvent::Usage { usage });
        }
        Ok(())
    }

    fn delta(&mut self, d: &serde_json::Map<String, Value>, out: &mut Vec<StreamEvent>) -> Result<(), ProviderError> {
        let found = REASONING_FIELDS.iter().find_map(|f| d.get(*f).and_then(Value::as_str).filter(|s| !s.is_empty()).map(|s| (*f, s)));
        if let Some((field, s)) = found {
            // Some reasoning parsers (qwen3 in vLLM 0.33) leave `</think>` and the answer inside one
            // reasoning delta when they arrive in one engine step: the answer is content.
            match s.split_once("</think>") {
                Some((thought, answer)) => {
                    self.reason(field, thought, out);
                    self.show(answer, out)?;
                }
                None => self.reason(field, s, out),
            }
        }
        match d.get("content") {
            Some(Value::String(s)) => self.show(s, out)?,
            Some(Value::Array(parts)) => {
                for p in parts {
                    self.part(p, out)?;
                }
            }
            _ => {}
        }
        if let Some(r) = d.get("refusal").and_then(Value::as_str).filter(|s| !s.is_empty()) {
            if !self.text.contains(r) {
                self.show(r, out)?;
            }
        }
        if let Some(Value::Array(calls)) = d.get("tool_calls") {
            self.tools.apply(calls, out)?;
        }
        Ok(())
    }

    fn part(&mut self, p: &Value, out: &mut Vec<StreamEvent>) -> Result<(), ProviderError> {
        let Some(o) = p.as_object() else {
            return match p.as_str() {
                Some(s) => self.show(s, out),
                None => Ok(()),
            };
        };
        let kind = o.get("type").and_then(Value::as_str).unwrap_or("text");
        let field = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or("");
        if kind == "text" || kind == "output_text" || kind.ends_with(".output_text") {
            return self.show(field("text"), out);
        }
        if kind == "refusal" {
            return self.show(field("refusal"), out);
        }
        if kind.contains("thinking") || kind.contains("reasoning") {
            let s = [field("thinking"), field("reasoning"), field("text")].into_iter().find(|s| !s.is_empty()).unwrap_or("");
            self.reason("reasoning", s, out);
        }
        Ok(())
    }

    fn reason(&mut self, field: &'static str, s: &str, out: &mut Vec<StreamEvent>) {
        if !self.opts.emit_reasoning || s.is_empty() {
            return;
        }
        self.reasoning_field.get_or_insert(field);
        self.reasoning.push_str(s);
        out.push(StreamEvent::Reasoning { delta: s.to_string(), field });
    }

    fn show(&mut self, s: &str, out: &mut Vec<StreamEvent>) -> Result<(), ProviderError> {
        let visible = self.tags.push(s);
        if self.tools.any() {
            self.after_tools += visible.len();
            if self.after_tools > MAX_TOOL_ARGS {
                return Err(self.error(
                    ErrorCode::StreamError,
                    "Exceeded post-tool-call delta buffer limit",
                    "The model wrote more than 256000 bytes of text after a tool call; lower max_tokens.",
                ));
            }
        }
        if !visible.is_empty() {
            self.text.push_str(&visible);
            out.push(StreamEvent::Text { delta: visible });
        }
        Ok(())
    }

    /// Ends the reply: the last visible text (if tags held some back) and the result, whose
    /// `stopReason` may be `error` (see [`ChatResult::error`]).
    pub fn finish(&mut self) -> (Vec<StreamEvent>, ChatResult) {
        let mut out = Vec::new();
        let result = self.finish_into(&mut out);
        (out, result)
    }

    /// Like [`Accumulator::finish`], appending the last events to `out`.
    pub fn finish_into(&mut self, out: &mut Vec<StreamEvent>) -> ChatResult {
        let mut error = None;
        let stop = match self.finish_reason.as_deref() {
            None if self.done => StopReason::Stop,
            None => {
                error = Some("Stream ended without finish_reason".to_string());
                StopReason::Error
            }
            Some("stop" | "end") => StopReason::Stop,
            Some("length") => StopReason::Length,
            Some("tool_calls" | "function_call" | "tool_call") => StopReason::ToolUse,
            Some(other) => {
                error = Some(format!("Provider finish_reason: {other}"));
                StopReason::Error
            }
        };
        let rest = self.tags.finish(matches!(stop, StopReason::Stop | StopReason::ToolUse));
        if !rest.is_empty() {
            self.text.push_str(&rest);
            out.push(StreamEvent::Text { delta: rest });
        }
        let promote = self.finish_reason.as_deref() == Some("stop") || (self.finish_reason.is_none() && self.done);
        let tools = std::mem::take(&mut self.tools);
        let (tool_calls, stop, malformed) = tools.finish(stop, !self.text.trim().is_empty(), promote);
        let error = match (malformed, error) {
            (Some(m), _) => Some(self.error(ErrorCode::MalformedToolCall, m, "The model's tool call was cut off or is not a JSON object; raise max_tokens, or check vLLM's --tool-call-parser for this model.")),
            (None, Some(m)) => Some(self.error(ErrorCode::StreamError, &m, "The server ended the reply abnormally; check its log, and retry.")),
            (None, None) => None,
        };
        // The reply is over: its parts move into the result rather than being copied.
        let reasoning = std::mem::take(&mut self.reasoning);
        ChatResult {
            id: std::mem::take(&mut self.id),
            model: std::mem::take(&mut self.model),
            base_url: self.opts.base_url.clone(),
            message: ChatMessage {
                content: std::mem::take(&mut self.text),
                reasoning_field: self.reasoning_field.filter(|_| !reasoning.is_empty()).map(str::to_string),
                reasoning: Some(reasoning).filter(|r| !r.is_empty()),
                tool_calls,
            },
            stop_reason: stop,
            usage: self.usage.take(),
            request_id: self.opts.request_id.clone(),
            error,
        }
    }

    fn error(&self, code: ErrorCode, message: &str, hint: &str) -> ProviderError {
        let mut e = ProviderError::new(code, message, hint);
        e.request_id = self.opts.request_id.clone();
        e
    }

    fn malformed_json(&self) -> ProviderError {
        self.error(
            ErrorCode::BadResponse,
            "Error reading response: malformed server-sent event JSON.",
            "The stream carried an event that is not JSON; check that the base URL is vLLM's OpenAI API and no proxy rewrites the stream.",
        )
    }

    /// An error the server reported after answering 200: `{"error":…}` or an `event: error` frame.
    fn in_band_error(&self, data: &str) -> ProviderError {
        let ctx = ClassifyContext { base_url: &self.opts.base_url, secrets: &self.opts.secrets, request_id: self.opts.request_id.as_deref(), unpassed_env: &self.opts.unpassed_env };
        // An `event: error` frame may carry the error object itself, or plain text.
        let wrapped;
        let body = match crate::json::parse(data.as_bytes()) {
            Ok(v) if v.get("error").is_none() && v.get("message").is_some() => {
                wrapped = crate::json::to_string(&serde_json::json!({ "error": v }));
                wrapped.as_str()
            }
            _ => data,
        };
        let mut e = classify_http(None, body, &[], &ctx);
        if e.message.is_empty() {
            e.message = "The server reported an error mid-stream".to_string();
        }
        e.code = ErrorCode::StreamError;
        e.retryable = true;
        e
    }
}

/// JavaScript truthiness of a JSON value.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::String(s) => !s.is_empty(),
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        _ => true,
    }
}
