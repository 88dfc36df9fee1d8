//! The conformance checklist (items 55–66), every recorded stream in many chunkings, and robustness.

use super::*;
use serde_json::{json, Value};

pub(super) fn opts(emit_reasoning: bool) -> StreamOptions {
    StreamOptions { model: "qwen3-8b".into(), emit_reasoning, request_id: Some("req-1".into()), base_url: "http://10.0.0.2:8000/v1".into(), ..Default::default() }
}

/// Feeds `body` cut at `cuts` (sorted byte offsets); the events, or the error that ended the stream.
pub(super) fn replay_cut(kind: BodyKind, emit: bool, body: &[u8], cuts: &[usize]) -> Result<Vec<StreamEvent>, ProviderError> {
    feed(ChatStream::new(kind, opts(emit)), body, cuts)
}

/// Feeds `body` to `s` in the pieces `cuts` makes, then finishes it (shared with the fixture tests).
pub(super) fn feed(mut s: ChatStream, body: &[u8], cuts: &[usize]) -> Result<Vec<StreamEvent>, ProviderError> {
    let mut events = Vec::new();
    let mut from = 0;
    for &cut in cuts.iter().chain(std::iter::once(&body.len())) {
        events.extend(s.push(&body[from..cut])?);
        from = cut;
    }
    events.extend(s.finish()?);
    Ok(events)
}

pub(super) fn replay(body: &str, emit: bool) -> Result<Vec<StreamEvent>, ProviderError> {
    replay_cut(BodyKind::EventStream, emit, body.as_bytes(), &[])
}

pub(super) fn result_of(events: &[StreamEvent]) -> &ChatResult {
    match events.last() {
        Some(StreamEvent::Done { result }) => result,
        other => panic!("no done event: {other:?}"),
    }
}

pub(super) fn sse(chunks: &[Value], done: bool) -> String {
    let mut s: String = chunks.iter().map(|c| format!("data: {}\n\n", crate::json::to_string(c))).collect();
    if done {
        s.push_str("data: [DONE]\n\n");
    }
    s
}

pub(super) fn delta(d: Value, finish: Option<&str>) -> Value {
    json!({"id": "c1", "model": "qwen3-8b", "choices": [{"index": 0, "delta": d, "finish_reason": finish}]})
}

fn item_55_56(field: &str) {
    let body = sse(
        &[
            delta(json!({ field: "hm" }), None),
            delta(json!({"content": "Hi"}), Some("stop")),
            json!({"choices": [], "usage": {"prompt_tokens": 8, "completion_tokens": 10, "total_tokens": 18}}),
        ],
        true,
    );
    let events = replay(&body, true).unwrap();
    let r = result_of(&events);
    assert_eq!(r.message.reasoning.as_deref(), Some("hm"));
    assert_eq!(r.message.reasoning_field.as_deref(), Some(field));
    assert_eq!(r.message.content, "Hi");
    assert_eq!(r.stop_reason, StopReason::Stop);
    let u = r.usage.clone().unwrap();
    assert_eq!((u.input, u.output, u.total_tokens), (8, 10, 18));
    assert_eq!(events[1], StreamEvent::Reasoning { delta: "hm".into(), field: if field == "reasoning" { "reasoning" } else { "reasoning_content" } });
}

#[test]
fn item_55_reasoning_content_then_text_and_usage() {
    item_55_56("reasoning_content");
}

#[test]
fn item_56_reasoning_field_gives_the_same_result() {
    item_55_56("reasoning");
}

#[test]
fn reasoning_sent_in_two_fields_counts_once_and_is_dropped_for_non_reasoning_models() {
    let body = sse(&[delta(json!({"reasoning_content": "a", "reasoning": "a"}), None), delta(json!({"content": "b", "reasoning_content": null}), Some("stop"))], true);
    let r = result_of(&replay(&body, true).unwrap()).clone();
    assert_eq!((r.message.reasoning.as_deref(), r.message.reasoning_field.as_deref()), (Some("a"), Some("reasoning_content")));
    let events = replay(&body, false).unwrap();
    assert!(!events.iter().any(|e| matches!(e, StreamEvent::Reasoning { .. })));
    assert_eq!(result_of(&events).message.reasoning, None);
    assert!(emit_reasoning(true, Some("high")) && emit_reasoning(true, None));
    assert!(!emit_reasoning(true, Some("off")) && !emit_reasoning(false, Some("high")));
}

fn tool(index: u64, id: Option<&str>, name: Option<&str>, args: Option<&str>) -> Value {
    let mut f = json!({});
    if let Some(n) = name {
        f["name"] = json!(n);
    }
    if let Some(a) = args {
        f["arguments"] = json!(a);
    }
    let mut t = json!({"index": index, "function": f});
    if let Some(id) = id {
        t["id"] = json!(id);
    }
    t
}

#[test]
fn item_57_tool_deltas_merge_by_index() {
    let body = sse(
        &[
            delta(json!({"tool_calls": [tool(0, Some("a"), Some("write"), None), tool(0, None, None, Some("{\"content\":"))]}), None),
            delta(json!({"tool_calls": [tool(1, Some("b"), Some("edit"), Some("{\"newText\""))]}), None),
            delta(json!({"tool_calls": [tool(0, None, None, Some("\"first line\"}")), tool(1, None, None, Some(":\"second line\"}"))]}), None),
            delta(json!({}), Some("tool_calls")),
        ],
        true,
    );
    let r = result_of(&replay(&body, false).unwrap()).clone();
    assert_eq!(r.stop_reason, StopReason::ToolUse);
    let calls: Vec<_> = r.message.tool_calls.iter().map(|c| (c.id.as_str(), c.name.as_str(), c.arguments.clone())).collect();
    assert_eq!(calls, vec![("a", "write", json!({"content": "first line"})), ("b", "edit", json!({"newText": "second line"}))]);
}

#[test]
fn item_58_incomplete_arguments_are_a_malformed_tool_call() {
    for args in ["{\"a\":", "[1]", "\"x\"", "  "] {
        let body = sse(&[delta(json!({"tool_calls": [tool(0, Some("a"), Some("f"), Some(args))]}), Some("tool_calls"))], true);
        let e = replay(&body, false).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), (ErrorCode::MalformedToolCall, MALFORMED_TOOL_CALL), "{args}");
    }
    let body = sse(&[delta(json!({"tool_calls": [tool(0, Some("a"), None, Some("{}"))]}), Some("tool_calls"))], true);
    assert_eq!(replay(&body, false).unwrap_err().code, ErrorCode::MalformedToolCall);
}

#[test]
fn big_integers_in_arguments_are_kept_exactly() {
    let args = "{\"id\": 9007199254740993, \"neg\": -9007199254740993}";
    let body = sse(&[delta(json!({"tool_calls": [tool(0, Some("a"), Some("f"), Some(args))]}), Some("tool_calls"))], true);
    let r = result_of(&replay(&body, false).unwrap()).clone();
    let call = &r.message.tool_calls[0];
    assert_eq!(call.arguments_text, args);
    assert_eq!(crate::json::to_string(&call.arguments), "{\"id\":9007199254740993,\"neg\":-9007199254740993}");
}

#[test]
fn item_59_tool_calls_with_stop_and_no_text_are_promoted() {
    let calls = json!({"tool_calls": [tool(0, Some("a"), Some("f"), Some("{}"))]});
    let r = result_of(&replay(&sse(&[delta(calls.clone(), Some("stop"))], true), false).unwrap()).clone();
    assert_eq!((r.stop_reason, r.message.tool_calls.len()), (StopReason::ToolUse, 1));
    // With visible text the reply is an answer, and the tool calls are dropped.
    let r = result_of(&replay(&sse(&[delta(json!({"content": "text"}), None), delta(calls.clone(), Some("stop"))], true), false).unwrap()).clone();
    assert_eq!((r.stop_reason, r.message.tool_calls.len()), (StopReason::Stop, 0));
    // `[DONE]` without any finish_reason promotes too.
    let r = result_of(&replay(&sse(&[delta(calls, None)], true), false).unwrap()).clone();
    assert_eq!(r.stop_reason, StopReason::ToolUse);
    // `tool_calls` without any call is a plain stop.
    let r = result_of(&replay(&sse(&[delta(json!({"content": "x"}), Some("tool_calls"))], true), false).unwrap()).clone();
    assert_eq!(r.stop_reason, StopReason::Stop);
}

#[test]
fn item_60_end_without_finish_reason() {
    let e = replay(&sse(&[delta(json!({"content": "x"}), None)], false), false).unwrap_err();
    assert_eq!((e.code, e.message.as_str()), (ErrorCode::StreamError, "Stream ended without finish_reason"));
    let r = result_of(&replay(&sse(&[delta(json!({"content": "x"}), None)], true), false).unwrap()).clone();
    assert_eq!(r.stop_reason, StopReason::Stop);
}

#[test]
fn item_61_finish_reasons_map_to_stop_reasons() {
    let r = result_of(&replay(&sse(&[delta(json!({"content": "x"}), Some("length"))], true), false).unwrap()).clone();
    assert_eq!(r.stop_reason, StopReason::Length);
    for reason in ["content_filter", "abort", "repetition", "network_error"] {
        let e = replay(&sse(&[delta(json!({"content": "x"}), Some(reason))], true), false).unwrap_err();
        assert_eq!(e.message, format!("Provider finish_reason: {reason}"));
        assert_eq!(e.code, ErrorCode::StreamError);
    }
    for reason in ["end", "stop"] {
        let r = result_of(&replay(&sse(&[delta(json!({"content": "x"}), Some(reason))], true), false).unwrap()).clone();
        assert_eq!(r.stop_reason, StopReason::Stop);
    }
}

#[test]
fn an_unknown_finish_reason_that_echoes_a_key_is_quoted_redacted() {
    // Found by the `sse` fuzz target: the error quoted the server's finish_reason as it was.
    let o = StreamOptions { secrets: vec!["sk-finish-leak-77".into()], ..opts(false) };
    let body = sse(&[delta(json!({"content": "x"}), Some("stopsk-finish-leak-77"))], true);
    let e = feed(ChatStream::new(BodyKind::EventStream, o), body.as_bytes(), &[]).unwrap_err();
    assert_eq!((e.code, e.message.as_str()), (ErrorCode::StreamError, "Provider finish_reason: stop[redacted]"));
}

#[test]
fn item_62_in_band_errors_are_stream_errors_with_the_servers_words() {
    let body = format!("{}data: {{\"error\":{{\"message\":\"boom\",\"type\":\"InternalServerError\"}}}}\n\ndata: [DONE]\n\n", sse(&[delta(json!({"content": "x"}), None)], false));
    let e = replay(&body, false).unwrap_err();
    assert_eq!(e.code, ErrorCode::StreamError);
    assert!(e.message.contains("boom"), "{}", e.message);
    assert_eq!(e.request_id.as_deref(), Some("req-1"));
    for frame in ["event: error\ndata: {\"message\":\"boom\"}\n\n", "event: error\ndata: boom\n\n", "data: {\"error\":\"boom\"}\n\n"] {
        let e = replay(frame, false).unwrap_err();
        assert_eq!(e.code, ErrorCode::StreamError);
        assert!(e.message.contains("boom"), "{frame}: {}", e.message);
    }
    // A falsy `error` field is not an error.
    assert!(replay(&sse(&[json!({"error": null, "choices": [{"delta": {"content": "x"}, "finish_reason": "stop"}]})], true), false).is_ok());
}

#[test]
fn events_before_an_error_in_the_same_bytes_are_kept_by_push_into() {
    // One network read carrying text and then the error frame: the text is shown before the error.
    let body = format!("{}data: {{\"error\":{{\"message\":\"boom\"}}}}\n\n", sse(&[delta(json!({"content": "x"}), None)], false));
    let mut s = ChatStream::new(BodyKind::EventStream, opts(false));
    let mut out = Vec::new();
    let e = s.push_into(body.as_bytes(), &mut out).unwrap_err();
    assert!(e.message.contains("boom"));
    assert!(matches!(out.as_slice(), [StreamEvent::Start { .. }, StreamEvent::Text { delta }] if delta == "x"), "{out:?}");
    // At the end of the body too: a stream without finish_reason keeps its text, then fails.
    let mut s = ChatStream::new(BodyKind::EventStream, opts(false));
    let mut out = Vec::new();
    s.push_into(sse(&[delta(json!({"content": "y"}), None)], false).as_bytes(), &mut out).unwrap();
    let e = s.finish_into(&mut out).unwrap_err();
    assert_eq!(e.message, "Stream ended without finish_reason");
    assert_eq!(out.len(), 2);
}

#[test]
fn malformed_event_json_is_bad_response() {
    let e = replay("data: {\"choices\": [\n\n", false).unwrap_err();
    assert_eq!((e.code, e.message.as_str()), (ErrorCode::BadResponse, "Error reading response: malformed server-sent event JSON."));
}

#[test]
fn item_63_a_json_reply_is_read_as_one_chunk() {
    assert_eq!(body_kind(200, Some("application/json"), b"{\"id\":", "m"), Ok(BodyKind::Json));
    let body = std::fs::read("tests/fixtures/vllm/v0.33.0/chat_completion_tool_calls.json").unwrap();
    let r = read_chat(BodyKind::Json, opts(true), &body).unwrap();
    assert_eq!((r.id.as_str(), r.stop_reason), ("chatcmpl-d41e7b2c90a35f68", StopReason::ToolUse));
    assert_eq!(r.message.tool_calls[0].arguments, json!({"city": "Paris", "unit": "celsius"}));
    assert_eq!(r.usage.unwrap().total_tokens, 221);
    let body = std::fs::read("tests/fixtures/vllm/v0.33.0/chat_completion_reasoning.json").unwrap();
    let r = read_chat(BodyKind::Json, opts(true), &body).unwrap();
    assert!(r.message.reasoning.is_some() && !r.message.content.is_empty());
    let e = read_chat(BodyKind::Json, opts(true), b"{\"choices\":").unwrap_err();
    assert_eq!(e.code, ErrorCode::BadResponse);
}

#[test]
fn item_64_html_is_refused_with_the_v1_hint() {
    let e = body_kind(200, Some("text/html; charset=utf-8"), b"<html>", "m").unwrap_err();
    assert!(e.message.contains("OpenAI-compatible streamed responses must be text/event-stream or JSON; got text/html"));
    assert!(e.hint.contains("/v1"));
}

#[test]
fn item_65_comment_events_are_ignored() {
    let body = format!(": ping\n\n{}: keep-alive\n\n", sse(&[delta(json!({"content": "x"}), Some("stop"))], true));
    let events = replay(&body, false).unwrap();
    assert_eq!(result_of(&events).message.content, "x");
}

#[test]
fn item_66_think_tags_leave_only_the_answer() {
    let body = sse(&[delta(json!({"content": "<think>hidden</think>Answer."}), Some("stop"))], true);
    assert_eq!(result_of(&replay(&body, false).unwrap()).message.content, "Answer.");
    let body = sse(&[delta(json!({"content": "Before <thi"}), None), delta(json!({"content": "nk>private reasoning</think> after", "reasoning_content": "private reasoning"}), Some("stop"))], true);
    let r = result_of(&replay(&body, true).unwrap()).clone();
    assert_eq!((r.message.content.as_str(), r.message.reasoning.as_deref()), ("Before  after", Some("private reasoning")));
}

#[test]
fn content_parts_and_refusals_are_visible_text() {
    let parts = json!({"content": [{"type": "text", "text": "a"}, {"type": "output_text", "text": "b"}, {"type": "refusal", "refusal": "c"}, {"type": "reasoning", "text": "r"}]});
    let body = sse(&[delta(parts, None), delta(json!({"content": null, "refusal": "I can't help with that."}), Some("stop"))], true);
    let r = result_of(&replay(&body, true).unwrap()).clone();
    assert_eq!(r.message.content, "abcI can't help with that.");
    assert_eq!(r.message.reasoning.as_deref(), Some("r"));
}

#[test]
fn a_usage_only_chunk_counting_reasoning_is_a_sign_of_life() {
    let usage = json!({"choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 23, "completion_tokens_details": {"reasoning_tokens": 23}}});
    let events = replay(&sse(&[usage.clone(), delta(json!({"content": "Hi"}), Some("stop")), usage], true), true).unwrap();
    let kinds: Vec<_> = events.iter().map(|e| crate::json::to_string(&serde_json::to_value(e).unwrap()["type"])).collect();
    assert_eq!(kinds, ["\"start\"", "\"reasoning\"", "\"usage\"", "\"text\"", "\"usage\"", "\"done\""]);
}

#[test]
fn events_and_results_serialize_as_the_contract_says() {
    let ev = StreamEvent::ToolCall { index: 0, id: None, name: Some("f".into()), arguments_delta: "{".into() };
    assert_eq!(serde_json::to_value(&ev).unwrap(), json!({"type": "toolCall", "index": 0, "name": "f", "argumentsDelta": "{"}));
    let body = sse(&[delta(json!({"reasoning": "t", "content": "x"}), Some("stop")), json!({"choices": [], "usage": {"prompt_tokens": 2, "completion_tokens": 1, "completion_tokens_details": {"reasoning_tokens": 1}}})], true);
    let r = result_of(&replay(&body, true).unwrap()).clone();
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        json!({"id": "c1", "model": "qwen3-8b", "baseUrl": "http://10.0.0.2:8000/v1", "stopReason": "stop", "requestId": "req-1",
            "message": {"content": "x", "reasoning": "t", "reasoningField": "reasoning", "toolCalls": []},
            "usage": {"input": 2, "output": 1, "cacheRead": 0, "cacheWrite": 0, "totalTokens": 3, "reasoningTokens": 1}})
    );
}

#[test]
fn huge_tool_arguments_are_refused() {
    let big = "x".repeat(MAX_TOOL_ARGS);
    let body = sse(&[delta(json!({"tool_calls": [tool(0, Some("a"), Some("f"), Some("{\""))]}), None), delta(json!({"tool_calls": [tool(0, None, None, Some(&big))]}), None)], true);
    let e = replay(&body, false).unwrap_err();
    assert_eq!((e.code, e.message.as_str()), (ErrorCode::MalformedToolCall, "Exceeded tool-call argument buffer limit"));
}

#[test]
fn huge_text_after_a_tool_call_is_refused() {
    let big = "y".repeat(MAX_TOOL_ARGS + 1);
    let body = sse(&[delta(json!({"tool_calls": [tool(0, Some("a"), Some("f"), Some("{}"))]}), None), delta(json!({"content": big}), None)], true);
    let e = replay(&body, false).unwrap_err();
    assert_eq!(e.message, "Exceeded post-tool-call delta buffer limit");
    // The same text before any tool call is an ordinary answer.
    let body = sse(&[delta(json!({"content": "y".repeat(MAX_TOOL_ARGS + 1)}), Some("stop"))], true);
    assert!(replay(&body, false).is_ok());
}

#[test]
fn events_read_counts_server_events_but_not_keep_alives() {
    // Reasoning of a model whose reasoning is not kept yields no StreamEvent, but is a sign of life.
    let mut s = ChatStream::new(BodyKind::EventStream, opts(false));
    assert!(s.push(b": keep-alive\n\n").unwrap().is_empty());
    assert_eq!(s.events_read(), 0);
    let first = s.push(sse(&[delta(json!({"reasoning": "hm"}), None)], false).as_bytes()).unwrap();
    assert_eq!(s.events_read(), 1);
    assert!(matches!(first.as_slice(), [StreamEvent::Start { .. }]), "{first:?}");
    assert!(s.push(sse(&[delta(json!({"reasoning": "more"}), None)], false).as_bytes()).unwrap().is_empty());
    assert_eq!(s.events_read(), 2);
}

#[test]
fn every_event_is_written_as_the_contract_types_it() {
    let e = |ev: StreamEvent| serde_json::to_value(ev).unwrap();
    let (s, n) = (String::from, |v: &str| Some(v.to_string()));
    assert_eq!(e(StreamEvent::Start { id: s("c1"), model: s("m") }), json!({"type": "start", "id": "c1", "model": "m"}));
    for field in ["reasoning", "reasoning_content", "reasoning_text"] {
        assert_eq!(e(StreamEvent::Reasoning { delta: s("th"), field }), json!({"type": "reasoning", "delta": "th", "field": field}));
    }
    assert_eq!(e(StreamEvent::Text { delta: s("hi") }), json!({"type": "text", "delta": "hi"}));
    let call = |id, name| StreamEvent::ToolCall { index: 2, id, name, arguments_delta: s("{\"a") };
    assert_eq!(e(call(None, None)), json!({"type": "toolCall", "index": 2, "argumentsDelta": "{\"a"}));
    assert_eq!(e(call(n("t1"), n("f"))), json!({"type": "toolCall", "index": 2, "id": "t1", "name": "f", "argumentsDelta": "{\"a"}));
    let usage = Usage { input: 1, output: 2, total_tokens: 3, ..Usage::default() };
    assert_eq!(e(StreamEvent::Usage { usage }), json!({"type": "usage", "usage": {"input": 1, "output": 2, "cacheRead": 0, "cacheWrite": 0, "totalTokens": 3}}));
    let keys = |v: Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(e(call(n("t1"), n("f")))), ["type", "index", "id", "name", "argumentsDelta"], "in the contract's order");
}
