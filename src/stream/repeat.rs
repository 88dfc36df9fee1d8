//! A chunk read as the one before it with another string in one place.
//!
//! vLLM sends tens of thousands of chunks that differ from the one before only in their delta's text:
//! `{"id":…,"choices":[{"index":0,"delta":{"content":"<here>"},…}],…}`. When a chunk's text is the text
//! of the last chunk that said one string ([`Chunk::lone`]) with another JSON string in that place,
//! the bytes before and after it are the same tokens, so parsing it would give the same value with
//! that string in it (the same errors too: none). Only that string is read, not the chunk again.

use super::chunk::{Chunk, Lone};

/// The last chunk that said one string, as text.
#[derive(Debug, Default)]
pub(super) struct Repeat {
    text: String,
    /// The string's contents are `text[start..end]`, between its quotes.
    start: usize,
    end: usize,
    lone: Option<Lone>,
}

impl Repeat {
    /// Keeps `chunk`, read from `text`, when it says one string borrowed from `text` (else keeps the last).
    pub fn remember(&mut self, chunk: &Chunk, text: &str) {
        let Some((lone, s)) = chunk.lone() else { return };
        let start = s.as_ptr() as usize - text.as_ptr() as usize;
        self.text.clear();
        self.text.push_str(text);
        (self.start, self.end, self.lone) = (start, start + s.len(), Some(lone));
    }

    /// What the chunk `text` says, when it is the kept one's text with another string in its place.
    pub fn read<'a>(&self, text: &'a str) -> Option<(Lone, &'a str)> {
        let lone = self.lone?;
        let (head, tail) = (&self.text.as_bytes()[..self.start], &self.text.as_bytes()[self.end..]);
        let b = text.as_bytes();
        if b.len() < head.len() + tail.len() || !same(&b[..head.len()], head) {
            return None;
        }
        // The string ends at its first quote; one with escapes (or control characters, which the
        // parser refuses) is left to the parser, and so is the chunk.
        let at = head.len() + memchr::memchr2(b'"', b'\\', &b[head.len()..])?;
        let s = &text[head.len()..at];
        if b[at] != b'"' || !same(&b[at..], tail) || s.bytes().any(|c| c < 0x20) {
            return None;
        }
        Some((lone, s))
    }
}

/// `a == b`, eight bytes at a time: the build's own comparison goes byte by byte (opt-level "z"), and
/// it was a tenth of `chat()`'s time.
fn same(mut a: &[u8], mut b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    while let (Some((x, ra)), Some((y, rb))) = (a.split_first_chunk::<8>(), b.split_first_chunk::<8>()) {
        if u64::from_ne_bytes(*x) != u64::from_ne_bytes(*y) {
            return false;
        }
        (a, b) = (ra, rb);
    }
    a == b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::{BodyKind, ChatStream, StreamEvent, StreamOptions};
    use crate::test_rng::Rng;

    /// Raw pieces of a string's text: plain, escapes, and what ends or breaks a JSON string.
    const PIECES: [&str; 16] = ["a", " b", "é😀", "</think>", "\\\"", "\\\\", "\\n", "\\u00e9", "\\ud83d\\ude00", "\\ud800", "\\x", "\\", "\"", "\",\"content\":\"", "\u{1}", "\t"];

    fn lines(dir: &str) -> Vec<String> {
        let mut out = Vec::new();
        for f in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
            out.extend(text.lines().filter_map(|l| l.strip_prefix("data: ")).map(str::to_string));
        }
        out
    }

    #[test]
    fn same_is_equality_at_every_length_and_position() {
        for n in 0..40_usize {
            let a: Vec<u8> = (0..n).map(|i| i as u8).collect();
            assert!(same(&a, &a.clone()), "{n}");
            assert!(!same(&a, &a[..n.saturating_sub(1)]) || n == 0, "{n}");
            for at in 0..n {
                let mut b = a.clone();
                b[at] ^= 0x80;
                assert!(!same(&a, &b), "{n} {at}");
            }
        }
    }

    #[test]
    fn a_chunk_read_as_the_last_one_with_another_string_is_what_parsing_it_gives() {
        let mut rng = Rng(15);
        let (mut fast, mut lone) = (0, 0);
        for template in lines("tests/fixtures/vllm/v0.33.0").iter().chain(&lines("tests/fixtures/vllm/v0.11.0")) {
            let Ok(chunk) = crate::wire::parse::<Chunk>(template) else { continue };
            let mut repeat = Repeat::default();
            repeat.remember(&chunk, template);
            let Some((kind, s)) = chunk.lone() else { continue };
            lone += 1;
            assert_eq!(repeat.read(template), Some((kind, s)), "{template}");
            let (head, tail) = (&template[..repeat.start], &template[repeat.end..]);
            for _ in 0..300 {
                let string: String = (0..rng.below(5)).map(|_| rng.pick(&PIECES)).collect();
                let text = format!("{head}{string}{tail}");
                let parsed = crate::wire::parse::<Chunk>(&text);
                match repeat.read(&text) {
                    Some((k, s)) => {
                        fast += 1;
                        let parsed = parsed.unwrap_or_else(|e| panic!("{text}: {e}"));
                        assert_eq!(parsed.lone(), Some((k, s)), "{text}");
                    }
                    // Only a string that is not one JSON string (or ends early) is read whole.
                    None => assert!(string.contains(['"', '\\', '\u{1}', '\t']), "{text}"),
                }
            }
        }
        assert!(lone > 40 && fast > 3000, "the fixtures have chunks of one string ({lone}), read again ({fast})");
    }

    /// The events of `body`, and of the same chunks written so that no chunk repeats the one before
    /// (every other one starts with a space): never read as a repeat.
    fn both(body: &str) -> (Result<Vec<StreamEvent>, crate::error::ProviderError>, Result<Vec<StreamEvent>, crate::error::ProviderError>) {
        let opts = || StreamOptions { model: "qwen3-8b".into(), emit_reasoning: true, ..Default::default() };
        let read = |body: &str| super::super::tests::feed(ChatStream::new(BodyKind::EventStream, opts()), body.as_bytes(), &[]);
        let mut odd = false;
        let varied: String = body
            .split_inclusive("\n\n")
            .map(|event| {
                odd = !odd;
                if odd { event.replacen("data: ", "data:  ", 1) } else { event.to_string() }
            })
            .collect();
        (read(body), read(&varied))
    }

    #[test]
    fn streams_read_with_repeats_give_the_events_of_streams_read_chunk_by_chunk() {
        for dir in ["tests/fixtures/vllm/v0.33.0", "tests/fixtures/vllm/v0.11.0"] {
            for f in std::fs::read_dir(dir).unwrap() {
                let path = f.unwrap().path();
                if path.extension().is_some_and(|e| e == "sse") {
                    let body = std::fs::read_to_string(&path).unwrap();
                    let (a, b) = both(&body);
                    assert_eq!(a, b, "{path:?}");
                }
            }
        }
        // Deltas of every kind with random strings, valid or not, after one that opens the reply.
        let mut rng = Rng(1515);
        let shapes = [
            r#"{"id":"c","choices":[{"index":0,"delta":{"reasoning":"S"},"finish_reason":null}]}"#,
            r#"{"id":"c","choices":[{"index":0,"delta":{"reasoning_content":"S"},"finish_reason":null}]}"#,
            r#"{"id":"c","choices":[{"index":0,"delta":{"content":"S"},"finish_reason":null}]}"#,
            r#"{"id":"c","choices":[{"index":0,"delta":{"content":null,"tool_calls":[{"index":1,"function":{"arguments":"S"}}]}}]}"#,
            r#"{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"t","function":{"name":"f","arguments":"S"}}]}}]}"#,
            r#"{"id":"c","choices":[{"index":0,"delta":{"refusal":"S"}}]}"#,
        ];
        for _ in 0..400 {
            let mut body = String::from("data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}\n\n");
            let shape = rng.below(shapes.len());
            for _ in 0..rng.below(12) {
                let shape = if rng.chance(20) { rng.below(shapes.len()) } else { shape };
                let string: String = (0..rng.below(4)).map(|_| rng.pick(&PIECES)).collect();
                body.push_str(&format!("data: {}\n\n", shapes[shape].replace('S', &string)));
            }
            body.push_str("data: [DONE]\n\n");
            let (a, b) = both(&body);
            assert_eq!(a, b, "{body}");
        }
    }
}
