//! Lone UTF-16 surrogates: JavaScript strings may hold them, JSON text from `JSON.stringify` escapes
//! them as `\udXXX`, and serde_json refuses them. OpenClaw strips them before sending; so do we.

use std::borrow::Cow;

/// Removes `\uD800`–`\uDFFF` escapes that are not part of a valid pair from JSON text: the text
/// itself, not a copy, when it holds none (the usual case: a request is not copied to be read).
pub fn strip_lone_surrogates(json: &str) -> Cow<'_, str> {
    let bytes = json.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    let mut copied = 0;
    // Only escapes matter: jump from one backslash to the next (with `memchr2`, which the SSE reader
    // links already; `memchr` would add a copy of the search to the wasm).
    while let Some(at) = memchr::memchr2(b'\\', b'\\', bytes.get(i..).unwrap_or_default()) {
        i += at;
        let Some(unit) = escape_unit(bytes, i) else {
            i += 2;
            continue;
        };
        let is_high = (0xD800..0xDC00).contains(&unit);
        let is_low = (0xDC00..0xE000).contains(&unit);
        if is_high && escape_unit(bytes, i + 6).is_some_and(|n| (0xDC00..0xE000).contains(&n)) {
            i += 12;
        } else if is_high || is_low {
            out.push_str(&json[copied..i]);
            i += 6;
            copied = i;
        } else {
            i += 6;
        }
    }
    if copied == 0 {
        return Cow::Borrowed(json);
    }
    out.push_str(&json[copied..]);
    Cow::Owned(out)
}

/// The code unit of a `\uXXXX` escape starting at `at`.
fn escape_unit(bytes: &[u8], at: usize) -> Option<u32> {
    if bytes.get(at) != Some(&b'\\') || bytes.get(at + 1) != Some(&b'u') {
        return None;
    }
    let hex = std::str::from_utf8(bytes.get(at + 2..at + 6)?).ok()?;
    u32::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::strip_lone_surrogates;

    #[test]
    fn lone_surrogates_are_removed_and_pairs_kept() {
        assert_eq!(strip_lone_surrogates(r#"["a\ud800b","\ud83d\ude00","\udc00","\\ud800"]"#), r#"["ab","\ud83d\ude00","","\\ud800"]"#);
        let v: serde_json::Value = serde_json::from_str(&strip_lone_surrogates(r#""x\ud800""#)).unwrap();
        assert_eq!(v, "x");
        // Text without lone surrogates comes back as itself, whatever its escapes (one may end it).
        for text in [r#""\ud83d\ude00 \n \\ud800""#, "", "\\", "a\\", r#""\u00e9"#, r#"\u12"#] {
            assert!(matches!(strip_lone_surrogates(text), std::borrow::Cow::Borrowed(t) if t == text), "{text}");
        }
        assert_eq!(strip_lone_surrogates(r#"\ud800"#), "");
        assert_eq!(strip_lone_surrogates(r#"a\udc00\\"#), "a\\\\");
        assert_eq!(strip_lone_surrogates(r#"\ud800\udc0"#), r#"\udc0"#);
        assert_eq!(strip_lone_surrogates(r#"\ud83d\ude0"#), r#"\ude0"#);
    }
}
