//! Unknown secrets masked by their shape: bearer tokens, `sk-…` keys, URL credentials and
//! secret-named query parameters.

use super::{is_secret_name, REDACTED};

/// Masks secrets this library never knew, by their shape: the token after `Bearer `, `sk-` keys of 16
/// or more key characters, URL credentials (`http://user:[redacted]@host`, `http://[redacted]@host`)
/// and the values of query parameters whose names look secret (`?api_key=[redacted]`).
pub(super) fn mask_shapes(text: &str) -> String {
    let b = text.as_bytes();
    let key_char = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
    // The end of the run from `from` that stops at a byte `stop` accepts.
    let end_of = |from: usize, stop: &dyn Fn(u8) -> bool| from + b[from..].iter().take_while(|&&c| !stop(c)).count();
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied) = (0, 0);
    while i < b.len() {
        let rest = &b[i..];
        // Where the masked part starts and ends, when a shape starts here.
        let found = if rest.len() > 7 && rest[..7].eq_ignore_ascii_case(b"bearer ") {
            Some((i + 7, end_of(i + 7, &|c| c.is_ascii_whitespace() || b"\"',}".contains(&c))))
        } else if rest.starts_with(b"sk-") && (i == 0 || !key_char(b[i - 1])) {
            Some((i, end_of(i + 3, &|c| !key_char(c)))).filter(|(_, end)| end - i >= 19)
        } else if rest.starts_with(b"://") {
            let end = end_of(i + 3, &|c| c.is_ascii_whitespace() || b"/?#@\"'<>\\".contains(&c));
            let user = b[i + 3..end].iter().position(|&c| c == b':').map_or(i + 3, |p| i + 4 + p);
            (b.get(end) == Some(&b'@')).then_some((user, end))
        } else if rest[0] == b'?' || rest[0] == b'&' {
            let name = end_of(i + 1, &|c| !(c.is_ascii_alphanumeric() || b"_-.".contains(&c)));
            (b.get(name) == Some(&b'=') && is_secret_name(&text[i + 1..name]))
                .then(|| (name + 1, end_of(name + 1, &|c| c.is_ascii_whitespace() || b"&#\"'<>\\,)".contains(&c))))
        } else {
            None
        };
        match found {
            Some((start, end)) if end > start && &text[start..end] != REDACTED => {
                out.push_str(&text[copied..start]);
                out.push_str(REDACTED);
                (i, copied) = (end, end);
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}
