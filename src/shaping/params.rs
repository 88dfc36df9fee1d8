//! Params (§5.6): the row's params, then `agents.defaults.models["vllm/<id>"].params`, then the
//! request's, merged key by key; the sampling fields they set, and the late body patches
//! (chat-template kwargs, `extraBody`, `store`, `parallel_tool_calls`).

use super::body::Body;
use super::notes::{Action, Notes};
use crate::models::ModelDefinition;
use serde_json::{Map, Value};

/// Keys that could reach `Object.prototype` in JavaScript; OpenClaw strips them.
const POISONED: &[&str] = &["__proto__", "prototype", "constructor"];

/// The output-cap spellings OpenClaw reads, in its order: a source's first non-negative number wins.
const MAX_TOKENS_KEYS: &[&str] = &["maxTokens", "max_tokens", "max_completion_tokens"];

/// snake_case spellings OpenClaw accepts, with their camelCase name. `top_p` is not one of them:
/// OpenClaw reads only `topP` (errata §0.1 item 7).
const ALIASES: &[(&str, &str)] = &[
    ("max_tokens", "maxTokens"),
    ("max_completion_tokens", "maxTokens"),
    ("frequency_penalty", "frequencyPenalty"),
    ("presence_penalty", "presencePenalty"),
    ("response_format", "responseFormat"),
    ("parallel_tool_calls", "parallelToolCalls"),
    ("chat_template_kwargs", "chatTemplateKwargs"),
    ("extra_body", "extraBody"),
    ("priority_scheduling", "priorityScheduling"),
    ("cache_retention", "cacheRetention"),
    ("prompt_cache_key", "promptCacheKey"),
    ("service_tier", "serviceTier"),
    ("reasoning_effort", "reasoningEffort"),
    ("qwen_thinking_format", "qwenThinkingFormat"),
];

/// Params this library reads; anything else is reported and ignored.
const KNOWN: &[&str] = &[
    "temperature", "topP", "seed", "stop", "frequencyPenalty", "presencePenalty", "responseFormat",
    "parallelToolCalls", "chatTemplateKwargs", "extraBody", "priorityScheduling", "cacheRetention", "promptCacheKey",
    "transport", "cachedContent",
];

/// OpenAI request fields a native client may send and OpenClaw never sends to vLLM.
const NEVER_SENT: &[(&str, &str)] = &[
    ("store", "OpenClaw never sends store to a proxy-style server such as vLLM, which does not keep responses."),
    ("serviceTier", "service_tier is only sent to OpenAI's own endpoints; vLLM has no service tiers."),
    ("user", "OpenClaw does not send the user field to vLLM, which ignores it."),
    ("metadata", "OpenClaw does not send metadata to vLLM, which ignores it."),
    ("reasoningEffort", "reasoning_effort is not sent as a param; use the request's thinking level, which is mapped per model."),
    ("logprobs", "OpenClaw does not request logprobs from vLLM; put it under extraBody to ask for them."),
    ("n", "OpenClaw always asks for a single choice; put n under extraBody to ask for more."),
    ("qwenThinkingFormat", "qwenThinkingFormat is a legacy param that OpenClaw no longer reads; set compat.thinkingFormat on the model row instead."),
    ("top_p", "The param top_p was ignored because OpenClaw reads only topP."),
];

fn canonical(key: &str) -> &str {
    ALIASES.iter().find(|(snake, _)| *snake == key).map_or(key, |(_, camel)| camel)
}

/// Removes prototype-poisoning keys, at every depth of objects.
pub fn strip_poisoned(map: &mut Map<String, Value>) {
    for k in POISONED {
        map.shift_remove(*k);
    }
    for v in map.values_mut() {
        if let Value::Object(inner) = v {
            strip_poisoned(inner);
        }
    }
}

/// The merged params of one request.
#[derive(Debug, Default)]
pub struct Params {
    /// Every other param, in its camelCase name (the max-tokens spellings are read into the caps).
    pub map: Map<String, Value>,
    /// The output cap the request's or the agents' params ask for (the request's first): clamped to
    /// the row's `maxTokens`, as OpenClaw clamps a run's own cap.
    pub asked_cap: Option<u64>,
    /// The row's own `params.maxTokens` (provider `params` included): only the context budget clamps
    /// it, even above the row's `maxTokens` (errata §0.1 item 4).
    pub row_cap: Option<u64>,
}

/// A source's output cap: its first max-tokens spelling holding a non-negative number.
fn cap_of(source: Option<&Map<String, Value>>) -> Option<u64> {
    let source = source?;
    MAX_TOKENS_KEYS.iter().find_map(|k| source.get(*k).and_then(Value::as_f64).filter(|n| n.is_finite() && *n >= 0.0)).map(|n| n.trunc() as u64)
}

/// The row's params, then the agents' params for this model, then the request's, key by key, each
/// key in its camelCase name (later sources win).
pub fn merge(model: &ModelDefinition, agent: Option<&Map<String, Value>>, request: Option<&Map<String, Value>>, notes: &mut Notes) -> Params {
    let mut merged = Map::new();
    for &source in [model.params.as_ref(), agent, request].iter().flatten() {
        for (k, v) in source {
            if POISONED.contains(&k.as_str()) {
                continue;
            }
            merged.insert(canonical(k).to_string(), v.clone());
        }
    }
    // The max-tokens spellings are read per source into the caps below.
    merged.shift_remove("maxTokens");
    strip_poisoned(&mut merged);
    // Removed by `&str` (`key.as_str()`): by `&String` the map's removal would be compiled twice.
    let keys: Vec<String> = merged.keys().cloned().collect();
    for key in keys {
        if let Some((_, why)) = NEVER_SENT.iter().find(|(k, _)| *k == key) {
            notes.push(snake(&key), Action::Dropped, *why);
            merged.shift_remove(key.as_str());
        } else if !KNOWN.contains(&key.as_str()) {
            notes.push(
                format!("params.{key}"),
                Action::Dropped,
                format!("The param \"{key}\" is not one OpenClaw forwards to vLLM, so it was ignored; put it under extraBody to send it as a body field."),
            );
            merged.shift_remove(key.as_str());
        }
    }
    Params { map: merged, asked_cap: cap_of(request).or_else(|| cap_of(agent)), row_cap: cap_of(model.params.as_ref()) }
}

fn snake(camel: &str) -> String {
    ALIASES.iter().find(|(_, c)| *c == camel).map_or_else(|| camel.to_string(), |(s, _)| s.to_string())
}

fn number(v: &Value) -> Option<Value> {
    v.as_f64().filter(|n| n.is_finite()).map(|_| v.clone())
}

/// Adds the sampling fields (§5.3 item 8, with the `response_format` decided by [`response_format`]).
pub fn sampling(params: &Map<String, Value>, body: &mut Body, notes: &mut Notes, response_format: Option<Value>) {
    let mut num = |key: &str, wire: &'static str, body: &mut Body| {
        if let Some(v) = params.get(key) {
            match number(v) {
                Some(n) => body.sampling.push((wire, n)),
                None => notes.push(wire, Action::Dropped, format!("The param {key} was ignored because it is not a finite number.")),
            }
        }
    };
    num("temperature", "temperature", body);
    num("topP", "top_p", body);
    if let Some(rf) = response_format {
        body.sampling.push(("response_format", rf));
    }
    num("frequencyPenalty", "frequency_penalty", body);
    num("presencePenalty", "presence_penalty", body);
    if let Some(seed) = params.get("seed") {
        match seed.as_i64() {
            Some(_) => body.sampling.push(("seed", seed.clone())),
            None => notes.push("seed", Action::Dropped, "The param seed was ignored because it is not an integer."),
        }
    }
    match params.get("stop") {
        Some(Value::String(s)) => body.sampling.push(("stop", Value::Array(vec![Value::String(s.clone())]))),
        Some(Value::Array(a)) if !a.is_empty() && a.iter().all(Value::is_string) => body.sampling.push(("stop", Value::Array(a.clone()))),
        Some(Value::Array(a)) if a.is_empty() => {}
        Some(_) => notes.push("stop", Action::Dropped, "The param stop was ignored because it is neither a string nor a list of strings."),
        None => {}
    }
}

/// `response_format` rules (§5.5): OpenAI shapes pass; a bare JSON Schema is wrapped only when the
/// model row says the server takes `json_schema`.
pub fn response_format(model: &ModelDefinition, params: &Map<String, Value>, notes: &mut Notes) -> Option<Value> {
    let rf = params.get("responseFormat")?;
    let kind = rf.get("type").and_then(Value::as_str);
    match kind {
        Some("json_object" | "text") => Some(rf.clone()),
        Some("json_schema") if rf.get("json_schema").is_some_and(Value::is_object) => Some(rf.clone()),
        _ if rf.is_object() && super::model::compat_bool(model, "supportsJsonSchemaResponseFormat", false) => {
            notes.push("response_format", Action::Renamed, "The bare JSON Schema was wrapped as {type: \"json_schema\", json_schema: {name: \"openclaw_response\", schema}} because the model row sets compat.supportsJsonSchemaResponseFormat.");
            let mut schema = Map::new();
            schema.insert("name".to_string(), Value::from("openclaw_response"));
            schema.insert("schema".to_string(), rf.clone());
            let mut wrapped = Map::new();
            wrapped.insert("type".to_string(), Value::from("json_schema"));
            wrapped.insert("json_schema".to_string(), Value::Object(schema));
            Some(Value::Object(wrapped))
        }
        _ => {
            notes.push("response_format", Action::Dropped, "The response format was left out: a bare JSON Schema is only sent when compat.supportsJsonSchemaResponseFormat is set; pass {type: \"json_schema\", json_schema: {...}} or {type: \"json_object\"} instead.");
            None
        }
    }
}

/// Steps 4–7 of §5.6, in order: chat-template kwargs, `extraBody`, `store` removal, `parallel_tool_calls`.
pub fn late_patches(params: &Map<String, Value>, body: &mut Body, notes: &mut Notes) {
    if let Some(v) = params.get("chatTemplateKwargs") {
        match v.as_object() {
            Some(kwargs) => {
                let merged = body.chat_template_kwargs.get_or_insert_with(Map::new);
                for (k, v) in kwargs {
                    merged.insert(k.clone(), v.clone());
                }
            }
            None => notes.push("chat_template_kwargs", Action::Dropped, "The param chatTemplateKwargs was ignored because it is not an object."),
        }
    }
    if let Some(v) = params.get("extraBody") {
        match v.as_object() {
            Some(extra) => {
                let mut managed: Vec<&str> = Vec::new();
                for &k in &["messages", "model", "stream"] {
                    if extra.contains_key(k) {
                        managed.push(k);
                    }
                }
                if !managed.is_empty() {
                    notes.push(crate::join::join(&managed, ","), Action::Overridden, format!("extraBody overrides framework-managed request keys: {}; the request may no longer match the conversation.", crate::join::join(&managed, ", ")));
                }
                let built = body.built_keys();
                for k in extra.keys() {
                    if built.contains(&k.as_str()) && !managed.contains(&k.as_str()) {
                        notes.push(k.clone(), Action::Overridden, format!("extraBody sets {k}, replacing the value built from the request, because extraBody is applied last."));
                    } else if !managed.contains(&k.as_str()) && k != "store" {
                        notes.push(k.clone(), Action::Added, format!("extraBody adds {k} to the body as given."));
                    }
                }
                body.extra = extra.clone();
            }
            None => notes.push("extra_body", Action::Dropped, "The param extraBody was ignored because it is not an object."),
        }
    }
    if body.extra.contains_key("store") {
        notes.push("store", Action::Dropped, "store is removed even from extraBody: OpenClaw never sends it to a server that is not OpenAI's own.");
    }
    match params.get("parallelToolCalls") {
        None | Some(Value::Null) => {
            let has_tools = body.tools.is_some() || body.extra.contains_key("tools");
            if has_tools && !body.extra.contains_key("parallel_tool_calls") {
                notes.push("parallel_tool_calls", Action::Dropped, "parallel_tool_calls is not sent, so vLLM's default (parallel calls allowed) applies; set the parallelToolCalls param to choose.");
            }
        }
        Some(Value::Bool(b)) => body.parallel_tool_calls = Some(*b),
        Some(other) => notes.push("parallel_tool_calls", Action::Dropped, format!("The param parallelToolCalls was ignored because {} is not true, false or null.", crate::json::to_string(other))),
    }
}
