//! Model rows of `models.providers.vllm.models[]` (OpenClaw's strict model definition and `compat`).

use super::headers::{read_model_headers, HeaderValue};
use super::reader::{expected, join, Obj};
use super::schema::check_api;
use super::Diagnostic;
use crate::error::ProviderError;
use crate::models::{Cost, ModelDefinition, ModelSource, Origin, Origins, CONFIGURED_DEFAULT_CONTEXT_WINDOW};
use serde_json::{Map, Value};

const MODEL_KEYS: &[&str] = &[
    "id", "name", "api", "baseUrl", "reasoning", "input", "cost", "contextWindow", "contextTokens", "maxTokens",
    "thinkingLevelMap", "params", "agentRuntime", "headers", "compat", "mediaInput", "metadataSource",
];
const COMPAT_BOOLS: &[&str] = &[
    "supportsStore", "supportsPromptCacheKey", "supportsResponsesContinuation", "supportsDeveloperRole",
    "supportsReasoningEffort", "supportsTemperature", "supportsInstructions", "supportsUsageInStreaming", "supportsTools",
    "supportsStrictMode", "supportsJsonSchemaResponseFormat", "requiresStringContent", "strictMessageKeys",
    "requiresToolResultName", "requiresAssistantAfterToolResult", "requiresThinkingAsText",
    "requiresReasoningContentOnAssistantMessages", "requiresOpenAiAnthropicToolPayload", "zaiToolStream",
    "sendSessionAffinityHeaders", "sendSessionIdHeader", "supportsEagerToolInputStreaming", "supportsLongCacheRetention",
];
const COMPAT_ENUMS: &[(&str, &[&str])] = &[
    ("codeMode", &["preferred", "capable"]),
    ("maxTokensField", &["max_completion_tokens", "max_tokens"]),
    ("thinkingFormat", &["openai", "openrouter", "deepseek", "together", "qwen", "qwen-chat-template", "zai"]),
    ("cacheControlFormat", &["anthropic"]),
];
const COMPAT_STRING_LISTS: &[&str] = &["visibleReasoningDetailTypes", "supportedReasoningEfforts", "unsupportedToolSchemaKeywords"];
const COMPAT_FREE: &[&str] = &["reasoningEffortMap", "toolSchemaProfile", "toolCallArgumentsEncoding", "openRouterRouting", "vercelGatewayRouting"];
const THINKING_LEVELS: &[&str] = &["off", "minimal", "low", "medium", "high", "xhigh", "max"];

/// Reads one row. `provider_max_tokens` and `provider_params` are the provider-level defaults.
pub fn read_model(
    m: &Map<String, Value>,
    path: &str,
    provider_max_tokens: Option<u64>,
    provider_params: Option<&Map<String, Value>>,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(ModelDefinition, Vec<HeaderValue>), ProviderError> {
    let o = Obj { map: m, path };
    o.only_keys(MODEL_KEYS)?;
    let id = o.opt_nonempty_str("id")?.ok_or_else(|| missing(path, "id"))?.trim().to_string();
    let name = o.opt_nonempty_str("name")?.ok_or_else(|| missing(path, "name"))?.to_string();
    if let Some(api) = o.opt_str("api")? {
        check_api(api, &join(path, "api"))?;
    }
    if o.opt_nonempty_str("baseUrl")?.is_some() {
        warnings.push(Diagnostic::warning(&join(path, "baseUrl"), "a per-model baseUrl is not used by this library; requests go to the provider's baseUrl"));
    }
    let input = match o.opt_array("input")? {
        None => vec!["text".to_string()],
        Some(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v.as_str() {
                Some(s) if crate::models::INPUT_KINDS.contains(&s) => Ok(s.to_string()),
                _ => Err(expected(&format!("{path}.input[{i}]"), "one of \"text\", \"image\", \"video\", \"audio\"", v)),
            })
            .collect::<Result<_, _>>()?,
    };
    let written_window = o.opt_positive("contextWindow")?.map(|x| (x as u64).max(1));
    let context_window = written_window.unwrap_or(CONFIGURED_DEFAULT_CONTEXT_WINDOW);
    let written_max = o.opt_positive("maxTokens")?.map(|x| (x as u64).max(1)).or(provider_max_tokens);
    let mut compat = match o.opt_obj("compat")? {
        Some((c, cpath)) => Some(read_compat(c, &cpath)?),
        None => None,
    };
    let mut params = o.opt_obj("params")?.map(|(p, _)| p.clone());
    let migrated = migrate_legacy_qwen(&mut params, &mut compat, path, warnings);
    if let Some(base) = provider_params {
        let mut merged = base.clone();
        merged.extend(params.unwrap_or_default());
        params = Some(merged);
    }
    let written_reasoning = o.opt_bool("reasoning")?;
    let qwen = migrated || is_top_level_qwen(compat.as_ref());
    let reasoning = written_reasoning.unwrap_or(qwen);
    read_extras(&o)?;
    let headers = read_model_headers(&o, warnings)?;
    let config_if = |b: bool| if b { Origin::Config } else { Origin::Default };
    let model = ModelDefinition {
        id,
        name,
        reasoning,
        input,
        cost: read_cost(&o)?,
        context_window,
        max_tokens: written_max.map(|t| t.min(context_window)),
        context_tokens: o.opt_positive_int("contextTokens")?,
        compat,
        params,
        source: ModelSource::Config,
        parent: None,
        origins: Origins {
            context_window: config_if(written_window.is_some()),
            max_tokens: config_if(written_max.is_some()),
            reasoning: config_if(written_reasoning.is_some() || qwen),
            input: config_if(m.contains_key("input")),
        },
        thinking: None,
    };
    Ok((model, headers))
}

/// Fields validated but not used by this library.
fn read_extras(o: &Obj) -> Result<(), ProviderError> {
    if let Some((t, tpath)) = o.opt_obj("thinkingLevelMap")? {
        let to = Obj { map: t, path: &tpath };
        to.only_keys(THINKING_LEVELS)?;
        if let Some((k, v)) = t.iter().find(|(_, v)| !(v.is_string() || v.is_null())) {
            return Err(expected(&join(&tpath, k), "a string or null", v));
        }
    }
    if let Some((a, apath)) = o.opt_obj("agentRuntime")? {
        let ao = Obj { map: a, path: &apath };
        ao.only_keys(&["id"])?;
        ao.opt_str("id")?;
    }
    if let Some((mi, mpath)) = o.opt_obj("mediaInput")? {
        let mo = Obj { map: mi, path: &mpath };
        mo.only_keys(&["image"])?;
        if let Some((img, ipath)) = mo.opt_obj("image")? {
            let io = Obj { map: img, path: &ipath };
            io.only_keys(&["maxBytes", "maxPixels", "maxSidePx", "preferredSidePx", "tokenMode"])?;
            for k in ["maxBytes", "maxPixels", "maxSidePx", "preferredSidePx"] {
                io.opt_positive(k)?;
            }
            if let Some(mode) = io.opt_str("tokenMode")? {
                one_of(mode, &["tile", "detail", "provider"], &join(&ipath, "tokenMode"))?;
            }
        }
    }
    if let Some(src) = o.opt_str("metadataSource")? {
        one_of(src, &["models-add"], &join(o.path, "metadataSource"))?;
    }
    Ok(())
}

fn one_of(value: &str, allowed: &[&str], path: &str) -> Result<(), ProviderError> {
    if allowed.contains(&value) {
        return Ok(());
    }
    let list = crate::join::join(&allowed.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>(), ", ");
    Err(ProviderError::config_at(path, format!("{path}: expected one of {list}, got \"{value}\""), format!("Set {path} to one of {list}.")))
}

/// `compat` is strict: every known flag with its type.
fn read_compat(c: &Map<String, Value>, path: &str) -> Result<Map<String, Value>, ProviderError> {
    for (k, v) in c {
        let kpath = join(path, k);
        if COMPAT_BOOLS.contains(&k.as_str()) {
            if !v.is_boolean() {
                return Err(expected(&kpath, "a boolean", v));
            }
        } else if let Some((_, allowed)) = COMPAT_ENUMS.iter().find(|(name, _)| name == k) {
            match v.as_str() {
                Some(s) => one_of(s, allowed, &kpath)?,
                None => return Err(expected(&kpath, "a string", v)),
            }
        } else if COMPAT_STRING_LISTS.contains(&k.as_str()) {
            if !v.as_array().is_some_and(|a| a.iter().all(Value::is_string)) {
                return Err(expected(&kpath, "an array of strings", v));
            }
        } else if k == "reasoningEffortMap" {
            if !v.as_object().is_some_and(|m| m.values().all(Value::is_string)) {
                return Err(expected(&kpath, "an object of strings", v));
            }
        } else if !COMPAT_FREE.contains(&k.as_str()) {
            let o = Obj { map: c, path };
            let mut all: Vec<&str> = COMPAT_BOOLS.to_vec();
            all.extend(COMPAT_ENUMS.iter().map(|(n, _)| *n));
            all.extend(COMPAT_STRING_LISTS);
            all.extend(COMPAT_FREE);
            return o.only_keys(&all).map(|_| c.clone());
        }
    }
    Ok(c.clone())
}

/// OpenClaw's doctor migration: `params.qwenThinkingFormat` / `qwen_thinking_format` become
/// `compat.thinkingFormat`, and `reasoning` defaults to true; says whether it migrated one.
fn migrate_legacy_qwen(params: &mut Option<Map<String, Value>>, compat: &mut Option<Map<String, Value>>, path: &str, warnings: &mut Vec<Diagnostic>) -> bool {
    let mut migrated = false;
    let Some(p) = params.as_mut() else { return false };
    for key in ["qwenThinkingFormat", "qwen_thinking_format"] {
        let Some(v) = p.remove(key) else { continue };
        let format = match v.as_str().map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            Some("chat-template" | "chat-template-kwargs" | "chat_template_kwargs" | "kwargs" | "qwen-chat-template") => "qwen-chat-template",
            Some("enable-thinking" | "qwen" | "request-body" | "top-level") => "qwen",
            _ => {
                warnings.push(Diagnostic::warning(&format!("{path}.params.{key}"), format!("params.{key} is a legacy key with an unknown value; it is ignored")));
                continue;
            }
        };
        let c = compat.get_or_insert_with(Map::new);
        c.entry("thinkingFormat").or_insert_with(|| Value::String(format.to_string()));
        migrated = true;
        warnings.push(Diagnostic::warning(
            &format!("{path}.params.{key}"),
            format!("params.{key} is a legacy key: read as compat.thinkingFormat \"{format}\" (move it there, as `openclaw doctor` does)"),
        ));
    }
    migrated
}

/// A vLLM row with the top-level Qwen thinking format and no explicit `reasoning` is a reasoning
/// model. A `qwen-chat-template` row is one only with `reasoning: true` (errata §0.1 item 8).
fn is_top_level_qwen(compat: Option<&Map<String, Value>>) -> bool {
    compat.and_then(|c| c.get("thinkingFormat")).and_then(Value::as_str) == Some("qwen")
}

fn read_cost(o: &Obj) -> Result<Cost, ProviderError> {
    let Some((c, cpath)) = o.opt_obj("cost")? else { return Ok(Cost::default()) };
    let co = Obj { map: c, path: &cpath };
    co.only_keys(&["input", "output", "cacheRead", "cacheWrite", "tieredPricing"])?;
    let n = |map: &Map<String, Value>, p: &str, k: &str| -> Result<f64, ProviderError> {
        match map.get(k) {
            None => Ok(0.0),
            Some(v) => v.as_f64().filter(|x| *x >= 0.0 && x.is_finite()).ok_or_else(|| expected(&join(p, k), "a number of at least 0", v)),
        }
    };
    if let Some(tiers) = co.opt_array("tieredPricing")? {
        for (i, t) in tiers.iter().enumerate() {
            let tpath = format!("{cpath}.tieredPricing[{i}]");
            let Value::Object(tm) = t else { return Err(expected(&tpath, "an object", t)) };
            Obj { map: tm, path: &tpath }.only_keys(&["input", "output", "cacheRead", "cacheWrite", "range"])?;
            for k in ["input", "output", "cacheRead", "cacheWrite"] {
                n(tm, &tpath, k)?;
            }
            let range_ok = tm.get("range").and_then(Value::as_array).is_some_and(|r| {
                (1..=2).contains(&r.len()) && r.iter().all(|x| x.as_f64().is_some_and(|x| x >= 0.0 && x.is_finite()))
            });
            if !range_ok {
                return Err(expected(&join(&tpath, "range"), "[from, to] or [from] (numbers of at least 0)", tm.get("range").unwrap_or(&Value::Null)));
            }
        }
    }
    Ok(Cost { input: n(c, &cpath, "input")?, output: n(c, &cpath, "output")?, cache_read: n(c, &cpath, "cacheRead")?, cache_write: n(c, &cpath, "cacheWrite")? })
}

fn missing(path: &str, key: &str) -> ProviderError {
    ProviderError::config_at(
        &join(path, key),
        format!("{}: required", join(path, key)),
        format!("Every model row needs \"{key}\" (OpenClaw's schema requires id and name)."),
    )
}
