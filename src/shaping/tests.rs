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

pub fn hi() -> Value {
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
fn undeclared_models_use_the_configured_fallback_row_and_other_providers_are_refused() {
    let pr = prepared(&provider(json!({})), json!({"model": "vllm/other", "messages": hi()}));
    assert_eq!(pr.body["model"], "other");
    assert!(!pr.body.contains_key("max_completion_tokens"));
    assert!(pr.notes.iter().any(|n| n.field == "model" && n.reason.contains("not among")));
    let e = build_from_json(&provider(json!({})), &json!({"model": "openai/gpt-4o", "messages": hi()}).to_string()).unwrap_err();
    assert_eq!((e.code, e.path.as_deref()), (ErrorCode::Config, Some("model")));
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
