//! A batch of events as it crosses to JS. The boundary's own way (serde-wasm-bindgen) makes each
//! object property by property and decodes each string on its own: for the fragments that are most
//! of a stream (text, reasoning, tool-call arguments) it cost more than reading the stream. Those
//! cross as one text and a few numbers each, and events.js makes them back, the same objects; the
//! other events cross whole. A reader writes its fragments here directly ([`EventOut`]), so a
//! fragment is neither its own string nor its own event in the wasm.

use super::StreamEvent;

/// What crosses for a batch of events.
#[derive(Debug, Default, PartialEq)]
pub struct Crossing {
    /// The deltas of the events made back, one after the other: of the text events, of the reasoning
    /// events, of the tool-call fragments. Every text and reasoning event is in them (events.js joins
    /// a reply's text from them: see [`EventOut::event`]).
    pub text: [String; 3],
    /// Per event, its kind: 0 text, 1 to 3 reasoning (by field: `reasoning`, `reasoning_content`,
    /// `reasoning_text`), 4 a tool-call fragment without id or name, 5 the next of `rest`; for kinds 0
    /// to 4, then the delta's length in UTF-16 units (what a JS string counts), and for 4 the index.
    pub codes: Vec<f64>,
    /// The other events, whole.
    pub rest: Vec<StreamEvent>,
}

/// A fragment: what most events are, a piece of text, reasoning or a tool call's arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fragment {
    /// Visible text.
    Text,
    /// Reasoning, from this field.
    Reasoning(&'static str),
    /// The arguments of the tool call with this index (a fragment with neither id nor name).
    Arguments(u64),
}

/// Where a reader's events go: a list of them, or a [`Crossing`].
pub trait EventOut {
    /// An event.
    fn event(&mut self, e: StreamEvent);
    /// A fragment's event, with `delta`.
    fn fragment(&mut self, f: Fragment, delta: &str);
    /// A fragment's event, with `delta` given up (a long reply's piece is moved, not copied).
    fn owned(&mut self, f: Fragment, delta: String);
}

impl Fragment {
    /// Its event, with `delta`.
    fn event(self, delta: String) -> StreamEvent {
        match self {
            Fragment::Text => StreamEvent::Text { delta },
            Fragment::Reasoning(field) => StreamEvent::Reasoning { delta, field },
            Fragment::Arguments(index) => StreamEvent::ToolCall { index, id: None, name: None, arguments_delta: delta },
        }
    }
}

impl EventOut for Vec<StreamEvent> {
    fn event(&mut self, e: StreamEvent) {
        self.push(e);
    }
    fn fragment(&mut self, f: Fragment, delta: &str) {
        self.push(f.event(delta.to_string()));
    }
    fn owned(&mut self, f: Fragment, delta: String) {
        self.push(f.event(delta));
    }
}

/// The reasoning fields, by kind (1 to 3).
const FIELDS: [&str; 3] = ["reasoning", "reasoning_content", "reasoning_text"];

/// Which of [`Crossing::text`] a fragment of `kind` goes in.
fn slot(kind: u8) -> usize {
    usize::from(kind > 0) + usize::from(kind > 3)
}

/// The largest integer a JS number holds exactly; a larger index crosses whole (and is refused there).
const MAX_SAFE: u64 = (1 << 53) - 1;

impl EventOut for Crossing {
    /// A text or reasoning event crosses as a fragment; any other crosses whole, a tool-call fragment
    /// too (the same object: serde-wasm-bindgen writes what events.js makes).
    fn event(&mut self, e: StreamEvent) {
        match e {
            StreamEvent::Text { delta } => self.owned(Fragment::Text, delta),
            StreamEvent::Reasoning { delta, field } => self.owned(Fragment::Reasoning(field), delta),
            e => {
                self.codes.push(5.0);
                self.rest.push(e);
            }
        }
    }
    fn fragment(&mut self, f: Fragment, delta: &str) {
        match self.code(f, delta) {
            Some(text) => text.push_str(delta),
            None => self.rest.push(f.event(delta.to_string())),
        }
    }
    fn owned(&mut self, f: Fragment, delta: String) {
        match self.code(f, &delta) {
            Some(text) if text.is_empty() => *text = delta,
            Some(text) => text.push_str(&delta),
            None => self.rest.push(f.event(delta)),
        }
    }
}

impl Crossing {
    /// Writes the codes of a fragment with `delta`, and gives the text it goes in (`None`: it crosses
    /// whole instead).
    fn code(&mut self, f: Fragment, delta: &str) -> Option<&mut String> {
        let kind = match f {
            Fragment::Text => 0,
            Fragment::Reasoning("reasoning_content") => 2,
            Fragment::Reasoning("reasoning_text") => 3,
            Fragment::Reasoning(_) => 1,
            Fragment::Arguments(index) if index <= MAX_SAFE => 4,
            Fragment::Arguments(_) => {
                self.codes.push(5.0);
                return None;
            }
        };
        let units = crate::json::utf16_units(delta);
        self.codes.extend([f64::from(kind), units as f64]);
        if let Fragment::Arguments(index) = f {
            self.codes.push(index as f64);
        }
        Some(&mut self.text[slot(kind)])
    }

    /// Whether no event is in it.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// The events, as events.js makes them back.
    pub fn events(self) -> Vec<StreamEvent> {
        let (mut out, mut codes, mut rest) = (Vec::new(), self.codes.into_iter(), self.rest.into_iter());
        let mut text = self.text.each_ref().map(String::as_str);
        while let Some(kind) = codes.next() {
            if kind == 5.0 {
                out.extend(rest.next());
                continue;
            }
            let (kind, mut units) = (kind as u8, codes.next().unwrap_or(0.0) as usize);
            let from = &mut text[slot(kind)];
            let end = from.char_indices().find(|(_, c)| units.checked_sub(c.len_utf16()).map(|u| units = u).is_none()).map_or(from.len(), |(i, _)| i);
            let (delta, after) = from.split_at(end);
            *from = after;
            let f = match kind {
                0 => Fragment::Text,
                4 => Fragment::Arguments(codes.next().unwrap_or(0.0) as u64),
                k => Fragment::Reasoning(FIELDS[usize::from(k - 1) % 3]),
            };
            out.fragment(f, delta);
        }
        out
    }
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
        let mut c = Crossing::default();
        for e in events.iter().cloned() {
            match e {
                StreamEvent::Text { delta } => c.fragment(Fragment::Text, &delta),
                StreamEvent::Reasoning { delta, field } => c.owned(Fragment::Reasoning(field), delta),
                StreamEvent::ToolCall { index, id: None, name: None, arguments_delta } => c.fragment(Fragment::Arguments(index), &arguments_delta),
                e => c.event(e),
            }
        }
        assert_eq!(c.text, ["a😀é", "中r", "{\""]);
        assert_eq!(c.codes, [5.0, 0.0, 4.0, 3.0, 1.0, 1.0, 0.0, 4.0, 2.0, 7.0, 5.0, 5.0, 2.0, 1.0]);
        assert_eq!(c.rest, [events[0].clone(), events[5].clone(), events[6].clone()], "the start, a fragment with its id, an index beyond a JS number");
        assert_eq!(c.events(), events, "made back");
    }

    #[test]
    fn a_reader_writing_into_a_crossing_gives_the_events_it_gives_as_a_list() {
        use crate::stream::{BodyKind, ChatStream, Reading, StreamOptions};
        let opts = || StreamOptions { model: "m".into(), emit_reasoning: true, ..Default::default() };
        for dir in ["tests/fixtures/vllm/v0.33.0", "tests/fixtures/vllm/v0.11.0"] {
            for f in std::fs::read_dir(dir).unwrap() {
                let path = f.unwrap().path();
                let body = std::fs::read(&path).unwrap();
                for reading in [Reading::Full, Reading::Events, Reading::Result] {
                    let (mut list, mut crossing) = (Vec::new(), Crossing::default());
                    let (mut a, mut b) = (ChatStream::reading(reading, BodyKind::EventStream, opts()), ChatStream::reading(reading, BodyKind::EventStream, opts()));
                    let ra = a.push_into(&body, &mut list).and_then(|()| a.finish_into(&mut list));
                    let rb = b.push_into(&body, &mut crossing).and_then(|()| b.finish_into(&mut crossing));
                    assert_eq!(ra, rb, "{path:?}");
                    assert_eq!(crossing.events(), list, "{path:?} {reading:?}");
                }
            }
        }
    }
}
