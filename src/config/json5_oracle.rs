//! Differential tests: our JSON5 reader against the `json5` npm package (OpenClaw's parser, a
//! devDependency, run by `node tests/json5/oracle.mjs`). Both must accept with equal values or both
//! refuse, for a hand-written table of every construct and error kind, and for thousands of
//! generated documents and byte-level mutations of them. The one deliberate difference, nesting
//! deeper than [`MAX_DEPTH`], is checked on its own. Values are compared as JavaScript holds them:
//! numbers as f64 (ours may be one unit in the last place off beyond 15 significant digits, see
//! json5_reader.rs), Infinity and NaN as null, lone surrogates as U+FFFD.

use super::json5::{parse, MAX_DEPTH};
use crate::test_rng::Rng;
use serde_json::Value;
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::{Command, Stdio};

/// What each side made of one input: a value, or an error with its 1-based line when known.
type Outcome = Result<Value, Option<u32>>;

fn ours(text: &str) -> Outcome {
    catch_unwind(|| parse(text, "config"))
        .unwrap_or_else(|_| panic!("our reader panicked on {text:?}"))
        .map_err(|e| e.line)
}

/// The `json5` npm package's outcome for each text, from one `node` run.
fn oracle(texts: &[String]) -> Vec<Outcome> {
    let root = env!("CARGO_MANIFEST_DIR");
    assert!(
        std::path::Path::new(root).join("node_modules/json5/package.json").exists(),
        "the JSON5 oracle is the json5 npm package: run `npm ci` (or `bash scripts/setup.sh build`) first"
    );
    let mut child = Command::new("node")
        .arg(format!("{root}/tests/json5/oracle.mjs"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs the JSON5 oracle");
    let input = serde_json::to_vec(texts).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("the oracle ends");
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "the oracle failed");
    let outcomes: Vec<Value> = serde_json::from_slice(&out.stdout).expect("the oracle prints JSON");
    assert_eq!(outcomes.len(), texts.len());
    outcomes
        .into_iter()
        .map(|o| match o["ok"].as_bool() {
            Some(true) => Ok(o["value"].clone()),
            _ => Err(o["line"].as_u64().map(|l| l as u32)),
        })
        .collect()
}

/// Equal as JavaScript sees them: numbers as f64, floats within a unit or so in the last place.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y || (x - y).abs() <= x.abs() * 1e-15,
            _ => false,
        },
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w))),
        _ => a == b,
    }
}

/// The inputs on which the two sides disagree, described.
fn disagreements(texts: &[String]) -> Vec<String> {
    let theirs = oracle(texts);
    texts
        .iter()
        .zip(theirs)
        .filter_map(|(text, theirs)| {
            let mine = match catch_unwind(AssertUnwindSafe(|| ours(text))) {
                Ok(o) => o,
                Err(_) => return Some(format!("panic on {text:?}")),
            };
            match (&mine, &theirs) {
                (Ok(a), Ok(b)) if same(a, b) => None,
                (Err(_), Err(_)) => None,
                _ => Some(format!("{text:?}\n  ours:   {mine:?}\n  json5:  {theirs:?}")),
            }
        })
        .collect()
}

const TABLE: &[&str] = &[
    // Literals, blanks and comments.
    "null", "true", "false", " \t\n\r\u{B}\u{C}\u{A0}\u{FEFF}\u{2028}\u{2029}\u{3000}\u{1680}\u{2003}\u{202F}1 ",
    "// c\n1", "1 // c", "/* c */1/* d */", "/* a\n * b */ [/**/1/*,*/]", "/* unterminated", "1 /", "1 /x", "/",
    "\u{85}1", "\u{180E}1", "\u{200B}1", "", "  ", "// only a comment", "1 2", "nul", "tru", "truex", "nullx",
    "True", "undefined", "[true false]", "\u{0}", "'a'\u{0}",
    // Objects and keys.
    "{}", "{ }", "{a:1}", "{a:1,}", "{a:1,,}", "{,}", "{a:1 b:2}", "{a 1}", "{a:}", "{:1}", "{a", "{a:", "{a:1",
    "{a:1,", "{'a':1, \"b\":2}", "{a:1,a:2}", "{b:1,a:2,b:3}", "{$_:1, _a1:2, $:3}", "{1a:1}", "{a-b:1}", "{-a:1}",
    "{\\u0061b:1}", "{a\\u0062:1}", "{\\u0031:1}", "{a\\u0031:1}", "{\\u0024:1}", "{a\\x41:1}", "{\\u{61}:1}",
    "{\\uD800\\uDC00:1}", "{\\uD800:1}", "{\\u0020:1}", "{a\\u002D:1}", "{a\\:1}", "{\\", "{é:1}", "{aé1:1}",
    "{ℵ:1}", "{Ⅻ:1}", "{中文:1}", "{𐀀:1}", "{a\u{200C}b:1}", "{a\u{200D}:1}", "{a٣:1}", "{a\u{2028}:1}",
    "{'\\\n':1}", "{true:1, null:2, NaN:3, Infinity:4}", "{a:{b:[1,{c:2}]}}", "{\"a\"\u{A0}:1}", "{a:1}}", "{a:1]",
    // Arrays.
    "[]", "[ ]", "[1]", "[1,]", "[1,2,]", "[,]", "[1,,]", "[,1]", "[1 2]", "[1", "[1,", "[[[", "[1]]", "[1}",
    "[[],[[]],{}]",
    // Strings and escapes.
    "'a'", "\"a\"", "\"'\"", "'\"'", "'\\''", "\"\\\"\"", "'\\\\'", "'\\/'", "'\\b\\f\\n\\r\\t\\v'", "'\\0'",
    "'\\0a'", "'\\01'", "'\\08'", "'\\1'", "'\\9'", "'\\x41\\x7e\\xFF'", "'\\x4'", "'\\x4g'", "'\\xg1'", "'\\x",
    "'\\u00e9\\u4E2D'", "'\\u00'", "'\\uGGGG'", "'\\u{41}'", "'\\uD83D\\uDE00'", "'\\uD800'", "'\\uDC00'",
    "'\\uD800x'", "'\\uD800\\u0041'", "'\\uD800\\uD800'", "'\\uDBFF\\uDFFF'", "'\\a\\c\\q\\ \\é'", "'a\\\nb'",
    "'a\\\r\nb'", "'a\\\rb'", "'a\\\u{2028}b'", "'a\\\u{2029}b'", "'a\nb'", "'a\rb'", "'a\u{2028}b\u{2029}'",
    "'\t\u{0}\u{1}'", "'abc", "'abc\\", "'abc\"", "\"abc'", "'é中😀'", "'a'b'", "''", "\"\"",
    // Numbers.
    "0", "-0", "+0", "-0.0", "1", "+1", "-1", "123", ".5", "5.", "-.5", "+.5e1", "0.", "0e5", "1E+2", "1e-2",
    "1.5e3", "2.5E-3", "1.e5", ".e5", ".", "+", "-", "+-1", "--1", "- 1", "00", "01", "-01", "01.5", "00.5",
    "0.5.5", "1e", "1e+", "1e5.5", "1_000", "0b1", "0o7", "1a", "18446744073709551615", "18446744073709551616",
    "-9223372036854775808", "-9223372036854775809", "9007199254740993", "123456789012345678901234567890",
    "1e400", "-1e400", "1e-400", "0.1", "4.9e-324", "1.7976931348623157e308", "100000000000000000000.0",
    "0x0", "0x10", "0X1f", "0xabcDEF", "-0x10", "+0x10", "-0x0", "0x", "0xg", "0x.1", "0x1F.5", "0x1p3",
    "0xFFFFFFFFFFFFFFFF", "0x10000000000000000", "-0x8000000000000000", "-0x8000000000000001",
    "-0xFFFFFFFFFFFFFFFFF", "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "0x1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
    "0x00000000000000000000000000000000000001", "0x1FFFFFFFFFFFFF80", "0x20000000000000100",
    "0x20000000000000300", "0x20000000000000101", "0x2000000000000010000000000", "-0x80000000000000000000000000000000",
    "-0x80000000000000000000000000000001", "-0x9a3D5f45ff04ABcC3E62D0feFbc3ca6E", "0x100000000000000000000000000000000",
    "-0x000000000000000000000000000000000000000001", "Infinity", "-Infinity",
    "+Infinity", "NaN", "-NaN", "+NaN", "[NaN, Infinity]", "Infinityx", "NaNa", "-nan", "inf", "+true", "-null",
    // Where a syntax error is, on later lines.
    "{\n  models: {\n    providers: ]\n}", "{a:\n1\n,\n]", "[\n1,\n2\n3]", "{\n  a: 'x\n'}",
];

#[test]
fn hand_written_cases_agree_with_the_oracle() {
    let texts: Vec<String> = TABLE.iter().map(|t| t.to_string()).collect();
    let failures = disagreements(&texts);
    println!("{} hand-written differential cases", TABLE.len());
    assert!(failures.is_empty(), "{} of {} disagree:\n{}", failures.len(), TABLE.len(), failures.join("\n"));
}

#[test]
fn nesting_deeper_than_the_limit_is_the_one_refusal_json5_does_not_make() {
    let deep = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
    let (ok, too_deep) = (deep(MAX_DEPTH), deep(MAX_DEPTH + 1));
    assert!(parse(&ok, "config").is_ok());
    let e = parse(&too_deep, "config").unwrap_err();
    assert_eq!(e.code, crate::error::ErrorCode::Config);
    assert!(e.message.contains(&format!("nests deeper than {MAX_DEPTH} levels")), "{}", e.message);
    let theirs = oracle(&[ok, too_deep]);
    assert!(theirs.iter().all(Result::is_ok), "json5 takes both: {theirs:?}");
}

const BLANKS: &[&str] = &[
    " ", "  ", "\t", "\n", "\r\n", "\r", "\u{B}", "\u{C}", "\u{A0}", "\u{FEFF}", "\u{2028}", "\u{2029}", "\u{3000}",
    "\u{2003}", "// c\n", "//\r", "/* c */", "/* a\n b */", "/**/", "/***/",
];
const NAME_STARTS: &[&str] = &[
    "a", "Z", "$", "_", "é", "ℵ", "中", "Ω", "\\u0061", "\\u0024", "\\u00e9", "😀", "\u{FFFD}", "\u{1}", "\u{AD}", "℘", "²",
    "\u{10000}", "\\uD800", "\\uD83D\\uDE00", "\u{9F}",
];
const NAME_PARTS: &[&str] = &[
    "b", "0", "9", "$", "_", "ß", "٣", "\u{200C}", "\u{200D}", "\\u0062", "\\u0039", "\\u005F", "·", "\u{301}", "\u{7F}", "\u{200B}",
];
const STRING_PIECES: &[&str] = &[
    "a", "Hello", " ", "\t", "é", "中", "😀", "\u{2028}", "\u{0}", "\\'", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n",
    "\\r", "\\t", "\\v", "\\0", "\\x41", "\\xe9", "\\xFF", "\\u00E9", "\\u4e2d", "\\uD83D\\uDE00", "\\\n", "\\\r\n",
    "\\\r", "\\\u{2028}", "\\a", "\\q", "\\é", "1", "'", "\"", "/", "//", "/*", "\\uD800", "\\uDC00", "\\uDBFF\\uDFFF",
    "\\uD800\\uD800\\uDC00", "\\uD83D", "\\uDE00", "\u{1}", "\u{FFFD}", "\u{2029}",
];
const DIGITS: &[u8] = b"0123456789";
const HEX: &[u8] = b"0123456789abcdefABCDEF";

fn digits(rng: &mut Rng, out: &mut String, count: usize, set: &[u8], nonzero_first: bool) {
    for i in 0..count {
        let pool = if i == 0 && nonzero_first { &set[1..] } else { set };
        out.push(pool[rng.below(pool.len())] as char);
    }
}

fn blank(rng: &mut Rng, out: &mut String) {
    for _ in 0..rng.below(4).saturating_sub(1) {
        out.push_str(rng.pick(BLANKS));
    }
}

fn number(rng: &mut Rng, out: &mut String) {
    out.push_str(rng.pick(&["", "", "", "-", "+"]));
    match rng.below(7) {
        0 => out.push_str(rng.pick(&["Infinity", "NaN"])),
        1 => {
            out.push_str(rng.pick(&["0x", "0X"]));
            let n = match rng.below(20) {
                0..=2 => 17 + rng.below(16),
                3 => 33 + rng.below(300),
                _ => 1 + rng.below(16),
            };
            digits(rng, out, n, HEX, false);
        }
        2 => {
            // Up to 19 digits: always an integer (20 would reach serde_json's float rounding).
            let n = if rng.chance(10) { 18 + rng.below(2) } else { 1 + rng.below(12) };
            if rng.chance(20) { out.push('0') } else { digits(rng, out, n, DIGITS, true) }
        }
        _ => {
            // At most 15 significant digits and a small exponent: where serde_json rounds exactly.
            let (int, frac) = (rng.below(7), rng.below(7));
            if int > 0 {
                digits(rng, out, int, DIGITS, true);
            } else if rng.chance(50) {
                out.push('0');
            }
            if frac > 0 || int == 0 || rng.chance(30) {
                out.push('.');
                digits(rng, out, if int == 0 { frac.max(1) } else { frac }, DIGITS, false);
            }
            if rng.chance(40) {
                out.push_str(rng.pick(&["e", "E", "e+", "e-", "E-"]));
                digits(rng, out, 1, DIGITS, false);
            }
        }
    }
}

fn string(rng: &mut Rng, out: &mut String) {
    let quote = rng.pick(&["'", "\""]);
    out.push_str(quote);
    for _ in 0..rng.below(6) {
        let piece = rng.pick(STRING_PIECES);
        // A bare quote of the string's own kind would end it: escape that one.
        if piece == quote {
            out.push('\\');
        }
        out.push_str(piece);
    }
    out.push_str(quote);
}

fn key(rng: &mut Rng, out: &mut String) {
    if rng.chance(30) {
        return string(rng, out);
    }
    out.push_str(rng.pick(NAME_STARTS));
    for _ in 0..rng.below(5) {
        let pool = if rng.chance(70) { NAME_STARTS } else { NAME_PARTS };
        out.push_str(rng.pick(pool));
    }
}

fn value(rng: &mut Rng, out: &mut String, depth: usize) {
    let kinds = if depth >= 4 { 4 } else { 7 };
    match rng.below(kinds) {
        0 => out.push_str(rng.pick(&["null", "true", "false"])),
        1 => number(rng, out),
        2 | 3 => string(rng, out),
        4 => members(rng, out, depth, ('[', ']'), false),
        _ => members(rng, out, depth, ('{', '}'), true),
    }
}

/// An array, or with `keyed` an object: up to four members, blanks around each, a trailing comma now
/// and then.
fn members(rng: &mut Rng, out: &mut String, depth: usize, (open, close): (char, char), keyed: bool) {
    out.push(open);
    let n = rng.below(5);
    for i in 0..n {
        blank(rng, out);
        if keyed {
            key(rng, out);
            blank(rng, out);
            out.push(':');
            blank(rng, out);
        }
        value(rng, out, depth + 1);
        blank(rng, out);
        if i + 1 < n || rng.chance(40) {
            out.push(',');
        }
    }
    blank(rng, out);
    out.push(close);
}

fn mutate(rng: &mut Rng, text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut chars = chars;
    let at = rng.below(chars.len() + 1);
    match rng.below(4) {
        0 if at < chars.len() => {
            chars.remove(at);
        }
        1 => chars.truncate(at),
        _ => {
            const INSERTED: &[u8] = b",}\"\\]'/:\n.0x";
            let inserted = INSERTED[rng.below(INSERTED.len())] as char;
            chars.insert(at, inserted);
        }
    }
    chars.into_iter().collect()
}

#[test]
fn generated_documents_and_their_mutations_agree_with_the_oracle() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut inputs = Vec::new();
    for _ in 0..6000 {
        let mut doc = String::new();
        blank(&mut rng, &mut doc);
        value(&mut rng, &mut doc, 0);
        blank(&mut rng, &mut doc);
        inputs.push(doc.clone());
        for _ in 0..3 {
            let mut mutant = mutate(&mut rng, &doc);
            if rng.chance(30) {
                mutant = mutate(&mut rng, &mutant);
            }
            inputs.push(mutant);
        }
    }
    let accepted = inputs.iter().filter(|t| ours(t).is_ok()).count();
    let failures = disagreements(&inputs);
    let cases = inputs.len();
    println!("{cases} differential cases against the json5 npm package, {accepted} accepted by both");
    assert!(accepted > cases / 4, "the generator should produce mostly valid documents: {accepted} of {cases}");
    assert!(failures.is_empty(), "{} of {cases} disagree:\n{}", failures.len(), failures.iter().take(20).cloned().collect::<Vec<_>>().join("\n"));
}
