//! Target `think`: `<think>` partitioning of `content` (reasoning tags left in the text by a server
//! without a reasoning parser), through the public `Accumulator`.
//!
//! Input: a flag byte (how the reply ends, whether reasoning is kept), a byte of cut density, then
//! the text. The text goes once as one `content` delta and once cut at random char boundaries into
//! many, then the reply ends. Properties: no panic; the visible content, the reasoning and the stop
//! reason do not depend on the cuts; the text events add up to the content; nothing is invented (the
//! content is never longer than the text).

use crate::common::{head, Rng};
use serde_json::json;
use vllm_provider::stream::{Accumulator, ChatResult, SseEvent, StreamEvent, StreamOptions};

fn run(deltas: &[&str], flags: u8) -> (Vec<StreamEvent>, ChatResult) {
    let mut acc = Accumulator::new(StreamOptions { model: "m".into(), emit_reasoning: flags & 8 == 0, ..Default::default() });
    let mut events = Vec::new();
    for d in deltas {
        let chunk = json!({"id": "c", "choices": [{"index": 0, "delta": {"content": d}, "finish_reason": null}]});
        acc.event_into(SseEvent::Data(chunk.to_string()), &mut events).expect("content alone never fails");
    }
    let finish = ["stop", "length", "tool_calls", "content_filter"][usize::from(flags & 3)];
    if flags & 4 == 0 {
        acc.event_into(SseEvent::Data(json!({"choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}).to_string()), &mut events).unwrap();
    }
    if flags & 16 != 0 {
        acc.event_into(SseEvent::Done, &mut events).unwrap();
    }
    let result = acc.finish_into(&mut events);
    (events, result)
}

fn text_of(events: &[StreamEvent]) -> String {
    events.iter().filter_map(|e| if let StreamEvent::Text { delta } = e { Some(delta.as_str()) } else { None }).collect()
}

/// Checks one input.
pub fn check(data: &[u8]) {
    let ([flags, density], rest) = head::<2>(data);
    let text = String::from_utf8_lossy(rest);
    let (events, whole) = run(&[&text], flags);
    assert_eq!(text_of(&events), whole.message.content);
    assert!(whole.message.content.len() <= text.len(), "content grew: {:?} from {text:?}", whole.message.content);

    let mut rng = Rng(u64::from(density) << 32 | text.len() as u64);
    let every = 1 + usize::from(density % 16);
    let mut pieces = Vec::new();
    let mut from = 0;
    for (i, _) in text.char_indices().skip(1) {
        if rng.below(every) == 0 {
            pieces.push(&text[from..i]);
            from = i;
        }
    }
    pieces.push(&text[from..]);
    let (events, split) = run(&pieces, flags);
    assert_eq!(text_of(&events), split.message.content);
    assert_eq!(
        (&whole.message.content, &whole.message.reasoning, whole.stop_reason),
        (&split.message.content, &split.message.reasoning, split.stop_reason),
        "cutting the text into {} deltas changed the reply: {pieces:?}",
        pieces.len()
    );
}
