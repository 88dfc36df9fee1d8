//! Target `sse`: a chat response body as the wasm layer reads it: `stream::body_kind_so_far` on the
//! bytes read so far, then a `ChatStream` (SSE decoding and accumulation) fed piece by piece, then
//! `finish`. Seeds are the recorded vLLM streams of tests/fixtures/vllm, which libFuzzer mutates.
//!
//! Input: eight bytes seed the chunking and choose the content type and options; the rest is the body.
//! Properties: no panic; the kind decided, every event, the result and the error are the same for
//! one chunk and for the random chunking; events start with `start` and a reply ends with exactly one
//! `done`, last; errors are `bad_response`, `stream_error` or `malformed_tool_call`; the events' size
//! is bounded by the body's; the canary key never appears in an error or in the reply's id and model.
//! The readers of `stream()` and `chat()`, which do not hold the text, give what joining their text and
//! reasoning pieces into the result gives: the full reader's events and result, and the same error.

use crate::common::{chunks, code_in, head, no_secret, no_secret_in_error, SECRET};
use vllm_provider::error::{ErrorCode::*, ProviderError};
use vllm_provider::stream::{body_kind_so_far, join_given_out, BodyKind, ChatStream, Reading, StreamEvent, StreamOptions};

const TYPES: [Option<&str>; 8] = [
    Some("text/event-stream"), Some("text/event-stream; charset=utf-8"), Some("application/json"), None,
    Some("text/event-stream"), Some("text/html"), Some("application/json; charset=utf-8"), Some("text/event-stream"),
];

type Read = (Option<Result<BodyKind, ProviderError>>, Vec<StreamEvent>, Result<(), ProviderError>);

fn opts(emit_reasoning: bool) -> StreamOptions {
    StreamOptions {
        model: "m".into(),
        emit_reasoning,
        request_id: Some("rid-1".into()),
        base_url: "http://127.0.0.1:8000/v1".into(),
        secrets: vec![SECRET.to_string()],
        ..Default::default()
    }
}

/// Reads `pieces` as the wasm layer does: sniff until decided, then stream.
fn read(pieces: &[&[u8]], content_type: Option<&str>, emit_reasoning: bool) -> Read {
    read_as(Reading::Full, pieces, content_type, emit_reasoning)
}

fn read_as(reading: Reading, pieces: &[&[u8]], content_type: Option<&str>, emit_reasoning: bool) -> Read {
    let mut start = Vec::new();
    let mut kind = None;
    let mut events = Vec::new();
    let mut stream: Option<ChatStream> = None;
    for piece in pieces {
        if let Some(s) = stream.as_mut() {
            if let Err(e) = s.push_into(piece, &mut events) {
                return (kind, events, Err(e));
            }
            continue;
        }
        start.extend_from_slice(piece);
        if let Some(decided) = body_kind_so_far(200, content_type, &start, false, "m") {
            match &decided {
                Ok(k @ (BodyKind::EventStream | BodyKind::Json)) => {
                    let mut s = ChatStream::reading(reading, *k, opts(emit_reasoning));
                    let pushed = s.push_into(&start, &mut events);
                    kind = Some(decided);
                    if let Err(e) = pushed {
                        return (kind, events, Err(e));
                    }
                    stream = Some(s);
                }
                _ => return (Some(decided), events, Ok(())),
            }
        }
    }
    if stream.is_none() {
        let decided = body_kind_so_far(200, content_type, &start, true, "m").expect("decided at the end");
        match &decided {
            Ok(k @ (BodyKind::EventStream | BodyKind::Json)) => {
                let mut s = ChatStream::reading(reading, *k, opts(emit_reasoning));
                kind = Some(decided);
                if let Err(e) = s.push_into(&start, &mut events) {
                    return (kind, events, Err(e));
                }
                stream = Some(s);
            }
            _ => return (Some(decided), events, Ok(())),
        }
    }
    let finished = stream.as_mut().expect("a stream").finish_into(&mut events);
    (kind, events, finished)
}

fn size(events: &[StreamEvent]) -> usize {
    events.iter().map(|e| serde_json::to_string(e).map_or(0, |s| s.len())).sum()
}

/// Checks one input.
pub fn check(data: &[u8]) {
    let (h, body) = head::<8>(data);
    let seed = u64::from_le_bytes(h);
    let content_type = TYPES[usize::from(h[0] & 7)];
    let emit_reasoning = h[0] & 8 == 0;
    let whole = read(&[body], content_type, emit_reasoning);
    let pieces = chunks(body, seed);
    let split = read(&pieces, content_type, emit_reasoning);
    assert!(whole == split, "chunking changed the outcome ({} pieces):\n whole: {whole:?}\n split: {split:?}", pieces.len());
    for reading in [Reading::Events, Reading::Result] {
        let (k, events, end) = read_as(reading, &pieces, content_type, emit_reasoning);
        let shown: Vec<_> = whole.1.iter().filter(|e| reading == Reading::Events || matches!(e, StreamEvent::Done { .. })).cloned().collect();
        assert!(k == whole.0 && end == whole.2, "{reading:?} ended otherwise: {end:?}, not {:?}", whole.2);
        // As events.js joins them; chat()'s caller sees no event but `done`.
        let events: Vec<_> = join_given_out(events).into_iter().filter(|e| reading == Reading::Events || matches!(e, StreamEvent::Done { .. })).collect();
        assert!(events == shown, "{reading:?} gave other events:\n {events:?}\n not {shown:?}");
    }

    let (kind, events, end) = whole;
    if let Some(Err(e)) = &kind {
        code_in(e, &[BadResponse], "sniffing");
        no_secret_in_error(e, "sniffing error");
    }
    if let Err(e) = &end {
        code_in(e, &[BadResponse, StreamError, MalformedToolCall], "stream");
        no_secret_in_error(e, "stream error");
        assert_eq!(e.request_id.as_deref(), Some("rid-1"), "{e:?}");
    }
    assert!(size(&events) <= 16 * body.len() + 4096, "{} bytes of events from {} bytes", size(&events), body.len());
    if let Some(StreamEvent::Start { id, model }) = events.first() {
        no_secret(id, "start id");
        no_secret(model, "start model");
    }
    let dones = events.iter().filter(|e| matches!(e, StreamEvent::Done { .. })).count();
    if end.is_ok() && matches!(kind, Some(Ok(BodyKind::EventStream | BodyKind::Json))) {
        assert_eq!(dones, 1, "a reply must end with one done: {events:?}");
        assert!(matches!(events.last(), Some(StreamEvent::Done { .. })), "done is not last: {events:?}");
        assert!(matches!(events.first(), Some(StreamEvent::Start { .. })), "the first event is not start: {events:?}");
        if let Some(StreamEvent::Done { result }) = events.last() {
            no_secret(&result.id, "result id");
            no_secret(&result.model, "result model");
            let text: String = events.iter().filter_map(|e| if let StreamEvent::Text { delta } = e { Some(delta.as_str()) } else { None }).collect();
            assert_eq!(text, result.message.content, "the text events do not add up to the content");
        }
    } else {
        assert_eq!(dones, 0, "done before an error: {events:?}");
    }
    let starts = events.iter().filter(|e| matches!(e, StreamEvent::Start { .. })).count();
    assert!(starts <= 1, "{starts} start events");
    if starts == 1 {
        assert!(matches!(events.first(), Some(StreamEvent::Start { .. })), "start is not first: {events:?}");
    }
}
