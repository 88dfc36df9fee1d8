//! Reading a chat reply: SSE decoding, chunk accumulation, tool calls, usage and the final result.
//!
//! Sans-I/O: the wasm layer decides how to read a response with [`body_kind_so_far`], pushes the body's bytes
//! into a [`ChatStream`] as they arrive, forwards the [`StreamEvent`]s, and calls
//! [`ChatStream::finish`] at the end of the body (or once [`ChatStream::is_done`]).

mod accumulate;
mod call;
mod chunk;
mod crossing;
mod plan;
mod repeat;
mod response;
mod sse;
mod substring;
mod think_tags;
mod tools;
mod usage;
#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_readers;

pub use accumulate::{Accumulator, TEXT_PIECE};
pub use crossing::{Crossing, EventOut, Fragment};
pub use call::{Answer, Body, Chat, ChatCall, Driven, Fired, Halt, Moment, Next, Piece, Watchdog, DECODE_SLICE};
pub use plan::{plan, request_id, watchdog_from_number, watchdog_local, watchdogs, CallTimeouts, ChatPlan, Interrupt, Watchdogs, FIRST_EVENT_TIMEOUT_MS, REMOTE_IDLE_TIMEOUT_MS};
pub use response::{body_kind, body_kind_so_far, http_error, unreadable_body, BodyKind, MAX_ERROR_BODY, MAX_JSON_BODY, NOT_A_RESPONSE, NOT_A_STREAM, NOT_BYTES, UNUSABLE_RESPONSE};
pub use sse::{SseDecoder, SseEvent, MAX_SSE_BUFFER};
pub use tools::{ToolCall, MALFORMED_TOOL_CALL, MAX_TOOL_ARGS};
pub use usage::{parse_usage, Usage};

use crate::error::{ErrorCode, ProviderError};
use serde::Serialize;

/// What the reader needs to know about the request.
#[derive(Clone, Debug, Default)]
pub struct StreamOptions {
    /// The requested model id (without `vllm/`), used when chunks name none.
    pub model: String,
    /// Whether reasoning is kept: see [`emit_reasoning`].
    pub emit_reasoning: bool,
    /// The request id sent, copied into the result and errors.
    pub request_id: Option<String>,
    /// The base URL of the server asked (for hints, and `ChatResult.baseUrl`).
    pub base_url: String,
    /// Secrets to scrub from error texts.
    pub secrets: Vec<String>,
    /// Variables the process has that were not passed in `env`, for the 401 hint.
    pub unpassed_env: Vec<String>,
}

/// OpenClaw's rule: reasoning is materialised only for a reasoning model whose thinking is not off.
pub fn emit_reasoning(model_reasoning: bool, thinking: Option<&str>) -> bool {
    model_reasoning && !matches!(thinking, Some("off" | "none"))
}

/// Why the reply ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The model finished.
    Stop,
    /// The token budget ran out.
    Length,
    /// The model called tools.
    ToolUse,
    /// The server or the model failed (see the error).
    Error,
    /// The caller aborted.
    Aborted,
}

impl StopReason {
    /// The name JSON and JS see.
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Stop => "stop",
            StopReason::Length => "length",
            StopReason::ToolUse => "toolUse",
            StopReason::Error => "error",
            StopReason::Aborted => "aborted",
        }
    }
}

serialize_as_str!(StopReason);

/// The assistant message of a result.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    /// The visible text, reasoning tags removed.
    pub content: String,
    /// The reasoning text, when the model is a reasoning model and thinking is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<String>,
    /// The field the reasoning came in (`reasoning` or `reasoning_content`), for replay.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_field: Option<String>,
    /// The tool calls (only when `stopReason` is `toolUse`).
    pub tool_calls: Vec<ToolCall>,
}

/// What `chat()` returns and the `done` event carries.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatResult {
    /// The server's completion id.
    pub id: String,
    /// The model that answered.
    pub model: String,
    /// The base URL of the server that answered (secrets redacted).
    pub base_url: String,
    /// The assistant message.
    pub message: ChatMessage,
    /// Why the reply ended.
    pub stop_reason: StopReason,
    /// Token usage, when the server reported it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// The request id sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Why `stopReason` is `error`; never serialized (an error result is thrown instead).
    #[serde(skip)]
    pub error: Option<ProviderError>,
}

impl ChatResult {
    /// The result, or its error when `stopReason` is `error` (`stream_error`, `malformed_tool_call`).
    pub fn into_outcome(mut self) -> Result<ChatResult, ProviderError> {
        let error = self.error.take();
        if self.stop_reason == StopReason::Error {
            return Err(error.unwrap_or_else(unknown_error));
        }
        Ok(self)
    }
}

/// One event of `stream()`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum StreamEvent {
    /// The first chunk arrived.
    Start {
        /// The completion id.
        id: String,
        /// The model that answers.
        model: String,
    },
    /// A reasoning fragment.
    Reasoning {
        /// The text (may be empty: a sign of life while the model thinks).
        delta: String,
        /// The field it came in.
        field: &'static str,
    },
    /// Visible text.
    Text {
        /// The text.
        delta: String,
    },
    /// A tool-call fragment, as the server sent it.
    ToolCall {
        /// The call's index.
        index: u64,
        /// The call id, when this fragment carries it.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// The function name, when this fragment carries it.
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// A piece of the arguments' JSON text.
        #[serde(rename = "argumentsDelta")]
        arguments_delta: String,
    },
    /// Usage so far (cumulative).
    Usage {
        /// The counts.
        usage: Usage,
    },
    /// The end, with the result.
    Done {
        /// The result.
        result: Box<ChatResult>,
    },
}

/// What a reader of a reply gives. One wasm memory holds every reply read and never shrinks, so the
/// readers of `chat()` and `stream()` do not hold a long reply's text: their caller joins it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reading {
    /// The events, and the whole result in the `done` event ([`ChatStream::new`]).
    #[default]
    Full,
    /// For `chat()`: no events but pieces of a long text and reasoning, then `done`, whose result
    /// carries the rest ([`Accumulator::in_pieces`]).
    Result,
    /// For `stream()`: the events; the result carries no text or reasoning, which are the
    /// concatenation of the deltas ([`Accumulator::events_only`]).
    Events,
}

/// What the caller of a reader that does not hold the text does ([`Reading::Events`],
/// [`Reading::Result`]; events.js does it in JS): a `done` result gets the text and reasoning deltas
/// before it joined in front of what it carries. The other events are unchanged.
pub fn join_given_out(events: Vec<StreamEvent>) -> Vec<StreamEvent> {
    let (mut text, mut thought) = (String::new(), String::new());
    let mut out = Vec::with_capacity(events.len());
    for mut e in events {
        match &mut e {
            StreamEvent::Text { delta } => text.push_str(delta),
            StreamEvent::Reasoning { delta, .. } => thought.push_str(delta),
            StreamEvent::Done { result } => {
                result.message.content.insert_str(0, &std::mem::take(&mut text));
                if let Some(r) = result.message.reasoning.as_mut() {
                    r.insert_str(0, &std::mem::take(&mut thought));
                }
            }
            _ => {}
        }
        out.push(e);
    }
    out
}

/// A response body being read: bytes in, events out.
#[derive(Debug)]
pub struct ChatStream {
    kind: BodyKind,
    sse: SseDecoder,
    json: Vec<u8>,
    acc: Accumulator,
    events_read: u64,
}

impl ChatStream {
    /// A reader for a body of the given kind ([`BodyKind::EventStream`] or [`BodyKind::Json`]).
    pub fn new(kind: BodyKind, opts: StreamOptions) -> Self {
        Self::with(kind, Accumulator::new(opts))
    }

    /// A reader that only builds the result (what `chat()` returns): [`ChatStream::push`] gives no
    /// events and [`ChatStream::finish`] only the `done` event, with the same result as [`ChatStream::new`]'s.
    pub fn result_only(kind: BodyKind, opts: StreamOptions) -> Self {
        Self::with(kind, Accumulator::result_only(opts))
    }

    /// The reader `reading` asks for.
    pub fn reading(reading: Reading, kind: BodyKind, opts: StreamOptions) -> Self {
        Self::with(
            kind,
            match reading {
                Reading::Full => Accumulator::new(opts),
                Reading::Result => Accumulator::in_pieces(opts),
                Reading::Events => Accumulator::events_only(opts),
            },
        )
    }

    fn with(kind: BodyKind, acc: Accumulator) -> Self {
        ChatStream { kind, sse: SseDecoder::new(), json: Vec::new(), acc, events_read: 0 }
    }

    /// How many server-sent events were read so far (keep-alive comments excluded), whether or not
    /// they produced a [`StreamEvent`] (e.g. reasoning that is not kept): the watchdogs' sign of life.
    pub fn events_read(&self) -> u64 {
        self.events_read
    }

    /// Whether the server said `[DONE]`: the rest of the body can be ignored.
    pub fn is_done(&self) -> bool {
        self.acc.is_done()
    }

    /// Feeds bytes of the body; returns the events they complete. An error ends the stream.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<StreamEvent>, ProviderError> {
        let mut out = Vec::new();
        self.push_into(bytes, &mut out)?;
        Ok(out)
    }

    /// Like [`ChatStream::push`], but appends to `out` as events complete, so the events decoded
    /// before an error are kept (a reader shows them, then the error, as OpenClaw does).
    pub fn push_into(&mut self, bytes: &[u8], out: &mut dyn EventOut) -> Result<(), ProviderError> {
        if self.kind != BodyKind::EventStream {
            if self.json.len() + bytes.len() > MAX_JSON_BODY {
                return Err(ProviderError::new(
                    ErrorCode::BadResponse,
                    "Streaming JSON body exceeded 16777216 bytes while synthesizing SSE frames",
                    "The server answered one JSON body larger than 16 MiB; check that the base URL is vLLM's OpenAI API.",
                ));
            }
            self.json.extend_from_slice(bytes);
            return Ok(());
        }
        let (acc, count) = (&mut self.acc, &mut self.events_read);
        // Each event is folded in as the decoder finds it, borrowed from the bytes.
        self.sse.push_each(bytes, &mut |ev| {
            *count += 1;
            acc.take(ev, out)
        })
    }

    /// Ends the body: the remaining events, ending with `done`, or the error that ends the reply.
    pub fn finish(&mut self) -> Result<Vec<StreamEvent>, ProviderError> {
        let mut out = Vec::new();
        self.finish_into(&mut out)?;
        Ok(out)
    }

    /// Like [`ChatStream::finish`], but appends to `out`, keeping the events before an error.
    pub fn finish_into(&mut self, out: &mut dyn EventOut) -> Result<(), ProviderError> {
        if self.kind == BodyKind::EventStream {
            let (acc, count) = (&mut self.acc, &mut self.events_read);
            self.sse.finish_each(&mut |ev| {
                *count += 1;
                acc.take(ev, out)
            })?;
        } else {
            // A JSON reply is one event followed by `[DONE]`, as OpenClaw synthesises it.
            let body = std::mem::take(&mut self.json);
            self.acc.take(sse::Event::Data(&String::from_utf8_lossy(&body)), out)?;
            self.acc.take(sse::Event::Done, out)?;
        }
        let result = self.acc.finish_into(out).into_outcome()?;
        out.event(StreamEvent::Done { result: Box::new(result) });
        Ok(())
    }
}

/// The error of a reply that ended without a result or a reason (it should not happen).
#[inline(never)]
pub fn unknown_error() -> ProviderError {
    ProviderError::new(ErrorCode::StreamError, "An unknown error occurred", "Retry the request.")
}

/// Reads a whole body at once: what `chat()` returns.
pub fn read_chat(kind: BodyKind, opts: StreamOptions, body: &[u8]) -> Result<ChatResult, ProviderError> {
    let mut s = ChatStream::result_only(kind, opts);
    s.push(body)?;
    match s.finish()?.pop() {
        Some(StreamEvent::Done { result }) => Ok(*result),
        _ => Err(unknown_error()),
    }
}
