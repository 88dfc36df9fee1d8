//! Parsing OpenClaw's `openclaw.json` (JSON5) into a JSON value, with positions on errors.
//!
//! The reader is our own ([`super::json5_reader`]), not the `json5` crate: that crate cost 25.4 KiB of
//! gzipped wasm by itself (its deserializer, Unicode category tries via `ucd-trie`, u128 parsing and
//! core's `dec2flt` float parser, which nothing else links), and the package must fit 150 KiB gzip.
//! The crate stays as a dev-dependency: it is the test oracle our reader is compared against
//! (`json5_oracle` tests). This module adds what a library that must never trap needs: a size cap,
//! a nesting-depth limit (a deeply nested input would otherwise exhaust the wasm stack) and
//! positioned, plain-words errors.

use super::json5_reader::{read, Fault};
use crate::error::ProviderError;
use serde_json::Value;

/// Largest config text accepted (a real `openclaw.json` is a few KiB).
pub const MAX_CONFIG_BYTES: usize = 4 * 1024 * 1024;
/// Deepest nesting accepted (OpenClaw configs nest about 8 levels).
pub const MAX_DEPTH: usize = 64;

const HINT: &str = "Fix the JSON5 syntax at that position (comments, trailing commas, unquoted keys and single quotes are allowed).";

/// Parses JSON5 text into a value; errors carry 1-based line and column (column in characters;
/// at the end of the input, just past the last character). `what` names the input ("config",
/// "authProfiles") in messages.
pub fn parse(text: &str, what: &str) -> Result<Value, ProviderError> {
    if text.len() > MAX_CONFIG_BYTES {
        return Err(ProviderError::config_at(
            "",
            format!("The {what} is {} bytes; at most {MAX_CONFIG_BYTES} are accepted", text.len()),
            "Pass the openclaw.json itself, not a larger file.",
        ));
    }
    let (at, mut e) = match read(text) {
        Ok(value) => return Ok(value),
        Err(Fault::TooDeep(at)) => {
            let (line, column) = position(text, at);
            let e = ProviderError::config_at(
                "",
                format!("The {what} nests deeper than {MAX_DEPTH} levels at line {line}, column {column}"),
                "An OpenClaw config nests only a few levels; check for unbalanced brackets.",
            );
            (at, e)
        }
        Err(Fault::Syntax(at, what_went_wrong)) => {
            let (line, column) = position(text, at);
            let message = format!("Invalid JSON5 in the {what} at line {line}, column {column}: {what_went_wrong}");
            (at, ProviderError::config_at("", message, HINT))
        }
    };
    let (line, column) = position(text, at);
    e.line = Some(line);
    e.column = Some(column);
    Err(e)
}

/// 1-based line and column (in characters) of the byte offset `at`.
fn position(text: &str, at: usize) -> (u32, u32) {
    let before = &text[..at];
    let line = before.matches('\n').count() as u32 + 1;
    let last = before.rsplit('\n').next().unwrap_or("");
    (line, last.chars().count() as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn accepts_json5_comments_trailing_commas_unquoted_keys_single_quotes() {
        let v = parse("// c\n{ models: { providers: { vllm: { baseUrl: 'http://h/v1', }, }, }, /* x */ }", "config").unwrap();
        assert_eq!(v["models"]["providers"]["vllm"]["baseUrl"], "http://h/v1");
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let e = parse("{\n  models: {\n    providers: ]\n}", "config").unwrap_err();
        assert_eq!(e.code, ErrorCode::Config);
        assert_eq!(e.line, Some(3));
        assert!(e.column.is_some());
        assert!(e.message.contains("line 3"), "{}", e.message);
    }

    #[test]
    fn errors_at_the_end_of_the_input_point_there() {
        let e = parse("{\n  a: 1,\n  /* open", "config").unwrap_err();
        assert_eq!((e.line, e.column), (Some(3), Some(10)));
    }

    #[test]
    fn deep_nesting_is_refused_without_recursing() {
        let text = "[".repeat(100_000);
        let e = parse(&text, "config").unwrap_err();
        assert!(e.message.contains("nests deeper"));
        let ok = format!("{}1{}", "[".repeat(60), "]".repeat(60));
        assert!(parse(&ok, "config").is_ok());
    }

    #[test]
    fn brackets_inside_strings_and_comments_do_not_count() {
        let text = format!("{{ a: '{}', /* {} */ }}", "[".repeat(200), "{".repeat(200));
        assert!(parse(&text, "config").is_ok());
    }

    #[test]
    fn oversize_text_is_refused() {
        let text = " ".repeat(MAX_CONFIG_BYTES + 1);
        assert!(parse(&text, "config").unwrap_err().message.contains("bytes"));
    }
}
