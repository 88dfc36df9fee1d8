//! The crate's only way in and out of JSON text, chosen for the size of the wasm.
//!
//! - Text is always read from a `&str` (`from_str`): serde_json compiles its whole parser once per input
//!   reader (`from_str` and `from_slice` are two copies), and a `&str` is not checked for UTF-8 again
//!   string by string. Wire types are read through [`crate::wire`], everything else into a [`Value`]:
//!   deserializing into a derived struct links serde's `invalid type` message, which prints floats
//!   with core's `f64` formatter (flt2dec, about 12 KiB of gzipped wasm).
//! - A `Value` is written with [`to_string`], not `Value`'s `Display`, which goes through a
//!   `std::io` adapter and also links the pretty printer.

use serde_json::Value;
use std::borrow::Cow;

/// Bytes as text, invalid UTF-8 replaced by U+FFFD (what `String::from_utf8_lossy` gives), checked
/// first by `str::from_utf8`, which takes ASCII a word at a time where the lossy walk takes it a byte
/// at a time (a 441 KB model list: about 3 % of discovery's time in the wasm).
pub(crate) fn utf8_lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// UTF-16 units of `s`: one per character, two for those beyond the BMP (4-byte UTF-8). Most
/// fragments are ASCII, which `is_ascii` tells a word at a time.
pub(crate) fn utf16_units(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    s.bytes().map(|b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0)).sum()
}

/// Parses JSON text given as bytes (`text.as_bytes()`): what [`parse_str`] gives for the text (bytes
/// that are not UTF-8 read as U+FFFD, as `JSON.parse(await response.text())` reads them).
pub fn parse(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    parse_str(&utf8_lossy(bytes))
}

/// Parses JSON text: what `serde_json::from_str::<Value>` gives (same value, same errors), read by the
/// one parser instance that every typed reading in [`crate::wire`] uses.
pub fn parse_str(text: &str) -> Result<Value, serde_json::Error> {
    crate::wire::parse::<crate::wire::AnyValue>(text).map(|v| v.value)
}

/// Compact JSON text of a value (what `value.to_string()` gives for a `Value`).
pub fn to_string<T: serde::Serialize + ?Sized>(value: &T) -> String {
    // Serializing cannot fail: every map key in the crate's types is a string.
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn utf8_lossy_is_from_utf8_lossy() {
        for bytes in [&b"plain ascii"[..], "caf\u{e9} \u{1f600}".as_bytes(), b"bad \xff byte", b"cut \xe2\x82", b""] {
            assert_eq!(utf8_lossy(bytes), String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn parse_and_print_match_serde_json_defaults() {
        let text = r#"{"b": [1, 2.5, "x"], "a": {"z": null, "y": true}}"#;
        let v = parse(text.as_bytes()).unwrap();
        assert_eq!(v, serde_json::from_str::<Value>(text).unwrap());
        assert_eq!(to_string(&v), v.to_string());
        assert_eq!(to_string(&json!({"b": 1, "a": 2})), r#"{"b":1,"a":2}"#);
        let e = parse(b"{\"a\": }").unwrap_err();
        assert_eq!((e.line(), e.column()), (1, 7));
    }
}
