//! "Does the reply's text so far contain this refusal?" in time proportional to the refusal, however
//! long the text: a suffix automaton of the text's bytes, brought up to date with the text before each
//! question. Scanning the text for every refusal delta made a reply of many small refusal deltas
//! quadratic.
//!
//! The automaton has at most two states and three transitions per byte (about 40 bytes of memory per
//! byte of text). Text beyond [`MAX_INDEXED`] bytes is not indexed: such a reply is searched directly.

/// How much text is indexed at most (about 160 MiB of automaton in the worst case).
pub const MAX_INDEXED: usize = 4 * 1024 * 1024;

const NONE: u32 = u32::MAX;

/// The index of one reply's text.
#[derive(Debug)]
pub struct SubstringIndex {
    // Per state: the longest string it stands for, its suffix link, its first transition.
    len: Vec<u32>,
    link: Vec<u32>,
    first: Vec<u32>,
    // Per transition: the byte, the state it leads to, the state's next transition.
    byte: Vec<u8>,
    to: Vec<u32>,
    next: Vec<u32>,
    last: u32,
    indexed: usize,
}

impl Default for SubstringIndex {
    fn default() -> Self {
        SubstringIndex { len: vec![0], link: vec![NONE], first: vec![NONE], byte: Vec::new(), to: Vec::new(), next: Vec::new(), last: 0, indexed: 0 }
    }
}

impl SubstringIndex {
    /// Whether `text` contains `needle`; `text` must be the text of the earlier calls with more appended.
    pub fn contains(&mut self, text: &str, needle: &str) -> bool {
        if text.len() > MAX_INDEXED {
            return text.contains(needle);
        }
        for &b in &text.as_bytes()[self.indexed..] {
            self.extend(b);
        }
        self.indexed = text.len();
        let mut state = 0;
        for &b in needle.as_bytes() {
            match self.step(state, b) {
                Some(t) => state = self.to[t as usize],
                None => return false,
            }
        }
        true
    }

    /// The transition of `state` on `b`.
    fn step(&self, state: u32, b: u8) -> Option<u32> {
        let mut t = self.first[state as usize];
        while t != NONE {
            if self.byte[t as usize] == b {
                return Some(t);
            }
            t = self.next[t as usize];
        }
        None
    }

    fn add_transition(&mut self, from: u32, b: u8, to: u32) {
        self.byte.push(b);
        self.to.push(to);
        self.next.push(self.first[from as usize]);
        self.first[from as usize] = (self.to.len() - 1) as u32;
    }

    fn add_state(&mut self, len: u32, link: u32) -> u32 {
        self.len.push(len);
        self.link.push(link);
        self.first.push(NONE);
        (self.len.len() - 1) as u32
    }

    /// Appends one byte to the indexed text (the classic online construction).
    fn extend(&mut self, b: u8) {
        let cur = self.add_state(self.len[self.last as usize] + 1, NONE);
        let mut p = self.last;
        while p != NONE && self.step(p, b).is_none() {
            self.add_transition(p, b, cur);
            p = self.link[p as usize];
        }
        self.last = cur;
        if p == NONE {
            self.link[cur as usize] = 0;
            return;
        }
        let q = self.to[self.step(p, b).unwrap_or(0) as usize];
        if self.len[p as usize] + 1 == self.len[q as usize] {
            self.link[cur as usize] = q;
            return;
        }
        let clone = self.add_state(self.len[p as usize] + 1, self.link[q as usize]);
        let mut t = self.first[q as usize];
        while t != NONE {
            self.add_transition(clone, self.byte[t as usize], self.to[t as usize]);
            t = self.next[t as usize];
        }
        while p != NONE {
            match self.step(p, b) {
                Some(t) if self.to[t as usize] == q => self.to[t as usize] = clone,
                _ => break,
            }
            p = self.link[p as usize];
        }
        self.link[q as usize] = clone;
        self.link[cur as usize] = clone;
    }
}

/// How much of a reply's text [`RecentText`] holds: at least this much of its end (when the text is
/// that long), at most twice this much.
pub const RECENT: usize = 32 * 1024;

/// The end of a reply's text, for a reader that does not keep the text itself (`stream()`'s: its
/// caller has every delta): whether a refusal repeats what the reply just said. A refusal repeating
/// text from further back than [`RECENT`] bytes is not seen (a proxy mirrors a refusal into the
/// content next to it). Linear in the text: a cut, once per [`RECENT`] bytes, starts a new index.
#[derive(Debug, Default)]
pub struct RecentText {
    text: String,
    index: Option<SubstringIndex>,
}

impl RecentText {
    /// Appends `s` to the text, dropping the oldest part once it is longer than twice [`RECENT`].
    pub fn push(&mut self, s: &str) {
        if self.text.len() + s.len() <= 2 * RECENT {
            self.text.push_str(s);
            return;
        }
        // Keep the last RECENT bytes (from a character boundary) of what the text and `s` make.
        let keep_old = RECENT.saturating_sub(s.len()).min(self.text.len());
        let mut from_old = self.text.len() - keep_old;
        while !self.text.is_char_boundary(from_old) {
            from_old += 1;
        }
        let mut from_new = s.len().saturating_sub(RECENT);
        while !s.is_char_boundary(from_new) {
            from_new += 1;
        }
        self.text.drain(..from_old);
        self.text.push_str(&s[from_new..]);
        self.index = None;
    }

    /// Whether the text held contains `needle`.
    pub fn contains(&mut self, needle: &str) -> bool {
        self.index.get_or_insert_with(SubstringIndex::default).contains(&self.text, needle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::Rng;

    #[test]
    fn answers_as_str_contains_while_the_text_grows() {
        let mut rng = Rng(7);
        for round in 0..40 {
            let alphabet: &[char] = if round % 2 == 0 { &['a', 'b'] } else { &['a', 'b', 'c', 'é', ' ', '<', '>'] };
            let mut text = String::new();
            let mut index = SubstringIndex::default();
            for _ in 0..60 {
                let piece: String = (0..rng.below(6)).map(|_| alphabet[rng.below(alphabet.len())]).collect();
                text.push_str(&piece);
                for _ in 0..5 {
                    let needle: String = (0..rng.below(7) + 1).map(|_| alphabet[rng.below(alphabet.len())]).collect();
                    assert_eq!(index.contains(&text, &needle), text.contains(&needle), "{text:?} {needle:?}");
                }
                if text.len() > 4 {
                    let at = rng.below(text.len() - 3);
                    if let Some(needle) = text.get(at..at + 3) {
                        assert!(index.contains(&text, needle));
                    }
                }
            }
        }
    }

    #[test]
    fn recent_text_answers_for_the_end_of_the_text_and_stays_bounded() {
        let mut rng = Rng(11);
        let alphabet = ['a', 'b', 'é', ' ', '—'];
        let (mut whole, mut recent) = (String::new(), RecentText::default());
        for _ in 0..4000 {
            let len = if rng.below(50) == 0 { rng.below(3 * RECENT) } else { rng.below(40) };
            let piece: String = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
            whole.push_str(&piece);
            recent.push(&piece);
            assert!(recent.text.len() <= 2 * RECENT && whole.ends_with(&recent.text));
            assert!(recent.text.len() + 3 >= RECENT.min(whole.len()), "{} of {}", recent.text.len(), whole.len());
            let at = rng.below(recent.text.len().max(1));
            let needle = recent.text.get(at..at + 8).unwrap_or("—a—").to_string();
            assert_eq!(recent.contains(&needle), recent.text.contains(&needle), "{needle:?}");
            assert!(!recent.contains("ab—é—ba—ab—é—ba—ab—é") || recent.text.contains("ab—é—ba—ab—é—ba—ab—é"));
        }
        // A text no longer than twice RECENT is held whole: the answer is the full text's.
        let mut short = RecentText::default();
        short.push(&"x".repeat(2 * RECENT - 3));
        short.push("yes");
        assert!(short.contains(&format!("x{}", "yes")) && short.text.len() == 2 * RECENT);
    }

    #[test]
    fn stays_small_per_byte() {
        let mut index = SubstringIndex::default();
        let text = "I cannot help with that request, sorry. ".repeat(2000);
        assert!(index.contains(&text, "help with that request, sorry. I cannot"));
        assert!(!index.contains(&text, "sorry.  I"));
        assert!(index.len.len() <= 2 * text.len() + 1 && index.to.len() <= 3 * text.len());
    }
}
