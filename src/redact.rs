//! Keeping secrets out of every text that leaves the library.
//!
//! A known secret is caught in every form a server may echo it in: as is, percent-encoded (either hex
//! case, `+` or `%20` for a space, a `+` read back as a space), JSON-escaped once or twice (`\"`,
//! `\\\"`, `\/`, `\u0041`, `\\u0041`), and base64 (standard or URL-safe, padded or not, also inside a
//! longer base64 text such as a `Basic` credential: see [`with_echo_forms`]). The match is tolerant
//! per character, so one pass over the text finds every form, and its cost grows linearly with the
//! text. Secrets this library never knew are masked by their shape: bearer tokens, `sk-…` keys, URL
//! credentials (`user:pass@`) and the values of query parameters whose names look secret.

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// Parts of a header or query-parameter name that make its value a secret, whatever it holds.
use crate::name_index::NameIndex;

const SECRET_NAME_PARTS: [&str; 8] = ["auth", "key", "token", "secret", "cookie", "session", "password", "credential"];

/// Whether a header or query-parameter name looks secret (`Authorization`, `X-Api-Key`, `X-Other-Key`,
/// `api_key`, `Cookie`, `X-Session-Token`, …): such values are shown as `[redacted]` wherever
/// headers or URLs are shown, and scrubbed from server text.
pub fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    SECRET_NAME_PARTS.iter().any(|p| n.contains(p))
}

/// A header as it may be shown: `Authorization` as its scheme and `[redacted]`, any other secret-named
/// header as `[redacted]`, the rest with known secrets removed.
pub fn shown_header(name: &str, value: &str, secrets: &[String]) -> String {
    if name.to_ascii_lowercase().ends_with("authorization") {
        return match value.trim().split_once(' ') {
            Some((scheme, _)) => [scheme, " ", REDACTED].concat(),
            None => REDACTED.to_string(),
        };
    }
    if is_secret_name(name) {
        return REDACTED.to_string();
    }
    redact(value, secrets)
}

/// Replaces every occurrence of each secret of at least 3 characters (in any echo form, see the module
/// docs) with `[redacted]`, then masks bearer tokens, `sk-…` keys, URL credentials and secret-named
/// query parameters whatever their value (a proxy may echo what we never knew).
pub fn redact(text: &str, secrets: &[String]) -> String {
    if clean(text, secrets) {
        return text.to_string();
    }
    mask_shapes(&replace_known(text, secrets))
}

/// [`redact`] in place: `text` is rewritten only when it can hold something to redact (model ids
/// mostly cannot; discovery scrubs each row's id and parent).
pub fn redact_in_place(text: &mut String, secrets: &[String]) {
    if !clean(text, secrets) {
        *text = mask_shapes(&replace_known(text, secrets));
    }
}

/// Whether `text` is its own redaction, so that the two passes can be skipped.
fn clean(text: &str, secrets: &[String]) -> bool {
    // Most texts (model ids, names, header names) hold no byte that a secret shape or an encoded or
    // escaped echo can start with, and then an echo of a secret is the secret as it is.
    !text.bytes().any(|b| matches!(b, b'b' | b'B' | b's' | b':' | b'?' | b'&' | b'%' | b'\\' | b'+' | b' ')) && !secrets.iter().any(|s| s.len() >= 3 && text.contains(s.as_str()))
}

/// [`redact`], then cut to `max` characters. The cut comes last so that a secret across the cut
/// cannot leave a readable half; only the part of `text` that can reach the result is scanned.
pub fn redact_cut(text: &str, max: usize, secrets: &[String]) -> String {
    // Each secret character takes at most 12 characters of text (`%F0%9F%98%80`).
    let longest = secrets.iter().map(|s| s.len()).max().unwrap_or(0);
    truncate_chars(&redact(&truncate_chars(text, max + 12 * longest + 64), secrets), max)
}

/// The secrets and, for each of at least 6 bytes, its base64 forms: the characters that depend on
/// its bytes alone, for each of the 3 offsets it can have in a longer base64 text, in both alphabets.
/// Every form is then matched like a secret (so a base64 form percent-encoded is caught too).
pub fn with_echo_forms(secrets: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // Deduplicated through an index: `contains` would make thousands of auth profiles quadratic.
    let mut seen = NameIndex::new();
    let mut push = |s: String| {
        if seen.first(&s, out.len()) == out.len() {
            out.push(s);
        }
    };
    for s in secrets {
        if s.len() >= 6 {
            for offset in 0..3 {
                let bytes = [&[0, 0][..offset], s.as_bytes()].concat();
                for tail in [b"+/", b"-_"] {
                    push(encode(&bytes, tail)[(8 * offset).div_ceil(6)..8 * bytes.len() / 6].to_string());
                }
            }
        }
        push(s);
    }
    out
}

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
    /// An index over `secrets` (those under 3 bytes are never secrets, as in [`redact`]).
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

    /// Whether [`redact`] would change `text`: a secret as is, an echo form of one, or a secret shape.
    pub fn holds(&self, text: &str) -> bool {
        // A secret is whole characters, so a window that cuts one cannot be a secret.
        let exact = self.by_len.iter().any(|&(n, ref set)| text.len() >= n && (0..=text.len() - n).any(|i| text.get(i..i + n).is_some_and(|w| set.get(w).is_some())));
        // Escaped and percent-encoded echoes need one of these bytes; only then is each secret tried.
        let marks = |b: u8| b == b'%' || b == b'\\' || (self.spaced && (b == b' ' || b == b'+'));
        let escaped = || text.bytes().any(marks) && replace_known(text, self.secrets) != text;
        exact || mask_shapes(text) != text || escaped()
    }
}

/// Standard base64 with padding (RFC 4648 §4), as `Basic` credentials are written.
pub fn base64(bytes: &[u8]) -> String {
    encode(bytes, b"+/")
}

/// Base64 with padding whose last two digits are `tail` (`+/` standard, `-_` URL-safe).
fn encode(bytes: &[u8], tail: &[u8; 2]) -> String {
    const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            let digit = (n >> (18 - 6 * i)) as usize & 63;
            let c = if i > chunk.len() { b'=' } else if digit < 62 { ALPHABET[digit] } else { tail[digit - 62] };
            out.push(c as char);
        }
    }
    out
}

fn replace_known(text: &str, secrets: &[String]) -> String {
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

/// Masks secrets this library never knew, by their shape: the token after `Bearer `, `sk-` keys of 16
/// or more key characters, URL credentials (`http://user:[redacted]@host`, `http://[redacted]@host`)
/// and the values of query parameters whose names look secret (`?api_key=[redacted]`).
fn mask_shapes(text: &str) -> String {
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

/// Cuts `text` to at most `max` characters (not bytes), never inside a UTF-8 sequence.
pub fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => text[..i].to_string(),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shortcut_for_plain_texts_gives_what_the_two_passes_give() {
        // Texts with and without the bytes that end the shortcut, over secrets and their echo forms
        // (a secret's own bytes included): the shortcut is only taken where the passes change nothing.
        let secrets = with_echo_forms(vec!["sk-live-0123456789".to_string(), "hunter2pass".to_string(), "AbC".to_string(), "ab".to_string()]);
        let pieces = ["sk-live-0123456789", "hunter2pass", "hunter2", "AbC", "abc", "ab", "Content-Type", "X-Team", "org/model-3", "aHVudGVy", "c2stbGl2", "-", "_", "%41", "\\u0041", "+", " ", "b", "B", "s", ":", "?k=", "&", "é", "日"];
        let mut g = crate::test_rng::Rng(0x7ed_ac7ed);
        for _ in 0..20_000 {
            let text: String = (0..g.below(6)).map(|_| pieces[g.below(pieces.len())]).collect();
            assert_eq!(redact(&text, &secrets), mask_shapes(&replace_known(&text, &secrets)), "{text:?}");
        }
    }

    #[test]
    fn redacting_in_place_gives_what_redact_gives() {
        let secrets = with_echo_forms(vec!["sk-live-0123456789".to_string()]);
        for text in ["org/model-1", "Qwen/Qwen3-8B", "key sk-live-0123456789 here", "c2stbGl2ZS0wMTIzNDU2Nzg5", "Bearer abcdefghijklmnop", ""] {
            let mut s = text.to_string();
            redact_in_place(&mut s, &secrets);
            assert_eq!(s, redact(text, &secrets), "{text}");
        }
    }

    #[test]
    fn known_secret_is_replaced_everywhere() {
        let s = redact("a=s3cret b=s3cret", &["s3cret".into()]);
        assert_eq!(s, "a=[redacted] b=[redacted]");
    }

    #[test]
    fn bearer_tokens_are_masked_even_when_unknown() {
        let s = redact("Authorization: Bearer abc.def, next", &[]);
        assert_eq!(s, "Authorization: Bearer [redacted], next");
        let s = redact("{\"h\":\"bearer xyz\"}", &[]);
        assert_eq!(s, "{\"h\":\"bearer [redacted]\"}");
    }

    #[test]
    fn tiny_values_are_not_treated_as_secrets() {
        assert_eq!(redact("a b c", &["a".into()]), "a b c");
    }

    #[test]
    fn truncation_counts_characters_not_bytes() {
        assert_eq!(truncate_chars("héllo", 2), "hé");
        assert_eq!(truncate_chars("hi", 5), "hi");
    }

    #[test]
    fn unknown_keys_shaped_like_openai_keys_are_masked() {
        assert_eq!(redact("key sk-abcdefghijklmnop1234 end", &[]), "key [redacted] end");
        assert_eq!(redact("model task-sk-x and sk-short", &[]), "model task-sk-x and sk-short");
        assert_eq!(redact("{\"k\":\"sk-proj-ABCDEFGHIJKLMNOPQRS\"}", &[]), "{\"k\":\"[redacted]\"}");
    }
}

/// The echo forms a test server may send a secret back in (shared by the tests of every surface).
#[cfg(test)]
pub(crate) mod echo_tests {
    use super::*;

    const KEY: &str = "Can4ry+k3y/Qx=9\"Zt é";

    /// Percent-encodes every byte outside `keep` (and the ASCII alphanumerics), `+` for a space if asked.
    fn pct(s: &str, keep: &str, plus_for_space: bool, lower: bool) -> String {
        s.bytes()
            .map(|b| match b {
                b' ' if plus_for_space => "+".to_string(),
                b if b.is_ascii_alphanumeric() || keep.as_bytes().contains(&b) => (b as char).to_string(),
                b if lower => format!("%{b:02x}"),
                b => format!("%{b:02X}"),
            })
            .collect()
    }

    /// JSON string escaping (without the quotes): minimal (JSON.stringify), or with `\/` and `\u` for
    /// non-ASCII (PHP's and Python's defaults).
    fn json(s: &str, ascii: bool) -> String {
        let mut out = String::new();
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '/' if ascii => out.push_str("\\/"),
                c if ascii && !c.is_ascii() => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out
    }

    fn url_safe(b64: &str) -> String {
        b64.replace('+', "-").replace('/', "_")
    }

    /// Every form of `key` a server may echo: (what it is, the text).
    pub(crate) fn forms(key: &str) -> Vec<(String, String)> {
        let b = base64(key.as_bytes());
        let mut f = vec![
            ("raw".to_string(), key.to_string()),
            ("encodeURIComponent".into(), pct(key, "-_.!~*'()", false, false)),
            ("form (URLSearchParams)".into(), pct(key, "*-._", true, false)),
            ("Python quote".into(), pct(key, "_.-~/", false, false)),
            ("Go QueryEscape, lower-case hex".into(), pct(key, "-_.~", true, true)),
            ("+ decoded as a space".into(), key.replace('+', " ")),
            ("+ decoded as a space, then encoded".into(), pct(&key.replace('+', " "), "", false, false)),
            ("a URL's form, encoded again".into(), pct(&key.replace('"', "%22"), "", false, false)),
            ("JSON once".into(), json(key, false)),
            ("JSON twice".into(), json(&json(key, false), false)),
            ("JSON once, ASCII".into(), json(key, true)),
            ("JSON twice, ASCII".into(), json(&json(key, true), true)),
            ("base64".into(), b.clone()),
            ("base64 unpadded".into(), b.trim_end_matches('=').to_string()),
            ("base64url".into(), url_safe(&b)),
            ("base64url unpadded".into(), url_safe(&b).trim_end_matches('=').to_string()),
            ("base64 percent-encoded".into(), pct(&b, "", false, false)),
        ];
        for prefix in ["user:", "Bearer ", "x"] {
            let inner = base64(format!("{prefix}{key}").as_bytes());
            f.push((format!("base64 of {prefix:?}+key"), inner.clone()));
            f.push((format!("base64url of {prefix:?}+key"), url_safe(&inner)));
        }
        f
    }

    #[test]
    fn base64_matches_rfc_4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(b"user:pass"), "dXNlcjpwYXNz");
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn every_echo_form_of_a_secret_is_redacted() {
        let secrets = with_echo_forms(vec![KEY.to_string()]);
        for (name, form) in forms(KEY) {
            for text in [form.clone(), format!("{{\"detail\":\"bad key <{form}> given\"}}"), format!("x{form}")] {
                let out = redact(&text, &secrets);
                assert!(out.contains(REDACTED), "{name}: {text} -> {out}");
                assert!(!out.contains("Can4ry") && !out.contains("k3y"), "{name}: {text} -> {out}");
            }
        }
    }

    #[test]
    fn a_whole_echo_is_replaced_by_one_marker() {
        let secrets = with_echo_forms(vec![KEY.to_string()]);
        for (name, form) in forms(KEY).into_iter().take(10) {
            assert_eq!(redact(&format!("<{form}>"), &secrets), "<[redacted]>", "{name}");
        }
        assert_eq!(redact("k=abc+def&x=1", &["abc def".into()]), "k=[redacted]&x=1");
    }

    #[test]
    fn the_longest_secret_wins_where_two_start() {
        let s = vec!["abcd".to_string(), "abcdefgh".to_string()];
        assert_eq!(redact("1abcdefgh2abcd3", &s), "1[redacted]2[redacted]3");
    }

    #[test]
    fn base64_forms_need_six_bytes_and_ordinary_text_survives() {
        assert_eq!(with_echo_forms(vec!["short".into()]), vec!["short".to_string()]);
        let secrets = with_echo_forms(vec![KEY.to_string()]);
        let text = "The model `tiny-model` does not exist. Hint: 100% sure\\n \"quoted\" a+b";
        assert_eq!(redact(text, &secrets), text);
    }

    #[test]
    fn secret_header_names() {
        for n in ["Authorization", "X-Api-Key", "X-Other-Key", "api_key", "Cookie", "X-Session-Id", "X-Auth-Token", "Proxy-Authorization", "password"] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in ["Content-Type", "Accept", "X-Request-Id", "X-Team"] {
            assert!(!is_secret_name(n), "{n}");
        }
        assert_eq!(shown_header("Authorization", "Basic dXNlcjpwYXNz", &[]), "Basic [redacted]");
        assert_eq!(shown_header("X-Other-Key", "v", &[]), "[redacted]");
        assert_eq!(shown_header("X-Team", "team-sk-xyz1", &["sk-xyz1".into()]), "team-[redacted]");
    }

    #[test]
    fn url_credentials_and_secret_query_values_are_masked_whatever_they_hold() {
        assert_eq!(redact("GET http://me:pw%2B@h:8/v1?api_key=abc&x=1#f", &[]), "GET http://me:[redacted]@h:8/v1?api_key=[redacted]&x=1#f");
        assert_eq!(redact("\"https://tok@h/v1\"", &[]), "\"https://[redacted]@h/v1\"");
        assert_eq!(redact("http://h/a@b and http://h/?page=2&token=t", &[]), "http://h/a@b and http://h/?page=2&token=[redacted]");
        assert_eq!(redact("http://u:s3cret@h/v1", &["s3cret".into()]), "http://u:[redacted]@h/v1");
    }

    #[test]
    fn a_cut_never_leaves_half_a_secret() {
        let secrets = vec!["0123456789".to_string()];
        let text = format!("{}0123456789tail", "a".repeat(495));
        assert_eq!(redact_cut(&text, 500, &secrets), format!("{}[reda", "a".repeat(495)));
    }

    #[test]
    fn work_grows_linearly_with_the_text() {
        // Text that starts a near-match at every position: each attempt stops within the secret's length.
        let secrets = with_echo_forms(vec!["aaaaaaaaaaaaaaaaaaab".to_string()]);
        let small = "a".repeat(20_000);
        let big = "a".repeat(160_000);
        assert_eq!(redact(&big, &secrets), big);
        // The fastest of a few runs: other work on the machine only ever slows a run down.
        let time = |t: &str| {
            (0..5)
                .map(|_| {
                    let started = std::time::Instant::now();
                    std::hint::black_box(redact(t, &secrets));
                    started.elapsed().as_secs_f64()
                })
                .fold(f64::MAX, f64::min)
        };
        let (s, b) = (time(&small), time(&big));
        // 8 times the text: linear work takes about 8 times as long, quadratic 64 times.
        assert!(b < s * 24.0, "8x the text took {:.1}x the time", b / s);
    }
}
