//! Target `json5`: the config's JSON5 reader, alone.
//!
//! Input: the bytes as text (invalid UTF-8 replaced). Properties: no panic; a refusal is a `config`
//! error with a line and column inside the text; an accepted value printed as JSON (which is JSON5)
//! reads back to the same value.

use crate::common::nearly_equal;
use vllm_provider::config::json5::parse;
use vllm_provider::error::ErrorCode;

/// Checks one input.
pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match parse(&text, "config") {
        Ok(value) => {
            let json = serde_json::to_string(&value).expect("a Value prints");
            let again = parse(&json, "config").unwrap_or_else(|e| panic!("the value printed as JSON does not read back: {json:?}: {e:?}"));
            assert!(nearly_equal(&value, &again), "round trip changed the value: {value:?} vs {again:?}");
        }
        Err(e) => {
            assert_eq!(e.code, ErrorCode::Config, "{e:?}");
            let (line, column) = (e.line.expect("a line"), e.column.expect("a column"));
            let lines = text.split('\n').count() as u32;
            assert!(line >= 1 && line <= lines, "line {line} of {lines}: {e:?}");
            let width = text.split('\n').nth(line as usize - 1).unwrap_or("").chars().count() as u32;
            assert!(column >= 1 && column <= width + 1, "column {column} of {width}: {e:?}");
            assert!(e.message.len() < 512, "message too long: {}", e.message.len());
        }
    }
}
