//! The output cap: its field, the declared and requested caps, and the clamp to the estimated
//! remaining context (warnings and errors when the budget runs out).

use super::tests::{body_of, golden, hi, prepared, provider, provider_at, view};
use super::*;
use crate::error::ErrorCode;
use serde_json::json;

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
fn golden_budget_clamps_cjk_prompts() {
    let p = provider(json!({"contextWindow": 20000, "contextTokens": 10000, "maxTokens": 10000}));
    let cjk = json!([{"role": "system", "content": "你好世界".repeat(1000)}]);
    assert_eq!(body_of(&p, json!({"model": "m", "messages": cjk})), golden(cjk, json!({"max_completion_tokens": 4999})));
}
