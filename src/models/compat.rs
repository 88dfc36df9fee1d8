//! The `compat` flags of a row: OpenClaw's vLLM defaults and how written flags override them.

use serde_json::{Map, Value};

/// OpenClaw's effective `compat` defaults for a vLLM endpoint (§5.2: configured, proxy-like, family
/// `vllm`, streaming usage from the manifest).
pub const VLLM_COMPAT_DEFAULTS: &[(&str, CompatDefault)] = &[
    ("supportsStore", CompatDefault::Bool(false)),
    ("supportsDeveloperRole", CompatDefault::Bool(false)),
    ("supportsReasoningEffort", CompatDefault::Bool(false)),
    ("supportsUsageInStreaming", CompatDefault::Bool(true)),
    ("maxTokensField", CompatDefault::Str("max_completion_tokens")),
    ("thinkingFormat", CompatDefault::Str("openai")),
    ("visibleReasoningDetailTypes", CompatDefault::EmptyList),
    ("supportsStrictMode", CompatDefault::Bool(false)),
    ("supportsJsonSchemaResponseFormat", CompatDefault::Bool(false)),
    ("requiresReasoningContentOnAssistantMessages", CompatDefault::Bool(false)),
    ("supportsPromptCacheKey", CompatDefault::Bool(false)),
    ("supportsLongCacheRetention", CompatDefault::Bool(true)),
    ("supportsTools", CompatDefault::Bool(true)),
    ("sendSessionAffinityHeaders", CompatDefault::Bool(false)),
    ("requiresToolResultName", CompatDefault::Bool(false)),
    ("requiresAssistantAfterToolResult", CompatDefault::Bool(false)),
    ("requiresThinkingAsText", CompatDefault::Bool(false)),
    ("zaiToolStream", CompatDefault::Bool(false)),
    ("requiresStringContent", CompatDefault::Bool(false)),
    ("strictMessageKeys", CompatDefault::Bool(false)),
];

/// A default value in [`VLLM_COMPAT_DEFAULTS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompatDefault {
    /// A flag.
    Bool(bool),
    /// A string choice.
    Str(&'static str),
    /// An empty list.
    EmptyList,
}

/// The effective compat of a row: every written flag (`configured ?? default`, so explicit values
/// always win, as in OpenClaw's release), then the vLLM defaults for the rest.
pub fn effective_compat(written: Option<&Map<String, Value>>) -> Map<String, Value> {
    let mut out = written.cloned().unwrap_or_default();
    for (key, default) in VLLM_COMPAT_DEFAULTS {
        out.entry(key.to_string()).or_insert_with(|| match default {
            CompatDefault::Bool(b) => Value::Bool(*b),
            CompatDefault::Str(s) => Value::String(s.to_string()),
            CompatDefault::EmptyList => Value::Array(Vec::new()),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compat_defaults_fill_only_what_is_not_written() {
        let written = json!({"supportsDeveloperRole": true, "maxTokensField": "max_tokens"});
        let c = effective_compat(written.as_object());
        assert_eq!((c["supportsDeveloperRole"].as_bool(), c["maxTokensField"].as_str()), (Some(true), Some("max_tokens")));
        assert_eq!((c["supportsUsageInStreaming"].as_bool(), c["supportsStore"].as_bool()), (Some(true), Some(false)));
        assert_eq!(c["thinkingFormat"], "openai");
        assert_eq!(effective_compat(None).len(), VLLM_COMPAT_DEFAULTS.len());
    }
}
