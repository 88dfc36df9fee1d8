//! Keeping secrets out of every text that leaves the library.

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// Replaces every occurrence of each non-trivial secret in `text` with `[redacted]`, and masks
/// bearer tokens whatever their value (a proxy may echo a header we did not send ourselves).
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        // Very short values ("a", "1") would shred ordinary text and are not meaningful secrets.
        if s.len() >= 3 && out.contains(s.as_str()) {
            out = out.replace(s.as_str(), REDACTED);
        }
    }
    mask_api_key_shapes(&mask_bearer_tokens(&out))
}

/// Masks tokens shaped like OpenAI-style keys (`sk-` followed by 16 or more key characters), which
/// a proxy may echo even though this library never knew them.
fn mask_api_key_shapes(text: &str) -> String {
    if !text.contains("sk-") {
        return text.to_string();
    }
    let is_key_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("sk-") {
        let boundary = rest[..i].chars().next_back().is_none_or(|c| !is_key_char(c));
        let tail = &rest[i + 3..];
        let len = tail.find(|c: char| !is_key_char(c)).unwrap_or(tail.len());
        out.push_str(&rest[..i]);
        if boundary && len >= 16 {
            out.push_str(REDACTED);
        } else {
            out.push_str(&rest[i..i + 3 + len]);
        }
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

/// `Bearer abc.def` → `Bearer [redacted]`, case-insensitively.
fn mask_bearer_tokens(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    if !lower.contains("bearer ") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut rest_lower = lower.as_str();
    while let Some(i) = rest_lower.find("bearer ") {
        let start = i + "bearer ".len();
        out.push_str(&rest[..start]);
        let token_len = rest[start..]
            .find(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == ',' || c == '}')
            .unwrap_or(rest.len() - start);
        if token_len > 0 && &rest[start..start + token_len] != REDACTED {
            out.push_str(REDACTED);
        } else {
            out.push_str(&rest[start..start + token_len]);
        }
        rest = &rest[start + token_len..];
        rest_lower = &rest_lower[start + token_len..];
    }
    out.push_str(rest);
    out
}

/// Cuts `text` to at most `max` characters (not bytes), never inside a UTF-8 sequence.
pub fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => text[..i].to_string(),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
