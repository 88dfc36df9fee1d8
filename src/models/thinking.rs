//! The thinking levels a model row offers (`ThinkingProfile`) and the compat flags they depend on.
//!
//! They belong to the row: config and discovery attach them to the rows they return, and shaping
//! reads them to switch thinking on and off, without either importing the other.

use super::{ModelDefinition, Origin};
use serde::Serialize;
use serde_json::{Map, Value};

/// Levels in ladder order.
pub const LADDER: &[&str] = &["minimal", "low", "medium", "high", "xhigh", "max"];

/// One level a UI may offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Level {
    /// The level id (`off`, `low`, …).
    #[serde(serialize_with = "crate::static_name")]
    pub id: &'static str,
    /// A label, where it differs from the id (`on` for the binary switch).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<&'static str>,
}

/// The thinking levels of a model and its default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThinkingProfile {
    /// Offered levels, `off` first.
    pub levels: Vec<Level>,
    /// The level used when the request does not say.
    #[serde(serialize_with = "crate::static_name")]
    pub default_level: &'static str,
    /// `vllm` for the provider's own profile, `core` for OpenClaw's fallback.
    #[serde(serialize_with = "crate::static_name")]
    pub source: &'static str,
}

fn level(id: &'static str) -> Level {
    Level { id, label: None }
}

/// Matches `/\bnemotron-3(?:[-_](?:nano|super|ultra))?\b/i`.
pub fn is_nemotron3(id: &str) -> bool {
    let lower = id.to_ascii_lowercase();
    lower.match_indices("nemotron-3").any(|(at, m)| {
        let before_ok = at == 0 || !is_word(lower.as_bytes()[at - 1]);
        let rest = &lower[at + m.len()..];
        let after = rest.as_bytes().first().copied();
        before_ok && (after.is_none_or(|b| !is_word(b)) || ["-nano", "_nano", "-super", "_super", "-ultra", "_ultra"].iter().any(|s| rest.starts_with(s) && rest.as_bytes().get(s.len()).is_none_or(|b| !is_word(*b))))
    })
}

/// Whether a byte is part of a word (`\\w`).
pub fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The effort ladder a row allows: levels whose (mapped) effort is in `compat.supportedReasoningEfforts`.
pub fn ladder(model: &ModelDefinition) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if !compat_bool(model, "supportsReasoningEffort", true) {
        return out;
    }
    let supported = model.compat.as_ref().and_then(|c| c.get("supportedReasoningEfforts")).and_then(Value::as_array);
    let map = compat_map(model, "reasoningEffortMap");
    for l in LADDER {
        let effort = map.and_then(|m| m.get(*l)).and_then(Value::as_str).map_or(*l, str::trim);
        // Listed efforts count trimmed; a blank one matches nothing.
        if supported.is_some_and(|list| list.iter().any(|s| s.as_str().is_some_and(|s| !s.trim().is_empty() && s.trim() == effort))) {
            out.push((*l, effort.to_string()));
        }
    }
    out
}

/// The thinking profile of a model, as OpenClaw's vLLM plugin offers it (checklist 53), else the
/// core fallback (reasoning models default to `medium`, others offer only `off`).
pub fn thinking_profile(model: &ModelDefinition) -> ThinkingProfile {
    let qwen = qwen_format(model).is_some();
    let mut levels = vec![level("off")];
    if model.reasoning && (qwen || is_nemotron3(&model.id)) {
        let steps = ladder(model);
        if steps.is_empty() {
            levels.push(Level { id: "low", label: Some("on") });
        }
        for (l, _) in steps {
            levels.push(level(l));
        }
        return ThinkingProfile { levels, default_level: "off", source: "vllm" };
    }
    if model.reasoning {
        // minimal, low, medium, high
        for l in &LADDER[..4] {
            levels.push(level(l));
        }
        return ThinkingProfile { levels, default_level: "medium", source: "core" };
    }
    ThinkingProfile { levels, default_level: "off", source: "core" }
}

/// Sets each row's `thinking` (the levels a UI may offer), as the request path would see the row.
pub fn attach_thinking(rows: &mut [ModelDefinition]) {
    for row in rows {
        // The profile of the row with the Qwen rule applied, without copying the row.
        let written = row.reasoning;
        row.reasoning = reasoning_with_qwen_rule(row);
        row.thinking = Some(thinking_profile(row));
        row.reasoning = written;
    }
}

/// A vLLM row with the top-level Qwen thinking format (`compat.thinkingFormat: "qwen"`) and no
/// explicit `reasoning` is a reasoning model (checklist 54). A `qwen-chat-template` row is not: OpenClaw
/// 2026.9.6 treats it as a reasoning row only with `reasoning: true` (errata §0.1 item 8).
pub fn with_qwen_rule(mut model: ModelDefinition) -> ModelDefinition {
    model.reasoning = reasoning_with_qwen_rule(&model);
    model
}

fn reasoning_with_qwen_rule(model: &ModelDefinition) -> bool {
    model.reasoning || (model.origins.reasoning != Origin::Config && qwen_format(model) == Some(QwenFormat::TopLevel))
}

/// A compat flag as written on the row.
pub fn compat<'a>(model: &'a ModelDefinition, key: &str) -> Option<&'a Value> {
    model.compat.as_ref().and_then(|c| c.get(key))
}

/// A boolean compat flag, `default` when unset or not a boolean.
pub fn compat_bool(model: &ModelDefinition, key: &str, default: bool) -> bool {
    compat(model, key).and_then(Value::as_bool).unwrap_or(default)
}

/// The compat flag as a string.
pub fn compat_str<'a>(model: &'a ModelDefinition, key: &str) -> Option<&'a str> {
    compat(model, key).and_then(Value::as_str)
}

/// The compat flag as an object.
pub fn compat_map<'a>(model: &'a ModelDefinition, key: &str) -> Option<&'a Map<String, Value>> {
    compat(model, key).and_then(Value::as_object)
}

/// How a Qwen-style model takes its thinking switch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QwenFormat {
    /// `compat.thinkingFormat: "qwen-chat-template"`: inside `chat_template_kwargs`.
    ChatTemplate,
    /// `compat.thinkingFormat: "qwen"`: top-level `enable_thinking`.
    TopLevel,
}

/// The row's Qwen thinking format, if any.
pub fn qwen_format(model: &ModelDefinition) -> Option<QwenFormat> {
    match compat_str(model, "thinkingFormat")? {
        "qwen-chat-template" => Some(QwenFormat::ChatTemplate),
        "qwen" => Some(QwenFormat::TopLevel),
        _ => None,
    }
}


#[cfg(test)]
mod tests {
    /// The Rust sources under `dir` (a file or a folder), with their paths.
    fn sources(dir: &str) -> Vec<(String, String)> {
        let path = std::path::Path::new(dir);
        if path.is_file() {
            return vec![(dir.to_string(), std::fs::read_to_string(path).unwrap())];
        }
        std::fs::read_dir(path).unwrap().flat_map(|e| sources(&e.unwrap().path().to_string_lossy())).collect()
    }

    #[test]
    fn config_models_and_shaping_import_each_other_without_a_circle() {
        // shaping uses config and models; config uses models; models uses neither.
        let (shaping, config) = (["crate", "::shaping"].concat(), ["crate", "::config"].concat());
        for (dir, forbidden) in [("src/config", vec![&shaping]), ("src/models.rs", vec![&shaping, &config]), ("src/models", vec![&shaping, &config])] {
            for (file, text) in sources(dir) {
                for f in &forbidden {
                    assert!(!text.contains(f.as_str()), "{file} names {f}");
                }
            }
        }
    }
}
