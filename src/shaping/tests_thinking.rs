//! Thinking controls pinned against OpenClaw's checklist (47–54) and the vLLM plugin's vectors (§8.1–§8.3).

use super::tests::{prepared, provider};
use super::*;
use serde_json::json;

fn hi() -> Value {
    json!([{"role": "user", "content": "hi"}])
}

fn req(thinking: Option<&str>, params: Value) -> Value {
    let mut r = json!({"model": "m", "messages": hi(), "params": params});
    if let Some(t) = thinking {
        r["thinking"] = json!(t);
    }
    r
}

fn body(row: Value, thinking: Option<&str>, params: Value) -> Map<String, Value> {
    prepared(&provider(row), req(thinking, params)).body
}

const CHAT_TEMPLATE: &str = "qwen-chat-template";

#[test]
fn qwen_chat_template_off_and_on() {
    let row = json!({"reasoning": true, "compat": {"thinkingFormat": CHAT_TEMPLATE}});
    let off = body(row.clone(), Some("off"), json!({}));
    assert_eq!(off["chat_template_kwargs"], json!({"enable_thinking": false, "preserve_thinking": true}));
    assert!(!off.contains_key("reasoning_effort") && !off.contains_key("reasoning"));
    let on = body(row.clone(), Some("on"), json!({}));
    assert_eq!(on["chat_template_kwargs"], json!({"enable_thinking": true, "preserve_thinking": true}));
    // Unset thinking takes the profile's default, which is off for vLLM's binary profile.
    assert_eq!(body(row, None, json!({}))["chat_template_kwargs"]["enable_thinking"], false);
}

#[test]
fn qwen_top_level_format_sends_enable_thinking() {
    let b = body(json!({"compat": {"thinkingFormat": "qwen"}}), Some("high"), json!({}));
    assert_eq!(b["enable_thinking"], true);
    assert!(!b.contains_key("chat_template_kwargs") && !b.contains_key("reasoning_effort"));
}

#[test]
fn qwen_with_reasoning_false_is_untouched() {
    let b = body(json!({"reasoning": false, "compat": {"thinkingFormat": CHAT_TEMPLATE}}), Some("off"), json!({"temperature": 0.2}));
    assert!(!b.contains_key("chat_template_kwargs") && !b.contains_key("enable_thinking"));
    assert_eq!(b["temperature"], 0.2);
}

#[test]
fn configured_kwargs_merge_over_the_qwen_switch() {
    let b = body(json!({"reasoning": true, "compat": {"thinkingFormat": CHAT_TEMPLATE}}), Some("off"), json!({"chat_template_kwargs": {"preserve_thinking": false}}));
    assert_eq!(b["chat_template_kwargs"], json!({"enable_thinking": false, "preserve_thinking": false}));
}

#[test]
fn nemotron_off_adds_kwargs_and_params_win() {
    let row = json!({"id": "nemotron-3-super", "name": "n", "reasoning": true});
    let p = |thinking: &str, params: Value| prepared(&super::tests::provider(row.clone()), json!({"model": "nemotron-3-super", "messages": hi(), "thinking": thinking, "params": params})).body;
    assert_eq!(p("off", json!({}))["chat_template_kwargs"], json!({"enable_thinking": false, "force_nonempty_content": true}));
    assert!(!p("on", json!({})).contains_key("chat_template_kwargs"));
    assert_eq!(p("off", json!({"chat_template_kwargs": {"force_nonempty_content": false}}))["chat_template_kwargs"], json!({"enable_thinking": false, "force_nonempty_content": false}));
    assert_eq!(p("off", json!({"extra_body": {"chat_template_kwargs": {"a": 1}}}))["chat_template_kwargs"], json!({"a": 1}));
}

#[test]
fn qwen_compat_on_a_nemotron_id_combines_both() {
    let row = json!({"id": "nemotron-3-nano", "name": "n", "reasoning": true, "compat": {"thinkingFormat": CHAT_TEMPLATE}});
    let b = prepared(&provider(row), json!({"model": "nemotron-3-nano", "messages": hi(), "thinking": "off"})).body;
    assert_eq!(b["chat_template_kwargs"], json!({"enable_thinking": false, "preserve_thinking": true, "force_nonempty_content": true}));
}

#[test]
fn effort_ladders_send_the_mapped_effort() {
    let row = json!({"reasoning": true, "compat": {"thinkingFormat": CHAT_TEMPLATE, "supportedReasoningEfforts": ["minimal", "low", "medium", "high", "xhigh", "max"]}});
    assert_eq!(body(row.clone(), Some("xhigh"), json!({}))["chat_template_kwargs"], json!({"enable_thinking": true, "preserve_thinking": true, "reasoning_effort": "xhigh"}));
    assert_eq!(body(row, Some("off"), json!({}))["chat_template_kwargs"], json!({"enable_thinking": false, "preserve_thinking": true}));
    let top = json!({"compat": {"thinkingFormat": "qwen", "supportedReasoningEfforts": ["low", "high"]}});
    let b = body(top, Some("high"), json!({}));
    assert_eq!((b["enable_thinking"].clone(), b["reasoning_effort"].clone()), (json!(true), json!("high")));
    let mapped = |supports: bool| json!({"reasoning": true, "compat": {"thinkingFormat": CHAT_TEMPLATE, "supportsReasoningEffort": supports,
        "supportedReasoningEfforts": ["LOW", "HIGH"], "reasoningEffortMap": {"low": "LOW", "high": "HIGH"}}});
    assert_eq!(body(mapped(true), Some("high"), json!({}))["chat_template_kwargs"]["reasoning_effort"], "HIGH");
    assert_eq!(body(mapped(false), Some("high"), json!({}))["chat_template_kwargs"], json!({"enable_thinking": true, "preserve_thinking": true}));
}

#[test]
fn deepseek_v4_gets_kwargs_under_existing_keys() {
    let row = json!({"id": "deepseek-ai/DeepSeek-V4-Flash", "name": "d", "reasoning": true, "compat": {"supportedReasoningEfforts": ["high", "max"]}});
    let call = |level: &str, params: Value| prepared(&provider(row.clone()), json!({"model": "deepseek-ai/DeepSeek-V4-Flash", "messages": hi(), "thinking": level, "params": params})).body;
    assert_eq!(call("max", json!({}))["chat_template_kwargs"], json!({"thinking": true, "enable_thinking": true, "reasoning_effort": "max"}));
    assert_eq!(call("off", json!({}))["chat_template_kwargs"], json!({"thinking": false, "enable_thinking": false}));
    let kept = call("high", json!({"chat_template_kwargs": {"thinking": false, "enable_thinking": false, "drop_thinking": false}}));
    assert_eq!(kept["chat_template_kwargs"], json!({"thinking": false, "enable_thinking": false, "reasoning_effort": "high", "drop_thinking": false}));
}

#[test]
fn model_id_patterns() {
    assert!(crate::models::thinking::is_nemotron3("nvidia/NVIDIA-Nemotron-3-Super-120B") && crate::models::thinking::is_nemotron3("nemotron-3"));
    assert!(!crate::models::thinking::is_nemotron3("nemotron-30b") && !crate::models::thinking::is_nemotron3("nemotron-3x"));
    assert!(thinking::is_deepseek_v4("DeepSeek-V4") && thinking::is_deepseek_v4("deepseek_v4_pro") && thinking::is_deepseek_v4("deepseekv4-flash"));
    assert!(!thinking::is_deepseek_v4("deepseek-v41") && !thinking::is_deepseek_v4("deepseek-v3"));
}

fn profile(row: Value) -> ThinkingProfile {
    let id = row["id"].as_str().unwrap_or("m").to_string();
    profile_for(&provider(row), &id).unwrap()
}

fn ids(p: &ThinkingProfile) -> Vec<&str> {
    p.levels.iter().map(|l| l.id).collect()
}

#[test]
fn thinking_profiles_match_the_vllm_plugin() {
    let binary = profile(json!({"compat": {"thinkingFormat": "qwen"}}));
    assert_eq!(serde_json::to_value(&binary).unwrap(), json!({"levels": [{"id": "off"}, {"id": "low", "label": "on"}], "defaultLevel": "off", "source": "vllm"}));
    assert_eq!(ids(&profile(json!({"id": "nemotron-3-super", "name": "n", "reasoning": true}))), ["off", "low"]);
    let ladder = profile(json!({"reasoning": true, "compat": {"thinkingFormat": CHAT_TEMPLATE, "supportedReasoningEfforts": ["xhigh", " low ", "medium", "low"]}}));
    assert_eq!(ids(&ladder), ["off", "low", "medium", "xhigh"]);
    let mapped = profile(json!({"compat": {"thinkingFormat": "qwen", "supportedReasoningEfforts": [" LOW ", "HIGH"], "reasoningEffortMap": {"low": "LOW", "high": "HIGH", "max": "UNSUPPORTED"}}}));
    assert_eq!(ids(&mapped), ["off", "low", "high"]);
    for compat in [json!({"thinkingFormat": "qwen", "supportedReasoningEfforts": []}), json!({"thinkingFormat": "qwen", "supportedReasoningEfforts": ["LOW", "HIGH"]}), json!({"thinkingFormat": "qwen", "supportedReasoningEfforts": ["low"], "supportsReasoningEffort": false})] {
        assert_eq!(ids(&profile(json!({"compat": compat}))), ["off", "low"]);
    }
    assert_eq!(profile(json!({"id": "Qwen/Qwen3-8B", "name": "q", "reasoning": true})).source, "core");
    assert_eq!(profile(json!({"reasoning": false, "compat": {"thinkingFormat": "qwen"}})).source, "core");
}

#[test]
fn top_level_qwen_rows_without_reasoning_are_reasoning_models_chat_template_rows_are_not() {
    let reasoning = |compat: Value| resolve_model(&provider(json!({"compat": compat})), "m", &mut Notes::default()).unwrap().reasoning;
    assert!(reasoning(json!({"thinkingFormat": "qwen"})), "checklist 54, for the top-level format");
    assert!(!reasoning(json!({"thinkingFormat": CHAT_TEMPLATE})), "errata §0.1 item 8");
}

#[test]
fn priority_only_with_priority_scheduling() {
    let with = |urgency: &str, params: Value| {
        let mut r = req(None, params);
        r["priority"] = json!(urgency);
        prepared(&provider(json!({})), r).body
    };
    assert_eq!(with("foreground", json!({"priorityScheduling": true}))["priority"], -100);
    assert_eq!(with("background", json!({"priorityScheduling": true}))["priority"], 100);
    assert_eq!(with("normal", json!({"priorityScheduling": true, "extraBody": {"priority": 0}}))["priority"], 0);
    assert!(!with("background", json!({})).contains_key("priority"));
    assert_eq!(with("normal", json!({"extraBody": {"priority": 75}}))["priority"], 75);
    assert!(!with("background", json!({"priorityScheduling": true})).contains_key("priorityScheduling"));
}

#[test]
fn golden_thinking_bodies() {
    let golden = super::tests::golden;
    let qwen = body(json!({"reasoning": true, "compat": {"thinkingFormat": CHAT_TEMPLATE}}), Some("on"), json!({}));
    assert_eq!(serde_json::to_string(&qwen).unwrap(), golden(hi(), json!({"max_completion_tokens": 8192, "chat_template_kwargs": {"enable_thinking": true, "preserve_thinking": true}})));
    let top = body(json!({"compat": {"thinkingFormat": "qwen"}}), Some("off"), json!({}));
    assert_eq!(serde_json::to_string(&top).unwrap(), golden(hi(), json!({"max_completion_tokens": 8192, "enable_thinking": false})));
    let mut r = req(Some("off"), json!({"priorityScheduling": true}));
    r["priority"] = json!("foreground");
    let prio = prepared(&provider(json!({})), r).body;
    assert_eq!(serde_json::to_string(&prio).unwrap(), golden(hi(), json!({"max_completion_tokens": 8192, "priority": -100})));
}

#[test]
fn described_discovered_and_catalog_rows_carry_their_thinking_profile() {
    let p = provider(json!({"compat": {"thinkingFormat": "qwen"}}));
    let row = serde_json::to_value(&p.describe().models[0]).unwrap();
    assert_eq!(row["thinking"], json!({"levels": [{"id": "off"}, {"id": "low", "label": "on"}], "defaultLevel": "off", "source": "vllm"}));
    let resp = crate::http::HttpResponse {
        status: 200,
        headers: vec![],
        body: br#"{"object":"list","data":[{"id":"m","max_model_len":4096},{"id":"deepseek-r1","max_model_len":4096},{"id":"plain"}]}"#.to_vec(),
        truncated: false,
        duration_ms: 1,
    };
    let found = p.parse_discovery(&resp).unwrap();
    let levels = |r: &crate::models::ModelDefinition| r.thinking.as_ref().map(|t| ids(t).join(",")).unwrap_or_default();
    assert_eq!(found.iter().map(levels).collect::<Vec<_>>(), ["off", "off,minimal,low,medium,high", "off"]);
    let catalog = p.catalog(Some((Ok(found), 1))).unwrap();
    assert_eq!(catalog.models.iter().map(|r| (r.id.as_str(), levels(r))).collect::<Vec<_>>(), [("m", "off,low".to_string()), ("deepseek-r1", "off,minimal,low,medium,high".to_string()), ("plain", "off".to_string())]);
}
