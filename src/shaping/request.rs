//! The caller's chat request (`ChatRequest` in the contract), read from JSON.

use serde::Deserialize;
use serde_json::{Map, Value};

/// What `buildChatRequest`, `chat()` and `stream()` take.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatRequest {
    /// `vllm/<id>` or a bare provider-local id.
    pub model: String,
    /// The conversation.
    pub messages: Vec<Message>,
    /// Tools the model may call.
    #[serde(default)]
    pub tools: Option<Vec<Tool>>,
    /// The caller's tool choice.
    #[serde(default)]
    pub tool_choice: Option<ToolChoice>,
    /// Request params (camelCase or snake_case keys), merged over the model's.
    #[serde(default)]
    pub params: Option<Map<String, Value>>,
    /// Thinking level: `off`, `on` (= `low`), `minimal` … `xhigh`, `max`.
    #[serde(default)]
    pub thinking: Option<String>,
    /// Urgency for vLLM priority scheduling: `foreground`, `background` or `normal`.
    #[serde(default)]
    pub priority: Option<String>,
}

/// One conversation message.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "role", rename_all = "lowercase")]
pub enum Message {
    /// A system prompt.
    System {
        /// Its text.
        content: String,
    },
    /// A user turn.
    User {
        /// Text or parts.
        content: Content,
    },
    /// An earlier assistant turn, replayed.
    #[serde(rename_all = "camelCase")]
    Assistant {
        /// Visible text, if any.
        #[serde(default)]
        content: Option<Content>,
        /// Reasoning text, if any.
        #[serde(default)]
        reasoning: Option<String>,
        /// The wire field the reasoning arrived in (`reasoning_content` or `reasoning`).
        #[serde(default)]
        reasoning_field: Option<String>,
        /// Tool calls the assistant made.
        #[serde(default)]
        tool_calls: Option<Vec<ToolCall>>,
    },
    /// A tool's result.
    #[serde(rename_all = "camelCase")]
    Tool {
        /// The call it answers.
        tool_call_id: String,
        /// The tool's name, for image captions.
        #[serde(default)]
        tool_name: Option<String>,
        /// Text or parts.
        content: Content,
    },
}

/// Message content: a string or a list of parts.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Content {
    /// Plain text.
    Text(String),
    /// Text, image and video parts.
    Parts(Vec<ContentPart>),
}

/// One part of a message.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ContentPart {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// A base64 image.
    #[serde(rename_all = "camelCase")]
    Image {
        /// Base64 bytes.
        data: String,
        /// e.g. `image/png`.
        mime_type: String,
    },
    /// A base64 video.
    #[serde(rename_all = "camelCase")]
    Video {
        /// Base64 bytes.
        data: String,
        /// e.g. `video/mp4`.
        mime_type: String,
    },
}

/// A tool call in an assistant turn.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ToolCall {
    /// The call id.
    pub id: String,
    /// The tool's name.
    pub name: String,
    /// Parsed arguments.
    #[serde(default)]
    pub arguments: Value,
}

/// A tool offered to the model.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Tool {
    /// Function name.
    pub name: String,
    /// What it does.
    #[serde(default)]
    pub description: Option<String>,
    /// JSON Schema of its arguments.
    #[serde(default)]
    pub parameters: Option<Value>,
}

/// The caller's tool choice.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum ToolChoice {
    /// `auto`, `none` or `required`.
    Mode(String),
    /// `{ name }`.
    Named {
        /// The tool to call.
        name: String,
    },
    /// OpenAI's `{ type: "function", function: { name } }`.
    Function {
        /// `{ name }`.
        function: NamedFunction,
    },
}

/// `{ name }` inside OpenAI's named tool choice.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct NamedFunction {
    /// The tool to call.
    pub name: String,
}
