//! The caller's chat request (`ChatRequest` in the contract), read from JSON.

use crate::error::ProviderError;
use serde_json::{Map, Value};

/// What `buildChatRequest`, `chat()` and `stream()` take.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChatRequest {
    /// `vllm/<id>` or a bare provider-local id.
    pub model: String,
    /// The conversation.
    pub messages: Vec<Message>,
    /// Tools the model may call.
    pub tools: Option<Vec<Tool>>,
    /// The caller's tool choice.
    pub tool_choice: Option<ToolChoice>,
    /// Request params (camelCase or snake_case keys), merged over the model's.
    pub params: Option<Map<String, Value>>,
    /// Thinking level: `off`, `on` (= `low`), `minimal` … `xhigh`, `max`.
    pub thinking: Option<String>,
    /// Urgency for vLLM priority scheduling: `foreground`, `background` or `normal`.
    pub priority: Option<String>,
}

/// One conversation message.
#[derive(Clone, Debug, PartialEq)]
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
    Assistant {
        /// Visible text, if any.
        content: Option<Content>,
        /// Reasoning text, if any.
        reasoning: Option<String>,
        /// The wire field the reasoning arrived in (`reasoning_content` or `reasoning`).
        reasoning_field: Option<String>,
        /// Tool calls the assistant made.
        tool_calls: Option<Vec<ToolCall>>,
    },
    /// A tool's result.
    Tool {
        /// The call it answers.
        tool_call_id: String,
        /// The tool's name, for image captions.
        tool_name: Option<String>,
        /// Text or parts.
        content: Content,
    },
}

/// Message content: a string or a list of parts.
#[derive(Clone, Debug, PartialEq)]
pub enum Content {
    /// Plain text.
    Text(String),
    /// Text, image and video parts.
    Parts(Vec<ContentPart>),
}

/// One part of a message.
#[derive(Clone, Debug, PartialEq)]
pub enum ContentPart {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// A base64 image.
    Image {
        /// Base64 bytes.
        data: String,
        /// e.g. `image/png`.
        mime_type: String,
    },
    /// A base64 video.
    Video {
        /// Base64 bytes.
        data: String,
        /// e.g. `video/mp4`.
        mime_type: String,
    },
}

/// A tool call in an assistant turn.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolCall {
    /// The call id.
    pub id: String,
    /// The tool's name.
    pub name: String,
    /// Parsed arguments.
    pub arguments: Value,
}

/// A tool offered to the model.
#[derive(Clone, Debug, PartialEq)]
pub struct Tool {
    /// Function name.
    pub name: String,
    /// What it does.
    pub description: Option<String>,
    /// JSON Schema of its arguments.
    pub parameters: Option<Value>,
}

/// The caller's tool choice.
#[derive(Clone, Debug, PartialEq)]
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
#[derive(Clone, Debug, PartialEq)]
pub struct NamedFunction {
    /// The tool to call.
    pub name: String,
}

/// A `config` error about the request: `<path> <problem>` (the whole request when `path` is empty).
fn bad(path: &str, problem: &str) -> ProviderError {
    let subject = if path.is_empty() { "The request" } else { path };
    ProviderError::config_at(
        path,
        [subject, " ", problem].concat(),
        "Pass { model, messages: [{ role, content }], tools?, toolChoice?, params?, thinking?, priority? } as the package's types describe.",
    )
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        [path, ".", key].concat()
    }
}

fn index(path: &str, i: usize) -> String {
    [path, "[", &i.to_string(), "]"].concat()
}

/// Reads every element of an array with `read`, naming each by its index.
fn each<T>(items: &[Value], path: &str, read: fn(&Value, &str) -> Result<T, ProviderError>) -> Result<Vec<T>, ProviderError> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.push(read(item, &index(path, i))?);
    }
    Ok(out)
}

/// Field reader that names the path of whatever is wrong.
struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Obj<'a> {
    fn new(v: &'a Value, path: &str) -> Result<Self, ProviderError> {
        match v {
            Value::Object(map) => Ok(Obj { map, path: path.to_string() }),
            _ => Err(bad(path, "must be an object")),
        }
    }

    fn at(&self, key: &str) -> String {
        join(&self.path, key)
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn string(&self, key: &str) -> Result<String, ProviderError> {
        self.opt_string(key)?.ok_or_else(|| bad(&self.at(key), "is required (a string)"))
    }

    fn opt_string(&self, key: &str) -> Result<Option<String>, ProviderError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad(&self.at(key), "must be a string")),
        }
    }

    fn array(&self, key: &str) -> Result<Option<&'a Vec<Value>>, ProviderError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(_) => Err(bad(&self.at(key), "must be an array")),
        }
    }
}

/// Reads a `ChatRequest` from its JSON value, naming the path of the first problem.
pub fn from_value(v: &Value) -> Result<ChatRequest, ProviderError> {
    let o = Obj::new(v, "")?;
    let messages = o.array("messages")?.ok_or_else(|| bad("messages", "is required (an array)"))?;
    let messages = each(messages, "messages", message)?;
    let tools = match o.array("tools")? {
        None => None,
        Some(list) => Some(each(list, "tools", tool)?),
    };
    let params = match o.get("params") {
        None => None,
        Some(Value::Object(m)) => Some(m.clone()),
        Some(_) => return Err(bad("params", "must be an object")),
    };
    Ok(ChatRequest {
        model: o.string("model")?,
        messages,
        tools,
        tool_choice: o.get("toolChoice").map(tool_choice).transpose()?,
        params,
        thinking: o.opt_string("thinking")?,
        priority: o.opt_string("priority")?,
    })
}

fn message(v: &Value, path: &str) -> Result<Message, ProviderError> {
    let o = Obj::new(v, path)?;
    let role = o.string("role")?;
    let body = o.at("content");
    Ok(match role.as_str() {
        "system" => Message::System { content: o.string("content")? },
        "user" => Message::User { content: content(o.get("content"), &body)?.ok_or_else(|| bad(&body, "is required"))? },
        "assistant" => Message::Assistant {
            content: content(o.get("content"), &body)?,
            reasoning: o.opt_string("reasoning")?,
            reasoning_field: o.opt_string("reasoningField")?,
            tool_calls: match o.array("toolCalls")? {
                None => None,
                Some(calls) => Some(each(calls, &o.at("toolCalls"), tool_call)?),
            },
        },
        "tool" => Message::Tool {
            tool_call_id: o.string("toolCallId")?,
            tool_name: o.opt_string("toolName")?,
            content: content(o.get("content"), &body)?.unwrap_or(Content::Text(String::new())),
        },
        _ => return Err(bad(&o.at("role"), "must be \"system\", \"user\", \"assistant\" or \"tool\"")),
    })
}

fn content(v: Option<&Value>, path: &str) -> Result<Option<Content>, ProviderError> {
    match v {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(Content::Text(s.clone()))),
        Some(Value::Array(parts)) => Ok(Some(Content::Parts(each(parts, path, part)?))),
        Some(_) => Err(bad(path, "must be a string or an array of parts")),
    }
}

fn part(v: &Value, path: &str) -> Result<ContentPart, ProviderError> {
    let o = Obj::new(v, path)?;
    Ok(match o.string("type")?.as_str() {
        "text" => ContentPart::Text { text: o.string("text")? },
        "image" => ContentPart::Image { data: o.string("data")?, mime_type: o.string("mimeType")? },
        "video" => ContentPart::Video { data: o.string("data")?, mime_type: o.string("mimeType")? },
        _ => return Err(bad(&o.at("type"), "must be \"text\", \"image\" or \"video\"")),
    })
}

fn tool_call(v: &Value, path: &str) -> Result<ToolCall, ProviderError> {
    let o = Obj::new(v, path)?;
    Ok(ToolCall { id: o.string("id")?, name: o.string("name")?, arguments: o.get("arguments").cloned().unwrap_or(Value::Null) })
}

fn tool(v: &Value, path: &str) -> Result<Tool, ProviderError> {
    let o = Obj::new(v, path)?;
    Ok(Tool { name: o.string("name")?, description: o.opt_string("description")?, parameters: o.get("parameters").cloned() })
}

fn tool_choice(v: &Value) -> Result<ToolChoice, ProviderError> {
    match v {
        Value::String(s) => Ok(ToolChoice::Mode(s.clone())),
        Value::Object(_) => {
            let o = Obj::new(v, "toolChoice")?;
            if let Some(f) = o.get("function") {
                return Ok(ToolChoice::Function { function: NamedFunction { name: Obj::new(f, "toolChoice.function")?.string("name")? } });
            }
            Ok(ToolChoice::Named { name: o.string("name")? })
        }
        _ => Err(bad("toolChoice", "must be \"auto\", \"none\", \"required\" or { name }")),
    }
}
