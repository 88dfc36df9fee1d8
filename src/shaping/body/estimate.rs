//! How many characters the token estimate counts for a body's JSON parts (tool calls, tools,
//! `response_format`): exactly, or a bound that writes nothing.

use super::lay::{lay_tool_calls, lay_tools};
use super::toks::{to_json, Replay, Tok, Toks};
use super::{Body, Message};
use serde_json::Value;
use std::cell::Cell;

/// The characters [`string_chars`] counts in what the token estimate counts as JSON text: each
/// message's tool calls, the tools and `response_format`. Written out when `exact`; else at least
/// that many, with nothing written: an escaped character takes at most six characters (`\u00XX`) and
/// `string_chars` counts no character as more than 4 for each of its UTF-8 bytes, and a number,
/// `true`, `false` or `null` takes at most 24 ("-2.2250738585072014e-308").
///
/// [`string_chars`]: crate::shaping::budget::string_chars
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
    crate::shaping::budget::string_chars(&to_json(&Replay { toks: &t.t, at: Cell::new(0) })) - 1 - n.max(1) as u64
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
