//! Server-sent events decoding over byte chunks that may split anywhere.
//!
//! Lines end with `\n`, `\r\n` or `\r` (so events end at `\n\n`, `\r\n\r\n` or `\r\r`); a `\r` at the
//! end of a chunk waits for the next byte, and lines are only decoded as UTF-8 once complete, so a
//! split inside a character is harmless. Events with no non-empty `data:` line (comments such as
//! `: ping`, keep-alives) are dropped, as OpenClaw's sanitiser does.

use crate::error::{ErrorCode, ProviderError};
use crate::json::utf8_lossy;

/// How many bytes may be buffered before an event boundary arrives (OpenClaw's limit).
pub const MAX_SSE_BUFFER: usize = 16 * 1024 * 1024;

/// One decoded event.
#[derive(Clone, Debug, PartialEq)]
pub enum SseEvent {
    /// A `data:` payload (multi-line data joined with `\n`).
    Data(String),
    /// An `event: error` frame, with its data.
    Error(String),
    /// `data: [DONE]`: the server ended the stream.
    Done,
}

/// One decoded event, borrowed from the input (or from the decoder, for an event that spans reads).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Event<'a> {
    /// A `data:` payload.
    Data(&'a str),
    /// An `event: error` frame's data.
    Error(&'a str),
    /// `data: [DONE]`.
    Done,
}

impl Event<'_> {
    fn owned(self) -> SseEvent {
        match self {
            Event::Data(d) => SseEvent::Data(d.to_string()),
            Event::Error(d) => SseEvent::Error(d.to_string()),
            Event::Done => SseEvent::Done,
        }
    }
}

/// Incremental SSE decoder: [`push`](SseDecoder::push) bytes as they arrive, then [`finish`](SseDecoder::finish).
///
/// Each byte is looked at once and copied at most once: lines are found in the input where it
/// lies, an event that ends in the same input is handed out borrowed from it, and only the
/// unfinished end of an input (part of a line, the data of an event not ended yet) is kept.
#[derive(Debug, Default)]
pub struct SseDecoder {
    /// The unfinished last line of the input so far.
    line: Vec<u8>,
    /// The last line ended with `\r`: a `\n` starting the next input ends nothing more.
    after_cr: bool,
    /// The data lines of the event being read, when they are not in the current input (or are several).
    data: String,
    has_data: bool,
    is_error: bool,
    done_line: bool,
}

/// A lone data line of the event being read, still in the current input (`start..end`).
type Pending = Option<(usize, usize)>;

impl SseDecoder {
    /// A decoder with nothing buffered.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds bytes; returns the events they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<SseEvent>, ProviderError> {
        let mut out = Vec::new();
        self.push_each(bytes, &mut |e| {
            out.push(e.owned());
            Ok(())
        })?;
        Ok(out)
    }

    /// Ends the input: an event the server did not terminate with a blank line still counts.
    pub fn finish(&mut self) -> Result<Vec<SseEvent>, ProviderError> {
        let mut out = Vec::new();
        self.finish_each(&mut |e| {
            out.push(e.owned());
            Ok(())
        })?;
        Ok(out)
    }

    /// Feeds bytes, handing each event they complete to `f` as it is found; stops at `f`'s first error.
    pub(crate) fn push_each(&mut self, bytes: &[u8], f: &mut dyn FnMut(Event<'_>) -> Result<(), ProviderError>) -> Result<(), ProviderError> {
        let mut at = 0;
        if std::mem::take(&mut self.after_cr) {
            match bytes.first() {
                Some(b'\n') => at = 1,
                Some(_) => {}
                None => self.after_cr = true,
            }
        }
        if !self.line.is_empty() {
            // The rest of a line that began in an earlier input.
            let Some(end) = line_end(&bytes[at..]) else {
                self.line.extend_from_slice(&bytes[at..]);
                return self.check_cap();
            };
            self.line.extend_from_slice(&bytes[at..at + end]);
            at = self.skip_terminator(bytes, at + end);
            let mut line = std::mem::take(&mut self.line);
            let mut held = None;
            self.take_line(&line, 0, line.len(), &mut held, f)?;
            self.keep(&line, &mut held);
            // The buffer is kept for the next unfinished line.
            line.clear();
            self.line = line;
        }
        let mut pending: Pending = None;
        while at < bytes.len() {
            let Some(end) = line_end(&bytes[at..]) else {
                self.line.extend_from_slice(&bytes[at..]);
                break;
            };
            let next = self.skip_terminator(bytes, at + end);
            self.take_line(bytes, at, at + end, &mut pending, f)?;
            at = next;
        }
        // The event goes on in the next input: its data line is kept.
        self.keep(bytes, &mut pending);
        self.check_cap()
    }

    /// Ends the input (see [`SseDecoder::finish`]), handing the last events to `f`.
    pub(crate) fn finish_each(&mut self, f: &mut dyn FnMut(Event<'_>) -> Result<(), ProviderError>) -> Result<(), ProviderError> {
        let line = std::mem::take(&mut self.line);
        let mut held = None;
        if !line.is_empty() {
            self.take_line(&line, 0, line.len(), &mut held, f)?;
        }
        self.dispatch(&line, &mut held, f)
    }

    /// Where the line terminator at `eol` ends (`\r\n` is one; a `\r` at the end may be half of one).
    fn skip_terminator(&mut self, bytes: &[u8], eol: usize) -> usize {
        if bytes[eol] == b'\r' {
            match bytes.get(eol + 1) {
                Some(b'\n') => return eol + 2,
                None => self.after_cr = true,
                Some(_) => {}
            }
        }
        eol + 1
    }

    fn check_cap(&self) -> Result<(), ProviderError> {
        if self.line.len() + self.data.len() > MAX_SSE_BUFFER {
            return Err(buffer_error());
        }
        Ok(())
    }

    /// Moves a pending data line out of the input into `data`.
    fn keep(&mut self, input: &[u8], pending: &mut Pending) {
        if let Some((start, end)) = pending.take() {
            self.data.push_str(&utf8_lossy(&input[start..end]));
        }
    }

    /// One complete line, `input[start..end]`.
    fn take_line(&mut self, input: &[u8], start: usize, end: usize, pending: &mut Pending, f: &mut dyn FnMut(Event<'_>) -> Result<(), ProviderError>) -> Result<(), ProviderError> {
        let line = &input[start..end];
        if line.is_empty() {
            return self.dispatch(input, pending, f);
        }
        if line[0] == b':' {
            return Ok(());
        }
        let (field, value_at) = match line.iter().position(|b| *b == b':') {
            Some(i) => (&line[..i], start + i + 1 + usize::from(line.get(i + 1) == Some(&b' '))),
            None => (line, end),
        };
        match field {
            b"data" => {
                if is_done_value(&input[value_at..end]) {
                    self.done_line = true;
                }
                if !self.has_data {
                    *pending = Some((value_at, end));
                } else {
                    self.keep(input, pending);
                    self.data.push('\n');
                    self.data.push_str(&utf8_lossy(&input[value_at..end]));
                }
                self.has_data = true;
            }
            b"event" => self.is_error = &input[value_at..end] == b"error",
            _ => {}
        }
        Ok(())
    }

    fn dispatch(&mut self, input: &[u8], pending: &mut Pending, f: &mut dyn FnMut(Event<'_>) -> Result<(), ProviderError>) -> Result<(), ProviderError> {
        let (has_data, is_error, done) = (self.has_data, self.is_error, self.done_line);
        self.has_data = false;
        self.is_error = false;
        self.done_line = false;
        let owned = std::mem::take(&mut self.data);
        let data = match pending.take() {
            Some((start, end)) => utf8_lossy(&input[start..end]),
            None => std::borrow::Cow::Borrowed(owned.as_str()),
        };
        let result = if !has_data || data.trim().is_empty() {
            Ok(())
        } else {
            f(if is_error {
                Event::Error(&data)
            } else if done {
                Event::Done
            } else {
                Event::Data(&data)
            })
        };
        drop(data);
        // The buffer is kept for the next event that needs one.
        self.data = owned;
        self.data.clear();
        result
    }
}

/// Where the first line terminator (`\n` or `\r`) is.
fn line_end(bytes: &[u8]) -> Option<usize> {
    memchr::memchr2(b'\n', b'\r', bytes)
}

/// `^data:[ \t]*\[DONE\][ \t]*$`, case-insensitive, given what follows `data:`.
fn is_done_value(value: &[u8]) -> bool {
    let start = value.iter().position(|b| *b != b' ' && *b != b'\t').unwrap_or(value.len());
    let end = value.iter().rposition(|b| *b != b' ' && *b != b'\t').map_or(start, |i| i + 1);
    value[start..end].eq_ignore_ascii_case(b"[done]")
}

fn buffer_error() -> ProviderError {
    ProviderError::new(
        ErrorCode::BadResponse,
        "SSE response exceeded max buffer size 16777216 without an event boundary",
        "The server sent more than 16 MiB without ending an event; check that the base URL is vLLM's OpenAI API and not a proxy that rewrites streams.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(chunks: &[&[u8]]) -> Vec<SseEvent> {
        let mut d = SseDecoder::new();
        let mut out = Vec::new();
        for c in chunks {
            out.extend(d.push(c).unwrap());
        }
        out.extend(d.finish().unwrap());
        out
    }

    #[test]
    fn all_three_boundaries_split_anywhere_give_the_same_events() {
        for text in ["data: a\n\ndata: b\n\n", "data: a\r\n\r\ndata: b\r\n\r\n", "data: a\r\rdata: b\r\r"] {
            let bytes = text.as_bytes();
            for cut in 0..=bytes.len() {
                let got = decode_all(&[&bytes[..cut], &bytes[cut..]]);
                assert_eq!(got, vec![SseEvent::Data("a".into()), SseEvent::Data("b".into())], "{text:?} cut {cut}");
            }
        }
    }

    #[test]
    fn a_split_inside_a_utf8_character_is_reassembled() {
        let bytes = "data: é😀\n\n".as_bytes();
        for cut in 0..=bytes.len() {
            assert_eq!(decode_all(&[&bytes[..cut], &bytes[cut..]]), vec![SseEvent::Data("é😀".into())]);
        }
    }

    #[test]
    fn comments_and_keep_alives_are_dropped_and_multiline_data_joined() {
        let got = decode_all(&[b": ping\n\n: keep-alive\n\nid: 3\nretry: 5\n\ndata: x\ndata:y\n\ndata:\n\n"]);
        assert_eq!(got, vec![SseEvent::Data("x\ny".into())]);
    }

    #[test]
    fn done_is_detected_case_insensitively_with_blanks() {
        for line in ["data: [DONE]", "data:[done]", "data:\t[DONE] \t"] {
            assert_eq!(decode_all(&[format!("{line}\n\n").as_bytes()]), vec![SseEvent::Done], "{line}");
        }
        assert_eq!(decode_all(&[b"data: [DONE]x\n\n"]), vec![SseEvent::Data("[DONE]x".into())]);
        assert_eq!(decode_all(&[b"data\n\ndata\ndata: y\n\n"]), vec![SseEvent::Data("\ny".into())]);
    }

    #[test]
    fn error_frames_are_their_own_event() {
        assert_eq!(decode_all(&[b"event: error\ndata: {\"message\":\"boom\"}\n\n"]), vec![SseEvent::Error("{\"message\":\"boom\"}".into())]);
    }

    #[test]
    fn an_unterminated_last_event_counts_at_finish() {
        assert_eq!(decode_all(&[b"data: a\n\ndata: b"]), vec![SseEvent::Data("a".into()), SseEvent::Data("b".into())]);
        assert_eq!(decode_all(&[b"data: a\r"]), vec![SseEvent::Data("a".into())]);
    }

    #[test]
    fn more_than_16_mib_without_a_boundary_is_bad_response() {
        let mut d = SseDecoder::new();
        d.push(b"data: ").unwrap();
        let block = vec![b'x'; 1 << 20];
        let mut err = None;
        for _ in 0..17 {
            if let Err(e) = d.push(&block) {
                err = Some(e);
                break;
            }
        }
        let e = err.expect("the cap must trip");
        assert_eq!(e.code, ErrorCode::BadResponse);
        assert!(e.message.starts_with("SSE response exceeded max buffer size"));
    }

    #[test]
    fn many_complete_lines_in_one_huge_event_also_hit_the_cap() {
        let mut d = SseDecoder::new();
        let line = format!("data: {}\n", "y".repeat(1 << 20));
        let tripped = (0..17).any(|_| d.push(line.as_bytes()).is_err());
        assert!(tripped);
    }

    /// The events of a whole body by the rules written out plainly (the oracle): lines split at `\r\n`,
    /// `\n` or `\r`, decoded as UTF-8 with replacement, then read as the module's header says.
    fn by_the_rules(body: &[u8]) -> Vec<SseEvent> {
        let mut lines = Vec::new();
        let (mut start, mut i) = (0, 0);
        while i < body.len() {
            if body[i] == b'\n' || body[i] == b'\r' {
                lines.push(String::from_utf8_lossy(&body[start..i]).into_owned());
                i += if body[i] == b'\r' && body.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                start = i;
            } else {
                i += 1;
            }
        }
        if start < body.len() {
            lines.push(String::from_utf8_lossy(&body[start..]).into_owned());
        }
        lines.push(String::new());
        let (mut out, mut data, mut has, mut error, mut done) = (Vec::new(), String::new(), false, false, false);
        for line in lines {
            if line.is_empty() {
                if has && !data.trim().is_empty() {
                    out.push(if error { SseEvent::Error(data.clone()) } else if done { SseEvent::Done } else { SseEvent::Data(data.clone()) });
                }
                (data, has, error, done) = (String::new(), false, false, false);
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = match line.split_once(':') {
                Some((f, v)) => (f.to_string(), v.strip_prefix(' ').unwrap_or(v).to_string()),
                None => (line.clone(), String::new()),
            };
            match field.as_str() {
                "data" => {
                    done |= value.trim_matches([' ', '\t']).eq_ignore_ascii_case("[done]");
                    if has {
                        data.push('\n');
                    }
                    data.push_str(&value);
                    has = true;
                }
                "event" => error = value == "error",
                _ => {}
            }
        }
        out
    }

    #[test]
    fn random_bodies_cut_anywhere_give_the_events_the_rules_give() {
        let mut rng = crate::test_rng::Rng(7);
        let pieces: [&[u8]; 16] = [b"data", b": ", b":", b"x", b" y ", b"\n", b"\r", b"\r\n", b"event", b"error", b"[DONE]", b"id", b"\xc3\xa9", b"\xff", b"\t", b"{}"];
        for _ in 0..3000 {
            let body: Vec<u8> = (0..rng.below(40)).flat_map(|_| pieces[rng.below(pieces.len())].to_vec()).collect();
            let mut cuts: Vec<usize> = (0..rng.below(6)).map(|_| rng.below(body.len() + 1)).collect();
            cuts.sort_unstable();
            let mut chunks = Vec::new();
            let mut from = 0;
            for &c in cuts.iter().chain([body.len()].iter()) {
                chunks.push(&body[from..c]);
                from = c;
            }
            assert_eq!(decode_all(&chunks), by_the_rules(&body), "{:?} cut at {cuts:?}", String::from_utf8_lossy(&body));
        }
    }
}
