//! Parsed chunks folded into events and one [`ChatResult`] (§6.2–§6.5).
//!
//! Each chunk is read typed and borrowed from its event ([`super::chunk`]); its deltas are appended
//! to the reply once, and copied again only into the events, when events are wanted. The readers of
//! `stream()` and `chat()` ([`Accumulator::events_only`], [`Accumulator::in_pieces`]) do not hold a
//! long reply's text: they give it out as it comes, and their caller joins it (one wasm memory holds
//! every reply read, and never shrinks).

use super::chunk::{Chunk, Delta, ErrorFrame, Part};
use super::repeat::Repeat;
use super::sse::Event;
use super::substring::{RecentText, SubstringIndex};
use super::think_tags::TagFilter;
use super::tools::{ToolCalls, MAX_TOOL_ARGS};
use super::usage::Usage;
use super::{ChatMessage, ChatResult, EventOut, Fragment, SseEvent, StopReason, StreamEvent, StreamOptions};
use crate::classify::{classify_http, ClassifyContext};
use crate::error::{ErrorCode, ProviderError};
use crate::wire::{parse, AnyValue};

/// Folds chunks into events and the final result.
#[derive(Debug)]
pub struct Accumulator {
    opts: StreamOptions,
    /// Whether events are made at all (`chat()` only needs the result).
    events: bool,
    /// How many bytes of the visible text (and of the reasoning) are held before they are given out
    /// as a `text` (`reasoning`) event: `usize::MAX` keeps all for the result; see [`Accumulator::in_pieces`].
    hold: usize,
    /// Events made (or that would have been) so far.
    made: u64,
    started: bool,
    id: String,
    model: String,
    /// The visible text held (all of it, unless given out).
    text: String,
    /// Whether any visible text was shown, and any that is not whitespace.
    shown: bool,
    nonblank: bool,
    reasoning: String,
    reasoned: bool,
    reasoning_field: Option<&'static str>,
    tags: TagFilter,
    tools: ToolCalls,
    finish_reason: Option<String>,
    done: bool,
    usage: Option<Usage>,
    /// Visible bytes since the first tool call (OpenClaw buffers them, with a cap).
    after_tools: usize,
    /// Built at the first `refusal` delta, to tell whether the text already holds it.
    refusals: Option<SubstringIndex>,
    /// The end of the text, for the same question, when the text is given out.
    recent: Option<RecentText>,
    /// The last chunk that said one string: most chunks are read as it with another string.
    repeat: Repeat,
}

/// How much of a long reply's text (and reasoning) `chat()`'s reader holds before giving it out
/// ([`Accumulator::in_pieces`]).
pub const TEXT_PIECE: usize = 1 << 20;

impl Accumulator {
    /// An accumulator for one reply.
    pub fn new(opts: StreamOptions) -> Self {
        let model = crate::redact::redact(&opts.model, &opts.secrets);
        Accumulator {
            opts,
            events: true,
            hold: usize::MAX,
            made: 0,
            started: false,
            id: String::new(),
            model,
            text: String::new(),
            shown: false,
            nonblank: false,
            reasoning: String::new(),
            reasoned: false,
            reasoning_field: None,
            tags: TagFilter::default(),
            tools: ToolCalls::default(),
            finish_reason: None,
            done: false,
            usage: None,
            after_tools: 0,
            refusals: None,
            recent: None,
            repeat: Repeat::default(),
        }
    }

    /// An accumulator that only builds the result: no events are made (what `chat()` returns). The
    /// result is the same as with events; [`Accumulator::finish`] still gives the `done` event's.
    pub fn result_only(opts: StreamOptions) -> Self {
        Accumulator { events: false, ..Accumulator::new(opts) }
    }

    /// An accumulator that makes the events and holds neither the visible text nor the reasoning
    /// (what `stream()` reads: its caller has every delta). The `done` event's result is
    /// [`Accumulator::new`]'s but for `message.content`, empty, and `message.reasoning`, empty when
    /// there was any: each is the concatenation of the `text` (`reasoning`) deltas before it. A
    /// `refusal` delta is compared with the end of the text only ([`RecentText`]).
    pub fn events_only(opts: StreamOptions) -> Self {
        Accumulator { hold: 0, recent: Some(RecentText::default()), ..Accumulator::new(opts) }
    }

    /// An accumulator for the result (what `chat()` reads) that holds at most about [`TEXT_PIECE`] bytes
    /// of the visible text and of the reasoning: the rest goes out as it comes, in `text`
    /// (`reasoning`) events of that size, the only events made before `done`. The result's content
    /// (reasoning) is the concatenation of those pieces and what the result carries. A `refusal`
    /// delta is compared with the end of the text only ([`RecentText`]).
    pub fn in_pieces(opts: StreamOptions) -> Self {
        Accumulator { events: false, hold: TEXT_PIECE, recent: Some(RecentText::default()), ..Accumulator::new(opts) }
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
        let ev = match &ev {
            SseEvent::Data(d) => Event::Data(d),
            SseEvent::Error(d) => Event::Error(d),
            SseEvent::Done => Event::Done,
        };
        self.take(ev, out)
    }

    /// Handles one event borrowed from the decoder.
    pub(crate) fn take(&mut self, ev: Event<'_>, out: &mut dyn EventOut) -> Result<(), ProviderError> {
        if self.done {
            return Ok(());
        }
        match ev {
            Event::Done => {
                // `[DONE]` before any chunk still opens the reply: events always run `start` … `done`.
                if !self.started {
                    self.chunk(Chunk::default(), out)?;
                }
                self.done = true;
            }
            Event::Error(data) => return Err(self.in_band_error(data)),
            Event::Data(data) => {
                // Once the reply has its id, such a chunk is only its delta (see `chunk`).
                if self.started && !self.id.is_empty() {
                    if let Some((lone, s)) = self.repeat.read(data) {
                        return self.delta(Delta::lone(lone, s), out);
                    }
                }
                let chunk = parse::<Chunk>(data).map_err(|_| self.malformed_json())?;
                // Chunks that are not objects are skipped.
                if chunk.object {
                    if chunk.error.0 {
                        return Err(self.in_band_error(data));
                    }
                    self.repeat.remember(&chunk, data);
                    self.chunk(chunk, out)?;
                }
            }
        }
        Ok(())
    }

    fn emit(&mut self, out: &mut dyn EventOut, event: impl FnOnce() -> StreamEvent) {
        self.made += 1;
        if self.events {
            out.event(event());
        }
    }

    /// Handles one chunk (or a whole non-streaming reply, read through `choices[0].message`).
    fn chunk(&mut self, c: Chunk, out: &mut dyn EventOut) -> Result<(), ProviderError> {
        let text_of = |s: &Option<std::borrow::Cow<str>>| s.as_deref().filter(|s| !s.is_empty()).map(str::to_string);
        // The server's id and model name are scrubbed like its other words: a proxy may echo a key.
        if self.id.is_empty() {
            self.id = crate::redact::redact(&text_of(&c.id).unwrap_or_default(), &self.opts.secrets);
        }
        if !self.started {
            self.started = true;
            if let Some(model) = text_of(&c.model) {
                self.model = crate::redact::redact(&model, &self.opts.secrets);
            }
            let (id, model) = (self.id.clone(), self.model.clone());
            self.emit(out, || StreamEvent::Start { id, model });
        }
        let first = self.made;
        let (mut choice, usage) = c.parts();
        if let Some(choice) = choice.as_mut() {
            if let Some(r) = choice.finish_reason.take() {
                if self.finish_reason.as_deref() != Some(&*r) {
                    self.finish_reason = Some(r.into_owned());
                }
            }
            if let Some(delta) = choice.take_delta() {
                self.delta(delta, out)?;
            }
        }
        if let Some(usage) = usage {
            // A usage-only chunk that counts reasoning is a sign of life while the model thinks.
            let thinking = usage.reasoning_tokens.unwrap_or(0) > 0;
            if thinking && self.made == first && self.opts.emit_reasoning && !self.shown && !self.tools.any() {
                let field = self.reasoning_field.unwrap_or("reasoning");
                self.emit(out, || StreamEvent::Reasoning { delta: String::new(), field });
            }
            if self.events {
                self.usage = Some(usage.clone());
                self.emit(out, || StreamEvent::Usage { usage });
            } else {
                self.made += 1;
                self.usage = Some(usage);
            }
        }
        Ok(())
    }

    fn delta(&mut self, mut d: Delta, out: &mut dyn EventOut) -> Result<(), ProviderError> {
        if let Some((field, s)) = d.reasoning() {
            // Some reasoning parsers (qwen3 in vLLM 0.33) leave `</think>` and the answer inside one
            // reasoning delta when they arrive in one engine step: the answer is content.
            match s.split_once("</think>") {
                Some((thought, answer)) => {
                    self.reason(field, thought, out);
                    self.show(answer, out)?;
                }
                None => self.reason(field, &s, out),
            }
        }
        let content = std::mem::take(&mut d.content);
        if let Some(s) = content.text {
            self.show(&s, out)?;
        }
        for p in content.parts.0.into_iter().flatten() {
            self.part(p, out)?;
        }
        if let Some(r) = d.refusal.take().filter(|s| !s.is_empty()) {
            let present = match &mut self.recent {
                Some(recent) => recent.contains(&r),
                None => self.refusals.get_or_insert_with(SubstringIndex::default).contains(&self.text, &r),
            };
            if !present {
                self.show(&r, out)?;
            }
        }
        if let Some(calls) = d.tool_calls.0.take() {
            self.made += calls.iter().filter(|c| c.object).count() as u64;
            self.tools.apply(calls, self.events.then_some(out))?;
        }
        Ok(())
    }

    fn part(&mut self, p: Part, out: &mut dyn EventOut) -> Result<(), ProviderError> {
        if let Some(s) = p.bare {
            return self.show(&s, out);
        }
        if !p.object {
            return Ok(());
        }
        let Part { kind, text, refusal, thinking, reasoning, .. } = p;
        let kind = kind.as_deref().unwrap_or("text");
        if kind == "text" || kind == "output_text" || kind.ends_with(".output_text") {
            return self.show(text.as_deref().unwrap_or(""), out);
        }
        if kind == "refusal" {
            return self.show(refusal.as_deref().unwrap_or(""), out);
        }
        if kind.contains("thinking") || kind.contains("reasoning") {
            let s = [thinking, reasoning, text].into_iter().flatten().find(|s| !s.is_empty());
            self.reason("reasoning", s.as_deref().unwrap_or(""), out);
        }
        Ok(())
    }

    fn reason(&mut self, field: &'static str, s: &str, out: &mut dyn EventOut) {
        if !self.opts.emit_reasoning || s.is_empty() {
            return;
        }
        self.reasoning_field.get_or_insert(field);
        self.reasoned = true;
        self.reasoning.push_str(s);
        self.made += 1;
        if self.hold == usize::MAX {
            if self.events {
                out.fragment(Fragment::Reasoning(field), s);
            }
            return;
        }
        // Given out beyond `hold` bytes, as one event (of this delta's field: a piece's is not shown).
        if self.reasoning.len() > self.hold {
            Self::let_go(&mut self.reasoning, self.hold, Fragment::Reasoning(field), out);
        }
    }

    /// Gives out the text held beyond `hold` bytes, as one event.
    fn give_out(&mut self, out: &mut dyn EventOut) {
        if self.text.len() > self.hold {
            Self::let_go(&mut self.text, self.hold, Fragment::Text, out);
        }
    }

    /// Gives out what a buffer holds: a long reply's piece is moved out, not copied; a fragment is
    /// copied, and the buffer kept for the next.
    fn let_go(buffer: &mut String, hold: usize, f: Fragment, out: &mut dyn EventOut) {
        if hold > 0 {
            return out.owned(f, std::mem::take(buffer));
        }
        out.fragment(f, buffer);
        buffer.clear();
    }

    /// Appends the visible part of `s` to the reply (inline reasoning tags filtered out).
    fn show(&mut self, s: &str, out: &mut dyn EventOut) -> Result<(), ProviderError> {
        let from = self.text.len();
        self.tags.push_into(s, &mut self.text);
        let visible = self.text.len() - from;
        if self.tools.any() {
            self.after_tools += visible;
            if self.after_tools > MAX_TOOL_ARGS {
                self.text.truncate(from);
                return Err(self.error(
                    ErrorCode::StreamError,
                    "Exceeded post-tool-call delta buffer limit",
                    "The model wrote more than 256000 bytes of text after a tool call; lower max_tokens.",
                ));
            }
        }
        if visible > 0 {
            self.made += 1;
            self.shown = true;
            let piece = &self.text[from..];
            self.nonblank = self.nonblank || !piece.trim().is_empty();
            if let Some(recent) = &mut self.recent {
                recent.push(piece);
            }
            if self.events && self.hold == usize::MAX {
                out.fragment(Fragment::Text, piece);
            }
            self.give_out(out);
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
    pub fn finish_into(&mut self, out: &mut dyn EventOut) -> ChatResult {
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
            self.nonblank = self.nonblank || !rest.trim().is_empty();
            self.text.push_str(&rest);
            if self.hold == usize::MAX {
                self.emit(out, || StreamEvent::Text { delta: rest });
            } else {
                self.made += 1;
                self.give_out(out);
            }
        }
        let promote = self.finish_reason.as_deref() == Some("stop") || (self.finish_reason.is_none() && self.done);
        let tools = std::mem::take(&mut self.tools);
        let (tool_calls, stop, malformed) = tools.finish(stop, self.nonblank, promote);
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
                reasoning_field: self.reasoning_field.filter(|_| self.reasoned).map(str::to_string),
                reasoning: Some(reasoning).filter(|_| self.reasoned),
                tool_calls,
            },
            stop_reason: stop,
            usage: self.usage.take(),
            request_id: self.opts.request_id.clone(),
            error,
        }
    }

    fn error(&self, code: ErrorCode, message: &str, hint: &str) -> ProviderError {
        // The message may quote the server (an unknown finish_reason): scrubbed like its other words.
        let mut e = ProviderError::new(code, message, hint).redact(&self.opts.secrets);
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
        let body = match parse::<ErrorFrame>(data) {
            Ok(f) if f.object && !f.error && f.message => {
                // The bare object is quoted whole: written back exactly as serde_json writes it.
                let inner = parse::<AnyValue>(data).map(|v| crate::json::to_string(&v.value)).unwrap_or_default();
                wrapped = ["{\"error\":", &inner, "}"].concat();
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
