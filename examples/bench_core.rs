//! The core's hot paths, natively: `cargo run --release --example bench_core`.
//!
//! Prints medians (and the spread: the fastest and slowest of the runs) of
//! - SSE: a ~20 MB vLLM stream built from the recorded fixtures' shapes (reasoning, content and
//!   tool-call deltas, a usage chunk), read in 64 KiB pieces and in one piece, into the whole result;
//! - the chat request of 20 messages and 5 tools, parsed and built;
//! - discovery of 1 000 model cards (about 400 KB) as vLLM 0.33 writes them;
//! - `resolve()` with 80 000 model rows, 16 000 headers, 16 000 aliases and 16 000 auth profiles.
//!
//! These are benchmarks, not tests: the figures vary with the machine and its load. The tests assert
//! results and growth rates instead.

use std::hint::black_box;
use std::time::{Duration, Instant};
use vllm_provider::config::{resolve, ConfigInput, Provider, ResolveInput};
use vllm_provider::http::HttpResponse;
use vllm_provider::stream::{BodyKind, ChatStream, StreamEvent, StreamOptions};

/// Runs `f` `runs` times; the median, fastest and slowest run.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration, Duration) {
    let mut all: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .collect();
    all.sort_unstable();
    (all[runs / 2], all[0], all[runs - 1])
}

/// Like [`time`], for work too quick to time once: each run repeats `f` for 200 ms; per call.
fn per_call<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration, Duration) {
    let mut all: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let mut n = 0;
            while t.elapsed() < Duration::from_millis(200) {
                black_box(f());
                n += 1;
            }
            t.elapsed() / n
        })
        .collect();
    all.sort_unstable();
    (all[runs / 2], all[0], all[runs - 1])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn chunk(id: &str, delta: &str, finish: &str) -> String {
    format!(
        "data: {{\"id\":\"{id}\",\"object\":\"chat.completion.chunk\",\"created\":1795526400,\"model\":\"qwen3-8b\",\"choices\":[{{\"index\":0,\"delta\":{delta},\"logprobs\":null,\"finish_reason\":{finish},\"token_ids\":null}}],\"kv_transfer_params\":null}}\n\n"
    )
}

/// A stream of about `target` bytes: reasoning deltas, then content deltas, then a tool call whose
/// arguments arrive in pieces, in the proportions of a long agent turn; then the finish and usage.
pub fn sse_body(target: usize) -> Vec<u8> {
    let id = "chatcmpl-8a2d6e0f4b7c1935";
    let words = ["The", " user", " asks", " for", " the", " capital", " of", " France", ",", " \\\"Paris\\\"", " — ", " é", "\\n"];
    let mut out = chunk(id, "{\"role\":\"assistant\",\"content\":\"\"}", "null");
    let mut i = 0;
    while out.len() < target {
        let w = words[i % words.len()];
        let delta = match (i / 64) % 4 {
            0 | 1 => format!("{{\"reasoning\":\"{w}\"}}"),
            2 => format!("{{\"content\":\"{w}\"}}"),
            _ if i % 64 == 0 => format!(
                "{{\"content\":null,\"tool_calls\":[{{\"id\":\"chatcmpl-tool-{i}\",\"type\":\"function\",\"index\":{},\"function\":{{\"name\":\"get_weather\"}}}}]}}",
                i / 256
            ),
            _ => format!("{{\"content\":null,\"tool_calls\":[{{\"index\":{},\"function\":{{\"arguments\":\"{}\"}}}}]}}", i / 256, if i % 64 == 1 { "{\\\"city\\\": \\\"" } else if i % 64 == 63 { "\\\"}" } else { "x" }),
        };
        out.push_str(&chunk(id, &delta, "null"));
        i += 1;
    }
    out.push_str(&chunk(id, "{\"content\":\"\"}", "\"tool_calls\""));
    out.push_str(&format!("data: {{\"id\":\"{id}\",\"object\":\"chat.completion.chunk\",\"created\":1795526400,\"model\":\"qwen3-8b\",\"choices\":[],\"usage\":{{\"prompt_tokens\":17,\"total_tokens\":26,\"completion_tokens\":9,\"completion_tokens_details\":{{\"reasoning_tokens\":4}}}}}}\n\ndata: [DONE]\n\n"));
    out.into_bytes()
}

fn read_sse(body: &[u8], piece: usize) -> usize {
    let opts = StreamOptions { model: "qwen3-8b".into(), emit_reasoning: true, ..Default::default() };
    let mut s = ChatStream::new(BodyKind::EventStream, opts);
    let mut events = 0;
    for c in body.chunks(piece) {
        events += s.push(c).expect("the stream reads").len();
    }
    let last = s.finish().expect("the stream ends");
    match last.last() {
        Some(StreamEvent::Done { result }) => assert!(!result.message.content.is_empty() && !result.message.tool_calls.is_empty()),
        other => panic!("no result: {other:?}"),
    }
    events + last.len()
}

fn provider() -> Provider {
    let config = r#"{ models: { providers: { vllm: {
        baseUrl: "http://127.0.0.1:8000/v1", apiKey: "sk-bench-0123456789",
        headers: { "X-Team": "bench" },
        models: [{ id: "qwen3-8b", name: "Qwen3 8B", reasoning: true, contextWindow: 32768, maxTokens: 4096,
                   compat: { thinkingFormat: "qwen-chat-template", supportedReasoningEfforts: ["low", "high"] },
                   params: { temperature: 0.6, topP: 0.95 } }] } } } }"#;
    resolve(&ResolveInput { config: Some(ConfigInput::Text(config.into())), ..Default::default() }).expect("the bench config resolves")
}

/// 20 messages (system, user turns, assistant turns with tool calls, tool results) and 5 tools.
fn request_json() -> String {
    let mut messages = vec![r#"{"role":"system","content":"You are a careful assistant. Answer briefly and cite the tool results you used."}"#.to_string()];
    for i in 0..6 {
        messages.push(format!(r#"{{"role":"user","content":"Question {i}: what is the weather in city number {i}, and should I take an umbrella?"}}"#));
        messages.push(format!(
            r#"{{"role":"assistant","content":"","reasoning":"The user wants weather {i}.","reasoningField":"reasoning_content","toolCalls":[{{"id":"call_{i}|abc","name":"get_weather","arguments":{{"city":"City {i}","unit":"celsius"}}}}]}}"#
        ));
        messages.push(format!(r#"{{"role":"tool","toolCallId":"call_{i}|abc","toolName":"get_weather","content":"{{\"temp\": {i}, \"rain\": true}}"}}"#));
    }
    assert_eq!(messages.len(), 19);
    messages.push(r#"{"role":"user","content":[{"type":"text","text":"Thanks. Summarise all of it in a table."}]}"#.to_string());
    let tools: Vec<String> = ["get_weather", "get_time", "search_web", "read_file", "send_mail"]
        .iter()
        .map(|n| format!(r#"{{"name":"{n}","description":"The {n} tool.","parameters":{{"type":"object","properties":{{"q":{{"type":"string","description":"What to ask"}},"limit":{{"type":"integer","minimum":1}}}},"required":["q"]}}}}"#))
        .collect();
    format!(
        r#"{{"model":"vllm/qwen3-8b","messages":[{}],"tools":[{}],"params":{{"maxTokens":1024,"temperature":0.2}},"thinking":"high"}}"#,
        messages.join(","),
        tools.join(",")
    )
}

/// `n` model cards as vLLM 0.33 lists them (every fourth one a LoRA adapter of the card before).
pub fn models_body(n: usize) -> Vec<u8> {
    let cards: Vec<String> = (0..n)
        .map(|i| {
            let parent = if i % 4 == 3 { format!("\"org/model-{}\"", i - 1) } else { "null".into() };
            let len = if i % 4 == 3 { "null".to_string() } else { (4096 * (1 + i % 8)).to_string() };
            format!(
                r#"{{"id":"org/model-{i}","object":"model","created":1795526400,"owned_by":"vllm","root":"/models/model-{i}","parent":{parent},"max_model_len":{len},"permission":[{{"id":"modelperm-{i:016x}","object":"model_permission","created":1795526400,"allow_create_engine":false,"allow_sampling":true,"allow_logprobs":true,"allow_search_indices":false,"allow_view":true,"allow_fine_tuning":false,"organization":"*","group":null,"is_blocking":false}}]}}"#
            )
        })
        .collect();
    format!(r#"{{"object":"list","data":[{}]}}"#, cards.join(",")).into_bytes()
}

fn resolve_text(config: &str, profiles: Option<String>) -> Provider {
    let input = ResolveInput {
        config: Some(ConfigInput::Text(config.to_string())),
        auth_profiles: profiles.map(ConfigInput::Text),
        env: [("VLLM_API_KEY", "k")].into(),
        ..Default::default()
    };
    resolve(&input).expect("the generated config resolves")
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    // `--only sse|build|discovery|resolve`: one part (for a profiler).
    let only = std::env::args().skip_while(|a| a != "--only").nth(1);
    let part = |name: &str| only.as_deref().is_none_or(|o| o == name);
    let runs = if quick { 3 } else { 9 };

    if part("sse") {
        sse(runs);
    }
    if part("build") || part("discovery") {
        build_and_discovery(runs, &part);
    }
    if part("resolve") {
        resolve_all(quick);
    }
}

fn sse(runs: usize) {
    let body = sse_body(20 * 1024 * 1024);
    let mb = body.len() as f64 / 1e6;
    for (label, piece) in [("64 KiB reads", 64 * 1024), ("one read", body.len())] {
        let events = read_sse(&body, piece);
        let (med, lo, hi) = time(runs.min(5), || read_sse(&body, piece));
        println!(
            "sse {label:>13}: {:7.1} MB/s  ({mb:.1} MB, {events} events; median {:.0} ms, {:.0}–{:.0} ms)",
            mb / med.as_secs_f64(),
            ms(med),
            ms(lo),
            ms(hi)
        );
    }

}

fn build_and_discovery(runs: usize, part: &dyn Fn(&str) -> bool) {
    let p = provider();
    let req = request_json();
    if part("build") {
        let shaped = vllm_provider::shaping::build_from_json(&p, &req).expect("the bench request builds");
        let sent = shaped.http.body.as_deref().unwrap_or("").len();
        let (med, lo, hi) = per_call(runs, || vllm_provider::shaping::build_from_json(&p, &req).unwrap());
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        println!("request build (20 messages, 5 tools; {} B in, {sent} B sent): {:.1} µs  ({:.1}–{:.1} µs)", req.len(), us(med), us(lo), us(hi));
        // What `buildChatRequest()` does in the wasm: the build, then the result as JSON text.
        let (med, lo, hi) = per_call(runs, || vllm_provider::shaping::build_from_json(&p, &req).and_then(|s| s.prepared_json()).unwrap());
        println!("request build + its result as JSON text (buildChatRequest's core): {:.1} µs  ({:.1}–{:.1} µs)", us(med), us(lo), us(hi));
    }
    if !part("discovery") {
        return;
    }
    let cards = HttpResponse { status: 200, body: models_body(1000), ..Default::default() };
    assert_eq!(p.parse_discovery(&cards).expect("the cards parse").len(), 1000);
    let (med, lo, hi) = time(runs * 3, || p.parse_discovery(&cards).unwrap());
    println!("discovery (1000 cards, {} KB): {:.2} ms  ({:.2}–{:.2} ms)", cards.body.len() / 1000, ms(med), ms(lo), ms(hi));
}

fn resolve_all(quick: bool) {
    let scale = if quick { 4 } else { 1 };
    let rows = 80_000 / scale;
    let config = format!(
        "{{models:{{providers:{{vllm:{{baseUrl:'http://127.0.0.1:8000/v1',models:[{}]}}}}}}}}",
        (0..rows).map(|i| format!("{{id:'m{i}',name:'M {i}'}}")).collect::<Vec<_>>().join(",")
    );
    let (med, ..) = time(1, || resolve_text(&config, None));
    println!("resolve, {rows} model rows ({} KB): {:.0} ms", config.len() / 1000, ms(med));

    let n = 16_000 / scale;
    let headers = (0..n).map(|i| format!("'X-H-{i}':'v{i}'")).collect::<Vec<_>>().join(",");
    let config = format!("{{models:{{providers:{{vllm:{{baseUrl:'http://127.0.0.1:8000/v1',headers:{{{headers}}},models:[]}}}}}}}}");
    let (med, ..) = time(1, || resolve_text(&config, None));
    println!("resolve, {n} headers: {:.0} ms", ms(med));

    let aliases = (0..n).map(|i| format!("'vllm/m{i}':{{alias:'a{i}'}}")).collect::<Vec<_>>().join(",");
    let config = format!("{{agents:{{defaults:{{models:{{{aliases}}}}}}}}}");
    let (med, ..) = time(1, || resolve_text(&config, None));
    println!("resolve, {n} aliases: {:.0} ms", ms(med));

    let profiles = (0..n).map(|i| format!("'vllm:p{i}':{{type:'api_key',provider:'vllm',key:'key-{i}'}}")).collect::<Vec<_>>().join(",");
    let (med, ..) = time(1, || resolve_text("{}", Some(format!("{{profiles:{{{profiles}}}}}"))));
    println!("resolve, {n} auth profiles: {:.0} ms", ms(med));
}
