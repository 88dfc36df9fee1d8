//! The chat request body as it is sent: typed, and written straight to JSON in OpenClaw's key order.
//!
//! Each field has its place in [`Body`]'s order (the order in which OpenClaw's transport sets them);
//! `extraBody` replaces a field in its place or adds keys after the built ones, `store` never goes
//! out, and `parallel_tool_calls` and `priority` come last unless `extraBody` placed them. Values the
//! caller wrote (sampling numbers, `response_format`, tool schemas, chat-template kwargs, `extraBody`)
//! are passed through as the JSON they were.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};
use std::cell::Cell;

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

/// One step of writing JSON. The body is laid out as a flat list of steps (without generic code per
/// type), then one generic walk hands them to any serde serializer: the request text and the
/// `PreparedRequest` shown to JavaScript are written by the same code.
#[derive(Clone, Copy, Debug)]
enum Tok<'a> {
    /// An object of this many entries follows (a key, then a value, for each).
    Map(usize),
    /// An array of this many values follows.
    Seq(usize),
    Key(&'a str),
    Str(&'a str),
    Int(i64),
    Bool(bool),
    Null,
    /// A value the caller wrote.
    Json(&'a Value),
}

/// Steps being laid out; each value counts towards the innermost open object or array.
#[derive(Default)]
struct Toks<'a> {
    t: Vec<Tok<'a>>,
    open: Vec<(usize, usize)>,
    /// The keys of the outermost object, as they are written.
    top: Vec<&'a str>,
}

impl<'a> Toks<'a> {
    fn value(&mut self, tok: Tok<'a>) -> &mut Self {
        if let Some((_, n)) = self.open.last_mut() {
            *n += 1;
        }
        self.t.push(tok);
        self
    }
    fn key(&mut self, k: &'a str) -> &mut Self {
        if self.open.len() == 1 {
            self.top.push(k);
        }
        self.t.push(Tok::Key(k));
        self
    }
    fn str(&mut self, s: &'a str) -> &mut Self {
        self.value(Tok::Str(s))
    }
    fn map(&mut self) -> &mut Self {
        self.value(Tok::Map(0));
        self.open.push((self.t.len() - 1, 0));
        self
    }
    fn seq(&mut self) -> &mut Self {
        self.value(Tok::Seq(0));
        self.open.push((self.t.len() - 1, 0));
        self
    }
    fn end(&mut self) -> &mut Self {
        if let Some((at, n)) = self.open.pop() {
            self.t[at] = match self.t[at] {
                Tok::Seq(_) => Tok::Seq(n),
                _ => Tok::Map(n),
            };
        }
        self
    }
    /// `{type: "function", function: {` (closed by two `end`s).
    fn function(&mut self) -> &mut Self {
        self.map().key("type").str("function").key("function").map()
    }
}

/// Writes the steps laid out by `lay` as compact JSON text.
fn json_of<'a>(lay: impl FnOnce(&mut Toks<'a>)) -> String {
    let mut t = Toks::default();
    lay(&mut t);
    to_json(&Replay { toks: &t.t, at: Cell::new(0) })
}

/// The value starting at `at`, handed to a serializer (the walk moves `at` past it).
struct Replay<'t, 'a> {
    toks: &'t [Tok<'a>],
    at: Cell<usize>,
}

impl Replay<'_, '_> {
    fn next(&self) -> Tok<'_> {
        let at = self.at.get();
        self.at.set(at + 1);
        self.toks.get(at).copied().unwrap_or(Tok::Null)
    }
}

impl Serialize for Replay<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.next() {
            Tok::Map(n) => {
                let mut m = s.serialize_map(Some(n))?;
                for _ in 0..n {
                    let key = match self.next() {
                        Tok::Key(k) => k,
                        _ => "",
                    };
                    m.serialize_entry(key, self)?;
                }
                m.end()
            }
            Tok::Seq(n) => {
                let mut seq = s.serialize_seq(Some(n))?;
                for _ in 0..n {
                    seq.serialize_element(self)?;
                }
                seq.end()
            }
            Tok::Str(v) | Tok::Key(v) => s.serialize_str(v),
            Tok::Int(n) => s.serialize_i64(n),
            Tok::Bool(b) => s.serialize_bool(b),
            Tok::Null => s.serialize_unit(),
            Tok::Json(v) => v.serialize(s),
        }
    }
}

impl Serialize for Body {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = Toks::default();
        self.lay(&mut t);
        Replay { toks: &t.t, at: Cell::new(0) }.serialize(s)
    }
}

impl Body {
    /// The keys the body is built with (before `extraBody`), in order.
    pub fn built_keys(&self) -> Vec<&str> {
        let mut t = Toks::default();
        self.lay(&mut t);
        t.top
    }

    /// The first integer in the body (in the order it is written) that a JS number cannot hold exactly
    /// (beyond ±(2^53 − 1)), as text: the numbers serde-wasm-bindgen refuses rather than converts.
    pub fn first_integer_beyond_js(&self) -> Option<String> {
        const SAFE: u64 = (1 << 53) - 1;
        fn find(v: &Value) -> Option<String> {
            match v {
                Value::Number(n) if !(n.as_u64().is_none_or(|u| u <= SAFE) && n.as_i64().is_none_or(|i| i.unsigned_abs() <= SAFE)) => Some(n.to_string()),
                Value::Array(a) => a.iter().find_map(find),
                Value::Object(m) => m.values().find_map(find),
                _ => None,
            }
        }
        let mut t = Toks::default();
        self.lay(&mut t);
        t.t.iter().find_map(|tok| match tok {
            Tok::Int(n) if n.unsigned_abs() > SAFE => Some(n.to_string()),
            Tok::Json(v) => find(v),
            _ => None,
        })
    }

    /// Writes `key`; `false` when `extraBody` gave its value (written in its place), else the
    /// caller writes the built value.
    fn own<'a>(&'a self, t: &mut Toks<'a>, key: &'a str) -> bool {
        t.key(key);
        match self.extra.get(key) {
            Some(v) => {
                t.value(Tok::Json(v));
                false
            }
            None => true,
        }
    }

    fn lay<'a>(&'a self, t: &mut Toks<'a>) {
        t.map();
        if self.own(t, "model") {
            t.str(&self.model);
        }
        if self.own(t, "messages") {
            t.seq();
            for m in &self.messages {
                m.lay(t);
            }
            t.end();
        }
        if self.own(t, "stream") {
            t.value(Tok::Bool(true));
        }
        if let Some(r) = self.prompt_cache_retention {
            if self.own(t, "prompt_cache_retention") {
                t.str(r);
            }
        }
        if self.include_usage && self.own(t, "stream_options") {
            t.map().key("include_usage").value(Tok::Bool(true)).end();
        }
        if let Some(k) = &self.prompt_cache_key {
            if self.own(t, "prompt_cache_key") {
                t.str(k);
            }
        }
        for (k, v) in &self.sampling {
            if self.own(t, k) {
                t.value(Tok::Json(v));
            }
        }
        if let Some(tools) = &self.tools {
            if self.own(t, "tools") {
                lay_tools(tools, t);
            }
        }
        if let Some(c) = &self.tool_choice {
            if self.own(t, "tool_choice") {
                match c {
                    ToolChoice::Mode(m) => t.str(m),
                    ToolChoice::Named(n) => t.function().key("name").str(n).end().end(),
                };
            }
        }
        if let Some((field, n)) = self.max_tokens {
            if self.own(t, field) {
                t.value(Tok::Int(n.min(i64::MAX as u64) as i64));
            }
        }
        if let Some(b) = self.enable_thinking {
            if self.own(t, "enable_thinking") {
                t.value(Tok::Bool(b));
            }
        }
        if let Some(e) = &self.reasoning_effort {
            if self.own(t, "reasoning_effort") {
                t.str(e);
            }
        }
        if let Some(k) = &self.chat_template_kwargs {
            if self.own(t, "chat_template_kwargs") {
                t.map();
                for (key, v) in k {
                    t.key(key).value(Tok::Json(v));
                }
                t.end();
            }
        }
        // `extraBody`'s own keys, in its order; the two fields set after it replace its values in place.
        let late = |k: &str| match k {
            "parallel_tool_calls" => self.parallel_tool_calls.map(Tok::Bool),
            "priority" => self.priority.map(Tok::Int),
            _ => None,
        };
        let built = t.top.len();
        for (k, v) in &self.extra {
            if k != "store" && !t.top[..built].contains(&k.as_str()) {
                t.key(k).value(late(k).unwrap_or(Tok::Json(v)));
            }
        }
        if let (Some(b), false) = (self.parallel_tool_calls, self.extra.contains_key("parallel_tool_calls")) {
            t.key("parallel_tool_calls").value(Tok::Bool(b));
        }
        if let (Some(p), false) = (self.priority, self.extra.contains_key("priority")) {
            t.key("priority").value(Tok::Int(p));
        }
        t.end();
    }
}

impl Message {
    fn lay<'a>(&'a self, t: &mut Toks<'a>) {
        t.map();
        match self {
            Message::System { role, content } => {
                t.key("role").str(role).key("content").str(content);
            }
            Message::User(content) => {
                t.key("role").str("user").key("content");
                content.lay(t);
            }
            Message::Assistant { content, reasoning_content, tool_calls } => {
                t.key("role").str("assistant").key("content");
                match content {
                    Some(c) => t.str(c),
                    None => t.value(Tok::Null),
                };
                if let Some(r) = reasoning_content {
                    t.key("reasoning_content").str(r);
                }
                if !tool_calls.is_empty() {
                    t.key("tool_calls");
                    lay_tool_calls(tool_calls, t);
                }
            }
            Message::Tool { content, tool_call_id } => {
                t.key("role").str("tool").key("content").str(content).key("tool_call_id").str(tool_call_id);
            }
        }
        t.end();
    }
}

impl Content {
    fn lay<'a>(&'a self, t: &mut Toks<'a>) {
        match self {
            Content::Text(s) => {
                t.str(s);
            }
            Content::Parts(parts) => {
                t.seq();
                for p in parts {
                    p.lay(t);
                }
                t.end();
            }
        }
    }
}

impl Part {
    fn lay<'a>(&'a self, t: &mut Toks<'a>) {
        match self {
            Part::Text(s) => t.map().key("type").str("text").key("text").str(s).end(),
            Part::Media { kind, url } => t.map().key("type").str(kind).key(kind).map().key("url").str(url).end().end(),
        };
    }

    /// This part as JSON text.
    pub fn to_json(&self) -> String {
        json_of(|t| self.lay(t))
    }
}

fn lay_tool_calls<'a>(calls: &'a [ToolCall], t: &mut Toks<'a>) {
    t.seq();
    for c in calls {
        t.map().key("id").str(&c.id).key("type").str("function");
        t.key("function").map().key("name").str(&c.name).key("arguments").str(&c.arguments).end().end();
    }
    t.end();
}


fn lay_tools<'a>(tools: &'a [Tool], t: &mut Toks<'a>) {
    t.seq();
    for Tool { function: tool, strict } in tools {
        t.function().key("name").str(&tool.name);
        if let Some(d) = &tool.description {
            t.key("description").str(d);
        }
        t.key("parameters");
        match &tool.parameters {
            Some(p) => t.value(Tok::Json(p)),
            None => t.map().key("type").str("object").key("properties").map().end().end(),
        };
        if *strict {
            t.key("strict").value(Tok::Bool(false));
        }
        t.end().end();
    }
    t.end();
}

/// The characters [`string_chars`] counts in what the token estimate counts as JSON text: each
/// message's tool calls, the tools and `response_format`. Written out when `exact`; else at least
/// that many, with nothing written: an escaped character takes at most six characters (`\u00XX`) and
/// `string_chars` counts no character as more than 4 for each of its UTF-8 bytes, and a number,
/// `true`, `false` or `null` takes at most 24 ("-2.2250738585072014e-308").
///
/// [`string_chars`]: super::budget::string_chars
pub fn estimated_json_chars(body: &Body, exact: bool) -> u64 {
    let mut t = Toks::default();
    t.seq();
    for m in &body.messages {
        if let Message::Assistant { tool_calls, .. } = m {
            if !tool_calls.is_empty() {
                lay_tool_calls(tool_calls, &mut t);
            }
        }
    }
    if let Some(tools) = &body.tools {
        lay_tools(tools, &mut t);
    }
    if let Some((_, rf)) = body.sampling.iter().find(|(k, _)| *k == "response_format") {
        t.value(Tok::Json(rf));
    }
    t.end();
    if !exact {
        return t.t.iter().map(|tok| match *tok {
            Tok::Map(n) | Tok::Seq(n) => 2 + n as u64,
            Tok::Key(s) | Tok::Str(s) => 3 + 6 * s.len() as u64,
            Tok::Json(v) => value_chars_at_most(v),
            _ => 24,
        }).sum();
    }
    // The texts are the entries of one array, whose brackets and commas are not counted.
    let n = match t.t.first() {
        Some(Tok::Seq(n)) => *n,
        _ => 0,
    };
    super::budget::string_chars(&to_json(&Replay { toks: &t.t, at: Cell::new(0) })) - 1 - n.max(1) as u64
}

/// At least the characters of `v`'s JSON text (see [`estimated_json_chars`]).
fn value_chars_at_most(v: &Value) -> u64 {
    match v {
        Value::String(s) => 2 + 6 * s.len() as u64,
        Value::Array(a) => 2 + a.iter().map(|v| 1 + value_chars_at_most(v)).sum::<u64>(),
        Value::Object(m) => 2 + m.iter().map(|(k, v)| 4 + 6 * k.len() as u64 + value_chars_at_most(v)).sum::<u64>(),
        _ => 24,
    }
}

/// Compact JSON text of a value.
pub(crate) fn to_json<T: Serialize + ?Sized>(v: &T) -> String {
    // The body holds strings, integers, booleans and values parsed from JSON: it always serializes.
    serde_json::to_string(v).unwrap_or_default()
}
