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

/// Where a value sits in the request, written out (`messages[3].content`) only when a problem is
/// reported: reading a valid request builds no path text.
#[derive(Clone, Copy)]
enum Path<'a> {
    /// The request itself.
    Root,
    /// `<parent>.<key>` (`<key>` under the root).
    Key(&'a Path<'a>, &'a str),
    /// `<parent>[<i>]`.
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn text(&self) -> String {
        match *self {
            Path::Root => String::new(),
            Path::Key(Path::Root, key) => key.to_string(),
            Path::Key(parent, key) => [&parent.text(), ".", key].concat(),
            Path::Index(parent, i) => [&parent.text(), "[", &i.to_string(), "]"].concat(),
        }
    }
}

/// The first problem met while reading. Reading goes on after it with empty values, which are
/// thrown away: no half-built value has to be unwound at each check, and the problem reported is
/// still the first one in reading order.
#[derive(Default)]
struct Problems(Option<ProviderError>);

impl Problems {
    #[inline(never)]
    fn add(&mut self, path: Path, problem: &str) {
        if self.0.is_none() {
            self.0 = Some(bad(&path.text(), problem));
        }
    }
}

/// Reads every element of an array with `read`, naming each by its index.
fn each<T>(items: &mut [Value], path: Path, p: &mut Problems, read: fn(&mut Value, Path, &mut Problems) -> T) -> Vec<T> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter_mut().enumerate() {
        out.push(read(item, Path::Index(&path, i), p));
    }
    out
}

/// Field reader that names the path of whatever is wrong (no fields when the value is not an object).
/// What it reads is moved out of the value (the request is read once), not copied.
struct Obj<'a, 'p> {
    map: Option<&'a mut Map<String, Value>>,
    path: Path<'p>,
}

impl<'a, 'p> Obj<'a, 'p> {
    fn new(v: &'a mut Value, path: Path<'p>, p: &mut Problems) -> Self {
        let map = v.as_object_mut();
        if map.is_none() {
            p.add(path, "must be an object");
        }
        Obj { map, path }
    }

    /// Records `<path>.<key> <problem>`.
    #[inline(never)]
    fn fail(&self, key: &str, problem: &str, p: &mut Problems) {
        p.add(Path::Key(&self.path, key), problem);
    }

    fn get(&mut self, key: &str) -> Option<&mut Value> {
        self.map.as_deref_mut()?.get_mut(key).filter(|v| !v.is_null())
    }

    /// The value under `key`, moved out.
    fn take(&mut self, key: &str) -> Option<Value> {
        self.get(key).map(Value::take)
    }

    #[inline(never)]
    fn string(&mut self, key: &str, p: &mut Problems) -> String {
        match self.take(key) {
            None => {
                self.fail(key, "is required (a string)", p);
                String::new()
            }
            v => self.opt_string(v, key, p).unwrap_or_default(),
        }
    }

    fn opt(&mut self, key: &str, p: &mut Problems) -> Option<String> {
        let v = self.take(key);
        self.opt_string(v, key, p)
    }

    #[inline(never)]
    fn opt_string(&self, v: Option<Value>, key: &str, p: &mut Problems) -> Option<String> {
        match v {
            None => None,
            Some(Value::String(s)) => Some(s),
            Some(_) => {
                self.fail(key, "must be a string", p);
                None
            }
        }
    }

    fn array(&mut self, key: &str, p: &mut Problems) -> Option<&mut Vec<Value>> {
        let path = self.path;
        match self.get(key) {
            None => None,
            Some(Value::Array(a)) => Some(a),
            Some(_) => {
                p.add(Path::Key(&path, key), "must be an array");
                None
            }
        }
    }
}

/// Reads a `ChatRequest` from its JSON value, naming the path of the first problem. The value's
/// strings move into the request.
pub fn from_value(mut v: Value) -> Result<ChatRequest, ProviderError> {
    let mut p = Problems::default();
    let mut o = Obj::new(&mut v, Path::Root, &mut p);
    let messages = match o.array("messages", &mut p) {
        Some(list) => each(list, Path::Key(&Path::Root, "messages"), &mut p, message),
        None => {
            p.add(Path::Key(&Path::Root, "messages"), "is required (an array)");
            Vec::new()
        }
    };
    let tools = o.array("tools", &mut p).map(|list| each(list, Path::Key(&Path::Root, "tools"), &mut p, tool));
    let params = match o.take("params") {
        None => None,
        Some(Value::Object(m)) => Some(m),
        Some(_) => {
            p.add(Path::Key(&Path::Root, "params"), "must be an object");
            None
        }
    };
    let request = ChatRequest {
        model: o.string("model", &mut p),
        messages,
        tools,
        tool_choice: o.get("toolChoice").map(|v| tool_choice(v, &mut p)),
        params,
        thinking: o.opt("thinking", &mut p),
        priority: o.opt("priority", &mut p),
    };
    match p.0 {
        Some(e) => Err(e),
        None => Ok(request),
    }
}

fn message(v: &mut Value, path: Path, p: &mut Problems) -> Message {
    let mut o = Obj::new(v, path, p);
    let role = o.string("role", p);
    let body = Path::Key(&path, "content");
    match role.as_str() {
        "system" => Message::System { content: o.string("content", p) },
        "user" => Message::User {
            content: content(o.get("content"), body, p).unwrap_or_else(|| {
                p.add(body, "is required");
                Content::Text(String::new())
            }),
        },
        "assistant" => Message::Assistant {
            content: content(o.get("content"), body, p),
            reasoning: o.opt("reasoning", p),
            reasoning_field: o.opt("reasoningField", p),
            tool_calls: o.array("toolCalls", p).map(|calls| each(calls, Path::Key(&path, "toolCalls"), p, tool_call)),
        },
        "tool" => Message::Tool {
            tool_call_id: o.string("toolCallId", p),
            tool_name: o.opt("toolName", p),
            content: content(o.get("content"), body, p).unwrap_or(Content::Text(String::new())),
        },
        _ => {
            o.fail("role", "must be \"system\", \"user\", \"assistant\" or \"tool\"", p);
            Message::System { content: String::new() }
        }
    }
}

/// The content, or `None` when it is absent or wrong (the problem is recorded).
fn content(v: Option<&mut Value>, path: Path, p: &mut Problems) -> Option<Content> {
    match v {
        None => None,
        Some(Value::String(s)) => Some(Content::Text(std::mem::take(s))),
        Some(Value::Array(parts)) => Some(Content::Parts(each(parts, path, p, part))),
        Some(_) => {
            p.add(path, "must be a string or an array of parts");
            None
        }
    }
}

fn part(v: &mut Value, path: Path, p: &mut Problems) -> ContentPart {
    let mut o = Obj::new(v, path, p);
    match o.string("type", p).as_str() {
        "text" => ContentPart::Text { text: o.string("text", p) },
        kind @ ("image" | "video") => {
            let (data, mime_type) = (o.string("data", p), o.string("mimeType", p));
            if kind == "image" {
                ContentPart::Image { data, mime_type }
            } else {
                ContentPart::Video { data, mime_type }
            }
        }
        _ => {
            o.fail("type", "must be \"text\", \"image\" or \"video\"", p);
            ContentPart::Text { text: String::new() }
        }
    }
}

fn tool_call(v: &mut Value, path: Path, p: &mut Problems) -> ToolCall {
    let mut o = Obj::new(v, path, p);
    ToolCall { id: o.string("id", p), name: o.string("name", p), arguments: o.take("arguments").unwrap_or(Value::Null) }
}

fn tool(v: &mut Value, path: Path, p: &mut Problems) -> Tool {
    let mut o = Obj::new(v, path, p);
    Tool { name: o.string("name", p), description: o.opt("description", p), parameters: o.take("parameters") }
}

fn tool_choice(v: &mut Value, p: &mut Problems) -> ToolChoice {
    match v {
        Value::String(s) => ToolChoice::Mode(std::mem::take(s)),
        Value::Object(_) => {
            let at = Path::Key(&Path::Root, "toolChoice");
            let mut o = Obj::new(v, at, p);
            if let Some(f) = o.get("function") {
                return ToolChoice::Function { function: NamedFunction { name: Obj::new(f, Path::Key(&at, "function"), p).string("name", p) } };
            }
            ToolChoice::Named { name: o.string("name", p) }
        }
        _ => {
            p.add(Path::Key(&Path::Root, "toolChoice"), "must be \"auto\", \"none\", \"required\" or { name }");
            ToolChoice::Mode(String::new())
        }
    }
}
