//! Output-token budget (§5.7): what the caller asked for, clamped to the model's cap and to what the
//! estimated prompt leaves of the context.

use super::model::compat_str;
use super::notes::{Action, Notes};
use super::params::Params;
use crate::error::{ErrorCode, ProviderError};
use super::body::{estimated_json_chars, Body, Content, Message, Part};
use crate::models::{ModelDefinition, Origin, CONFIGURED_DEFAULT_MAX_TOKENS as DEFAULT_MAX_TOKENS};

/// Characters an image part counts as.
pub const IMAGE_CHARS: u64 = 8_000;
/// Below this many tokens OpenClaw warns that the reply will be cut short.
pub const LOW_BUDGET: u64 = 16;

/// Whether a character is in the CJK ranges OpenClaw counts as four characters.
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x2FFFF)
}

/// A string's length as OpenClaw estimates it: UTF-16 units, CJK characters counted four times.
pub fn string_chars(s: &str) -> u64 {
    let mut n = 0;
    let mut rest = s;
    loop {
        // A run of ASCII counts one per byte; only the other characters are decoded.
        let ascii = rest.bytes().position(|b| !b.is_ascii()).unwrap_or(rest.len());
        n += ascii as u64;
        rest = &rest[ascii..];
        let Some(c) = rest.chars().next() else { return n };
        n += if is_cjk(c) { 4 } else { c.len_utf16() as u64 };
        rest = &rest[c.len_utf8()..];
    }
}

fn parts_chars(parts: &[Part]) -> u64 {
    let mut n = 0;
    for p in parts {
        n += match p {
            Part::Text(t) => string_chars(t),
            Part::Media { kind: "image_url", .. } => IMAGE_CHARS,
            // A video counts as its JSON text, as OpenClaw's estimate counts parts it does not know.
            media => string_chars(&media.to_json()),
        };
    }
    n
}

/// Estimated prompt tokens of a body: `ceil(chars / 4 × 1.25)` over message contents, replayed
/// reasoning, tool calls, tools and `response_format`.
pub fn estimate_tokens(body: &Body) -> u64 {
    tokens(text_chars(body) + json_chars(body))
}

/// chars / 4 × 1.25 = chars × 5 / 16, rounded up.
fn tokens(chars: u64) -> u64 {
    (chars * 5).div_ceil(16)
}

/// The estimate's characters of message contents and replayed reasoning.
fn text_chars(body: &Body) -> u64 {
    let mut chars = 0;
    for m in &body.messages {
        chars += match m {
            Message::System { content, .. } | Message::Tool { content, .. } => string_chars(content),
            Message::User(Content::Text(t)) => string_chars(t),
            Message::User(Content::Parts(parts)) => parts_chars(parts),
            Message::Assistant { content, reasoning_content, .. } => content.as_deref().map_or(0, string_chars) + reasoning_content.as_deref().map_or(0, string_chars),
        };
    }
    chars
}

/// The estimate's characters of what it counts as JSON text: each message's tool calls, the tools
/// and `response_format`.
fn json_chars(body: &Body) -> u64 {
    estimated_json_chars(body, true)
}

/// At least [`json_chars`], with no JSON written.
fn json_chars_at_most(body: &Body) -> u64 {
    estimated_json_chars(body, false)
}

/// The wire field for the cap (`max_completion_tokens`, or `max_tokens` per compat).
pub fn field(model: &ModelDefinition) -> &'static str {
    if compat_str(model, "maxTokensField") == Some("max_tokens") {
        "max_tokens"
    } else {
        "max_completion_tokens"
    }
}

/// Sets the output cap on the body, or leaves it out when nothing asks for one. The cap asked for
/// (request or agents' params) is clamped to the row's `maxTokens`; the row's own `params.maxTokens`
/// is not; without either, the row's `maxTokens` (OpenClaw's 8192 for a declared row without one,
/// see `model::resolve_model_in`). Then all of them are clamped to what the prompt leaves of the context.
pub fn apply(model: &ModelDefinition, params: &Params, body: &mut Body, notes: &mut Notes) -> Result<(), ProviderError> {
    let field = field(model);
    let requested = match (params.asked_cap.filter(|n| *n > 0), params.row_cap.filter(|n| *n > 0)) {
        (Some(n), _) => match model.max_tokens {
            Some(cap) if n > cap => {
                notes.push(field, Action::Clamped, format!("The requested {n} output tokens were lowered to the model's maxTokens of {cap}."));
                Some(cap)
            }
            _ => Some(n),
        },
        // Even above the row's maxTokens, as OpenClaw sends it (errata §0.1 item 4).
        (None, Some(n)) => Some(n),
        (None, None) => {
            if model.origins.max_tokens == Origin::Default && model.max_tokens == Some(DEFAULT_MAX_TOKENS) {
                notes.push(field, Action::Added, "The output cap is OpenClaw's default 8192 tokens because the model row sets no maxTokens.");
            }
            model.max_tokens
        }
    };
    // Only the configured-fallback row of an id neither declared nor discovered has no cap; its
    // `model` note says so, and vLLM's default (the rest of the context) applies.
    let Some(requested) = requested.filter(|n| *n > 0) else { return Ok(()) };
    let context = model.context_tokens.filter(|n| *n > 0).unwrap_or(model.context_window);
    let text = text_chars(body);
    // The exact estimate writes the tool calls and tools as JSON text again. When even the most the
    // estimate can be leaves room for the cap asked for, the cap is kept without it (a request far
    // from its context's end, the usual case): nothing else depends on the estimate.
    let value = if requested < context.saturating_sub(tokens(text + json_chars_at_most(body))) {
        requested
    } else {
        let estimate = tokens(text + json_chars(body));
        let left = context.saturating_sub(estimate).saturating_sub(1);
        if left == 0 {
            return Err(ProviderError::new(
                ErrorCode::ContextOverflow,
                format!("The prompt (about {estimate} tokens by OpenClaw's estimate) leaves no room for a reply in the model's {context}-token context"),
                "Shorten the conversation or the system prompt, or raise contextWindow/contextTokens if the server allows more.",
            ));
        }
        if requested > left {
            let end = if left < LOW_BUDGET { "; a reply this short will likely be cut off." } else { "." };
            let why = format!("The output cap was lowered from {requested} to {left} tokens, what the estimated {estimate}-token prompt leaves of the {context}-token context{end}");
            notes.push(field, Action::Clamped, why);
            left
        } else {
            requested
        }
    };
    if field == "max_tokens" {
        notes.push(field, Action::Renamed, "The output cap is sent as max_tokens instead of max_completion_tokens because the model row sets compat.maxTokensField.");
    }
    body.max_tokens = Some((field, value));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shaping::body::{Tool, ToolCall};
    use crate::test_rng::Rng;
    use serde_json::Value;

    /// Texts whose JSON escapes are long or that count more than a character each.
    const TEXTS: &[&str] = &["", "x", "a \"q\" \\ b", "line\nnext\r\ttab", "\u{1}\u{8}\u{c}\u{1f}\u{7f}", "日本語", "😀 é", "\u{20000}\u{2e80}", "call_1|x"];
    const NUMBERS: &[&str] = &["0", "-7", "18446744073709551615", "-9223372036854775808", "-2.2250738585072014e-308", "-0.000012345678901234567", "1e15", "-1.7976931348623157e308", "123456.789"];

    fn value(g: &mut Rng, depth: usize) -> Value {
        match g.below(if depth > 2 { 4 } else { 6 }) {
            0 => [Value::Null, Value::Bool(true), Value::Bool(false)][g.below(3)].clone(),
            1 | 2 => serde_json::from_str(g.pick(NUMBERS)).unwrap(),
            3 => Value::String(g.pick(TEXTS).into()),
            4 => Value::Array((0..g.below(4)).map(|_| value(g, depth + 1)).collect()),
            _ => Value::Object((0..g.below(4)).map(|_| (g.pick(TEXTS).to_string(), value(g, depth + 1))).collect()),
        }
    }

    #[test]
    fn the_bound_on_the_json_the_estimate_counts_is_never_below_it() {
        let mut g = Rng(0x5eed_0b0d_cafe_f00d);
        for _ in 0..3_000 {
            let mut body = Body::default();
            for _ in 0..g.below(3) {
                let tool_calls = (0..g.below(3)).map(|_| ToolCall { id: g.pick(TEXTS).into(), name: g.pick(TEXTS).into(), arguments: crate::json::to_string(&value(&mut g, 0)) }).collect();
                body.messages.push(Message::Assistant { content: None, reasoning_content: None, tool_calls });
            }
            if g.chance(70) {
                let tools = (0..g.below(4))
                    .map(|_| Tool {
                        function: crate::shaping::Tool { name: g.pick(TEXTS).into(), description: g.chance(50).then(|| g.pick(TEXTS).into()), parameters: g.chance(70).then(|| value(&mut g, 0)) },
                        strict: g.chance(30),
                    })
                    .collect();
                body.tools = Some(tools);
            }
            if g.chance(40) {
                body.sampling.push(("response_format", value(&mut g, 0)));
            }
            assert!(json_chars_at_most(&body) >= json_chars(&body), "{}", crate::json::to_string(&body));
        }
    }
}
