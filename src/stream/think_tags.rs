//! Inline reasoning tags (`<think>…</think>` and kin) partitioned out of visible text (§6.2, §8.7).
//!
//! Servers without a reasoning parser leave the model's tags in `content`. Text inside a tag is hidden;
//! a tag split across chunks is held back until it resolves; tags inside a backtick code span are
//! prose. At the end, an unclosed tag hides the rest unless the reply stopped normally: then a tag
//! that opened the reply gives its text back as the answer, and one after visible text is kept
//! verbatim (it was prose, like `Use <think> in prose`). A lone closing tag stays visible.

const NAMES: [&str; 6] = ["think", "thinking", "thought", "reasoning", "internal", "antthinking"];
const PREFIXES: [&str; 3] = ["", "antml:", "mm:"];

enum Tag {
    Open(usize),
    Close(usize),
    /// The text ends inside what may still become a tag.
    Partial,
    None,
}

/// Matches a tag at the start of `s` (which starts with `<`).
fn tag_at(s: &str) -> Tag {
    let b = s.as_bytes();
    let mut partial = false;
    for close in [false, true] {
        for p in PREFIXES {
            for n in NAMES {
                let head = if close { 2 } else { 1 };
                let want_len = head + p.len() + n.len() + 1;
                let matches = |k: usize| -> bool {
                    let c = b[k].to_ascii_lowercase();
                    let want = if k == 0 {
                        b'<'
                    } else if close && k == 1 {
                        b'/'
                    } else if k < head + p.len() {
                        p.as_bytes()[k - head]
                    } else if k < head + p.len() + n.len() {
                        n.as_bytes()[k - head - p.len()]
                    } else {
                        b'>'
                    };
                    c == want
                };
                let avail = b.len().min(want_len);
                if (0..avail).all(matches) {
                    if avail == want_len {
                        return if close { Tag::Close(want_len) } else { Tag::Open(want_len) };
                    }
                    partial = true;
                }
            }
        }
    }
    if partial {
        Tag::Partial
    } else {
        Tag::None
    }
}

/// Splits streamed text into what is shown and what is hidden inside reasoning tags.
#[derive(Debug, Default)]
pub struct TagFilter {
    /// Unresolved tail: a possible tag, held until more text arrives.
    pending: String,
    /// Inside an open tag: the tag as written and the hidden text after it.
    open: Option<(String, String)>,
    in_code: bool,
    shown_any: bool,
}

impl TagFilter {
    /// Feeds text; returns the part that is visible now.
    #[cfg(test)]
    pub fn push(&mut self, text: &str) -> String {
        let mut out = String::new();
        self.push_into(text, &mut out);
        out
    }

    /// Feeds text, appending the part that is visible now to `out`.
    pub fn push_into(&mut self, text: &str, out: &mut String) {
        let from = out.len();
        if self.pending.is_empty() {
            self.scan(text, out);
        } else {
            let mut s = std::mem::take(&mut self.pending);
            s.push_str(text);
            self.scan(&s, out);
        }
        self.shown_any = self.shown_any || !out[from..].trim().is_empty();
    }

    /// Runs of plain text are copied whole; only `<` and `` ` `` are looked at one by one.
    fn scan(&mut self, s: &str, out: &mut String) {
        let mut i = 0;
        while i < s.len() {
            let plain = memchr::memchr2(b'<', b'`', &s.as_bytes()[i..]).unwrap_or(s.len() - i);
            let target = match &mut self.open {
                Some((_, hidden)) => hidden,
                None => &mut *out,
            };
            target.push_str(&s[i..i + plain]);
            i += plain;
            if i == s.len() {
                break;
            }
            let rest = &s[i..];
            if rest.starts_with('`') || (self.open.is_none() && self.in_code) {
                if self.open.is_none() && rest.starts_with('`') {
                    self.in_code = !self.in_code;
                }
                let c = &rest[..1];
                match &mut self.open {
                    Some((_, hidden)) => hidden.push_str(c),
                    None => out.push_str(c),
                }
                i += 1;
                continue;
            }
            match (tag_at(rest), &mut self.open) {
                (Tag::Partial, _) => {
                    self.pending = rest.to_string();
                    break;
                }
                (Tag::Open(n), None) => {
                    self.open = Some((rest[..n].to_string(), String::new()));
                    i += n;
                }
                (Tag::Close(n), Some(_)) => {
                    self.open = None;
                    i += n;
                }
                (_, open) => {
                    match open {
                        Some((_, hidden)) => hidden.push('<'),
                        None => out.push('<'),
                    }
                    i += 1;
                }
            }
        }
    }

    /// Ends the text; `stopped` says the reply finished normally, so unresolved text is recovered.
    pub fn finish(&mut self, stopped: bool) -> String {
        let pending = std::mem::take(&mut self.pending);
        match self.open.take() {
            Some(_) if !stopped => String::new(),
            Some((tag, mut hidden)) => {
                hidden.push_str(&pending);
                if self.shown_any {
                    tag + &hidden
                } else {
                    hidden
                }
            }
            None if stopped => pending,
            None => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(parts: &[&str], stopped: bool) -> String {
        let mut f = TagFilter::default();
        let mut out: String = parts.iter().map(|p| f.push(p)).collect();
        out.push_str(&f.finish(stopped));
        out
    }

    #[test]
    fn openclaw_content_only_vectors() {
        assert_eq!(run(&["<thi", "nk>unfinished reasoning"], false), "");
        assert_eq!(run(&["Answer. ", "<reasoning>unfinished\n\nreasoning"], false), "Answer. ");
        assert_eq!(run(&["<thinking>unfinished reasoning"], false), "");
        assert_eq!(run(&["<thi", "nk>Recovered answer."], true), "Recovered answer.");
        assert_eq!(run(&["Use <think> in prose"], true), "Use <think> in prose");
        assert_eq!(run(&["<think>hidden</think>", "Answer."], true), "Answer.");
        assert_eq!(run(&["Use `<think>` in code. <thi"], true), "Use `<think>` in code. <thi");
        assert_eq!(run(&["Answer </think> remains visible."], true), "Answer </think> remains visible.");
        assert_eq!(run(&["Answer. <think>unfinished reasoning"], false), "Answer. ");
        assert_eq!(run(&["Before <thi", "nk>private reasoning</think> after"], true), "Before  after");
    }

    #[test]
    fn every_split_of_a_tagged_reply_gives_the_same_text() {
        let text = "<think>a é</think>Answer <thinking>x</thinking>done </THINK> `<think>`";
        for cut in 0..=text.len() {
            if !text.is_char_boundary(cut) {
                continue;
            }
            assert_eq!(run(&[&text[..cut], &text[cut..]], true), "Answer done </THINK> `<think>`", "cut {cut}");
        }
    }

    #[test]
    fn visible_text_is_released_as_soon_as_it_cannot_be_a_tag() {
        let mut f = TagFilter::default();
        assert_eq!(f.push("Hi <"), "Hi ");
        assert_eq!(f.push("b>"), "<b>");
        assert_eq!(f.push("<thinker"), "<thinker");
    }
}
