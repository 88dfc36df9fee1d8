//! What OpenClaw 2026.9.6 really sends, measured on the release (openclaw-vllm.md §0.1 Errata, items
//! 1–9): one test per item, each with the exact body (or headers) built for that item's example.
//! Item 10 (DeepSeek-V4) is a deliberate deviation, pinned in `tests_thinking.rs`.

use super::tests::{body_of, golden, prepared, provider, provider_at};
use super::*;
use crate::config::{resolve, ConfigInput, ResolveInput};
use serde_json::json;

fn hi() -> Value {
    json!([{"role": "user", "content": "hi"}])
}

/// The plain body's tail: `stream`, `stream_options`, then `extra` (e.g. the cap).
fn tail(extra: Value) -> Map<String, Value> {
    let mut m = json!({"stream": true, "stream_options": {"include_usage": true}}).as_object().unwrap().clone();
    m.extend(extra.as_object().unwrap().clone());
    m
}

/// `{model, messages, …tail}` as JSON text, key order included.
fn body(model: &str, messages: Value, extra: Value) -> String {
    let mut m = json!({"model": model, "messages": messages}).as_object().unwrap().clone();
    m.extend(tail(extra));
    Value::Object(m).to_string()
}

fn has_note(pr: &super::tests::Prepared, field: &str, action: Action) -> bool {
    pr.notes.iter().any(|n| n.field == field && n.action == action)
}

#[test]
fn e1_tool_call_ids_keep_only_letters_and_digits_and_pairs_stay_matched() {
    let ids = ["call_a1", "call_9|item/x", "chatcmpl-tool-4f2a9c81b3d04e6f"];
    let wire = ["calla1", "call9itemx", "chatcmpltool4f2a9c81b3d04e6f"];
    let mut history = vec![json!({"role": "user", "content": "weather?"})];
    history.push(json!({"role": "assistant", "toolCalls": ids.iter().map(|id| json!({"id": id, "name": "get_weather", "arguments": {"city": "Paris"}})).collect::<Vec<_>>()}));
    history.extend(ids.iter().map(|id| json!({"role": "tool", "toolCallId": id, "toolName": "get_weather", "content": "sunny"})));
    let mut sent = vec![json!({"role": "user", "content": "weather?"})];
    let calls: Vec<Value> = wire.iter().map(|id| json!({"id": id, "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}})).collect();
    sent.push(json!({"role": "assistant", "content": null, "tool_calls": calls}));
    sent.extend(wire.iter().map(|id| json!({"role": "tool", "content": "sunny", "tool_call_id": id})));
    let p = provider(json!({}));

    // Without tools in the request…
    let pr = prepared(&p, json!({"model": "vllm/m", "messages": history}));
    assert_eq!(serde_json::to_string(&pr.body).unwrap(), golden(Value::Array(sent.clone()), json!({"max_completion_tokens": 8192})));
    assert!(has_note(&pr, "messages[].tool_call_id", Action::Renamed));
    // …and with them: the same ids.
    let tools = json!([{"name": "get_weather", "parameters": {"type": "object"}}]);
    let got = body_of(&p, json!({"model": "vllm/m", "messages": history, "tools": tools}));
    let want = golden(Value::Array(sent), json!({"tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}], "tool_choice": "auto", "max_completion_tokens": 8192}));
    assert_eq!(got, want);
}

#[test]
fn e1_an_id_with_nothing_strict_mode_keeps_gets_a_default() {
    assert_eq!(normalize_tool_call_id("call_9|item/x"), "call9itemx");
    assert_eq!(normalize_tool_call_id("|_-"), messages::EMPTY_TOOL_CALL_ID);
}

#[test]
fn e2_reasoning_content_is_replayed_on_reasoning_rows_reasoning_is_not_and_tool_call_turns_have_null_content() {
    let history = json!([
        {"role": "user", "content": "q1"},
        {"role": "assistant", "content": "a1", "reasoning": "think 1", "reasoningField": "reasoning_content"},
        {"role": "user", "content": "q2"},
        {"role": "assistant", "content": "a2", "reasoning": "think 2", "reasoningField": "reasoning"},
        {"role": "user", "content": "q3"},
        {"role": "assistant", "reasoning": "think 3", "reasoningField": "reasoning_content", "toolCalls": [{"id": "call_1", "name": "f", "arguments": {}}]},
        {"role": "tool", "toolCallId": "call_1", "content": "r"}]);
    let sent = |reasoning: bool| {
        let mut m = vec![json!({"role": "user", "content": "q1"}), json!({"role": "assistant", "content": "a1", "reasoning_content": "think 1"}),
            json!({"role": "user", "content": "q2"}), json!({"role": "assistant", "content": "a2"}), json!({"role": "user", "content": "q3"}),
            json!({"role": "assistant", "content": null, "reasoning_content": "think 3", "tool_calls": [{"id": "call1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}),
            json!({"role": "tool", "content": "r", "tool_call_id": "call1"})];
        if !reasoning {
            for msg in &mut m {
                msg.as_object_mut().unwrap().shift_remove("reasoning_content");
            }
        }
        Value::Array(m)
    };
    let pr = prepared(&provider(json!({"reasoning": true})), json!({"model": "m", "messages": history}));
    assert_eq!(serde_json::to_string(&pr.body).unwrap(), golden(sent(true), json!({"max_completion_tokens": 8192})));
    assert!(has_note(&pr, "messages[].reasoning", Action::Dropped));
    let pr = prepared(&provider(json!({})), json!({"model": "m", "messages": history}));
    assert_eq!(serde_json::to_string(&pr.body).unwrap(), golden(sent(false), json!({"max_completion_tokens": 8192})));
    assert!(has_note(&pr, "messages[].reasoning_content", Action::Dropped) && has_note(&pr, "messages[].reasoning", Action::Dropped));
}

#[test]
fn e3_a_declared_row_without_max_tokens_gets_8192_clamped_to_the_budget_and_undeclared_ids_none() {
    let p = provider_at("http://127.0.0.1:8000/v1", json!([{"id": "m", "name": "m"}, {"id": "small", "name": "s", "contextWindow": 4096}]));
    let pr = prepared(&p, json!({"model": "vllm/m", "messages": hi()}));
    assert_eq!(serde_json::to_string(&pr.body).unwrap(), golden(hi(), json!({"max_completion_tokens": 8192})));
    assert!(has_note(&pr, "max_completion_tokens", Action::Added));
    // 4096 − ceil(2 chars × 5/16) − 1.
    assert_eq!(body_of(&p, json!({"model": "vllm/small", "messages": hi()})), body("small", hi(), json!({"max_completion_tokens": 4094})));
    // A request above the default is clamped to it, as to any row's maxTokens.
    assert_eq!(prepared(&p, json!({"model": "vllm/m", "messages": hi(), "params": {"maxTokens": 20000}})).body["max_completion_tokens"], 8192);
    let pr = prepared(&p, json!({"model": "vllm/other", "messages": hi()}));
    assert_eq!(serde_json::to_string(&pr.body).unwrap(), body("other", hi(), json!({})));
    assert!(pr.notes.iter().any(|n| n.field == "model" && n.reason.ends_with("no output cap.")));
}

#[test]
fn e4_a_rows_params_max_tokens_above_its_max_tokens_wins_and_a_requests_is_clamped() {
    let p = provider(json!({"maxTokens": 1024, "params": {"maxTokens": 3000}}));
    let pr = prepared(&p, json!({"model": "vllm/m", "messages": hi()}));
    assert_eq!(serde_json::to_string(&pr.body).unwrap(), golden(hi(), json!({"max_completion_tokens": 3000})));
    assert!(!pr.notes.iter().any(|n| n.field == "max_completion_tokens"), "nothing lowered it");
    // Only the context budget clamps it: 2048 − 1 − 1.
    let small = provider(json!({"contextWindow": 2048, "maxTokens": 1024, "params": {"max_tokens": 3000}}));
    assert_eq!(body_of(&small, json!({"model": "vllm/m", "messages": hi()})), golden(hi(), json!({"max_completion_tokens": 2046})));
    // The request's own cap above the row's maxTokens is clamped to the row (unchanged).
    for p in [provider(json!({"maxTokens": 1024})), p] {
        let pr = prepared(&p, json!({"model": "vllm/m", "messages": hi(), "params": {"maxTokens": 5000}}));
        assert_eq!(serde_json::to_string(&pr.body).unwrap(), golden(hi(), json!({"max_completion_tokens": 1024})));
        assert!(has_note(&pr, "max_completion_tokens", Action::Clamped));
    }
}

#[test]
fn e5_a_self_prefixed_ref_is_not_reduced_and_names_an_undeclared_id() {
    let p = provider_at("http://127.0.0.1:8000/v1", json!([{"id": "my-model", "name": "m", "maxTokens": 512}]));
    let pr = prepared(&p, json!({"model": "vllm/vllm/my-model", "messages": hi()}));
    assert_eq!(serde_json::to_string(&pr.body).unwrap(), body("vllm/my-model", hi(), json!({})));
    assert!(pr.notes.iter().any(|n| n.field == "model" && n.reason.contains("\"vllm/my-model\" is not among")));
    assert_eq!(body_of(&p, json!({"model": "vllm/my-model", "messages": hi()})), body("my-model", hi(), json!({"max_completion_tokens": 512})));
}

/// A provider whose row `m` has params `{temperature: 0.1, seed: 3}` and whose agents set `agent` for `key`.
fn with_agent_params(key: &str, agent: Value) -> Provider {
    let config = json!({
        "models": {"providers": {"vllm": {"baseUrl": "http://127.0.0.1:8000/v1", "api": "openai-completions", "apiKey": "sk-secret-123",
            "models": [{"id": "m", "name": "m", "contextWindow": 32768, "maxTokens": 8192, "params": {"temperature": 0.1, "seed": 3}}]}}},
        "agents": {"defaults": {"models": {key: {"params": agent}}}},
    });
    resolve(&ResolveInput { config: Some(ConfigInput::Value(config)), ..Default::default() }).unwrap()
}

#[test]
fn e6_agents_params_override_the_rows_key_by_key_and_the_request_overrides_both() {
    let p = with_agent_params("vllm/m", json!({"temperature": 0.6, "topP": 0.9, "extra_body": {"top_k": 5}}));
    let got = body_of(&p, json!({"model": "vllm/m", "messages": hi(), "params": {"seed": 11}}));
    assert_eq!(got, golden(hi(), json!({"temperature": 0.6, "top_p": 0.9, "seed": 11, "max_completion_tokens": 8192, "top_k": 5})));
    // Without request params the row's seed stays (a bare id reaches the same row and params).
    assert_eq!(body_of(&p, json!({"model": "m", "messages": hi()})), golden(hi(), json!({"temperature": 0.6, "top_p": 0.9, "seed": 3, "max_completion_tokens": 8192, "top_k": 5})));
    // Params of another model's entry do not apply.
    let other = with_agent_params("vllm/other", json!({"temperature": 0.6}));
    assert_eq!(body_of(&other, json!({"model": "vllm/m", "messages": hi()})), golden(hi(), json!({"temperature": 0.1, "seed": 3, "max_completion_tokens": 8192})));
    // The entry is found by the model's exact ref: `vllm/vllm/m` is model `vllm/m`'s (undeclared: no cap).
    let prefixed = with_agent_params("vllm/vllm/m", json!({"temperature": 0.6}));
    assert_eq!(body_of(&prefixed, json!({"model": "vllm/vllm/m", "messages": hi()})), body("vllm/m", hi(), json!({"temperature": 0.6})));
    // The agents' maxTokens is a run's own cap: clamped to the row's maxTokens.
    let capped = with_agent_params("vllm/m", json!({"maxTokens": 9000}));
    assert_eq!(prepared(&capped, json!({"model": "vllm/m", "messages": hi()})).body["max_completion_tokens"], 8192);
}

#[test]
fn e7_snake_case_max_tokens_frequency_penalty_and_stop_are_honoured_top_p_is_dropped() {
    let pr = prepared(&provider(json!({})), json!({"model": "vllm/m", "messages": hi(), "params": {"max_tokens": 256, "frequency_penalty": 0.5, "stop": "END", "top_p": 0.5}}));
    assert_eq!(serde_json::to_string(&pr.body).unwrap(), golden(hi(), json!({"frequency_penalty": 0.5, "stop": ["END"], "max_completion_tokens": 256})));
    assert!(has_note(&pr, "top_p", Action::Dropped));
    // The first usable spelling of one source wins: maxTokens, then max_tokens, then max_completion_tokens.
    let pr = prepared(&provider(json!({})), json!({"model": "m", "messages": hi(), "params": {"max_completion_tokens": 300, "maxTokens": "x", "max_tokens": 200}}));
    assert_eq!(pr.body["max_completion_tokens"], 200);
}

#[test]
fn e8_a_qwen_chat_template_row_without_reasoning_offers_only_off_and_sends_no_kwargs() {
    let row = json!({"compat": {"thinkingFormat": "qwen-chat-template"}});
    let p = provider(row.clone());
    let profile = profile_for(&p, "vllm/m").unwrap();
    assert_eq!(serde_json::to_value(&profile).unwrap(), json!({"levels": [{"id": "off"}], "defaultLevel": "off", "source": "core"}));
    assert!(!p.describe().models[0].reasoning);
    let plain = golden(hi(), json!({"max_completion_tokens": 8192}));
    for thinking in [None, Some("off"), Some("low"), Some("on"), Some("high")] {
        let mut req = json!({"model": "vllm/m", "messages": hi()});
        if let Some(t) = thinking {
            req["thinking"] = json!(t);
        }
        let pr = prepared(&p, req);
        assert_eq!(serde_json::to_string(&pr.body).unwrap(), plain, "{thinking:?}");
        let clamped = pr.notes.iter().find(|n| n.field == "thinking");
        match thinking {
            Some(l @ ("low" | "on" | "high")) => assert_eq!(
                clamped.map(|n| (n.action, n.reason.as_str())),
                Some((Action::Clamped, format!("Thinking `{l}` is not offered by this model (reasoning is off for it); sent without thinking, as OpenClaw's scheduled runs do.").as_str()))
            ),
            _ => assert!(clamped.is_none()),
        }
    }
    // With reasoning: true the documented kwargs are sent (unchanged).
    let mut reasoning = row;
    reasoning["reasoning"] = json!(true);
    let on = body_of(&provider(reasoning), json!({"model": "vllm/m", "messages": hi(), "thinking": "low"}));
    assert_eq!(on, golden(hi(), json!({"max_completion_tokens": 8192, "chat_template_kwargs": {"enable_thinking": true, "preserve_thinking": true}})));
}

#[test]
fn e9_request_auth_header_mode_sends_that_header_and_the_bearer() {
    let config = json!({"models": {"providers": {"vllm": {"baseUrl": "http://127.0.0.1:8000/v1", "api": "openai-completions", "apiKey": "sk-secret-123",
        "headers": {"Authorization": "Bearer configured-one"},
        "request": {"auth": {"mode": "header", "headerName": "X-Api-Key", "value": "header-secret-456"}}, "models": [{"id": "m", "name": "m"}]}}}});
    let p = resolve(&ResolveInput { config: Some(ConfigInput::Value(config)), ..Default::default() }).unwrap();
    let s = build_from_json(&p, &json!({"model": "vllm/m", "messages": hi()}).to_string()).unwrap();
    let sent: Vec<(&str, &str)> = s.http.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(sent, [("Content-Type", "application/json"), ("Accept", "application/json"), ("Authorization", "Bearer sk-secret-123"), ("X-Api-Key", "header-secret-456")]);
    assert_eq!(serde_json::to_value(&s.prepared.headers).unwrap(), json!({"Content-Type": "application/json", "Accept": "application/json", "Authorization": "Bearer [redacted]", "X-Api-Key": "[redacted]"}));
    assert!(p.describe().auth.sends_authorization);
}
