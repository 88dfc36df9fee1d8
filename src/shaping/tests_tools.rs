//! How tools are sent: sorted, without `strict`, with OpenClaw's `tool_choice` and its errors, and
//! `parallel_tool_calls` only for a boolean param.

use super::tests::{body_of, hi, prepared, provider};
use super::*;
use crate::error::ErrorCode;
use serde_json::json;

#[test]
fn tools_are_sorted_without_strict_and_get_auto() {
    let tool = |n: &str| json!({"name": n, "description": format!("{n} tool"), "parameters": {"type": "object"}});
    let got = body_of(&provider(json!({})), json!({"model": "m", "messages": hi(), "tools": [tool("b"), tool("a")]}));
    let want = json!({"model": "m", "messages": hi(), "stream": true, "stream_options": {"include_usage": true},
        "tools": [{"type": "function", "function": {"name": "a", "description": "a tool", "parameters": {"type": "object"}}},
                  {"type": "function", "function": {"name": "b", "description": "b tool", "parameters": {"type": "object"}}}],
        "tool_choice": "auto", "max_completion_tokens": 8192});
    assert_eq!(got, want.to_string());
}

#[test]
fn no_tools_or_tool_history_only_sends_neither_tools_nor_choice() {
    let p = provider(json!({}));
    let history = json!([{"role": "user", "content": "x"},
        {"role": "assistant", "toolCalls": [{"id": "c1", "name": "f", "arguments": {"a": 1}}]},
        {"role": "tool", "toolCallId": "c1", "content": "r"}]);
    for req in [json!({"model": "m", "messages": hi(), "tools": []}), json!({"model": "m", "messages": history, "toolChoice": "auto"})] {
        let b = prepared(&p, req).body;
        assert!(!b.contains_key("tools") && !b.contains_key("tool_choice"));
    }
}

#[test]
fn tool_choice_errors_use_openclaw_words() {
    let p = provider(json!({}));
    let e = build_from_json(&p, &json!({"model": "m", "messages": hi(), "toolChoice": "required"}).to_string()).unwrap_err();
    assert_eq!(e.message, "OpenAI Chat Completions tool_choice requires a tool, but no tools survived schema conversion");
    let tools = json!([{"name": "a", "parameters": {"type": "object"}}]);
    let e = build_from_json(&p, &json!({"model": "m", "messages": hi(), "tools": tools, "toolChoice": {"name": "zz"}}).to_string()).unwrap_err();
    assert_eq!(e.message, "OpenAI Chat Completions tool_choice requested unavailable tool \"zz\" after schema conversion");
    assert_eq!(e.code, ErrorCode::Config);
    let b = prepared(&p, json!({"model": "m", "messages": hi(), "tools": tools, "toolChoice": {"name": "a"}})).body;
    assert_eq!(b["tool_choice"], json!({"type": "function", "function": {"name": "a"}}));
}

#[test]
fn parallel_tool_calls_only_when_the_param_is_a_boolean() {
    let p = provider(json!({}));
    let pc = |v: Value| prepared(&p, json!({"model": "m", "messages": hi(), "params": {"parallel_tool_calls": v}}));
    assert_eq!(pc(json!(false)).body["parallel_tool_calls"], false);
    assert!(!pc(Value::Null).body.contains_key("parallel_tool_calls"));
    let bad = pc(json!("yes"));
    assert!(!bad.body.contains_key("parallel_tool_calls"));
    assert!(bad.notes.iter().any(|n| n.field == "parallel_tool_calls" && n.action == Action::Dropped));
}
