//! Output-token budget (§5.7): what the caller asked for, clamped to the model's cap and to what the
//! estimated prompt leaves of the context.

use super::model::compat_str;
use super::notes::{Action, Notes};
use super::params::Params;
use crate::error::{ErrorCode, ProviderError};
use crate::models::{ModelDefinition, Origin, CONFIGURED_DEFAULT_MAX_TOKENS as DEFAULT_MAX_TOKENS};
use serde_json::{Map, Value};

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
    for c in s.chars() {
        n += if is_cjk(c) { 4 } else { c.len_utf16() as u64 };
    }
    n
}

fn json_chars(v: &Value) -> u64 {
    string_chars(&crate::json::to_string(v))
}

fn content_chars(content: &Value) -> u64 {
    match content {
        Value::String(s) => string_chars(s),
        Value::Array(parts) => {
            let mut n = 0;
            for p in parts {
                n += match p.get("type").and_then(Value::as_str) {
                    Some("text") => p.get("text").and_then(Value::as_str).map_or(0, string_chars),
                    Some("image_url" | "input_image") => IMAGE_CHARS,
                    _ => json_chars(p),
                };
            }
            n
        }
        _ => 0,
    }
}

/// Estimated prompt tokens of a body: `ceil(chars / 4 × 1.25)` over message contents, replayed
/// reasoning, tool calls, tools and `response_format`.
pub fn estimate_tokens(body: &Map<String, Value>) -> u64 {
    let mut chars = 0;
    let none = Vec::new();
    for m in body.get("messages").and_then(Value::as_array).unwrap_or(&none) {
        chars += m.get("content").map_or(0, content_chars);
        for field in &["reasoning_content", "reasoning", "reasoning_text"] {
            chars += m.get(field).and_then(Value::as_str).map_or(0, string_chars);
        }
        chars += m.get("tool_calls").map_or(0, json_chars);
    }
    chars += body.get("tools").map_or(0, json_chars);
    chars += body.get("response_format").map_or(0, json_chars);
    // chars / 4 × 1.25 = chars × 5 / 16, rounded up.
    (chars * 5).div_ceil(16)
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
pub fn apply(model: &ModelDefinition, params: &Params, body: &mut Map<String, Value>, notes: &mut Notes) -> Result<(), ProviderError> {
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
    let estimate = estimate_tokens(body);
    let left = context.saturating_sub(estimate).saturating_sub(1);
    if left == 0 {
        return Err(ProviderError::new(
            ErrorCode::ContextOverflow,
            format!("The prompt (about {estimate} tokens by OpenClaw's estimate) leaves no room for a reply in the model's {context}-token context"),
            "Shorten the conversation or the system prompt, or raise contextWindow/contextTokens if the server allows more.",
        ));
    }
    let value = if requested > left {
        let end = if left < LOW_BUDGET { "; a reply this short will likely be cut off." } else { "." };
        let why = format!("The output cap was lowered from {requested} to {left} tokens, what the estimated {estimate}-token prompt leaves of the {context}-token context{end}");
        notes.push(field, Action::Clamped, why);
        left
    } else {
        requested
    };
    if field == "max_tokens" {
        notes.push(field, Action::Renamed, "The output cap is sent as max_tokens instead of max_completion_tokens because the model row sets compat.maxTokensField.");
    }
    super::put(body, field, Value::from(value));
    Ok(())
}
