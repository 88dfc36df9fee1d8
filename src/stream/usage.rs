//! Token usage as OpenClaw computes it from an OpenAI-compatible `usage` object (§6.4).

use serde::Serialize;
use serde_json::Value;

/// Token counts of one reply; `input` excludes cached and cache-written prompt tokens.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// Prompt tokens not read from or written to a cache.
    pub input: u64,
    /// Completion tokens.
    pub output: u64,
    /// Prompt tokens served from the prefix cache.
    pub cache_read: u64,
    /// Prompt tokens written to a cache.
    pub cache_write: u64,
    /// `input + output + cacheRead + cacheWrite`.
    pub total_tokens: u64,
    /// Reasoning tokens within `output` (reported, not added).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_tokens: Option<u64>,
}

fn count(v: Option<&Value>) -> Option<u64> {
    let v = v?;
    // A float count (some proxies send `8.0`) is truncated, never printed.
    v.as_u64().or_else(|| v.as_f64().filter(|f| *f >= 0.0 && f.is_finite()).map(|f| f as u64))
}

/// Reads a `usage` object; `None` when it is not an object. `usage: {}` gives zeros.
pub fn parse_usage(v: &Value) -> Option<Usage> {
    let u = v.as_object()?;
    let prompt = u.get("prompt_tokens_details");
    let at = |outer: Option<&Value>, k: &str| count(outer.and_then(|o| o.get(k)));
    let cache_read = at(prompt, "cached_tokens").or_else(|| count(u.get("prompt_cache_hit_tokens"))).unwrap_or(0);
    let cache_write = at(prompt, "cache_write_tokens")
        .or_else(|| at(prompt, "cache_creation_input_tokens"))
        .or_else(|| count(u.get("cache_creation_input_tokens")))
        .unwrap_or(0);
    let input = count(u.get("prompt_tokens")).unwrap_or(0).saturating_sub(cache_read).saturating_sub(cache_write);
    let output = count(u.get("completion_tokens")).unwrap_or(0);
    Some(Usage {
        input,
        output,
        cache_read,
        cache_write,
        total_tokens: input.saturating_add(output).saturating_add(cache_read).saturating_add(cache_write),
        reasoning_tokens: at(u.get("completion_tokens_details"), "reasoning_tokens"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn u(v: Value) -> Usage {
        parse_usage(&v).unwrap()
    }

    #[test]
    fn cached_and_reasoning_tokens_follow_openclaw() {
        let got = u(json!({"prompt_tokens":10,"completion_tokens":20,"total_tokens":30,
            "prompt_tokens_details":{"cached_tokens":3},"completion_tokens_details":{"reasoning_tokens":7}}));
        assert_eq!((got.input, got.output, got.cache_read, got.total_tokens, got.reasoning_tokens), (7, 20, 3, 30, Some(7)));
        let got = u(json!({"prompt_tokens":10,"prompt_tokens_details":{"cached_tokens":3,"cache_write_tokens":2}}));
        assert_eq!(got.input, 5);
        let got = u(json!({"prompt_tokens":2,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":4}}));
        assert_eq!((got.input, got.total_tokens), (0, 9));
    }

    #[test]
    fn empty_and_null_details_are_zeros() {
        assert_eq!(u(json!({})), Usage::default());
        let got = u(json!({"prompt_tokens":8,"completion_tokens":10,"total_tokens":18,"prompt_tokens_details":null,"completion_tokens_details":null}));
        assert_eq!((got.input, got.output, got.total_tokens, got.reasoning_tokens), (8, 10, 18, None));
        assert!(parse_usage(&json!(null)).is_none());
    }
}
