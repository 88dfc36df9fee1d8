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
        assert!(e.message.contains("nests deeper than 64 levels at line 1, column 65"), "{}", e.message);
        assert_eq!((e.line, e.column), (Some(1), Some(65)));
        let ok = format!("{}1{}", "[".repeat(60), "]".repeat(60));
        assert!(parse(&ok, "config").is_ok());
    }

    #[test]
    fn brackets_inside_strings_and_comments_do_not_count() {
        let text = format!("{{ a: '{}', /* {} */ }}", "[".repeat(200), "{".repeat(200));
        assert!(parse(&text, "config").is_ok());
    }

    fn error(text: &str) -> (u32, u32, String) {
        let e = parse(text, "config").unwrap_err();
        let (line, column) = (e.line.unwrap(), e.column.unwrap());
        let prefix = format!("Invalid JSON5 in the config at line {line}, column {column}: ");
        assert!(e.message.starts_with(&prefix), "{}", e.message);
        assert_eq!(e.hint, HINT);
        (line, column, e.message[prefix.len()..].to_string())
    }

    #[test]
    fn errors_say_what_went_wrong_in_plain_words_where_it_went_wrong() {
        let cases: &[(&str, (u32, u32, &str))] = &[
            ("{a:}", (1, 4, "unexpected character '}' (expected a value)")),
            ("{a:1 b:2}", (1, 6, "unexpected character 'b' (expected ',' or '}' after a member of an object)")),
            ("[1 2]", (1, 4, "unexpected character '2' (expected ',' or ']' after an item of an array)")),
            ("{a 1}", (1, 4, "unexpected character '1' (expected ':' after the key)")),
            ("{-a:1}", (1, 2, "unexpected character '-' (expected a key: a name or a quoted string)")),
            ("{a:1,", (1, 6, "unexpected end of input while reading an object")),
            ("[1,
 2", (2, 3, "unexpected end of input while reading an array")),
            ("{a: 'x", (1, 7, "unexpected end of input while reading a string (it has no closing quote)")),
            ("{a: 'x\n'}", (1, 7, "line break inside a string (write \\n, or end the line with \\ to continue the string)")),
            ("1 /* c", (1, 7, "unexpected end of input while reading a comment")),
            ("1 / 2", (1, 3, "unexpected character '/' (a comment starts with // or /*)")),
            ("tru", (1, 1, "unquoted word of 3 characters (expected a value: strings need quotes; the bare words are true, false, null, Infinity and NaN)")),
            ("-true", (1, 2, "unquoted word after a sign (expected a number)")),
            ("1 2", (1, 3, "unexpected character '2' after the end of the value")),
            ("1\u{0}", (1, 2, "unexpected character U+0000 after the end of the value")),
            ("007", (1, 1, "a number cannot start with 0 followed by digits (leading zeros are not allowed)")),
            ("1e+", (1, 4, "unexpected end of input while reading a number")),
            ("0xg", (1, 3, "unexpected character 'g' (expected a hexadecimal digit after 0x)")),
            ("'\\01'", (1, 2, "invalid escape: a backslash cannot be followed by a digit other than a lone \\0")),
            ("'\\x4'", (1, 2, "invalid escape: \\x needs 2 hexadecimal digits")),
            ("{\\u0031:1}", (1, 2, "the escaped character '1' cannot be part of a name")),
            ("{a\\x41:1}", (1, 4, "unexpected character 'x' (only \\u escapes are allowed in a name)")),
            ("{\\uD83D\\uDE00:1}", (1, 2, "the escaped surrogate cannot be part of a name")),
            ("{a\u{AD}:1}", (1, 3, "unexpected character U+00AD (expected ':' after the key)")),
            ("{😀:1}", (1, 2, "unexpected character U+1F600 (expected a key: a name or a quoted string)")),
            ("", (1, 1, "unexpected end of input while reading a value")),
            ("// only a comment", (1, 18, "unexpected end of input while reading a value")),
        ];
        for (text, (line, column, what)) in cases {
            assert_eq!(error(text), (*line, *column, what.to_string()), "{text:?}");
        }
    }

    #[test]
    fn an_unquoted_value_is_not_repeated_in_the_error_as_it_may_be_a_key() {
        for text in [
            "{models:{providers:{vllm:{apiKey: sk_live_4f9a8b7c6d5e4f3a2b1c}}}}",
            "{headers: {Authorization: Bearer_tok9f8e7d6c5b4a}}",
            "{apiKey: -sk_live_4f9a8b7c6d5e4f3a2b1c}",
        ] {
            let e = parse(text, "config").unwrap_err();
            assert!(!e.message.contains("4f9a8b7c") && !e.message.contains("tok9f8e7d") && !e.hint.contains("4f9a8b7c"), "{}", e.message);
            assert_eq!(e.line, Some(1));
        }
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        assert_eq!(error("{'é中😀': ]}").1, 9);
        let (line, column, _) = error("{\n  é: 'x',\n  ü: ?}");
        assert_eq!((line, column), (3, 6));
    }

    #[test]
    fn numbers_keep_their_kind_and_value_without_a_float_parser_of_our_own() {
        let v = parse(
            "[.5, 5., +1, -0, 0x1F, -0x10, 1e2, 18446744073709551615, 18446744073709551616, -9223372036854775809, Infinity, -NaN, 1e400, 0x10000000000000000]",
            "config",
        )
        .unwrap();
        let expected = serde_json::json!([
            0.5, 5.0, 1, 0, 31, -16, 100.0, 18446744073709551615u64, 18446744073709551616.0, -9223372036854775809.0,
            null, null, null, 18446744073709551616.0
        ]);
        assert_eq!(v, expected);
        assert!(v[1].is_f64() && v[2].is_u64() && v[3].is_i64());
    }

    #[test]
    fn strings_and_names_take_every_escape_and_the_last_duplicate_key_wins() {
        let v = parse(
            "{\\u0061b: 'x', $_: \"\\'\\\"\\\\\\/\\b\\f\\n\\r\\t\\v\\0\\x41\\u00e9\\uD83D\\uDE00\\q\\\n\\\r\n.\", ab: 'y'}",
            "config",
        )
        .unwrap();
        assert_eq!(v, serde_json::json!({"ab": "y", "$_": "'\"\\/\u{8}\u{c}\n\r\t\u{b}\u{0}Aé😀q."}));
    }

    #[test]
    fn oversize_text_is_refused() {
        let text = " ".repeat(MAX_CONFIG_BYTES + 1);
        assert!(parse(&text, "config").unwrap_err().message.contains("bytes"));
    }
}
