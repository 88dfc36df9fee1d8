//! Redaction of known secrets and secret shapes, the shortcut for plain texts, and cutting.

use super::*;

#[test]
fn the_shortcut_for_plain_texts_gives_what_the_two_passes_give() {
    // Texts with and without the bytes that end the shortcut, over secrets and their echo forms
    // (a secret's own bytes included): the shortcut is only taken where the passes change nothing.
    let secrets = with_echo_forms(vec!["sk-live-0123456789".to_string(), "hunter2pass".to_string(), "AbC".to_string(), "ab".to_string()]);
    let pieces = ["sk-live-0123456789", "hunter2pass", "hunter2", "AbC", "abc", "ab", "Content-Type", "X-Team", "org/model-3", "aHVudGVy", "c2stbGl2", "-", "_", "%41", "\\u0041", "+", " ", "b", "B", "s", ":", "?k=", "&", "é", "日"];
    let mut g = crate::test_rng::Rng(0x7ed_ac7ed);
    for _ in 0..20_000 {
        let text: String = (0..g.below(6)).map(|_| pieces[g.below(pieces.len())]).collect();
        assert_eq!(redact(&text, &secrets), mask_shapes(&replace_known(&text, &secrets)), "{text:?}");
    }
}

#[test]
fn redacting_in_place_gives_what_redact_gives() {
    let secrets = with_echo_forms(vec!["sk-live-0123456789".to_string()]);
    for text in ["org/model-1", "Qwen/Qwen3-8B", "key sk-live-0123456789 here", "c2stbGl2ZS0wMTIzNDU2Nzg5", "Bearer abcdefghijklmnop", ""] {
        let mut s = text.to_string();
        redact_in_place(&mut s, &secrets);
        assert_eq!(s, redact(text, &secrets), "{text}");
    }
}

#[test]
fn known_secret_is_replaced_everywhere() {
    let s = redact("a=s3cret b=s3cret", &["s3cret".into()]);
    assert_eq!(s, "a=[redacted] b=[redacted]");
}

#[test]
fn bearer_tokens_are_masked_even_when_unknown() {
    let s = redact("Authorization: Bearer abc.def, next", &[]);
    assert_eq!(s, "Authorization: Bearer [redacted], next");
    let s = redact("{\"h\":\"bearer xyz\"}", &[]);
    assert_eq!(s, "{\"h\":\"bearer [redacted]\"}");
}

#[test]
fn tiny_values_are_not_treated_as_secrets() {
    assert_eq!(redact("a b c", &["a".into()]), "a b c");
}

#[test]
fn truncation_counts_characters_not_bytes() {
    assert_eq!(truncate_chars("héllo", 2), "hé");
    assert_eq!(truncate_chars("hi", 5), "hi");
}

#[test]
fn unknown_keys_shaped_like_openai_keys_are_masked() {
    assert_eq!(redact("key sk-abcdefghijklmnop1234 end", &[]), "key [redacted] end");
    assert_eq!(redact("model task-sk-x and sk-short", &[]), "model task-sk-x and sk-short");
    assert_eq!(redact("{\"k\":\"sk-proj-ABCDEFGHIJKLMNOPQRS\"}", &[]), "{\"k\":\"[redacted]\"}");
}
