//! Target `tools`: tool-call deltas merged by index and finalised (names, JSON-object arguments, the
//! stop reason), through the public `Accumulator`.
//!
//! Input: a flag byte (how the reply ends, whether text comes first), then records separated by byte
//! 0xFF: each record's first byte gives its index (or none), whether it carries an id and a name
//! (taken from small fixed sets), whether it starts a new chunk; the rest of the record is an
//! arguments fragment. The deltas are sent once as they are and, when all have an index, once with
//! every fragment cut in two (the second half a delta of its own, by index). Properties: no panic; errors are
//! `malformed_tool_call` or `stream_error`; a `toolUse` reply's calls have names and JSON-object
//! arguments whose text is the concatenation of that call's deltas; cutting fragments changes nothing.

use crate::common::{code_in, head};
use serde_json::{json, Value};
use vllm_provider::error::{ErrorCode::*, ProviderError};
use vllm_provider::stream::{Accumulator, ChatResult, SseEvent, StreamEvent, StreamOptions, StopReason};

const IDS: [&str; 4] = ["call_1", "chatcmpl-tool-a", "call_1", ""];
const NAMES: [&str; 4] = ["get_weather", "read", "", "get_weather"];

type Outcome = (Vec<StreamEvent>, Result<ChatResult, ProviderError>);

fn run(chunks: &[Vec<Value>], flags: u8) -> Outcome {
    let mut acc = Accumulator::new(StreamOptions { model: "m".into(), request_id: Some("r".into()), ..Default::default() });
    let mut events = Vec::new();
    if flags & 8 != 0 {
        acc.event_into(SseEvent::Data(json!({"choices": [{"delta": {"content": "Let me check."}}]}).to_string()), &mut events).unwrap();
    }
    for deltas in chunks {
        let chunk = json!({"id": "c", "choices": [{"index": 0, "delta": {"tool_calls": deltas}, "finish_reason": null}]});
        if let Err(e) = acc.event_into(SseEvent::Data(chunk.to_string()), &mut events) {
            return (events, Err(e));
        }
    }
    let finish = ["tool_calls", "stop", "length", "function_call"][usize::from(flags & 3)];
    if flags & 4 == 0 {
        acc.event_into(SseEvent::Data(json!({"choices": [{"delta": {}, "finish_reason": finish}]}).to_string()), &mut events).unwrap();
    }
    if flags & 16 != 0 {
        acc.event_into(SseEvent::Done, &mut events).unwrap();
    }
    let result = acc.finish_into(&mut events).into_outcome();
    (events, result)
}

/// Checks one input.
pub fn check(data: &[u8]) {
    let ([flags], rest) = head::<1>(data);
    let mut chunks: Vec<Vec<Value>> = vec![Vec::new()];
    let mut cut: Vec<Vec<Value>> = vec![Vec::new()];
    // Deltas without an index (and without a known id) each open a call of their own (OpenClaw's
    // rule) at their position in the array, so their events' indices may repeat and cutting moves
    // them: the cut comparison and the per-index sums below only hold when every delta has one.
    let mut all_indexed = true;
    for record in rest.split(|&b| b == 0xFF).take(64) {
        let Some((&r, frag)) = record.split_first() else { continue };
        let args = String::from_utf8_lossy(frag).into_owned();
        let index = (r & 5 != 5).then_some(u64::from(r & 3));
        all_indexed &= index.is_some();
        let mut delta = serde_json::Map::new();
        if let Some(i) = index {
            delta.insert("index".into(), json!(i));
        }
        if r & 8 != 0 {
            delta.insert("id".into(), json!(IDS[usize::from(r >> 5 & 3)]));
            delta.insert("type".into(), json!("function"));
        }
        let mut function = serde_json::Map::new();
        if r & 16 != 0 {
            function.insert("name".into(), json!(NAMES[usize::from(r >> 6)]));
        }
        if r & 128 != 0 {
            chunks.push(Vec::new());
            cut.push(Vec::new());
        }
        let half = (0..=args.len() / 2).rev().find(|&i| args.is_char_boundary(i)).unwrap_or(0);
        match index {
            Some(i) if half > 0 => {
                let mut first = delta.clone();
                let mut f = function.clone();
                f.insert("arguments".into(), json!(&args[..half]));
                first.insert("function".into(), Value::Object(f));
                cut.last_mut().unwrap().push(Value::Object(first));
                cut.push(vec![json!({"index": i, "function": {"arguments": &args[half..]}})]);
            }
            _ => {
                let mut d = delta.clone();
                let mut f = function.clone();
                f.insert("arguments".into(), json!(&args));
                d.insert("function".into(), Value::Object(f));
                cut.last_mut().unwrap().push(Value::Object(d));
            }
        }
        function.insert("arguments".into(), json!(args));
        delta.insert("function".into(), Value::Object(function));
        chunks.last_mut().unwrap().push(Value::Object(delta));
    }
    let (events, whole) = run(&chunks, flags);
    // A delta without an index takes its position in its array, which the cut version moves.
    if all_indexed {
        let (_, split) = run(&cut, flags);
        assert_eq!(whole, split, "cutting the arguments changed the reply");
    }
    match whole {
        Err(e) => code_in(&e, &[MalformedToolCall, StreamError], "tools"),
        Ok(result) if result.stop_reason == StopReason::ToolUse => {
            for call in &result.message.tool_calls {
                assert!(!call.name.is_empty());
                assert!(call.arguments.is_object(), "{call:?}");
                let parsed: Value = serde_json::from_str(&call.arguments_text).expect("arguments are JSON");
                assert!(crate::common::nearly_equal(&parsed, &call.arguments));
            }
            if !all_indexed {
                return;
            }
            assert!(!result.message.tool_calls.is_empty());
            let mut indices: Vec<u64> = Vec::new();
            for e in &events {
                if let StreamEvent::ToolCall { index, .. } = e {
                    if !indices.contains(index) {
                        indices.push(*index);
                    }
                }
            }
            assert_eq!(indices.len(), result.message.tool_calls.len(), "one call per index");
            for (call, index) in result.message.tool_calls.iter().zip(&indices) {
                let text: String = events
                    .iter()
                    .filter_map(|e| match e {
                        StreamEvent::ToolCall { index: i, arguments_delta, .. } if i == index => Some(arguments_delta.as_str()),
                        _ => None,
                    })
                    .collect();
                assert_eq!(text, call.arguments_text, "call {index}: the deltas do not add up to the arguments");
            }
        }
        Ok(result) => assert!(result.message.tool_calls.is_empty(), "calls without toolUse: {result:?}"),
    }
}
