//! Server-sent events decoding over byte chunks that may split anywhere.
//!
//! Lines end with `\n`, `\r\n` or `\r` (so events end at `\n\n`, `\r\n\r\n` or `\r\r`); a `\r` at the
//! end of a chunk waits for the next byte, and lines are only decoded as UTF-8 once complete, so a
//! split inside a character is harmless. Events with no non-empty `data:` line (comments such as
//! `: ping`, keep-alives) are dropped, as OpenClaw's sanitiser does.

use crate::error::{ErrorCode, ProviderError};

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

/// Incremental SSE decoder: [`push`](SseDecoder::push) bytes as they arrive, then [`finish`](SseDecoder::finish).
#[derive(Debug, Default)]
pub struct SseDecoder {
    buf: Vec<u8>,
    data: String,
    has_data: bool,
    is_error: bool,
    done_line: bool,
}

impl SseDecoder {
    /// A decoder with nothing buffered.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds bytes; returns the events they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<SseEvent>, ProviderError> {
        let scan_from = self.buf.len();
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        let mut start = 0;
        // A line can only end at or after the first new byte (or a `\r` held back just before it).
        let mut i = scan_from.saturating_sub(1);
        while i < self.buf.len() {
            let b = self.buf[i];
            if b != b'\n' && b != b'\r' {
                i += 1;
                continue;
            }
            if b == b'\r' && i + 1 == self.buf.len() {
                break; // maybe the first half of `\r\n`
            }
            let end = i;
            i += if b == b'\r' && self.buf[i + 1] == b'\n' { 2 } else { 1 };
            let line = String::from_utf8_lossy(&self.buf[start..end]).into_owned();
            start = i;
            self.line(&line, &mut out);
        }
        self.buf.drain(..start);
        if self.buf.len() + self.data.len() > MAX_SSE_BUFFER {
            return Err(buffer_error());
        }
        Ok(out)
    }

    /// Ends the input: an event the server did not terminate with a blank line still counts.
    pub fn finish(&mut self) -> Result<Vec<SseEvent>, ProviderError> {
        let mut out = Vec::new();
        if !self.buf.is_empty() {
            let rest = std::mem::take(&mut self.buf);
            let line = String::from_utf8_lossy(rest.strip_suffix(b"\r").unwrap_or(&rest)).into_owned();
            self.line(&line, &mut out);
        }
        self.dispatch(&mut out);
        Ok(out)
    }

    fn line(&mut self, line: &str, out: &mut Vec<SseEvent>) {
        if line.is_empty() {
            return self.dispatch(out);
        }
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "data" => {
                if is_done_value(value) {
                    self.done_line = true;
                }
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "event" => self.is_error = value == "error",
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        let data = std::mem::take(&mut self.data);
        let (has_data, is_error, done) = (self.has_data, self.is_error, self.done_line);
        self.has_data = false;
        self.is_error = false;
        self.done_line = false;
        if !has_data || data.trim().is_empty() {
            return;
        }
        out.push(if is_error {
            SseEvent::Error(data)
        } else if done {
            SseEvent::Done
        } else {
            SseEvent::Data(data)
        });
    }
}

/// `^data:[ \t]*\[DONE\][ \t]*$`, case-insensitive, given what follows `data:`.
fn is_done_value(value: &str) -> bool {
    value.trim_matches([' ', '\t']).eq_ignore_ascii_case("[done]")
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
}
