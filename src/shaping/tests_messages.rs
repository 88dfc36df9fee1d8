//! How messages are sent: the system prompt's role, images by the model's input list, assistant
//! replay and tool results in OpenClaw's shapes, and lone surrogates removed.

use super::tests::{body_of, prepared, provider, view};
use super::*;
use serde_json::json;

#[test]
fn system_prompt_is_system_unless_developer_role_is_allowed_on_a_reasoning_model() {
    let req = json!({"model": "m", "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]});
    let role = |p: &Provider| prepared(p, req.clone()).body["messages"][0]["role"].clone();
    assert_eq!(role(&provider(json!({}))), "system");
    assert_eq!(role(&provider(json!({"compat": {"supportsDeveloperRole": true}}))), "system");
    assert_eq!(role(&provider(json!({"reasoning": true, "compat": {"supportsDeveloperRole": true}}))), "developer");
}

#[test]
fn images_follow_the_models_input_list() {
    let parts = json!([{"role": "user", "content": [{"type": "text", "text": "see"}, {"type": "image", "data": "AAA", "mimeType": "image/png"}, {"type": "image", "data": "BBB", "mimeType": "image/png"}]}]);
    let pr = prepared(&provider(json!({})), json!({"model": "m", "messages": parts}));
    assert_eq!(pr.body["messages"][0]["content"], json!([{"type": "text", "text": "see"}, {"type": "text", "text": "(image omitted: model does not support images)"}]));
    let pr = prepared(&provider(json!({"input": ["text", "image"]})), json!({"model": "m", "messages": parts}));
    assert_eq!(pr.body["messages"][0]["content"][1], json!({"type": "image_url", "image_url": {"url": "data:image/png;base64,AAA"}}));
    let video = json!([{"role": "user", "content": [{"type": "video", "data": "V", "mimeType": "video/mp4"}]}]);
    let pr = prepared(&provider(json!({})), json!({"model": "m", "messages": video}));
    assert_eq!(pr.body["messages"][0]["content"], json!([{"type": "text", "text": "(video omitted: provider does not support video input)"}]));
}

#[test]
fn assistant_replay_and_tool_results_take_openclaw_shapes() {
    let msgs = json!([
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": " "}, {"type": "text", "text": "b"}],
         "reasoning": "think", "reasoningField": "reasoning_content",
         "toolCalls": [{"id": "call_1|item/xyz", "name": "f", "arguments": {"x": 1}}]},
        {"role": "tool", "toolCallId": "call_1|item/xyz", "toolName": "f", "content": "  "},
        {"role": "assistant", "content": ""}]);
    let got = body_of(&provider(json!({"reasoning": true})), json!({"model": "m", "messages": msgs}));
    let want = json!({"model": "m", "messages": [
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": "a\nb", "reasoning_content": "think",
         "tool_calls": [{"id": "call1itemxyz", "type": "function", "function": {"name": "f", "arguments": "{\"x\":1}"}}]},
        {"role": "tool", "content": "(no output)", "tool_call_id": "call1itemxyz"}],
        "stream": true, "stream_options": {"include_usage": true}, "max_completion_tokens": 8192});
    assert_eq!(got, want.to_string());
    // Reasoning that arrived in `reasoning` is not replayed, even on a reasoning row (errata §0.1 item 2).
    let mut under_reasoning = msgs.clone();
    under_reasoning[1]["reasoningField"] = json!("reasoning");
    let b = prepared(&provider(json!({"reasoning": true})), json!({"model": "m", "messages": under_reasoning})).body;
    assert!(b["messages"][1].get("reasoning").is_none() && b["messages"][1].get("reasoning_content").is_none());
    let plain = prepared(&provider(json!({})), json!({"model": "m", "messages": msgs}));
    let a = &plain.body["messages"][1];
    assert!(a.get("reasoning_content").is_none() && a.get("reasoning").is_none());
    assert!(plain.notes.iter().any(|n| n.field == "messages[].reasoning_content"));
}

#[test]
fn tool_result_images_follow_in_a_user_message_when_the_model_takes_images() {
    let msgs = json!([{"role": "user", "content": "q"},
        {"role": "assistant", "toolCalls": [{"id": "c", "name": "shot", "arguments": {}}]},
        {"role": "tool", "toolCallId": "c", "toolName": "shot", "content": [{"type": "image", "data": "I", "mimeType": "image/png"}]}]);
    let b = prepared(&provider(json!({"input": ["text", "image"]})), json!({"model": "m", "messages": msgs})).body;
    assert_eq!(b["messages"][2], json!({"role": "tool", "content": "(no output)", "tool_call_id": "c"}));
    assert_eq!(b["messages"][3], json!({"role": "user", "content": [{"type": "text", "text": "Image(s) from tool result #1 (shot):"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,I"}}]}));
    let b = prepared(&provider(json!({})), json!({"model": "m", "messages": msgs})).body;
    assert_eq!(b["messages"][2]["content"], "(image omitted: model does not support images)");
    assert_eq!(b["messages"].as_array().unwrap().len(), 3);
}

#[test]
fn lone_surrogates_are_removed_before_sending() {
    let p = provider(json!({}));
    let s = build_from_json(&p, r#"{"model":"m","messages":[{"role":"user","content":"a\ud800b"}]}"#).unwrap();
    assert_eq!(view(s.prepared).body["messages"][0]["content"], "ab");
}
