//! Which way each value should cross the boundary: serde-wasm-bindgen, or JSON text (`JSON.stringify` in,
//! `serde_json` out of it; `serde_json::to_string` then `JSON.parse` the other way). Timed under Node,
//! optimised: `node scripts/bench.mjs --conversions` runs
//! `cargo test --release --target wasm32-unknown-unknown --test convert_bench -- --include-ignored`.
//! The figures go in BENCHMARKS.md; src/wasm/convert.rs follows them.
#![cfg(target_arch = "wasm32")]

use js_sys::{Function, Reflect, JSON};
use serde::Serialize;
use serde_json::{json, Value};
use vllm_provider::stream::{ChatMessage, ChatResult, StopReason, StreamEvent, Usage};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

fn now() -> f64 {
    let performance = Reflect::get(&js_sys::global(), &"performance".into()).unwrap();
    let now: Function = Reflect::get(&performance, &"now".into()).unwrap().unchecked_into();
    now.call0(&performance).unwrap().as_f64().unwrap()
}

/// Microseconds per call of `f`, over enough calls to take about 200 ms.
fn time(mut f: impl FnMut()) -> f64 {
    f();
    let mut n = 1;
    loop {
        let started = now();
        for _ in 0..n {
            f();
        }
        let ms = now() - started;
        if ms > 200.0 {
            return ms * 1000.0 / n as f64;
        }
        n *= 2;
    }
}

fn structured_clone(v: &JsValue) -> JsValue {
    let clone: Function = Reflect::get(&js_sys::global(), &"structuredClone".into()).unwrap().unchecked_into();
    clone.call1(&JsValue::UNDEFINED, v).unwrap()
}

/// In: a JS value to a `serde_json::Value`, both ways (the swb way clones first, as a getter or a Proxy
/// must not reach serde-wasm-bindgen's uncaught property reads).
fn compare_in(what: &str, js: &JsValue) {
    let via_json = time(|| {
        let text = JSON::stringify(js).unwrap().as_string().unwrap();
        let _: Value = serde_json::from_slice(text.as_bytes()).unwrap();
    });
    let via_swb = time(|| {
        let _: Value = serde_wasm_bindgen::from_value(structured_clone(js)).unwrap();
    });
    console_log!("| in | {what} | {via_swb:.1} | {via_json:.1} | {} |", if via_swb <= via_json { "serde-wasm-bindgen" } else { "JSON text" });
}

/// Out: a Rust value to a JS value, both ways.
fn compare_out<T: Serialize>(what: &str, value: &T) {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let via_swb = time(|| {
        value.serialize(&serializer).unwrap();
    });
    let via_json = time(|| {
        JSON::parse(&serde_json::to_string(value).unwrap()).unwrap();
    });
    console_log!("| out | {what} | {via_swb:.1} | {via_json:.1} | {} |", if via_swb <= via_json { "serde-wasm-bindgen" } else { "JSON text" });
}

fn js(v: &Value) -> JsValue {
    JSON::parse(&v.to_string()).unwrap()
}

#[wasm_bindgen_test]
#[ignore = "a benchmark: run by `node scripts/bench.mjs --conversions`"]
fn conversions() {
    let models: Vec<Value> = (0..20).map(|i| json!({ "id": format!("model-{i}"), "name": format!("Model {i}"), "reasoning": i % 2 == 0, "input": ["text"], "contextWindow": 32768, "maxTokens": 8192, "cost": { "input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0 } })).collect();
    let config = json!({ "models": { "providers": { "vllm": { "baseUrl": "http://127.0.0.1:8000/v1", "apiKey": "${VLLM_API_KEY}", "api": "openai-completions", "models": models } } }, "agents": { "defaults": { "model": { "primary": "vllm/model-0" } } } });
    let env: serde_json::Map<String, Value> = (0..60).map(|i| (format!("VAR_{i}"), json!(format!("/usr/local/value/{i}/with/some/length")))).collect();
    let small_request = json!({ "model": "vllm/model-0", "messages": [{ "role": "user", "content": "Say hi" }], "params": { "maxTokens": 32 } });
    let messages: Vec<Value> = (0..40).map(|i| json!({ "role": if i % 2 == 0 { "user" } else { "assistant" }, "content": "lorem ipsum dolor sit amet ".repeat(80) })).collect();
    let tools: Vec<Value> = (0..8).map(|i| json!({ "name": format!("tool_{i}"), "description": "Does a thing with a city and a unit.", "parameters": { "type": "object", "properties": { "city": { "type": "string" }, "unit": { "type": "string", "enum": ["c", "f"] } }, "required": ["city"] } })).collect();
    let big_request = json!({ "model": "vllm/model-0", "messages": messages, "tools": tools });

    let event = |i: usize| match i % 3 {
        0 => StreamEvent::Reasoning { delta: " reasoning".into(), field: "reasoning" },
        1 => StreamEvent::Text { delta: " words".into() },
        _ => StreamEvent::ToolCall { index: 0, id: None, name: None, arguments_delta: " \"Paris\"".into() },
    };
    let batch: Vec<StreamEvent> = (0..300).map(event).collect();
    let result = ChatResult {
        id: "chatcmpl-8a2d6e0f4b7c1935".into(),
        model: "qwen3-8b".into(),
        base_url: "http://127.0.0.1:8000/v1".into(),
        message: ChatMessage { content: "The capital of France is Paris. ".repeat(200), reasoning: Some("The user asks. ".repeat(200)), reasoning_field: Some("reasoning".into()), tool_calls: Vec::new() },
        stop_reason: StopReason::Stop,
        usage: Some(Usage::default()),
        request_id: Some("0123456789abcdef0123456789abcdef".into()),
        error: None,
    };
    let catalog: Vec<vllm_provider::models::ModelDefinition> = {
        let text = config.to_string();
        let p = vllm_provider::resolve(&vllm_provider::ResolveInput { config: Some(vllm_provider::ConfigInput::Text(text)), ..Default::default() }).unwrap();
        p.describe().models.clone()
    };

    console_log!("| direction | value | serde-wasm-bindgen µs | JSON text µs | faster |");
    console_log!("|---|---|---:|---:|---|");
    compare_in("config object (20 models)", &js(&config));
    compare_in("env (60 variables)", &js(&Value::Object(env)));
    compare_in("chat request, small", &js(&small_request));
    compare_in("chat request, 40 messages of 2 KB and 8 tools", &js(&big_request));
    compare_in("headers (3)", &js(&json!({ "retry-after": "7", "content-type": "application/json", "x-request-id": "abc" })));
    compare_out("event batch (300 events, one read)", &batch);
    compare_out("one event", &batch[1]);
    compare_out("chat result (12 KB of text)", &result);
    compare_out("model definitions (20)", &catalog);
}
