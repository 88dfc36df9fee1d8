//! The echo forms a test server may send a secret back in (shared by the tests of every surface),
//! and the tests that every form is redacted.

use super::*;

const KEY: &str = "Can4ry+k3y/Qx=9\"Zt é";

/// Percent-encodes every byte outside `keep` (and the ASCII alphanumerics), `+` for a space if asked.
fn pct(s: &str, keep: &str, plus_for_space: bool, lower: bool) -> String {
    s.bytes()
        .map(|b| match b {
            b' ' if plus_for_space => "+".to_string(),
            b if b.is_ascii_alphanumeric() || keep.as_bytes().contains(&b) => (b as char).to_string(),
            b if lower => format!("%{b:02x}"),
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// JSON string escaping (without the quotes): minimal (JSON.stringify), or with `\/` and `\u` for
/// non-ASCII (PHP's and Python's defaults).
fn json(s: &str, ascii: bool) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' if ascii => out.push_str("\\/"),
            c if ascii && !c.is_ascii() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn url_safe(b64: &str) -> String {
    b64.replace('+', "-").replace('/', "_")
}

/// Every form of `key` a server may echo: (what it is, the text).
pub(crate) fn forms(key: &str) -> Vec<(String, String)> {
    let b = base64(key.as_bytes());
    let mut f = vec![
        ("raw".to_string(), key.to_string()),
        ("encodeURIComponent".into(), pct(key, "-_.!~*'()", false, false)),
        ("form (URLSearchParams)".into(), pct(key, "*-._", true, false)),
        ("Python quote".into(), pct(key, "_.-~/", false, false)),
        ("Go QueryEscape, lower-case hex".into(), pct(key, "-_.~", true, true)),
        ("+ decoded as a space".into(), key.replace('+', " ")),
        ("+ decoded as a space, then encoded".into(), pct(&key.replace('+', " "), "", false, false)),
        ("a URL's form, encoded again".into(), pct(&key.replace('"', "%22"), "", false, false)),
        ("JSON once".into(), json(key, false)),
        ("JSON twice".into(), json(&json(key, false), false)),
        ("JSON once, ASCII".into(), json(key, true)),
        ("JSON twice, ASCII".into(), json(&json(key, true), true)),
        ("base64".into(), b.clone()),
        ("base64 unpadded".into(), b.trim_end_matches('=').to_string()),
        ("base64url".into(), url_safe(&b)),
        ("base64url unpadded".into(), url_safe(&b).trim_end_matches('=').to_string()),
        ("base64 percent-encoded".into(), pct(&b, "", false, false)),
    ];
    for prefix in ["user:", "Bearer ", "x"] {
        let inner = base64(format!("{prefix}{key}").as_bytes());
        f.push((format!("base64 of {prefix:?}+key"), inner.clone()));
        f.push((format!("base64url of {prefix:?}+key"), url_safe(&inner)));
    }
    f
}

#[test]
fn base64_matches_rfc_4648() {
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    assert_eq!(base64(b"user:pass"), "dXNlcjpwYXNz");
    assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
}

#[test]
fn every_echo_form_of_a_secret_is_redacted() {
    let secrets = with_echo_forms(vec![KEY.to_string()]);
    for (name, form) in forms(KEY) {
        for text in [form.clone(), format!("{{\"detail\":\"bad key <{form}> given\"}}"), format!("x{form}")] {
            let out = redact(&text, &secrets);
            assert!(out.contains(REDACTED), "{name}: {text} -> {out}");
            assert!(!out.contains("Can4ry") && !out.contains("k3y"), "{name}: {text} -> {out}");
        }
    }
}

#[test]
fn a_whole_echo_is_replaced_by_one_marker() {
    let secrets = with_echo_forms(vec![KEY.to_string()]);
    for (name, form) in forms(KEY).into_iter().take(10) {
        assert_eq!(redact(&format!("<{form}>"), &secrets), "<[redacted]>", "{name}");
    }
    assert_eq!(redact("k=abc+def&x=1", &["abc def".into()]), "k=[redacted]&x=1");
}

#[test]
fn the_longest_secret_wins_where_two_start() {
    let s = vec!["abcd".to_string(), "abcdefgh".to_string()];
    assert_eq!(redact("1abcdefgh2abcd3", &s), "1[redacted]2[redacted]3");
}

#[test]
fn base64_forms_need_six_bytes_and_ordinary_text_survives() {
    assert_eq!(with_echo_forms(vec!["short".into()]), vec!["short".to_string()]);
    let secrets = with_echo_forms(vec![KEY.to_string()]);
    let text = "The model `tiny-model` does not exist. Hint: 100% sure\\n \"quoted\" a+b";
    assert_eq!(redact(text, &secrets), text);
}

#[test]
fn secret_header_names() {
    for n in ["Authorization", "X-Api-Key", "X-Other-Key", "api_key", "Cookie", "X-Session-Id", "X-Auth-Token", "Proxy-Authorization", "password"] {
        assert!(is_secret_name(n), "{n}");
    }
    for n in ["Content-Type", "Accept", "X-Request-Id", "X-Team"] {
        assert!(!is_secret_name(n), "{n}");
    }
    assert_eq!(shown_header("Authorization", "Basic dXNlcjpwYXNz", &[]), "Basic [redacted]");
    assert_eq!(shown_header("X-Other-Key", "v", &[]), "[redacted]");
    assert_eq!(shown_header("X-Team", "team-sk-xyz1", &["sk-xyz1".into()]), "team-[redacted]");
}

#[test]
fn url_credentials_and_secret_query_values_are_masked_whatever_they_hold() {
    assert_eq!(redact("GET http://me:pw%2B@h:8/v1?api_key=abc&x=1#f", &[]), "GET http://me:[redacted]@h:8/v1?api_key=[redacted]&x=1#f");
    assert_eq!(redact("\"https://tok@h/v1\"", &[]), "\"https://[redacted]@h/v1\"");
    assert_eq!(redact("http://h/a@b and http://h/?page=2&token=t", &[]), "http://h/a@b and http://h/?page=2&token=[redacted]");
    assert_eq!(redact("http://u:s3cret@h/v1", &["s3cret".into()]), "http://u:[redacted]@h/v1");
}

#[test]
fn a_cut_never_leaves_half_a_secret() {
    let secrets = vec!["0123456789".to_string()];
    let text = format!("{}0123456789tail", "a".repeat(495));
    assert_eq!(redact_cut(&text, 500, &secrets), format!("{}[reda", "a".repeat(495)));
}

#[test]
fn work_grows_linearly_with_the_text() {
    // Text that starts a near-match at every position: each attempt stops within the secret's length.
    let secrets = with_echo_forms(vec!["aaaaaaaaaaaaaaaaaaab".to_string()]);
    let small = "a".repeat(20_000);
    let big = "a".repeat(160_000);
    assert_eq!(redact(&big, &secrets), big);
    // The fastest of a few runs: other work on the machine only ever slows a run down.
    let time = |t: &str| {
        (0..5)
            .map(|_| {
                let started = std::time::Instant::now();
                std::hint::black_box(redact(t, &secrets));
                started.elapsed().as_secs_f64()
            })
            .fold(f64::MAX, f64::min)
    };
    let (s, b) = (time(&small), time(&big));
    // 8 times the text: linear work takes about 8 times as long, quadratic 64 times.
    assert!(b < s * 24.0, "8x the text took {:.1}x the time", b / s);
}
