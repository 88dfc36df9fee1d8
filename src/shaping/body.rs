//! The chat request body as it is sent: typed, and written straight to JSON in OpenClaw's key order.
//!
//! Each field has its place in [`Body`]'s order (the order in which OpenClaw's transport sets them);
//! `extraBody` replaces a field in its place or adds keys after the built ones, `store` never goes
//! out, and `parallel_tool_calls` and `priority` come last unless `extraBody` placed them. Values the
//! caller wrote (sampling numbers, `response_format`, tool schemas, chat-template kwargs, `extraBody`)
//! are passed through as the JSON they were.

mod estimate;
mod lay;
mod toks;

pub use estimate::estimated_json_chars;
pub(crate) use toks::to_json;

use serde_json::{Map, Value};

/// The body of one chat request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Body {
    /// `model`: the provider-local id.
    pub model: String,
    /// `messages`.
    pub messages: Vec<Message>,
    /// `prompt_cache_retention` (`24h`), with `compat.supportsPromptCacheKey`.
    pub prompt_cache_retention: Option<&'static str>,
    /// `stream_options: {include_usage: true}`.
    pub include_usage: bool,
    /// `prompt_cache_key`.
    pub prompt_cache_key: Option<String>,
    /// Sampling fields, as the caller wrote them (`temperature`, `top_p`, `response_format`,
    /// `frequency_penalty`, `presence_penalty`, `seed`, `stop`), in that order.
    pub sampling: Vec<(&'static str, Value)>,
    /// `tools`.
    pub tools: Option<Vec<Tool>>,
    /// `tool_choice`.
    pub tool_choice: Option<ToolChoice>,
    /// The output cap and its field (`max_completion_tokens` or `max_tokens`).
    pub max_tokens: Option<(&'static str, u64)>,
    /// Qwen's top-level `enable_thinking`.
    pub enable_thinking: Option<bool>,
    /// `reasoning_effort`.
    pub reasoning_effort: Option<String>,
    /// `chat_template_kwargs`.
    pub chat_template_kwargs: Option<Map<String, Value>>,
    /// `extraBody`, applied last (over the fields above, in their places; new keys after them).
    pub extra: Map<String, Value>,
    /// `parallel_tool_calls`.
    pub parallel_tool_calls: Option<bool>,
    /// `priority` for vLLM's priority scheduler.
    pub priority: Option<i64>,
}

/// One message as sent.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    /// `{role, content}` with role `system` (or `developer`).
    System {
        /// `system` or `developer`.
        role: &'static str,
        /// The prompt.
        content: String,
    },
    /// `{role: "user", content}`.
    User(Content),
    /// `{role: "assistant", content, reasoning_content?, tool_calls?}`.
    Assistant {
        /// The visible text (`null` for a tool-call-only turn).
        content: Option<String>,
        /// Replayed reasoning.
        reasoning_content: Option<String>,
        /// The calls made (left out when empty).
        tool_calls: Vec<ToolCall>,
    },
    /// `{role: "tool", content, tool_call_id}`.
    Tool {
        /// The result text.
        content: String,
        /// The call it answers.
        tool_call_id: String,
    },
}

/// A user message's content.
#[derive(Clone, Debug, PartialEq)]
pub enum Content {
    /// A string.
    Text(String),
    /// A list of parts.
    Parts(Vec<Part>),
}

/// One part of a user message.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// `{type: "text", text}`.
    Text(String),
    /// `{type: kind, kind: {url}}` with kind `image_url` or `video_url`.
    Media {
        /// `image_url` or `video_url`.
        kind: &'static str,
        /// A `data:` URL.
        url: String,
    },
}

/// A replayed tool call: `{id, type: "function", function: {name, arguments}}`.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolCall {
    /// The call id as sent.
    pub id: String,
    /// The function name.
    pub name: String,
    /// The arguments as JSON text.
    pub arguments: String,
}

/// A tool: `{type: "function", function: {name, description?, parameters, strict?}}`; parameters
/// `{type: "object", properties: {}}` when the caller gave none.
#[derive(Clone, Debug, PartialEq)]
pub struct Tool {
    /// The caller's tool.
    pub function: super::request::Tool,
    /// `strict: false`, with `compat.supportsStrictMode`.
    pub strict: bool,
}

/// `tool_choice`.
#[derive(Clone, Debug, PartialEq)]
pub enum ToolChoice {
    /// `auto`, `none` or `required`.
    Mode(String),
    /// `{type: "function", function: {name}}`.
    Named(String),
}
