//! Making the server's words fit for a one-line message: vLLM artefacts removed, server paths hidden.

use crate::hints;

/// The server's words made fit for a one-line message: the literal ` None` that vLLM 0.9–0.14 append
/// to preprocessing errors is dropped, and a raw pydantic dump (old releases, with server file paths
/// in it) is reduced to its `loc: msg` items, paths replaced by `<path>`.
pub(super) fn readable_words(message: &str) -> String {
    let trimmed = message.trim_end();
    let words = trimmed.strip_suffix(" None").unwrap_or(trimmed);
    let items = pydantic_items(words);
    if items.is_empty() {
        scrub_paths(words)
    } else {
        scrub_paths(&crate::join::join(&items, "; "))
    }
}

/// `'loc': …, 'msg': '…'` pairs of a Python-repr'd pydantic error list, as `loc: msg`.
fn pydantic_items(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("'msg': ") {
        let before = &rest[..i];
        let after = &rest[i + "'msg': ".len()..];
        let Some(msg) = quoted(after) else { break };
        let loc = before.rfind("'loc': ").map(|j| loc_text(&before[j + "'loc': ".len()..])).unwrap_or_default();
        out.push(if loc.is_empty() { msg.to_string() } else { format!("{loc}: {msg}") });
        rest = &after[msg.len() + 2..];
        if out.len() == 10 {
            break;
        }
    }
    out
}

/// The text of a Python string literal at the start of `s` (`'…'` or `"…"`), without escapes.
fn quoted(s: &str) -> Option<&str> {
    let q = s.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let end = s[1..].find(q)?;
    Some(&s[1..1 + end])
}

/// `('body', 'temperature')` or `'body.temperature'` → `body.temperature`.
fn loc_text(s: &str) -> String {
    let s = s.trim_start();
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.split(')').next()) {
        return crate::join::join(&inner.split(',').map(|p| p.trim().trim_matches(|c| c == '\'' || c == '"')).filter(|p| !p.is_empty()).collect::<Vec<_>>(), ".");
    }
    quoted(s).unwrap_or("").to_string()
}

/// Replaces absolute file paths (`/usr/lib/python3/site-packages/vllm/x.py`) with `<path>`.
fn scrub_paths(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, token) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let bare = token.trim_matches(|c: char| matches!(c, '"' | '\'' | ',' | '(' | ')' | '[' | ']'));
        let is_path = bare.len() > 1
            && (bare.starts_with('/') || bare.get(1..3) == Some(":\\"))
            && (bare.ends_with(".py") || bare.contains("site-packages") || bare.contains("/vllm/"));
        if is_path {
            out.push_str(&token.replace(bare, "<path>"));
        } else {
            out.push_str(token);
        }
    }
    out
}

/// vLLM 0.32+ lists the served names (`… does not exist. Valid aliases: a, b.`): the hint then names
/// the closest one.
pub(super) fn model_hint(words: &str) -> String {
    let asked = words.split('`').nth(1);
    let aliases: Vec<String> = words
        .split_once("Valid aliases: ")
        .map(|(_, list)| list.trim_end().trim_end_matches('.').split(", ").map(str::to_string).filter(|a| !a.is_empty()).collect())
        .unwrap_or_default();
    match asked {
        Some(model) if !aliases.is_empty() => {
            let served: Vec<crate::diagnose::closest::Served> = aliases.iter().map(|a| crate::diagnose::closest::Served { id: a, root: None }).collect();
            hints::unknown_model(model, crate::diagnose::closest::closest(model, &served), &aliases)
        }
        _ => hints::model_not_found(),
    }
}

/// What `text.parse::<i64>()` gives as far as [`http_date_secs`]'s range checks tell (no field may be
/// negative, but `-0` is 0: any other negative number reads as -1), with `u64`'s parser: one integer
/// parser in the wasm instead of one per type.
fn date_field(text: &str) -> Option<i64> {
    match text.strip_prefix('-') {
        Some(rest) if !rest.starts_with('+') => rest.parse::<u64>().ok().map(|n| if n == 0 { 0 } else { -1 }),
        Some(_) => None,
        None => crate::url::small_number(text),
    }
}

/// Seconds since the epoch of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form HTTP sends.
pub(super) fn http_date_secs(text: &str) -> Option<u64> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = parts.as_slice() else { return None };
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|m| m == month)? as i64 + 1;
    let (day, year): (i64, i64) = (date_field(day)?, date_field(year)?);
    let hms: Vec<i64> = time.split(':').map(date_field).collect::<Option<_>>()?;
    let [h, m, s] = hms.as_slice() else { return None };
    // A real date only: out-of-range fields would overflow the arithmetic below (found by fuzzing).
    let fits = (1..=31).contains(&day) && (0..=9999).contains(&year) && (0..=23).contains(h) && (0..=59).contains(m) && (0..=60).contains(s);
    if !fits {
        return None;
    }
    // Days from 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil-from-days inverse).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + h * 3600 + m * 60 + s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_fields_read_as_i64_parsing_does_within_the_checked_ranges() {
        let cases = ["0", "-0", "+0", "-00", "31", "-1", "-+1", "+-1", "-", "+", "", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "x"];
        for t in cases {
            let want = t.parse::<i64>().ok().map(|n| if n < 0 { -1 } else { n });
            assert_eq!(date_field(t), want, "{t:?}");
        }
        assert_eq!(http_date_secs("Sun, 06 Nov 1994 -0:49:37 GMT"), http_date_secs("Sun, 06 Nov 1994 00:49:37 GMT"));
        assert_eq!(http_date_secs("Sun, -6 Nov 1994 08:49:37 GMT"), None);
    }
}
