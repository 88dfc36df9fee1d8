//! The crate's only way in and out of JSON text, chosen for the size of the wasm.
//!
//! - Text is always read with `from_slice` into a [`Value`]: serde_json compiles its whole parser once
//!   per input reader (`from_str` and `from_slice` are two copies), and deserializing into a typed
//!   target (`Map`, a derived struct) links serde's `invalid type` message, which prints floats with
//!   core's `f64` formatter (flt2dec, about 12 KiB of gzipped wasm). Read a `Value`, then match on it.
//! - A `Value` is written with [`to_string`], not `Value`'s `Display`, which goes through a
//!   `std::io` adapter and also links the pretty printer.

use serde_json::Value;

/// Parses JSON text. Same result and errors as `serde_json::from_str` for any `&str`
/// (`text.as_bytes()`), and the same as `serde_json::from_slice` for bytes.
pub fn parse(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    serde_json::from_slice(bytes)
}

/// Compact JSON text of a value (what `value.to_string()` gives).
pub fn to_string(value: &Value) -> String {
    // Serializing a `Value` cannot fail: its map keys are strings.
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
