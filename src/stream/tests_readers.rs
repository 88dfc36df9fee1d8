//! Tests of reading long replies: time proportional to the body however it is cut, and the readers
//! of `chat()` and `stream()`, which do not hold the reply's text, against the full reader.

use super::tests::{delta, feed, opts, replay, replay_cut, result_of, sse};
use super::*;
use serde_json::{json, Value};

/// `n` events in one body: content, reasoning and refusal fragments (each new to the text), then as
/// many tool calls, each with its own index.
fn many_events(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let d = match (i % 3, i >= n * 3 / 4) {
            (_, true) => format!(r#"{{"tool_calls":[{{"index":{i},"id":"call{i}","function":{{"name":"f","arguments":"{{}}"}}}}]}}"#),
            (0, _) => format!(r#"{{"content":"w{i} "}}"#),
            (1, _) => format!(r#"{{"reasoning":"r{i} "}}"#),
            _ => format!(r#"{{"refusal":"no{i}|"}}"#),
        };
        s.push_str(&format!("data: {{\"id\":\"c\",\"choices\":[{{\"index\":0,\"delta\":{d}}}]}}\n\n"));
    }
    s.push_str("data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n");
    s
}

fn read_many(body: &str, piece: usize) -> ChatResult {
    let mut s = ChatStream::new(BodyKind::EventStream, opts(true));
    let mut events = 0;
    for c in body.as_bytes().chunks(piece) {
        events += s.push(c).unwrap().len();
    }
    let mut last = s.finish().unwrap();
    assert!(events > 0);
    match last.pop() {
        Some(StreamEvent::Done { result }) => *result,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_body_of_many_events_is_read_in_time_proportional_to_its_size_however_it_is_cut() {
    let r = read_many(&many_events(400), usize::MAX);
    assert_eq!(r.message.tool_calls.len(), 100);
    assert!(r.message.content.starts_with("w0 no2|w3 no5|") && r.message.content.ends_with("no299|"), "{}", r.message.content);
    assert!(r.message.reasoning.as_deref().is_some_and(|t| t.starts_with("r1 r4 ")));
    assert_eq!(read_many(&many_events(400), 7), r, "cut in 7-byte pieces");
    crate::growth::assert_linear("one-piece body", 6000, many_events, |b| {
        read_many(b, usize::MAX);
    });
    crate::growth::assert_linear("body in 64-byte pieces", 6000, many_events, |b| {
        read_many(b, 64);
    });
}

#[test]
fn a_refusal_already_in_the_text_is_not_repeated_even_in_a_long_reply() {
    let mut chunks = vec![delta(json!({"content": "I can't help with that. "}), None)];
    for i in 0..300 {
        chunks.push(delta(json!({"content": format!("more {i} ")}), None));
    }
    chunks.push(delta(json!({"refusal": "I can't help"}), None));
    chunks.push(delta(json!({"refusal": "more 29"}), None));
    chunks.push(delta(json!({"refusal": "more 300"}), None));
    chunks.push(delta(json!({"refusal": " Sorry."}), Some("stop")));
    let r = result_of(&replay(&sse(&chunks, true), false).unwrap()).clone();
    assert!(r.message.content.starts_with("I can't help with that. more 0 "));
    assert!(r.message.content.ends_with("more 299 more 300 Sorry."), "{}", &r.message.content[r.message.content.len() - 40..]);
}

#[test]
fn a_result_only_reader_gives_the_same_result_and_no_events_before_done() {
    for name in ["v0.33.0/chat_stream_reasoning_then_content.sse", "v0.33.0/chat_stream_parallel_tool_calls.sse", "v0.11.0/chat_stream_reasoning.sse"] {
        let body = std::fs::read(format!("tests/fixtures/vllm/{name}")).unwrap();
        let full = replay_cut(BodyKind::EventStream, true, &body, &[body.len() / 3]).unwrap();
        let mut quiet = ChatStream::result_only(BodyKind::EventStream, opts(true));
        assert!(quiet.push(&body[..body.len() / 3]).unwrap().is_empty());
        assert!(quiet.push(&body[body.len() / 3..]).unwrap().is_empty());
        let end = quiet.finish().unwrap();
        assert_eq!(end.len(), 1, "{name}");
        assert_eq!(end.last(), full.last(), "{name}");
        assert_eq!(read_chat(BodyKind::EventStream, opts(true), &body).unwrap(), *result_of(&full), "{name}");
    }
}

/// The events a caller of `reading` hands out and the result, once joined ([`join_given_out`]).
fn join_given_out_and_split(events: Vec<StreamEvent>) -> (Vec<StreamEvent>, ChatResult) {
    let mut events = join_given_out(events);
    match events.pop() {
        Some(StreamEvent::Done { result }) => (events, *result),
        other => panic!("no done event: {other:?}"),
    }
}

fn read_as(reading: Reading, kind: BodyKind, body: &[u8], cuts: &[usize]) -> Result<Vec<StreamEvent>, ProviderError> {
    feed(ChatStream::reading(reading, kind, opts(true)), body, cuts)
}

#[test]
fn the_readers_of_chat_and_stream_give_every_recorded_reply_as_the_full_reader_does_once_joined() {
    for dir in ["tests/fixtures/vllm/v0.33.0", "tests/fixtures/vllm/v0.11.0"] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.display().to_string();
            let kind = match path.extension().and_then(|e| e.to_str()) {
                Some("sse") => BodyKind::EventStream,
                _ if name.contains("chat_completion") => BodyKind::Json,
                _ => continue,
            };
            let body = std::fs::read(&path).unwrap();
            let cuts = [body.len() / 3, body.len() / 2];
            let full = read_as(Reading::Full, kind, &body, &cuts);
            for reading in [Reading::Events, Reading::Result] {
                let read = read_as(reading, kind, &body, &cuts);
                match (&full, read) {
                    (Err(a), Err(b)) => assert_eq!(*a, b, "{name} {reading:?}"),
                    (Ok(full), Ok(read)) => {
                        let (handed, result) = join_given_out_and_split(read);
                        assert_eq!(result, *result_of(full), "{name} {reading:?}");
                        let expected = if reading == Reading::Events { &full[..full.len() - 1] } else { &[] };
                        assert_eq!(handed, expected, "{name} {reading:?}: the events handed out");
                    }
                    (a, b) => panic!("{name} {reading:?}: {a:?} against {b:?}"),
                }
            }
        }
    }
}

#[test]
fn a_long_reply_is_given_out_as_it_comes_not_held_by_the_readers_of_chat_and_stream() {
    // 3 MiB of reasoning, then 3 MiB of text, in 4 KiB deltas.
    let piece = "abcdefgh".repeat(512);
    let mut chunks: Vec<Value> = (0..768).map(|_| delta(json!({"reasoning": piece}), None)).collect();
    chunks.extend((0..768).map(|_| delta(json!({"content": piece}), None)));
    chunks.push(delta(json!({}), Some("stop")));
    let body = sse(&chunks, true);
    let full = replay(&body, true).unwrap();
    let cuts: Vec<usize> = (1..body.len() / 65536).map(|i| i * 65536).collect();

    // chat(): pieces of about TEXT_PIECE bytes before done, whose result carries less than TEXT_PIECE of each.
    let events = read_as(Reading::Result, BodyKind::EventStream, body.as_bytes(), &cuts).unwrap();
    let pieces: Vec<usize> = events.iter().filter_map(|e| match e {
        StreamEvent::Text { delta } | StreamEvent::Reasoning { delta, .. } => Some(delta.len()),
        _ => None,
    }).collect();
    assert_eq!(pieces.len() + 1, events.len(), "only pieces before done");
    assert!(pieces.len() >= 4 && pieces.iter().all(|&n| n > TEXT_PIECE && n <= TEXT_PIECE + piece.len()), "{pieces:?}");
    let rest = result_of(&events).clone();
    assert!(rest.message.content.len() <= TEXT_PIECE && rest.message.reasoning.as_ref().is_some_and(|r| r.len() <= TEXT_PIECE));
    assert_eq!(join_given_out_and_split(events).1, *result_of(&full));

    // stream(): every delta as it comes; the result carries no text.
    let events = read_as(Reading::Events, BodyKind::EventStream, body.as_bytes(), &cuts).unwrap();
    let done = result_of(&events).clone();
    assert_eq!((done.message.content.as_str(), done.message.reasoning.as_deref()), ("", Some("")));
    assert_eq!(join_given_out_and_split(events).1, *result_of(&full));
}

#[test]
fn a_refusal_repeating_the_end_of_the_text_is_not_repeated_by_the_readers_that_do_not_hold_it() {
    let mut chunks = vec![delta(json!({"content": "I can't help with that. "}), None)];
    chunks.extend((0..300).map(|i| delta(json!({"content": format!("more {i} ")}), None)));
    chunks.push(delta(json!({"refusal": "I can't help"}), None));
    chunks.push(delta(json!({"refusal": "more 29"}), None));
    chunks.push(delta(json!({"refusal": " Sorry."}), Some("stop")));
    let body = sse(&chunks, true);
    let full = result_of(&replay(&body, false).unwrap()).message.content.clone();
    assert!(full.ends_with("more 299  Sorry."), "{}", &full[full.len() - 30..]);
    for reading in [Reading::Events, Reading::Result] {
        let (_, result) = join_given_out_and_split(read_as(reading, BodyKind::EventStream, body.as_bytes(), &[]).unwrap());
        assert_eq!(result.message.content, full, "{reading:?}");
    }
    // Text further back than RecentText holds is not searched: a refusal repeating it is shown again.
    let long = "x".repeat(100_000);
    let far = sse(&[delta(json!({"content": "No. "}), None), delta(json!({"content": long}), None), delta(json!({"refusal": "No."}), Some("stop"))], true);
    let (_, result) = join_given_out_and_split(read_as(Reading::Events, BodyKind::EventStream, far.as_bytes(), &[]).unwrap());
    assert!(result.message.content.ends_with("xNo."));
    assert!(result_of(&replay(&far, false).unwrap()).message.content.ends_with('x'), "the full reader searches all of it");
}
