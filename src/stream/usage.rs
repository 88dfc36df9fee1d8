//! Token usage as OpenClaw computes it from an OpenAI-compatible `usage` object (§6.4).

use crate::wire::{object_sink, Num, Sink};
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
    let at = |outer: Option<&Value>, k: &str| count(outer.and_then(|o| o.get(k)));
    let details = |k: &str| {
        let d = u.get(k);
        Details {
            cached_tokens: Count(at(d, "cached_tokens")),
            cache_write_tokens: Count(at(d, "cache_write_tokens")),
            cache_creation_input_tokens: Count(at(d, "cache_creation_input_tokens")),
            reasoning_tokens: Count(at(d, "reasoning_tokens")),
        }
    };
    let wire = UsageWire {
        object: true,
        prompt_tokens: Count(count(u.get("prompt_tokens"))),
        completion_tokens: Count(count(u.get("completion_tokens"))),
        prompt_cache_hit_tokens: Count(count(u.get("prompt_cache_hit_tokens"))),
        cache_creation_input_tokens: Count(count(u.get("cache_creation_input_tokens"))),
        prompt: details("prompt_tokens_details"),
        completion: details("completion_tokens_details"),
    };
    Some(wire.usage())
}

/// A `usage` value as sent: each count when it is a non-negative number (a float truncated).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct UsageWire {
    /// It is an object (only then is it read).
    pub(crate) object: bool,
    prompt_tokens: Count,
    completion_tokens: Count,
    prompt_cache_hit_tokens: Count,
    cache_creation_input_tokens: Count,
    /// `prompt_tokens_details` (all `None` when it is not an object).
    prompt: Details,
    /// `completion_tokens_details`.
    completion: Details,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Details {
    cached_tokens: Count,
    cache_write_tokens: Count,
    cache_creation_input_tokens: Count,
    reasoning_tokens: Count,
}

impl UsageWire {
    /// The counts as OpenClaw computes them (§6.4).
    pub(crate) fn usage(&self) -> Usage {
        let (p, c) = (&self.prompt, &self.completion);
        let cache_read = p.cached_tokens.0.or(self.prompt_cache_hit_tokens.0).unwrap_or(0);
        let cache_write = p.cache_write_tokens.0.or(p.cache_creation_input_tokens.0).or(self.cache_creation_input_tokens.0).unwrap_or(0);
        let input = self.prompt_tokens.0.unwrap_or(0).saturating_sub(cache_read).saturating_sub(cache_write);
        let output = self.completion_tokens.0.unwrap_or(0);
        Usage {
            input,
            output,
            cache_read,
            cache_write,
            total_tokens: input.saturating_add(output).saturating_add(cache_read).saturating_add(cache_write),
            reasoning_tokens: c.reasoning_tokens.0,
        }
    }
}

/// A count: a non-negative integer, or a non-negative float truncated (`Value::as_u64`, then `as_f64`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Count(Option<u64>);

impl Sink<'_> for Count {
    fn number(&mut self, n: Num) {
        self.0 = match n {
            Num::U(n) => Some(n),
            Num::I(_) => None,
            Num::F(f) => (f >= 0.0 && f.is_finite()).then_some(f as u64),
        };
    }
}

object_sink!(impl<'de> for UsageWire, object: object {
    "prompt_tokens" => prompt_tokens, "completion_tokens" => completion_tokens, "prompt_cache_hit_tokens" => prompt_cache_hit_tokens,
    "cache_creation_input_tokens" => cache_creation_input_tokens, "prompt_tokens_details" => prompt, "completion_tokens_details" => completion,
});

object_sink!(impl<'de> for Details {
    "cached_tokens" => cached_tokens, "cache_write_tokens" => cache_write_tokens,
    "cache_creation_input_tokens" => cache_creation_input_tokens, "reasoning_tokens" => reasoning_tokens,
});

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
    fn the_typed_reading_gives_what_the_value_reading_gives() {
        for text in [
            r#"{"prompt_tokens":10,"completion_tokens":20,"prompt_tokens_details":{"cached_tokens":3},"completion_tokens_details":{"reasoning_tokens":7}}"#,
            r#"{"prompt_tokens":10.9,"completion_tokens":-2,"prompt_cache_hit_tokens":4,"cache_creation_input_tokens":"5","prompt_tokens_details":[1]}"#,
            r#"{"prompt_tokens":10,"prompt_tokens_details":{"cache_creation_input_tokens":2,"cache_write_tokens":null},"cache_creation_input_tokens":1}"#,
            r#"{"prompt_tokens":1e30,"completion_tokens":3,"completion_tokens":4,"completion_tokens_details":null}"#,
            r#"{}"#,
        ] {
            let v: Value = crate::json::parse(text.as_bytes()).unwrap();
            let wire = crate::wire::parse::<UsageWire>(text).unwrap();
            let typed = Some(wire).filter(|w| w.object).map(|w| w.usage());
            assert_eq!(typed, parse_usage(&v), "{text}");
        }
    }

    #[test]
    fn empty_and_null_details_are_zeros() {
        assert_eq!(u(json!({})), Usage::default());
        let got = u(json!({"prompt_tokens":8,"completion_tokens":10,"total_tokens":18,"prompt_tokens_details":null,"completion_tokens_details":null}));
        assert_eq!((got.input, got.output, got.total_tokens, got.reasoning_tokens), (8, 10, 18, None));
        assert!(parse_usage(&json!(null)).is_none());
    }
}
