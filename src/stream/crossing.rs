//! A batch of events as it crosses to JS. The boundary's own way (serde-wasm-bindgen) makes each
//! object property by property and decodes each string on its own: for the fragments that are most
//! of a stream (text, reasoning, tool-call arguments) it cost more than reading the stream. Those
//! cross as one text and a few numbers each, and events.js makes them back, the same objects; the
//! other events cross whole.

use super::StreamEvent;

/// What crosses for a batch of events.
#[derive(Debug, Default, PartialEq)]
pub struct Crossing {
    /// The deltas of the events made back, one after the other.
    pub text: String,
    /// Per event, its kind: 0 text, 1 to 3 reasoning (by field: `reasoning`, `reasoning_content`,
    /// `reasoning_text`), 4 a tool-call fragment without id or name, 5 the next of `rest`; for kinds 0
    /// to 4, then the delta's length in UTF-16 units (what a JS string counts), and for 4 the index.
    pub codes: Vec<f64>,
    /// The other events, whole.
    pub rest: Vec<StreamEvent>,
}

/// The largest integer a JS number holds exactly; a larger index crosses whole (and is refused there).
const MAX_SAFE: u64 = (1 << 53) - 1;

/// How `events` cross.
pub fn crossing(events: Vec<StreamEvent>) -> Crossing {
    let mut c = Crossing::default();
    for e in events {
        let (kind, delta) = match &e {
            StreamEvent::Text { delta } => (0, delta),
            StreamEvent::Reasoning { delta, field } => (match *field {
                "reasoning_content" => 2,
                "reasoning_text" => 3,
                _ => 1,
            }, delta),
            StreamEvent::ToolCall { index, id: None, name: None, arguments_delta } if *index <= MAX_SAFE => (4, arguments_delta),
            _ => {
                c.codes.push(5.0);
                c.rest.push(e);
                continue;
            }
        };
        c.text.push_str(delta);
        // UTF-16 units: one per character, two for those beyond the BMP (4-byte UTF-8).
        let units: usize = delta.bytes().map(|b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0)).sum();
        c.codes.extend([f64::from(kind), units as f64]);
        if let StreamEvent::ToolCall { index, .. } = e {
            c.codes.push(index as f64);
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_cross_as_one_text_and_their_lengths_in_utf16_units() {
        let s = String::from;
        let events = vec![
            StreamEvent::Start { id: s("c"), model: s("m") },
            StreamEvent::Text { delta: s("a😀é") },
            StreamEvent::Reasoning { delta: s("中"), field: "reasoning_text" },
            StreamEvent::Reasoning { delta: s(""), field: "reasoning" },
            StreamEvent::ToolCall { index: 7, id: None, name: None, arguments_delta: s("{\"") },
            StreamEvent::ToolCall { index: 7, id: Some(s("t")), name: None, arguments_delta: s("x") },
            StreamEvent::ToolCall { index: 1 << 53, id: None, name: None, arguments_delta: s("y") },
            StreamEvent::Reasoning { delta: s("r"), field: "reasoning_content" },
        ];
        let c = crossing(events.clone());
        assert_eq!(c.text, "a😀é中{\"r");
        assert_eq!(c.codes, [5.0, 0.0, 4.0, 3.0, 1.0, 1.0, 0.0, 4.0, 2.0, 7.0, 5.0, 5.0, 2.0, 1.0]);
        assert_eq!(c.rest, [events[0].clone(), events[5].clone(), events[6].clone()], "the start, a fragment with its id, an index beyond a JS number");
    }
}
