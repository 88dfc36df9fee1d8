//! Lone UTF-16 surrogates: JavaScript strings may hold them, JSON text from `JSON.stringify` escapes
//! them as `\udXXX`, and serde_json refuses them. OpenClaw strips them before sending; so do we.

/// Removes `\uD800`–`\uDFFF` escapes that are not part of a valid pair from JSON text.
pub fn strip_lone_surrogates(json: &str) -> String {
    let bytes = json.as_bytes();
    let mut out = String::with_capacity(json.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
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
    out.push_str(&json[copied..]);
    out
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
    }
}
