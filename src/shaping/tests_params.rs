//! Params and `extraBody`: sampling fields in OpenClaw's order, fields a proxy-style endpoint never
//! gets, prompt-cache fields, poisoned keys, and `extraBody` replacing or adding keys with notes.

use super::tests::{body_of, golden, hi, prepared, provider};
use super::*;
use serde_json::json;

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
fn golden_proxy_policy_drops_every_native_only_field() {
    let got = body_of(&provider(json!({})), json!({"model": "m", "messages": hi(),
        "params": {"store": true, "serviceTier": "flex", "user": "u", "metadata": {"a": 1}, "reasoning_effort": "high", "promptCacheKey": "k", "cacheRetention": "long", "logprobs": true, "n": 2}}));
    assert_eq!(got, golden(hi(), json!({"max_completion_tokens": 8192})));
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
