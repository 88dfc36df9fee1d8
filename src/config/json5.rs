//! Parsing OpenClaw's `openclaw.json` (JSON5) into a JSON value, with positions on errors.
//!
//! The `json5` crate (1.3, a hand-written parser with only `serde` and `ucd-trie` beneath it) does the
//! parsing; this module adds what a library that must never trap needs: a size cap and a nesting-depth
//! guard run before it (a deeply nested input would otherwise exhaust the wasm stack).

use crate::error::ProviderError;
use serde_json::Value;

/// Largest config text accepted (a real `openclaw.json` is a few KiB).
pub const MAX_CONFIG_BYTES: usize = 4 * 1024 * 1024;
/// Deepest nesting accepted (OpenClaw configs nest about 8 levels).
pub const MAX_DEPTH: usize = 64;

const HINT: &str = "Fix the JSON5 syntax at that position (comments, trailing commas, unquoted keys and single quotes are allowed).";

/// Parses JSON5 text into a value; errors carry 1-based line and column. `what` names the input
/// ("config", "authProfiles") in messages.
pub fn parse(text: &str, what: &str) -> Result<Value, ProviderError> {
    if text.len() > MAX_CONFIG_BYTES {
        return Err(ProviderError::config_at(
            "",
            format!("The {what} is {} bytes; at most {MAX_CONFIG_BYTES} are accepted", text.len()),
            "Pass the openclaw.json itself, not a larger file.",
        ));
    }
    if let Some((line, column)) = too_deep(text) {
        let mut e = ProviderError::config_at(
            "",
            format!("The {what} nests deeper than {MAX_DEPTH} levels at line {line}, column {column}"),
            "An OpenClaw config nests only a few levels; check for unbalanced brackets.",
        );
        e.line = Some(line);
        e.column = Some(column);
        return Err(e);
    }
    json5::from_str::<Value>(text).map_err(|err| {
        let what_went_wrong = err.to_string();
        // For a premature end the crate points at the start of the unfinished construct (or nowhere);
        // the end of the input is where the text must change.
        let (line, column) = match err.position() {
            _ if what_went_wrong.starts_with("EOF") => {
                let (l, c) = end_position(text);
                (Some(l), Some(c))
            }
            Some(p) => (Some(p.line as u32 + 1), Some(p.column as u32 + 1)),
            None => (None, None),
        };
        // The crate appends "at line L column C"; we report the position in our own fields.
        let core = what_went_wrong.split(" at line ").next().unwrap_or(&what_went_wrong);
        let core = match core.strip_prefix("EOF ") {
            Some(rest) => format!("unexpected end of input while {rest}"),
            None => core.to_string(),
        };
        let message = match (line, column) {
            (Some(l), Some(c)) => format!("Invalid JSON5 in the {what} at line {l}, column {c}: {core}"),
            _ => format!("Invalid JSON5 in the {what}: {core}"),
        };
        let mut e = ProviderError::config_at("", message, HINT);
        e.line = line;
        e.column = column;
        e
    })
}

/// 1-based line and column just past the last character.
fn end_position(text: &str) -> (u32, u32) {
    let line = text.matches('\n').count() as u32 + 1;
    let last = text.rsplit('\n').next().unwrap_or("");
    (line, last.chars().count() as u32 + 1)
}

/// Finds where nesting first exceeds [`MAX_DEPTH`], skipping strings and comments.
fn too_deep(text: &str) -> Option<(u32, u32)> {
    let (mut depth, mut line, mut col) = (0usize, 1u32, 0u32);
    let mut chars = text.chars().peekable();
    let mut in_str: Option<char> = None;
    while let Some(c) = chars.next() {
        col += 1;
        if c == '\n' {
            line += 1;
            col = 0;
        }
        if let Some(q) = in_str {
            if c == '\\' {
                chars.next();
                col += 1;
            } else if c == q {
                in_str = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => in_str = Some(c),
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        line += 1;
                        col = 0;
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if n == '\n' {
                        line += 1;
                        col = 0;
                    }
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
            }
            '{' | '[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some((line, col));
                }
            }
            '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
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
