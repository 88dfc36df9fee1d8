//! Tests of the typed wire reading against `Value` parses of the same texts.

use super::*;
use serde_json::Value;

#[test]
fn a_body_is_refused_exactly_when_a_value_parse_refuses_it() {
    let deep = format!("{{\"x\":{}1{}}}", "[".repeat(200), "]".repeat(200));
    for text in [
        r#"{"a":1}"#, r#"{"a":1e400}"#, r#"{"a":"\ud800"}"#, r#"{"a":"\ud83d\ude00"}"#, r#"{"a":[1,2,{"b":null}]}"#,
        r#"{"a":1} x"#, r#"{"a":01}"#, r#"{"a":"\x"}"#, "{\"a\":\"\u{1}\"}", r#"{"a":-0,"a":true}"#, &deep, "[", "", "nul",
        r#"{"\ud800":1}"#, r#"{"a":1,}"#, r#"[1,2,]"#, r#"{"a" 1}"#, "\"s\"", "  3  ", r#"{"a":123456789012345678901234567890}"#,
    ] {
        let want = serde_json::from_str::<Value>(text).map_err(|e| e.to_string());
        let got = read(text, &mut Skip).map_err(|e| e.to_string());
        assert_eq!(got, want.clone().map(drop), "{text}");
        assert_eq!(crate::json::parse_str(text).map_err(|e| e.to_string()), want, "{text}");
    }
}

#[test]
fn strings_borrow_unless_they_hold_escapes() {
    let text = r#"["plain", "esc\"aped", 3]"#;
    let items = parse::<List<Option<Cow<str>>>>(text).unwrap().0.unwrap();
    assert!(matches!(items[0], Some(Cow::Borrowed("plain"))));
    assert!(matches!(&items[1], Some(Cow::Owned(s)) if s == "esc\"aped"));
    assert_eq!(items[2], None, "another kind reads as None");
    assert_eq!(items.len(), 3);
    assert_eq!(parse::<List<Index>>("[]").unwrap().0, Some(vec![]));
    assert_eq!(parse::<List<Index>>("{}").unwrap().0, None);
}

#[test]
fn numbers_read_as_value_reads_them() {
    for text in ["0", "7", "-3", "2.5", "-0", "1e3", "18446744073709551615", "18446744073709551616", "\"1\"", "null", "true"] {
        let v: Value = crate::json::parse(text.as_bytes()).unwrap();
        assert_eq!(parse::<Number>(text).unwrap().0, v.as_f64(), "{text}");
        assert_eq!(parse::<Index>(text).unwrap().0, v.as_u64(), "{text}");
    }
}

#[test]
fn truthiness_is_javascripts() {
    for (text, want) in [("null", false), ("0", false), ("-0", false), ("0.0", false), ("\"\"", false), ("false", false), ("1", true), ("\"x\"", true), ("[]", true), ("{}", true), ("-2", true)] {
        assert_eq!(parse::<Truthy>(text).unwrap().0, want, "{text}");
    }
}

#[test]
fn any_value_is_what_serde_json_reads_in_the_same_order() {
    for text in [
        r#"[{"loc":["body","temperature"],"msg":"Input should be a valid number","type":"float_parsing","input":"hot","ctx":{"x":1.5e3}}]"#,
        r#" { "b" : 1 , "a" : [ true , null , -2 , 0.1 , "é\n\u0001" ] , "b" : [] , "c": {} } "#,
        r#"[1e-7, 123456789012345678901234567890, -0, 1E2, [[]], [{}]]"#,
        r#""x""#,
    ] {
        let v: Value = serde_json::from_str(text).unwrap();
        assert_eq!(parse::<AnyValue>(text).unwrap().value, v, "{text}");
        assert_eq!(crate::json::to_string(&parse::<AnyValue>(text).unwrap().value), crate::json::to_string(&v), "key order too: {text}");
    }
}

#[test]
fn first_takes_the_first_element_only() {
    assert_eq!(parse::<First<Index>>("[4, 5]").unwrap().into_inner(), Some(Index(Some(4))));
    assert_eq!(parse::<First<Index>>("[\"x\", 5]").unwrap().into_inner(), Some(Index(None)));
    assert_eq!(parse::<First<Index>>("[]").unwrap().into_inner(), None);
    assert_eq!(parse::<First<Index>>("{\"0\": 4}").unwrap().into_inner(), None);
}
