//! Thinking (§5.8): the levels a model offers, and the vLLM payload patches that switch reasoning
//! on and off (Qwen, Nemotron 3, DeepSeek V4, effort ladders) plus priority scheduling.

use crate::models::thinking::{compat_bool, is_nemotron3, is_word, ladder, qwen_format, thinking_profile, QwenFormat, LADDER};
use super::notes::{Action, Notes};
use crate::error::ProviderError;
use crate::models::ModelDefinition;
use super::body::Body;
use serde_json::{Map, Value};

/// Matches `/deepseek[-_]?v4(?:[-_](?:pro|flash))?\b/i` (the suffix is optional, so `v4` must end a word or be followed by one).
pub fn is_deepseek_v4(id: &str) -> bool {
    let lower = id.to_ascii_lowercase();
    lower.match_indices("deepseek").any(|(at, m)| {
        let rest = &lower[at + m.len()..];
        let rest = rest.strip_prefix(['-', '_']).unwrap_or(rest);
        let Some(rest) = rest.strip_prefix("v4") else { return false };
        rest.as_bytes().first().is_none_or(|b| !is_word(*b))
            || ["-pro", "_pro", "-flash", "_flash"].iter().any(|s| rest.starts_with(s) && rest.as_bytes().get(s.len()).is_none_or(|b| !is_word(*b)))
    })
}

/// The level a request runs at: its own (`on` = `low`), else the profile's default. A model that is
/// not a reasoning model offers only `off`: any other level is clamped to it with a note, as
/// OpenClaw's scheduled runs clamp it (`openclaw agent` refuses it instead).
pub fn resolve_level(model: &ModelDefinition, requested: Option<&str>, notes: &mut Notes) -> Result<String, ProviderError> {
    let Some(raw) = requested else {
        return Ok(thinking_profile(model).default_level.to_string());
    };
    let l = raw.trim().to_ascii_lowercase();
    let level = match l.as_str() {
        "on" => "low",
        "off" | "none" => return Ok("off".to_string()),
        x if LADDER.contains(&x) => x,
        _ => return Err(ProviderError::config_at("thinking", format!("Unknown thinking level \"{raw}\""), "Use one of off, on, minimal, low, medium, high, xhigh, max.")),
    };
    if !model.reasoning {
        notes.push("thinking", Action::Clamped, format!("Thinking `{l}` is not offered by this model (reasoning is off for it); sent without thinking, as OpenClaw's scheduled runs do."));
        return Ok("off".to_string());
    }
    Ok(level.to_string())
}

/// `{...defaults, ...existing}`: defaults first, keys already present win.
fn defaults_under(body: &mut Body, defaults: &[(&str, Value)]) {
    let mut merged: Map<String, Value> = defaults.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    for (k, v) in body.chat_template_kwargs.take().unwrap_or_default() {
        merged.insert(k, v);
    }
    body.chat_template_kwargs = Some(merged);
}

/// The vLLM plugin's payload patch (§5.8) for the resolved level.
pub fn apply(model: &ModelDefinition, level: &str, body: &mut Body, notes: &mut Notes) {
    let enabled = level != "off";
    let mut effort = None;
    for (l, e) in ladder(model) {
        if l == level {
            effort = Some(e);
            break;
        }
    }
    let qwen = qwen_format(model).filter(|_| model.reasoning);
    if qwen.is_some() {
        // The Qwen wrapper removes OpenAI-style effort fields: the template switch replaces them.
        body.reasoning_effort = None;
    }
    match qwen {
        Some(QwenFormat::ChatTemplate) => {
            // `{...existing, enable_thinking}`; an existing key keeps its place, as in JavaScript.
            let k = body.chat_template_kwargs.get_or_insert_with(Map::new);
            k.insert("enable_thinking".to_string(), Value::Bool(enabled));
            if !k.contains_key("preserve_thinking") {
                k.insert("preserve_thinking".to_string(), Value::Bool(true));
            }
            if let Some(e) = &effort {
                k.insert("reasoning_effort".to_string(), Value::from(e.as_str()));
            }
            switched(notes, "chat_template_kwargs", enabled, "chat_template_kwargs.enable_thinking because the model row sets compat.thinkingFormat \"qwen-chat-template\"; preserve_thinking keeps earlier reasoning in the prompt.");
        }
        Some(QwenFormat::TopLevel) => {
            body.enable_thinking = Some(enabled);
            body.reasoning_effort = effort;
            switched(notes, "enable_thinking", enabled, "a top-level enable_thinking because the model row sets compat.thinkingFormat \"qwen\".");
        }
        None if model.reasoning && is_deepseek_v4(&model.id) => {
            let mut d = vec![("thinking", Value::Bool(enabled)), ("enable_thinking", Value::Bool(enabled))];
            if let Some(e) = effort {
                d.push(("reasoning_effort", Value::String(e)));
            }
            defaults_under(body, &d);
            body.reasoning_effort = None;
            switched(notes, "chat_template_kwargs", enabled, "chat_template_kwargs (thinking, enable_thinking) because DeepSeek V4 chat templates read it there.");
        }
        None if model.reasoning && compat_bool(model, "supportsReasoningEffort", false) => {
            body.reasoning_effort = Some(if enabled { effort.unwrap_or_else(|| level.to_string()) } else { "none".to_string() });
            notes.push("reasoning_effort", Action::Added, "reasoning_effort is sent because the model row sets compat.supportsReasoningEffort.");
        }
        None if model.reasoning => notes.push(
            "reasoning_effort",
            Action::Dropped,
            "reasoning_effort is not sent because OpenClaw leaves reasoning to the server's chat template on proxy-style endpoints (set compat.supportsReasoningEffort to send it).",
        ),
        None => {}
    }
    if !enabled && is_nemotron3(&model.id) {
        defaults_under(body, &[("enable_thinking", Value::Bool(false)), ("force_nonempty_content", Value::Bool(true))]);
        notes.push("chat_template_kwargs", Action::Added, "Nemotron 3 gets enable_thinking false and force_nonempty_content true in chat_template_kwargs when thinking is off, so it answers with visible text.");
    }
}

/// "Thinking is switched on|off through <how>".
fn switched(notes: &mut Notes, field: &str, enabled: bool, how: &str) {
    let state = if enabled { "on" } else { "off" };
    notes.push(field, Action::Added, format!("Thinking is switched {state} through {how}"));
}

/// `priority` for vLLM's priority scheduler: −100 foreground, 100 background, 0 otherwise; only when
/// the merged params set `priorityScheduling: true` (set after every other override).
pub fn priority(params: &Map<String, Value>, urgency: Option<&str>, body: &mut Body, notes: &mut Notes) -> Result<(), ProviderError> {
    let value = match urgency {
        None | Some("normal") => 0,
        Some("foreground") => -100,
        Some("background") => 100,
        Some(other) => return Err(ProviderError::config_at("priority", format!("Unknown priority \"{other}\""), "Use foreground, normal or background.")),
    };
    if params.get("priorityScheduling").and_then(Value::as_bool) == Some(true) {
        body.priority = Some(value);
        notes.push("priority", Action::Added, "priority is sent because the priorityScheduling param is on; the server must run with --scheduling-policy priority.");
    } else if urgency.is_some_and(|u| u != "normal") {
        notes.push("priority", Action::Dropped, "The request's priority was not sent because the priorityScheduling param is not on for this model.");
    }
    Ok(())
}
