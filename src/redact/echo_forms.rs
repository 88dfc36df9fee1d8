//! The base64 forms a known secret may be echoed in, and the base64 encoder that writes them.

use crate::name_index::NameIndex;

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
