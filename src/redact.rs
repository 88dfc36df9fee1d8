//! Keeping secrets out of every text that leaves the library.
//!
//! A known secret is caught in every form a server may echo it in: as is, percent-encoded (either hex
//! case, `+` or `%20` for a space, a `+` read back as a space), JSON-escaped once or twice (`\"`,
//! `\\\"`, `\/`, `\u0041`, `\\u0041`), and base64 (standard or URL-safe, padded or not, also inside a
//! longer base64 text such as a `Basic` credential: see [`with_echo_forms`]). The match is tolerant
//! per character, so one pass over the text finds every form, and its cost grows linearly with the
//! text. Secrets this library never knew are masked by their shape: bearer tokens, `sk-…` keys, URL
//! credentials (`user:pass@`) and the values of query parameters whose names look secret.

mod echo_forms;
mod finder;
mod known;
mod shapes;

pub use echo_forms::{base64, with_echo_forms};
pub use finder::SecretFinder;
pub(crate) use known::pct_byte;
use known::replace_known;
use shapes::mask_shapes;

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// Parts of a header or query-parameter name that make its value a secret, whatever it holds.
const SECRET_NAME_PARTS: [&str; 8] = ["auth", "key", "token", "secret", "cookie", "session", "password", "credential"];

/// Whether a header or query-parameter name looks secret (`Authorization`, `X-Api-Key`, `X-Other-Key`,
/// `api_key`, `Cookie`, `X-Session-Token`, …): such values are shown as `[redacted]` wherever
/// headers or URLs are shown, and scrubbed from server text.
pub fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    SECRET_NAME_PARTS.iter().any(|p| n.contains(p))
}

/// A header as it may be shown: `Authorization` as its scheme and `[redacted]`, any other secret-named
/// header as `[redacted]`, the rest with known secrets removed.
pub fn shown_header(name: &str, value: &str, secrets: &[String]) -> String {
    if name.to_ascii_lowercase().ends_with("authorization") {
        return match value.trim().split_once(' ') {
            Some((scheme, _)) => [scheme, " ", REDACTED].concat(),
            None => REDACTED.to_string(),
        };
    }
    if is_secret_name(name) {
        return REDACTED.to_string();
    }
    redact(value, secrets)
}

/// Replaces every occurrence of each secret of at least 3 characters (in any echo form, see the module
/// docs) with `[redacted]`, then masks bearer tokens, `sk-…` keys, URL credentials and secret-named
/// query parameters whatever their value (a proxy may echo what we never knew).
pub fn redact(text: &str, secrets: &[String]) -> String {
    if clean(text, secrets) {
        return text.to_string();
    }
    mask_shapes(&replace_known(text, secrets))
}

/// [`redact`] in place: `text` is rewritten only when it can hold something to redact (model ids
/// mostly cannot; discovery scrubs each row's id and parent).
pub fn redact_in_place(text: &mut String, secrets: &[String]) {
    if !clean(text, secrets) {
        *text = mask_shapes(&replace_known(text, secrets));
    }
}

/// Whether `text` is its own redaction, so that the two passes can be skipped.
fn clean(text: &str, secrets: &[String]) -> bool {
    // Most texts (model ids, names, header names) hold no byte that a secret shape or an encoded or
    // escaped echo can start with, and then an echo of a secret is the secret as it is.
    !text.bytes().any(|b| matches!(b, b'b' | b'B' | b's' | b':' | b'?' | b'&' | b'%' | b'\\' | b'+' | b' ')) && !secrets.iter().any(|s| s.len() >= 3 && text.contains(s.as_str()))
}

/// [`redact`], then cut to `max` characters. The cut comes last so that a secret across the cut
/// cannot leave a readable half; only the part of `text` that can reach the result is scanned.
pub fn redact_cut(text: &str, max: usize, secrets: &[String]) -> String {
    // Each secret character takes at most 12 characters of text (`%F0%9F%98%80`).
    let longest = secrets.iter().map(|s| s.len()).max().unwrap_or(0);
    truncate_chars(&redact(&truncate_chars(text, max + 12 * longest + 64), secrets), max)
}

/// Cuts `text` to at most `max` characters (not bytes), never inside a UTF-8 sequence.
pub fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => text[..i].to_string(),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests;

/// The echo forms a test server may send a secret back in (shared by the tests of every surface).
#[cfg(test)]
pub(crate) mod echo_tests;
