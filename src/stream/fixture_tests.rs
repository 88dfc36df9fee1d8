//! Every recorded vLLM stream, replayed in many chunkings; and garbage that must give typed errors.

use super::*;
use crate::test_rng::Rng;
use serde_json::json;

const FIXTURES: &str = "tests/fixtures/vllm";

fn opts() -> StreamOptions {
    StreamOptions { model: "qwen3-8b".into(), emit_reasoning: true, request_id: None, ..Default::default() }
}

fn run(body: &[u8], cuts: &[usize]) -> Result<Vec<StreamEvent>, ProviderError> {
    super::tests::feed(ChatStream::new(BodyKind::EventStream, opts()), body, cuts)
}

/// The outcome is the same however the bytes are cut: at every single boundary, and in random pieces.
fn replay_everywhere(name: &str) -> Result<Vec<StreamEvent>, ProviderError> {
    let body = std::fs::read(format!("{FIXTURES}/{name}")).unwrap();
    let whole = run(&body, &[]);
    for cut in 0..=body.len() {
        assert_eq!(run(&body, &[cut]), whole, "{name} cut at {cut}");
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ body.len() as u64);
    for _ in 0..200 {
        let mut cuts: Vec<usize> = (0..rng.below(40) + 1).map(|_| rng.below(body.len() + 1)).collect();
        cuts.sort_unstable();
        assert_eq!(run(&body, &cuts), whole, "{name} cut at {cuts:?}");
    }
    // Byte by byte, and with CRLF line ends.
    let every: Vec<usize> = (1..body.len()).collect();
    assert_eq!(run(&body, &every), whole, "{name} byte by byte");
    let crlf = String::from_utf8(body.clone()).unwrap().replace('\n', "\r\n");
    assert_eq!(run(crlf.as_bytes(), &[crlf.len() / 2]), whole, "{name} with CRLF");
    whole
}

struct Expect<'a> {
    content: &'a str,
    reasoning: Option<&'a str>,
    field: Option<&'a str>,
    tools: &'a [(&'a str, &'a str, serde_json::Value)],
    stop: StopReason,
    usage: Option<(u64, u64, u64, Option<u64>)>,
}

fn check(name: &str, want: Expect) {
    let events = replay_everywhere(name).unwrap();
    let Some(StreamEvent::Done { result }) = events.last() else { panic!("{name}: no done") };
    let m = &result.message;
    assert_eq!(m.content, want.content, "{name}");
    assert_eq!(m.reasoning.as_deref(), want.reasoning, "{name}");
    assert_eq!(m.reasoning_field.as_deref(), want.field, "{name}");
    let tools: Vec<_> = m.tool_calls.iter().map(|c| (c.id.as_str(), c.name.as_str(), c.arguments.clone())).collect();
    assert_eq!(tools, want.tools.iter().map(|(a, b, c)| (*a, *b, c.clone())).collect::<Vec<_>>(), "{name}");
    assert_eq!(result.stop_reason, want.stop, "{name}");
    let usage = result.usage.as_ref().map(|u| (u.input, u.output, u.total_tokens, u.reasoning_tokens));
    assert_eq!(usage, want.usage, "{name}");
    assert!(matches!(events.first(), Some(StreamEvent::Start { .. })), "{name}");
    // The text events add up to the content.
    let text: String = events.iter().filter_map(|e| if let StreamEvent::Text { delta } = e { Some(delta.as_str()) } else { None }).collect();
    assert_eq!(text, want.content, "{name}");
}

const HELLO: &str = "Hello! Nice to meet you.";

#[test]
fn plain_streams() {
    let plain = |content, usage| Expect { content, reasoning: None, field: None, tools: &[], stop: StopReason::Stop, usage };
    check("v0.33.0/chat_stream_plain_no_usage.sse", plain(HELLO, None));
    check("v0.33.0/chat_stream_plain_with_usage.sse", plain("Hello! It's nice to meet you.", Some((17, 9, 26, None))));
    check("v0.33.0/chat_stream_continuous_usage.sse", plain(HELLO, Some((17, 7, 24, None))));
}

#[test]
fn reasoning_streams() {
    check(
        "v0.11.0/chat_stream_reasoning.sse",
        Expect {
            content: "\n\nThe capital of France is Paris.",
            reasoning: Some("The user asks for the capital."),
            field: Some("reasoning_content"),
            tools: &[],
            stop: StopReason::Stop,
            usage: Some((15, 17, 32, None)),
        },
    );
    // vLLM 0.33's qwen3 parser left `</think>` and the answer in the last reasoning delta.
    check(
        "v0.33.0/chat_stream_reasoning_then_content.sse",
        Expect {
            content: "\n\nThe capital of France is Paris.",
            reasoning: Some("The user asks for the capital of France. That is Paris."),
            field: Some("reasoning"),
            tools: &[],
            stop: StopReason::Stop,
            usage: Some((15, 23, 38, Some(21))),
        },
    );
}

#[test]
fn tool_call_streams() {
    let weather = json!({"city": "Paris", "unit": "celsius"});
    fn tools<'a>(t: &'a [(&'a str, &'a str, serde_json::Value)], usage: Option<(u64, u64, u64, Option<u64>)>) -> Expect<'a> {
        Expect { content: "", reasoning: None, field: None, tools: t, stop: StopReason::ToolUse, usage }
    }
    check("v0.11.0/chat_stream_tool_call_deltas.sse", tools(&[("chatcmpl-tool-35893c8474d248c4a8235080640ac0ac", "get_weather", weather.clone())], None));
    check("v0.33.0/chat_stream_tool_call_deltas.sse", tools(&[("chatcmpl-tool-a55ee2f69fcf0bbd", "get_weather", weather)], Some((212, 14, 226, None))));
    check(
        "v0.33.0/chat_stream_parallel_tool_calls.sse",
        tools(
            &[("chatcmpl-tool-9e08e74621fe1f64", "get_weather", json!({"city": "Paris"})), ("chatcmpl-tool-a984b160ce0232a7", "get_time", json!({"city": "Paris"}))],
            Some((268, 21, 289, None)),
        ),
    );
}

#[test]
fn error_streams() {
    for (name, words) in [("v0.11.0/chat_stream_error_midstream.sse", "boom"), ("v0.33.0/chat_stream_error_midstream.sse", "Internal server error")] {
        let e = replay_everywhere(name).unwrap_err();
        assert_eq!(e.code, ErrorCode::StreamError, "{name}");
        assert!(e.message.contains(words), "{name}: {}", e.message);
        assert!(e.retryable);
    }
}

#[test]
fn truncated_streams_end_with_a_typed_error_or_a_result() {
    for name in ["v0.33.0/chat_stream_tool_call_deltas.sse", "v0.33.0/chat_stream_plain_with_usage.sse", "v0.11.0/chat_stream_reasoning.sse"] {
        let body = std::fs::read(format!("{FIXTURES}/{name}")).unwrap();
        let done_at = body.windows(12).position(|w| w == b"data: [DONE]").unwrap();
        for cut in 0..done_at {
            match run(&body[..cut], &[]) {
                Ok(events) => {
                    // Only a stream cut after its finish chunk may succeed.
                    let text = String::from_utf8_lossy(&body[..cut]);
                    assert!(text.contains("\"finish_reason\":\"") , "{name} cut at {cut} succeeded: {events:?}");
                }
                Err(e) => assert!(matches!(e.code, ErrorCode::StreamError | ErrorCode::BadResponse | ErrorCode::MalformedToolCall), "{name} {cut}: {e:?}"),
            }
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(42);
    let alphabet = b"data: {}[]\":,\n\r event error [DONE] choices delta content tool_calls index 0 1 \xff\xc3";
    for round in 0..3000 {
        let len = rng.below(300);
        let body: Vec<u8> = (0..len)
            .map(|_| if round % 2 == 0 { alphabet[rng.below(alphabet.len())] } else { rng.next() as u8 })
            .collect();
        let cuts: Vec<usize> = {
            let mut c: Vec<usize> = (0..rng.below(5)).map(|_| rng.below(len + 1)).collect();
            c.sort_unstable();
            c
        };
        let _ = run(&body, &cuts);
        let _ = read_chat(BodyKind::Json, opts(), &body);
        let _ = body_kind(200, None, &body, "m");
    }
}

#[test]
fn deep_json_and_huge_lines_are_typed_errors() {
    let deep = format!("data: {}{}\n\n", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(run(deep.as_bytes(), &[]).unwrap_err().code, ErrorCode::BadResponse);
    let deep_obj = format!("data: {{\"choices\":[{{\"delta\":{{\"content\":{}1{}}}}}]}}\n\n", "[".repeat(5000), "]".repeat(5000));
    assert_eq!(run(deep_obj.as_bytes(), &[]).unwrap_err().code, ErrorCode::BadResponse);
    let huge = vec![b'a'; MAX_SSE_BUFFER + 10];
    let mut s = ChatStream::new(BodyKind::EventStream, opts());
    let e = huge.chunks(1 << 20).find_map(|c| s.push(c).err()).expect("cap");
    assert_eq!(e.code, ErrorCode::BadResponse);
    let mut s = ChatStream::new(BodyKind::Json, opts());
    let e = huge.chunks(1 << 20).find_map(|c| s.push(c).err()).expect("json cap");
    assert!(e.message.starts_with("Streaming JSON body exceeded 16777216 bytes"));
}

#[test]
fn non_object_chunks_are_skipped() {
    let body = "data: null\n\ndata: \"not-a-chunk\"\n\ndata: 3\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
    let events = run(body.as_bytes(), &[]).unwrap();
    let Some(StreamEvent::Done { result }) = events.last() else { panic!() };
    assert_eq!((result.message.content.as_str(), result.model.as_str()), ("ok", "qwen3-8b"));
}

#[test]
fn events_after_done_are_ignored() {
    let body = "data: {\"choices\":[{\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\ndata: {\"error\":\"late\"}\n\n";
    let mut s = ChatStream::new(BodyKind::EventStream, opts());
    s.push(body.as_bytes()).unwrap();
    assert!(s.is_done());
    assert!(s.finish().is_ok());
}
