//! Request shaping pinned against OpenClaw's checklist (items 27–46) and golden bodies.

use super::*;
use crate::config::{resolve, ConfigInput, ResolveInput};
use crate::error::ErrorCode;
use serde_json::json;

/// A provider at `base` with the given model rows and a real key.
pub fn provider_at(base: &str, models: Value) -> Provider {
    let config = json!({"models": {"providers": {"vllm": {
        "baseUrl": base, "api": "openai-completions", "apiKey": "sk-secret-123", "models": models }}}});
    resolve(&ResolveInput { config: Some(ConfigInput::Value(config)), ..Default::default() }).unwrap()
}

/// One declared row `m` (8192 output tokens, 32768 context) plus `extra` fields.
pub fn provider(extra: Value) -> Provider {
    let mut row = json!({"id": "m", "name": "m", "contextWindow": 32768, "maxTokens": 8192});
    for (k, v) in extra.as_object().unwrap() {
        row[k] = v.clone();
    }
    provider_at("http://127.0.0.1:8000/v1", json!([row]))
}

/// The body built for `req` as JSON text (key order included).
pub fn body_of(p: &Provider, req: Value) -> String {
    serde_json::to_string(&build_from_json(p, &req.to_string()).unwrap().prepared.body).unwrap()
}

/// A prepared request read back as the JSON it is sent as (keys in order).
pub struct Prepared {
    pub body: Map<String, Value>,
    pub notes: Vec<Note>,
}

/// `pr` as JSON.
pub fn view(pr: PreparedRequest) -> Prepared {
    let object = |v: Value| match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    };
    Prepared { body: object(serde_json::to_value(&pr.body).unwrap()), notes: pr.notes }
}

pub fn prepared(p: &Provider, req: Value) -> Prepared {
    view(build_from_json(p, &req.to_string()).unwrap().prepared)
}

fn hi() -> Value {
    json!([{"role": "user", "content": "hi"}])
}

#[test]
fn plain_turn_sends_exactly_model_messages_stream_usage_and_cap() {
    let got = body_of(&provider(json!({})), json!({"model": "vllm/m", "messages": hi()}));
    let want = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": true,
        "stream_options": {"include_usage": true}, "max_completion_tokens": 8192});
    assert_eq!(got, want.to_string());
}

#[test]
fn url_keeps_the_base_query_and_headers_are_minimal_with_the_key_redacted() {
    let p = provider_at("http://h.example:9000/v1/?x=1", json!([{"id": "m", "name": "m"}]));
    let s = build_from_json(&p, &json!({"model": "m", "messages": hi()}).to_string()).unwrap();
    assert_eq!(s.prepared.url, "http://h.example:9000/v1/chat/completions?x=1");
    assert_eq!(s.http.url, s.prepared.url);
    assert_eq!(serde_json::to_value(&s.prepared.headers).unwrap(), json!({"Content-Type": "application/json", "Accept": "application/json", "Authorization": "Bearer [redacted]"}));
    assert!(s.http.headers.contains(&("Authorization".into(), "Bearer sk-secret-123".into())));
    assert!(!serde_json::to_string(&s.prepared).unwrap().contains("sk-secret-123"));
}

#[test]
fn the_sent_body_is_byte_for_byte_the_prepared_body() {
    let p = provider(json!({}));
    let s = build_from_json(&p, &json!({"model": "m", "messages": hi(), "params": {"temperature": 0.2, "extraBody": {"top_k": 5}}}).to_string()).unwrap();
    assert_eq!(s.http.body.as_deref().unwrap(), serde_json::to_string(&s.prepared.body).unwrap());
    assert_eq!(s.http.method, "POST");
}

#[test]
fn the_prepared_json_is_what_serializing_the_prepared_request_writes() {
    let p = provider_at("http://h.example:9000/v1/?api_key=sk-secret-123", json!([{"id": "m", "name": "m", "compat": {"maxTokensField": "max_tokens"}}]));
    for req in [
        json!({"model": "m", "messages": hi()}),
        json!({"model": "vllm/m", "messages": [{"role": "system", "content": "é \" \u{1}"}, {"role": "user", "content": [{"type": "text", "text": "x"}]}],
               "tools": [{"name": "t", "parameters": {"type": "object", "b": 1.5, "a": [null, true]}}], "params": {"temperature": 0.2, "extraBody": {"top_k": 5}}}),
    ] {
        let s = build_from_json(&p, &req.to_string()).unwrap();
        assert_eq!(s.prepared_json().unwrap(), serde_json::to_string(&s.prepared).unwrap(), "{req}");
    }
    // Integers a JS number cannot hold exactly are refused (by the first), as the typed conversion refuses them.
    for (extra, refused) in [
        (json!({"a": 9007199254740991_u64, "b": -9007199254740991_i64, "c": 1e300}), None),
        (json!({"a": [{"b": 9007199254740992_u64}], "c": -9007199254740993_i64}), Some("9007199254740992")),
        (json!({"a": -9007199254740992_i64}), Some("-9007199254740992")),
    ] {
        let req = json!({"model": "m", "messages": hi(), "params": {"extraBody": extra}});
        let got = build_from_json(&p, &req.to_string()).unwrap().prepared_json();
        let want = refused.map(|n| format!("cannot convert the result to JS: {n} can't be represented as a JavaScript number"));
        assert_eq!(got.err().map(|e| (e.message.clone(), e.code)), want.map(|m| (m, ErrorCode::Config)), "{req}");
    }
}

#[test]
fn marker_keys_send_no_authorization_and_say_why() {
    let config = json!({"models": {"providers": {"vllm": {"baseUrl": "http://127.0.0.1:8000/v1", "api": "openai-completions", "models": [{"id": "m", "name": "m"}]}}}});
    let p = resolve(&ResolveInput { config: Some(ConfigInput::Value(config)), ..Default::default() }).unwrap();
    let s = build_from_json(&p, &json!({"model": "m", "messages": hi()}).to_string()).unwrap();
    assert!(header_value(&s.http.headers, "authorization").is_none());
    assert!(s.prepared.notes.iter().any(|n| n.field == "headers.Authorization"));
}

#[test]
fn system_prompt_is_system_unless_developer_role_is_allowed_on_a_reasoning_model() {
    let req = json!({"model": "m", "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]});
    let role = |p: &Provider| prepared(p, req.clone()).body["messages"][0]["role"].clone();
    assert_eq!(role(&provider(json!({}))), "system");
    assert_eq!(role(&provider(json!({"compat": {"supportsDeveloperRole": true}}))), "system");
    assert_eq!(role(&provider(json!({"reasoning": true, "compat": {"supportsDeveloperRole": true}}))), "developer");
}

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
fn extra_body_overrides_tool_choice_and_can_never_send_store() {
    let p = provider(json!({}));
    let tools = json!([{"name": "a", "parameters": {"type": "object"}}]);
    let pr = prepared(&p, json!({"model": "m", "messages": hi(), "tools": tools, "params": {"extra_body": {"tool_choice": "required", "store": true}}}));
    assert_eq!(pr.body["tool_choice"], "required");
    assert!(!pr.body.contains_key("store"));
    assert!(pr.notes.iter().any(|n| n.field == "tool_choice" && n.action == Action::Overridden));
}

#[test]
fn extra_body_touching_managed_keys_is_noted() {
    let pr = prepared(&provider(json!({})), json!({"model": "m", "messages": hi(), "params": {"extraBody": {"stream": false}}}));
    assert_eq!(pr.body["stream"], false);
    assert!(pr.notes.iter().any(|n| n.reason.starts_with("extraBody overrides framework-managed request keys: stream")));
}

#[test]
fn max_tokens_field_follows_compat_and_only_undeclared_ids_go_without_a_cap() {
    let b = prepared(&provider(json!({"maxTokens": 100, "compat": {"maxTokensField": "max_tokens"}})), json!({"model": "m", "messages": hi()})).body;
    assert_eq!(b["max_tokens"], 100);
    assert!(!b.contains_key("max_completion_tokens"));
    // Checklist 39 as measured (errata §0.1 item 3): a declared row without maxTokens gets 8192.
    let p = provider_at("http://127.0.0.1:8000/v1", json!([{"id": "m", "name": "m"}]));
    assert_eq!(prepared(&p, json!({"model": "m", "messages": hi()})).body["max_completion_tokens"], 8192);
    let b = prepared(&p, json!({"model": "vllm/undeclared", "messages": hi()})).body;
    assert!(!b.contains_key("max_completion_tokens") && !b.contains_key("max_tokens"));
}

#[test]
fn cap_is_clamped_to_the_estimated_remaining_context() {
    let p = provider(json!({"contextWindow": 10000, "maxTokens": 10000}));
    let many: Vec<Value> = (0..4000).map(|_| json!({"role": "user", "content": "x"})).collect();
    assert_eq!(prepared(&p, json!({"model": "m", "messages": many})).body["max_completion_tokens"], 8749);
    let p = provider(json!({"contextWindow": 20000, "contextTokens": 10000, "maxTokens": 10000}));
    let cjk = json!([{"role": "system", "content": "你好世界".repeat(1000)}]);
    assert_eq!(prepared(&p, json!({"model": "m", "messages": cjk})).body["max_completion_tokens"], 4999);
}

#[test]
fn the_cap_is_what_the_exact_estimate_leaves_whether_or_not_it_had_to_be_written() {
    // Tool schemas and calls whose JSON is far shorter than the bound on it (which spares writing
    // them when the cap fits anyway): a context swept from overflow to ample room always gives the
    // cap, note or error the exact estimate gives.
    let tools: Vec<Value> = (0..5).map(|i| json!({"name": format!("t{i}"), "description": "d", "parameters": {"type": "object", "properties": {"q": {"type": "string", "minimum": 1.5, "enum": [true, null, -7]}}}})).collect();
    let call = json!({"role": "assistant", "content": "", "toolCalls": [{"id": "c1", "name": "t0", "arguments": {"q": "x\n\"y\""}}]});
    let messages = json!([{"role": "user", "content": "hi"}, call, {"role": "tool", "toolCallId": "c1", "content": "ok"}]);
    let request = json!({"model": "m", "messages": messages, "tools": tools, "params": {"maxTokens": 100, "responseFormat": {"type": "json_object"}}});
    let roomy = provider(json!({"contextWindow": 1_000_000, "maxTokens": 1000}));
    let estimate = estimate_tokens(&build_from_json(&roomy, &request.to_string()).unwrap().prepared.body);
    assert!(estimate > 200, "{estimate}");
    for context in estimate - 2..estimate + 2_000 {
        let p = provider(json!({"contextWindow": context, "maxTokens": 1000}));
        let left = context.saturating_sub(estimate).saturating_sub(1);
        match build_from_json(&p, &request.to_string()) {
            Err(e) => assert!(left == 0 && e.code == ErrorCode::ContextOverflow, "{context}: {e:?}"),
            Ok(s) => {
                let pr = view(s.prepared);
                assert_eq!(pr.body["max_completion_tokens"], left.min(100), "{context}");
                assert_eq!(pr.notes.iter().any(|n| n.action == Action::Clamped), left < 100, "{context}");
            }
        }
    }
}

#[test]
fn a_tiny_budget_warns_and_an_exhausted_one_fails_clearly() {
    let sys = json!([{"role": "system", "content": "x".repeat(3200)}]);
    let p = provider(json!({"contextWindow": 2000, "contextTokens": 1016, "maxTokens": 1000}));
    let pr = prepared(&p, json!({"model": "m", "messages": sys}));
    assert_eq!(pr.body["max_completion_tokens"], 15);
    assert!(pr.notes.iter().any(|n| n.action == Action::Clamped && n.reason.contains("cut off")));
    let p = provider(json!({"contextWindow": 2000, "contextTokens": 1000, "maxTokens": 1000}));
    let e = build_from_json(&p, &json!({"model": "m", "messages": sys}).to_string()).unwrap_err();
    assert_eq!(e.code, ErrorCode::ContextOverflow);
    assert!(e.message.contains("leaves no room for a reply"));
}

#[test]
fn requested_cap_is_clamped_to_the_model_cap() {
    let pr = prepared(&provider(json!({})), json!({"model": "m", "messages": hi(), "params": {"maxTokens": 99999}}));
    assert_eq!(pr.body["max_completion_tokens"], 8192);
    let pr = prepared(&provider(json!({})), json!({"model": "m", "messages": hi(), "params": {"max_tokens": 7}}));
    assert_eq!(pr.body["max_completion_tokens"], 7);
}

#[test]
fn sampling_params_become_wire_fields_in_openclaw_order() {
    let got = body_of(&provider(json!({"params": {"temperature": 0.7, "seed": 1}})), json!({"model": "m", "messages": hi(),
        "params": {"stop": "END", "seed": 7, "topP": 0.9, "temperature": 0.2, "presence_penalty": 0.5, "frequencyPenalty": 0.1, "responseFormat": {"type": "json_object"}}}));
    let want = json!({"model": "m", "messages": hi(), "stream": true, "stream_options": {"include_usage": true},
        "temperature": 0.2, "top_p": 0.9, "response_format": {"type": "json_object"}, "frequency_penalty": 0.1,
        "presence_penalty": 0.5, "seed": 7, "stop": ["END"], "max_completion_tokens": 8192});
    assert_eq!(got, want.to_string());
}

#[test]
fn bare_json_schema_is_dropped_unless_compat_allows() {
    let schema = json!({"type": "object", "properties": {}});
    let req = json!({"model": "m", "messages": hi(), "params": {"responseFormat": schema}});
    let pr = prepared(&provider(json!({})), req.clone());
    assert!(!pr.body.contains_key("response_format"));
    assert!(pr.notes.iter().any(|n| n.field == "response_format" && n.action == Action::Dropped));
    let pr = prepared(&provider(json!({"compat": {"supportsJsonSchemaResponseFormat": true}})), req);
    assert_eq!(pr.body["response_format"], json!({"type": "json_schema", "json_schema": {"name": "openclaw_response", "schema": schema}}));
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

#[test]
fn never_sent_fields_and_unknown_params_are_dropped_with_notes() {
    let pr = prepared(&provider(json!({})), json!({"model": "m", "messages": hi(),
        "params": {"store": true, "service_tier": "flex", "user": "u", "metadata": {}, "reasoningEffort": "high", "topK": 3, "__proto__": {"x": 1}}}));
    for k in ["store", "service_tier", "user", "metadata", "reasoning_effort", "topK", "__proto__"] {
        assert!(!pr.body.contains_key(k), "{k}");
    }
    for f in ["store", "service_tier", "user", "metadata", "reasoning_effort", "params.topK"] {
        assert!(pr.notes.iter().any(|n| n.field == f && n.action == Action::Dropped), "{f}");
    }
}

#[test]
fn poisoned_keys_are_stripped_from_extra_body() {
    let pr = prepared(&provider(json!({})), json!({"model": "m", "messages": hi(), "params": {"extraBody": {"constructor": 1, "a": {"prototype": 2, "b": 3}}}}));
    assert!(!pr.body.contains_key("constructor"));
    assert_eq!(pr.body["a"], json!({"b": 3}));
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
fn prompt_cache_fields_only_with_compat() {
    let req = json!({"model": "m", "messages": hi(), "params": {"promptCacheKey": "k", "cacheRetention": "long"}});
    let b = prepared(&provider(json!({})), req.clone()).body;
    assert!(!b.contains_key("prompt_cache_key") && !b.contains_key("prompt_cache_retention"));
    let b = prepared(&provider(json!({"compat": {"supportsPromptCacheKey": true}})), req).body;
    assert_eq!((b["prompt_cache_key"].clone(), b["prompt_cache_retention"].clone()), (json!("k"), json!("24h")));
    let b = prepared(&provider(json!({"compat": {"supportsPromptCacheKey": true}})), json!({"model": "m", "messages": hi(), "params": {"promptCacheKey": "k", "cacheRetention": "none"}})).body;
    assert!(!b.contains_key("prompt_cache_key"));
}

#[test]
fn undeclared_models_use_the_configured_fallback_row_and_other_providers_are_refused() {
    let pr = prepared(&provider(json!({})), json!({"model": "vllm/other", "messages": hi()}));
    assert_eq!(pr.body["model"], "other");
    assert!(!pr.body.contains_key("max_completion_tokens"));
    assert!(pr.notes.iter().any(|n| n.field == "model" && n.reason.contains("not among")));
    let e = build_from_json(&provider(json!({})), &json!({"model": "openai/gpt-4o", "messages": hi()}).to_string()).unwrap_err();
    assert_eq!((e.code, e.path.as_deref()), (ErrorCode::Config, Some("model")));
}

#[test]
fn lone_surrogates_are_removed_before_sending() {
    let p = provider(json!({}));
    let s = build_from_json(&p, r#"{"model":"m","messages":[{"role":"user","content":"a\ud800b"}]}"#).unwrap();
    assert_eq!(view(s.prepared).body["messages"][0]["content"], "ab");
}

#[test]
fn bad_requests_are_config_errors() {
    let p = provider(json!({}));
    for bad in [r#"{"messages":[]}"#, r#"{"model":"m","messages":[{"role":"robot","content":"x"}]}"#, "[]", r#"{"model":"m","messages":[],"thinking":"loud"}"#, r#"{"model":"m","messages":[],"priority":"urgent"}"#] {
        assert_eq!(build_from_json(&p, bad).unwrap_err().code, ErrorCode::Config, "{bad}");
    }
}

#[test]
fn every_note_is_a_full_sentence() {
    let tools = json!([{"name": "a", "parameters": {"type": "object"}}]);
    let pr = prepared(&provider(json!({"reasoning": true})), json!({"model": "vllm/other", "tools": tools,
        "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": [{"type": "image", "data": "A", "mimeType": "image/png"}]}],
        "params": {"store": true, "zz": 1, "parallelToolCalls": "x", "extraBody": {"model": "y"}}, "priority": "background"}));
    assert!(pr.notes.len() > 8);
    for n in &pr.notes {
        assert!(n.reason.ends_with('.') && n.reason.split_whitespace().count() >= 6, "{}", n.reason);
    }
}

#[test]
fn an_unregistered_provider_refuses_with_openclaws_unknown_model_words() {
    let p = resolve(&ResolveInput::default()).unwrap();
    let e = build_from_json(&p, &json!({"model": "vllm/x", "messages": hi()}).to_string()).unwrap_err();
    assert_eq!(e.code, ErrorCode::Unregistered);
    assert!(e.message.starts_with("Unknown model: vllm/x. vLLM requires authentication to be registered as a provider. Set VLLM_API_KEY"));
}

#[test]
fn an_explicit_remote_provider_without_a_key_fails_before_any_request() {
    let config = json!({"models": {"providers": {"vllm": {"baseUrl": "http://vllm.example.com/v1", "api": "openai-completions", "models": [{"id": "m", "name": "m"}]}}}});
    let p = resolve(&ResolveInput { config: Some(ConfigInput::Value(config)), ..Default::default() }).unwrap();
    let e = build_from_json(&p, &json!({"model": "m", "messages": hi()}).to_string()).unwrap_err();
    assert!(e.message.starts_with("No API key found for provider \"vllm\""), "{e:?}");
}

#[test]
fn a_catalog_row_is_used_when_given() {
    let p = provider(json!({}));
    let mut discovered = crate::shaping::fallback_row("d");
    discovered.context_window = 512;
    discovered.max_tokens = Some(8192);
    let req = parse_request(&json!({"model": "vllm/d", "messages": hi()}).to_string()).unwrap();
    let s = build_among(&p, &[discovered], &req).unwrap();
    assert!(!s.prepared.notes.iter().any(|n| n.field == "model"));
    assert_eq!(view(s.prepared).body["max_completion_tokens"], 510);
}

/// The plain body of `m` with `extra` fields spliced in before the cap, as JSON text.
pub fn golden(messages: Value, extra: Value) -> String {
    let mut body = json!({"model": "m", "messages": messages, "stream": true, "stream_options": {"include_usage": true}});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body.to_string()
}

#[test]
fn golden_proxy_policy_drops_every_native_only_field() {
    let got = body_of(&provider(json!({})), json!({"model": "m", "messages": hi(),
        "params": {"store": true, "serviceTier": "flex", "user": "u", "metadata": {"a": 1}, "reasoning_effort": "high", "promptCacheKey": "k", "cacheRetention": "long", "logprobs": true, "n": 2}}));
    assert_eq!(got, golden(hi(), json!({"max_completion_tokens": 8192})));
}

#[test]
fn golden_budget_clamps_cjk_prompts() {
    let p = provider(json!({"contextWindow": 20000, "contextTokens": 10000, "maxTokens": 10000}));
    let cjk = json!([{"role": "system", "content": "你好世界".repeat(1000)}]);
    assert_eq!(body_of(&p, json!({"model": "m", "messages": cjk})), golden(cjk, json!({"max_completion_tokens": 4999})));
}

#[test]
fn golden_params_pipeline_runs_kwargs_then_extra_body_then_store_then_parallel_tool_calls() {
    let tools = json!([{"name": "a", "parameters": {"type": "object"}}]);
    let got = body_of(&provider(json!({"params": {"chat_template_kwargs": {"x": 1}, "temperature": 0.5}})), json!({"model": "m", "messages": hi(), "tools": tools,
        "params": {"chatTemplateKwargs": {"y": 2}, "extraBody": {"top_k": 4, "store": true, "temperature": 0.1}, "parallelToolCalls": false, "prototype": 1}}));
    let want = golden(hi(), json!({"temperature": 0.1,
        "tools": [{"type": "function", "function": {"name": "a", "parameters": {"type": "object"}}}], "tool_choice": "auto",
        "max_completion_tokens": 8192, "chat_template_kwargs": {"y": 2}, "top_k": 4, "parallel_tool_calls": false}));
    assert_eq!(got, want);
}

#[test]
fn a_bad_request_names_the_first_problem_in_reading_order() {
    let cases = [
        (json!([]), "", "The request must be an object"),
        (json!({"messages": [{"role": "user"}], "model": 1}), "messages[0].content", "messages[0].content is required"),
        (json!({"messages": [{"role": "assistant", "toolCalls": [{"id": "a"}, 1]}]}), "messages[0].toolCalls[0].name", "messages[0].toolCalls[0].name is required (a string)"),
        (json!({"messages": [{"role": "user", "content": [{"type": "image", "mimeType": 1}]}]}), "messages[0].content[0].data", "messages[0].content[0].data is required (a string)"),
        (json!({"messages": [], "tools": [{"name": "a", "description": 1}], "params": 2}), "tools[0].description", "tools[0].description must be a string"),
        (json!({"messages": [], "params": 2, "model": 1}), "params", "params must be an object"),
        (json!({"messages": [], "model": "m", "toolChoice": {"function": {}}, "thinking": 1}), "toolChoice.function.name", "toolChoice.function.name is required (a string)"),
    ];
    for (req, path, message) in cases {
        let e = parse_request(&req.to_string()).unwrap_err();
        assert_eq!((e.code, e.path.as_deref(), e.message.as_str()), (ErrorCode::Config, (!path.is_empty()).then_some(path), message), "{req}");
    }
}

#[test]
fn golden_extra_body_replaces_in_place_appends_the_rest_and_late_fields_keep_its_places() {
    let req = json!({"model": "m", "messages": hi(), "priority": "foreground", "params": {
        "extraBody": {"priority": 5, "stream": false, "zeta": 1, "parallel_tool_calls": true, "max_completion_tokens": 7, "store": 1, "tools": []},
        "parallelToolCalls": false, "priorityScheduling": true}});
    let got = body_of(&provider(json!({})), req.clone());
    let want = json!({"model": "m", "messages": hi(), "stream": false, "stream_options": {"include_usage": true}, "max_completion_tokens": 7,
        "priority": -100, "zeta": 1, "parallel_tool_calls": false, "tools": []});
    assert_eq!(got, want.to_string());
    let notes: Vec<(String, Action)> = prepared(&provider(json!({})), req).notes.into_iter().map(|n| (n.field, n.action)).collect();
    for want in [("stream", Action::Overridden), ("max_completion_tokens", Action::Overridden), ("zeta", Action::Added), ("tools", Action::Added), ("store", Action::Dropped), ("priority", Action::Added)] {
        assert!(notes.contains(&(want.0.to_string(), want.1)), "{want:?} in {notes:?}");
    }
    assert!(notes.contains(&("parallel_tool_calls".to_string(), Action::Added)), "extraBody adds it; the param then sets its value");
}

#[test]
fn building_a_request_takes_time_proportional_to_its_messages_and_tools() {
    let req = |n: usize| {
        let messages: Vec<Value> = (0..n).map(|i| json!({"role": if i % 2 == 0 { "user" } else { "assistant" }, "content": format!("turn {i}")})).collect();
        let tools: Vec<Value> = (0..n).map(|i| json!({"name": format!("t{}", n - i), "parameters": {"type": "object"}})).collect();
        json!({"model": "m", "messages": messages, "tools": tools, "params": {"chatTemplateKwargs": (0..n).map(|i| (format!("k{i}"), json!(i))).collect::<Map<String, Value>>()}}).to_string()
    };
    let p = provider(json!({"contextWindow": 10_000_000}));
    let b = prepared(&p, serde_json::from_str(&req(3)).unwrap()).body;
    assert_eq!(b["tools"].as_array().unwrap().iter().map(|t| t["function"]["name"].as_str().unwrap()).collect::<Vec<_>>(), ["t1", "t2", "t3"]);
    crate::growth::assert_linear("request build", 2000, req, |r| {
        build_from_json(&p, r).unwrap();
    });
}

#[test]
fn a_key_substituted_into_a_header_name_is_shown_redacted_by_the_built_request() {
    // Found by the `config` fuzz target (see the config test of the same name for describe()).
    let key = "sk-name-leak-4c2e9a";
    let config = r#"{ models: { providers: { vllm: { baseUrl: "http://h:8000/v1", apiKey: "${VLLM_API_KEY}", headers: { "X-${VLLM_API_KEY}": "v" },
        request: { auth: { mode: "header", headerName: "X-Auth-${VLLM_API_KEY}", value: "${VLLM_API_KEY}" } } } } } }"#;
    let input = ResolveInput { config: Some(ConfigInput::Text(config.into())), env: [("VLLM_API_KEY", key)].into_iter().collect(), ..Default::default() };
    let p = resolve(&input).unwrap();
    let built = build_from_json(&p, r#"{"model":"vllm/m","messages":[{"role":"user","content":"hi"}]}"#).unwrap();
    let shown = format!("{:?}", built.prepared.headers);
    assert!(!shown.contains(key) && shown.contains("X-Auth-[redacted]"), "{shown}");
}
