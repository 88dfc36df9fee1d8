//! Known secrets: finding each one in any echo form (percent-encoded, JSON-escaped, `+` for a
//! space) and replacing it with [`REDACTED`].

use super::REDACTED;

pub(super) fn replace_known(text: &str, secrets: &[String]) -> String {
    // Very short values ("a", "1") would shred ordinary text and are not meaningful secrets.
    let long = |s: &&String| s.len() >= 3;
    // The bytes an echo of some secret can start with: a quick filter before trying each secret.
    let mut starts = [false; 256];
    for s in secrets.iter().filter(long) {
        let first = s.as_bytes()[0];
        starts[first as usize] = true;
        starts[b'%' as usize] = true;
        starts[b'\\' as usize] = true;
        starts[b'+' as usize] |= first == b' ';
        starts[b' ' as usize] |= first == b'+';
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied) = (0, 0);
    while i < bytes.len() {
        // The longest echo starting here wins, so a secret that contains another is removed whole.
        let found = if starts[bytes[i] as usize] { secrets.iter().filter(long).filter_map(|s| echo_len(&bytes[i..], s)).max() } else { None };
        match found {
            Some(len) => {
                out.push_str(&text[copied..i]);
                out.push_str(REDACTED);
                i += len;
                copied = i;
            }
            // Only whole characters are skipped, so every match starts on a character boundary.
            None => i += text[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The length of the echo of `secret` at the start of `text`, if there is one.
fn echo_len(text: &[u8], secret: &str) -> Option<usize> {
    let mut at = 0;
    for c in secret.chars() {
        at += char_echo_len(&text[at..], c)?;
    }
    Some(at)
}

/// The length of one character's echo at the start of `t`: JSON-escaped any number of times (`\"`,
/// `\\\"`, `\/`, `\u00e9`, `\\u00e9`), or each of its bytes as is or percent-encoded once or twice
/// (`%22`, `%2522`: a URL that was encoded again), a space and a `+` alike (a form decoder reads `+` as
/// a space).
fn char_echo_len(t: &[u8], c: char) -> Option<usize> {
    let backslashes = t.iter().take_while(|&&b| b == b'\\').count();
    if c == '\\' && backslashes > 0 {
        return Some(backslashes);
    }
    if backslashes > 0 {
        let rest = &t[backslashes..];
        if matches!(c, '"' | '/') && rest.first() == Some(&(c as u8)) {
            return Some(backslashes + 1);
        }
        let code = rest.get(1..5).filter(|_| rest[0] == b'u')?.iter().try_fold(0u32, |n, &h| Some(n << 4 | u32::from(hex(h)?)))?;
        return (code == c as u32).then_some(backslashes + 5);
    }
    let mut buf = [0; 4];
    let mut n = 0;
    for &b in c.encode_utf8(&mut buf).as_bytes() {
        let same = |v: u8| v == b || matches!((v, b), (b' ', b'+') | (b'+', b' '));
        let u = &t[n..];
        let decoded = |at: usize| pct_byte(u, at).is_some_and(same);
        n += match u.first()? {
            b'%' if u[1..].starts_with(b"25") && decoded(3) => 5,
            b'%' if decoded(1) => 3,
            &v if same(v) => 1,
            _ => return None,
        };
    }
    Some(n)
}

/// The byte written as two hex digits at `at` (of `%XX`, the `XX`).
pub(crate) fn pct_byte(u: &[u8], at: usize) -> Option<u8> {
    Some(hex(*u.get(at)?)? << 4 | hex(*u.get(at + 1)?)?)
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}
