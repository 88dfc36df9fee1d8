//! [`SecretFinder`]: whether texts hold any of many secrets, in time linear in each text.

use super::{mask_shapes, replace_known};
use crate::name_index::NameIndex;

/// Whether texts hold any of many secrets, in time proportional to each text however many secrets
/// there are (the secrets are found by hashing each window of each secret length, not tried one by
/// one): what keeps `describe()` of thousands of headers and profiles linear.
pub struct SecretFinder<'a> {
    secrets: &'a [String],
    /// Whether some secret holds a space or a `+` (each may be echoed as the other).
    spaced: bool,
    /// Each distinct length, with the secrets of that length.
    by_len: Vec<(usize, NameIndex)>,
}

impl<'a> SecretFinder<'a> {
    /// An index over `secrets` (those under 3 bytes are never secrets, as in [`redact`](super::redact)).
    pub fn new(secrets: &'a [String]) -> Self {
        let mut by_len: Vec<(usize, NameIndex)> = Vec::new();
        for s in secrets.iter().filter(|s| s.len() >= 3) {
            let at = match by_len.iter().position(|(n, _)| *n == s.len()) {
                Some(at) => at,
                None => {
                    by_len.push((s.len(), NameIndex::new()));
                    by_len.len() - 1
                }
            };
            by_len[at].1.set(s, 0);
        }
        let spaced = secrets.iter().any(|s| s.contains([' ', '+']));
        SecretFinder { secrets, spaced, by_len }
    }

    /// Whether [`redact`](super::redact) would change `text`: a secret as is, an echo form of one, or a secret shape.
    pub fn holds(&self, text: &str) -> bool {
        // A secret is whole characters, so a window that cuts one cannot be a secret.
        let exact = self.by_len.iter().any(|&(n, ref set)| text.len() >= n && (0..=text.len() - n).any(|i| text.get(i..i + n).is_some_and(|w| set.get(w).is_some())));
        // Escaped and percent-encoded echoes need one of these bytes; only then is each secret tried.
        let marks = |b: u8| b == b'%' || b == b'\\' || (self.spaced && (b == b' ' || b == b'+'));
        let escaped = || text.bytes().any(marks) && replace_known(text, self.secrets) != text;
        exact || mask_shapes(text) != text || escaped()
    }
}
