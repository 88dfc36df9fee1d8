//! A small JSON5 reader (<https://spec.json5.org>) producing a `serde_json::Value`.
//!
//! It exists for the size of the wasm: the `json5` crate cost about 25 KiB of gzipped wasm (its
//! deserializer, Unicode category tries and core's float parser). Here floats are handed to
//! serde_json as JSON text, and unquoted keys are checked against the `json5` npm package's own
//! tables ([`super::json5_names`], about 1.5 KiB).
//! It accepts and refuses exactly what the `json5` npm package (OpenClaw's parser) does, checked by
//! the differential test tests/json5_npm.rs, except:
//! - nesting deeper than [`MAX_DEPTH`] is refused (a `config` error saying so): recursion is bounded,
//!   one level per object or array, so no input can exhaust the wasm stack;
//! - values a `serde_json::Value` cannot hold: `Infinity`, `NaN` and out-of-range numbers become
//!   null, and a lone surrogate escape (`'\uD800'`) becomes U+FFFD, as JavaScript's
//!   `toWellFormed()` makes it;
//! - floats (and integers beyond u64) are parsed by serde_json, which may miss the correctly
//!   rounded f64 by a bit beyond 15 significant digits or for large exponents (as every JSON
//!   number in this crate).

use super::json5::MAX_DEPTH;
use super::json5_names::{continues_name, starts_name};
use serde_json::{Map, Number, Value};

/// Why reading stopped: a syntax error or nesting too deep, at a byte offset into the text.
pub(super) enum Fault {
    /// A syntax error, with what went wrong in plain words.
    Syntax(usize, String),
    /// An object or array opened deeper than [`MAX_DEPTH`].
    TooDeep(usize),
}

/// Reads one JSON5 value filling the whole text (blanks and comments aside).
pub(super) fn read(text: &str) -> Result<Value, Fault> {
    let mut r = Reader { text, pos: 0 };
    r.skip_blank()?;
    let value = r.value(0)?;
    r.skip_blank()?;
    match r.peek() {
        None => Ok(value),
        Some(c) => Err(r.unexpected(c, "after the end of the value")),
    }
}

const LINE_BREAK_IN_STRING: &str = "line break inside a string (write \\n, or end the line with \\ to continue the string)";

struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

/// JSON5 white space: Unicode White_Space except U+0085, plus the byte order mark.
fn is_blank(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{FEFF}'
}

/// `'x'` for a printable ASCII char or a letter, else `U+00AD` (control, blank and format chars
/// would not show; symbols and emoji are named the same way). Not `{:?}`, whose escaping links
/// core's printable tables.
fn quoted(c: char) -> String {
    if c.is_ascii_graphic() || (!c.is_ascii() && continues_name(c)) {
        return format!("'{c}'");
    }
    let mut out = String::from("U+");
    let digits = (32 - (c as u32).leading_zeros()).div_ceil(4).max(4);
    for shift in (0..digits).rev() {
        out.push(char::from_digit((c as u32 >> (shift * 4)) & 0xF, 16).unwrap_or('0').to_ascii_uppercase());
    }
    out
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '$' || c == '_' || (!c.is_ascii() && starts_name(c))
}

fn is_name_part(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '$' || c == '_' || (!c.is_ascii() && continues_name(c))
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(c);
        self.pos += if hit { c.len_utf8() } else { 0 };
        hit
    }

    /// The error for input ending inside `inside` ("a string"): positioned just past the end.
    fn eof(&self, inside: &str) -> Fault {
        Fault::Syntax(self.text.len(), format!("unexpected end of input while reading {inside}"))
    }

    /// The error for `c` found at the current position; `context` says what was expected.
    fn unexpected(&self, c: char, context: &str) -> Fault {
        Fault::Syntax(self.pos, format!("unexpected character {} {context}", quoted(c)))
    }

    /// `unexpected` for the next character, or `eof` at the end.
    fn unexpected_or_eof(&self, context: &str, inside: &str) -> Fault {
        match self.peek() {
            Some(c) => self.unexpected(c, context),
            None => self.eof(inside),
        }
    }

    fn skip_blank(&mut self) -> Result<(), Fault> {
        while let Some(c) = self.peek() {
            if is_blank(c) {
                self.bump();
            } else if c == '/' {
                let rest = &self.text[self.pos..];
                if rest.starts_with("//") {
                    let end = rest.find(['\n', '\r', '\u{2028}', '\u{2029}']).unwrap_or(rest.len());
                    self.pos += end;
                } else if let Some(body) = rest.strip_prefix("/*") {
                    let end = body.find("*/").ok_or_else(|| self.eof("a comment"))?;
                    self.pos += end + 4;
                } else if rest.len() == 1 {
                    return Err(self.eof("a comment"));
                } else {
                    return Err(self.unexpected(c, "(a comment starts with // or /*)"));
                }
            } else {
                break;
            }
        }
        Ok(())
    }

    /// A value at nesting `depth` (the number of objects and arrays around it).
    fn value(&mut self, depth: usize) -> Result<Value, Fault> {
        match self.peek() {
            None => Err(self.eof("a value")),
            Some(c @ ('{' | '[')) => {
                if depth >= MAX_DEPTH {
                    return Err(Fault::TooDeep(self.pos));
                }
                self.bump();
                if c == '{' { self.object(depth + 1) } else { self.array(depth + 1) }
            }
            Some(q @ ('"' | '\'')) => self.string(q).map(Value::String),
            Some(c) if c.is_ascii_digit() || matches!(c, '+' | '-' | '.') || is_name_start(c) => self.scalar(),
            Some(c) => Err(self.unexpected(c, "(expected a value)")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, Fault> {
        let mut map = Map::new();
        loop {
            self.skip_blank()?;
            if self.eat('}') {
                return Ok(Value::Object(map));
            }
            let key = match self.peek() {
                Some(q @ ('"' | '\'')) => self.string(q)?,
                Some(c) if is_name_start(c) || c == '\\' => self.name()?,
                _ => return Err(self.unexpected_or_eof("(expected a key: a name or a quoted string)", "an object")),
            };
            self.skip_blank()?;
            if !self.eat(':') {
                return Err(self.unexpected_or_eof("(expected ':' after the key)", "an object"));
            }
            self.skip_blank()?;
            let value = self.value(depth)?;
            map.insert(key, value);
            self.skip_blank()?;
            if self.eat('}') {
                return Ok(Value::Object(map));
            }
            if !self.eat(',') {
                return Err(self.unexpected_or_eof("(expected ',' or '}' after a member of an object)", "an object"));
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, Fault> {
        let mut items = Vec::new();
        loop {
            self.skip_blank()?;
            if self.eat(']') {
                return Ok(Value::Array(items));
            }
            if self.peek().is_none() {
                return Err(self.eof("an array"));
            }
            items.push(self.value(depth)?);
            self.skip_blank()?;
            if self.eat(']') {
                return Ok(Value::Array(items));
            }
            if !self.eat(',') {
                return Err(self.unexpected_or_eof("(expected ',' or ']' after an item of an array)", "an array"));
            }
        }
    }

    /// An unquoted key: an ECMAScript IdentifierName, `\uXXXX` escapes included. Each escape is one
    /// UTF-16 unit, as in `json5`: a surrogate, even of a pair, is never part of a name.
    fn name(&mut self) -> Result<String, Fault> {
        let mut name = String::new();
        while let Some(mut c) = self.peek() {
            let at = self.pos;
            let escaped = c == '\\';
            if escaped {
                self.bump();
                if !self.eat('u') {
                    return Err(self.unexpected_or_eof("(only \\u escapes are allowed in a name)", "a name"));
                }
                let unit = self.hex(at, 4)?;
                c = char::from_u32(unit).ok_or_else(|| Fault::Syntax(at, "the escaped surrogate cannot be part of a name".into()))?;
            }
            let fits = if name.is_empty() { is_name_start(c) } else { is_name_part(c) };
            if !fits {
                if escaped {
                    return Err(Fault::Syntax(at, format!("the escaped character {} cannot be part of a name", quoted(c))));
                }
                break;
            }
            self.pos += if escaped { 0 } else { c.len_utf8() };
            name.push(c);
        }
        Ok(name)
    }

    fn string(&mut self, quote: char) -> Result<String, Fault> {
        self.bump();
        let mut out = String::new();
        loop {
            let at = self.pos;
            match self.bump() {
                None => return Err(self.eof("a string (it has no closing quote)")),
                Some(c) if c == quote => return Ok(out),
                Some('\n' | '\r') => return Err(Fault::Syntax(at, LINE_BREAK_IN_STRING.into())),
                Some('\\') => self.escape(at, &mut out)?,
                Some(c) => out.push(c),
            }
        }
    }

    /// The escape after the backslash at `at`, appended to `out`.
    fn escape(&mut self, at: usize, out: &mut String) -> Result<(), Fault> {
        let c = self.bump().ok_or_else(|| self.eof("a string (it has no closing quote)"))?;
        let plain = match c {
            'b' => '\u{8}',
            'f' => '\u{C}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\u{B}',
            '0' if !self.peek().is_some_and(|d| d.is_ascii_digit()) => '\0',
            '0'..='9' => return Err(Fault::Syntax(at, "invalid escape: a backslash cannot be followed by a digit other than a lone \\0".into())),
            'x' => char::from(self.hex(at, 2)? as u8),
            'u' => self.unicode_escape(at)?,
            '\r' => {
                self.eat('\n');
                return Ok(());
            }
            '\n' | '\u{2028}' | '\u{2029}' => return Ok(()),
            other => other,
        };
        out.push(plain);
        Ok(())
    }

    /// The character of a `\u` escape in a string (its `\u` already read), joining a surrogate
    /// pair. A lone surrogate is taken, as `json5` takes it, and becomes U+FFFD (a Rust string cannot
    /// hold it; JavaScript's `toWellFormed()` does the same); what follows it is read on its own.
    fn unicode_escape(&mut self, at: usize) -> Result<char, Fault> {
        let first = self.hex(at, 4)?;
        if (0xD800..=0xDBFF).contains(&first) && self.text[self.pos..].starts_with("\\u") {
            let back = self.pos;
            self.pos += 2;
            match self.hex(at, 4)? {
                second @ 0xDC00..=0xDFFF => {
                    return Ok(char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)).unwrap_or('\u{FFFD}'));
                }
                _ => self.pos = back,
            }
        }
        Ok(char::from_u32(first).unwrap_or('\u{FFFD}'))
    }

    /// `n` hex digits of the escape starting at `at`.
    fn hex(&mut self, at: usize, n: usize) -> Result<u32, Fault> {
        let mut code = 0;
        for _ in 0..n {
            let c = self.bump().ok_or_else(|| self.eof("a string (it has no closing quote)"))?;
            let digit = c.to_digit(16).ok_or_else(|| {
                Fault::Syntax(at, format!("invalid escape: \\{} needs {n} hexadecimal digits", if n == 2 { 'x' } else { 'u' }))
            })?;
            code = code * 16 + digit;
        }
        Ok(code)
    }

    fn take_while(&mut self, keep: fn(char) -> bool) -> &'a str {
        let rest: &'a str = &self.text[self.pos..];
        let end = rest.find(|c| !keep(c)).unwrap_or(rest.len());
        self.pos += end;
        &rest[..end]
    }

    /// A number (decimal, hex, `Infinity`, `NaN`, with a sign or not) or `true`/`false`/`null`.
    fn scalar(&mut self) -> Result<Value, Fault> {
        let negative = self.eat('-');
        let signed = negative || self.eat('+');
        let at = self.pos;
        if self.peek().is_some_and(is_name_start) {
            let word = self.take_while(is_name_part);
            return match word {
                // serde_json's Value has no infinite or NaN number: like `json5` into a Value, null.
                "Infinity" | "NaN" => Ok(Value::Null),
                "null" if !signed => Ok(Value::Null),
                "true" | "false" if !signed => Ok(Value::Bool(word == "true")),
                // The word itself is not repeated: an unquoted value may well be a key.
                _ if signed => Err(Fault::Syntax(at, "unquoted word after a sign (expected a number)".into())),
                _ => Err(Fault::Syntax(at, format!("unquoted word of {} characters (expected a value: strings need quotes; the bare words are true, false, null, Infinity and NaN)", word.chars().count()))),
            };
        }
        let rest = &self.text[self.pos..];
        if rest.starts_with("0x") || rest.starts_with("0X") {
            self.pos += 2;
            let digits = self.take_while(|c| c.is_ascii_hexdigit());
            if digits.is_empty() {
                return Err(self.unexpected_or_eof("(expected a hexadecimal digit after 0x)", "a number"));
            }
            return Ok(hex_number(digits, negative));
        }
        let int = self.take_while(|c| c.is_ascii_digit());
        let mut json = String::from(if negative { "-" } else { "" });
        json.push_str(if int.is_empty() { "0" } else { int });
        let mut float = false;
        if self.eat('.') {
            let frac = self.take_while(|c| c.is_ascii_digit());
            if int.is_empty() && frac.is_empty() {
                return Err(self.unexpected_or_eof("(expected a digit in the number)", "a number"));
            }
            json.push('.');
            json.push_str(if frac.is_empty() { "0" } else { frac });
            float = true;
        } else if int.is_empty() {
            return Err(self.unexpected_or_eof("(expected a digit, Infinity or NaN after the sign)", "a number"));
        }
        if int.len() > 1 && int.starts_with('0') {
            return Err(Fault::Syntax(at, "a number cannot start with 0 followed by digits (leading zeros are not allowed)".into()));
        }
        if self.eat('e') || self.eat('E') {
            json.push('e');
            if let Some(sign @ ('+' | '-')) = self.peek() {
                self.bump();
                json.push(sign);
            }
            let exp = self.take_while(|c| c.is_ascii_digit());
            if exp.is_empty() {
                return Err(self.unexpected_or_eof("(expected the digits of the exponent)", "a number"));
            }
            json.push_str(exp);
            float = true;
        }
        if !float {
            if let Ok(magnitude) = int.parse::<u64>() {
                return Ok(signed_integer(magnitude, negative));
            }
        }
        // Valid JSON by construction; serde_json refuses only an out-of-range (infinite) value,
        // which a Value holds as null.
        Ok(crate::json::parse(json.as_bytes()).unwrap_or(Value::Null))
    }
}

/// An integer Number when it fits u64 (or i64 when negative), else the nearest f64.
fn signed_integer(magnitude: u64, negative: bool) -> Value {
    if !negative {
        Value::from(magnitude)
    } else if magnitude <= 1 << 63 {
        Value::from((magnitude as i64).wrapping_neg())
    } else {
        Value::from(-(magnitude as f64))
    }
}

/// The value of hex digits as `json5` reads them (JavaScript's `Number("0x…")`, of any length): an
/// integer when it fits u64 (i64 when negative), else the correctly rounded f64, null beyond its range.
fn hex_number(digits: &str, negative: bool) -> Value {
    let digits = digits.trim_start_matches('0');
    if digits.len() <= 16 {
        return signed_integer(u64::from_str_radix(digits, 16).unwrap_or(0), negative);
    }
    // The first 16 digits hold at least 61 significant bits; the others only scale the value and say
    // whether anything lies below the rounding bit.
    let (head, tail) = digits.split_at(16);
    let shift = u64::from_str_radix(head, 16).unwrap_or(0).leading_zeros();
    let top = u64::from_str_radix(head, 16).unwrap_or(0) << shift;
    let below_nonzero = tail.bytes().any(|b| b != b'0');
    // Rounded to 53 bits, to nearest, ties to even.
    let (mut mantissa, rest) = (top >> 11, top & 0x7FF);
    if rest > 0x400 || (rest == 0x400 && (below_nonzero || mantissa & 1 == 1)) {
        mantissa += 1;
    }
    // value = mantissa * 2^exponent, a power of two that is exact in an f64 up to 2^1023.
    let exponent = (11 - shift as usize).saturating_add(tail.len().saturating_mul(4));
    if exponent > 1023 {
        return Value::Null;
    }
    let magnitude = mantissa as f64 * f64::from_bits((1023 + exponent as u64) << 52);
    Number::from_f64(if negative { -magnitude } else { magnitude }).map_or(Value::Null, Value::Number)
}
