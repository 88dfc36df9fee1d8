//! Laying out a body, its messages and its tools as JSON-writing steps, in OpenClaw's key order with
//! `extraBody` applied.

use super::toks::{json_of, Replay, Tok, Toks};
use super::{Body, Content, Message, Part, Tool, ToolCall, ToolChoice};
use serde::ser::{Serialize, Serializer};
use serde_json::Value;
use std::cell::Cell;

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

pub(super) fn lay_tool_calls<'a>(calls: &'a [ToolCall], t: &mut Toks<'a>) {
    t.seq();
    for c in calls {
        t.map().key("id").str(&c.id).key("type").str("function");
        t.key("function").map().key("name").str(&c.name).key("arguments").str(&c.arguments).end().end();
    }
    t.end();
}


pub(super) fn lay_tools<'a>(tools: &'a [Tool], t: &mut Toks<'a>) {
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
