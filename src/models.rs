//! Model definitions: the rows a provider offers, declared in config or discovered from `/v1/models`.

pub mod thinking;

use crate::name_index::NameIndex;
use crate::wire::{object_sink, List, Number};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// OpenClaw's context window for discovered rows without any context field.
pub const DISCOVERED_DEFAULT_CONTEXT_WINDOW: u64 = 128_000;
/// OpenClaw's output cap for discovered rows.
pub const DISCOVERED_DEFAULT_MAX_TOKENS: u64 = 8_192;
/// OpenClaw's context window for configured rows that declare none.
pub const CONFIGURED_DEFAULT_CONTEXT_WINDOW: u64 = 200_000;
/// OpenClaw's output cap for configured rows that declare none (errata §0.1 item 3); ids that are
/// neither declared nor discovered get no cap at all.
pub const CONFIGURED_DEFAULT_MAX_TOKENS: u64 = 8_192;

/// Per-token prices (always zero for a self-hosted server unless configured).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cost {
    /// Input price.
    pub input: f64,
    /// Output price.
    pub output: f64,
    /// Cache-read price.
    pub cache_read: f64,
    /// Cache-write price.
    pub cache_write: f64,
}

/// Where a row came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelSource {
    /// Declared in `models.providers.vllm.models`.
    Config,
    /// Listed by the server only.
    Discovered,
    /// Declared and also listed by the server.
    Merged,
}

impl ModelSource {
    /// The name JSON and JS see.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelSource::Config => "config",
            ModelSource::Discovered => "discovered",
            ModelSource::Merged => "merged",
        }
    }
}

serialize_as_str!(ModelSource);

/// One model the provider offers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelDefinition {
    /// Provider-local id, as the server serves it.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Whether the model emits reasoning.
    pub reasoning: bool,
    /// Accepted input kinds.
    pub input: Vec<String>,
    /// Prices.
    pub cost: Cost,
    /// Native context window in tokens.
    pub context_window: u64,
    /// Output cap in tokens.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub max_tokens: Option<u64>,
    /// Effective runtime context cap.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub context_tokens: Option<u64>,
    /// Compatibility flags.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub compat: Option<Map<String, Value>>,
    /// Per-model params.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub params: Option<Map<String, Value>>,
    /// Where the row came from.
    pub source: ModelSource,
    /// A LoRA adapter's base model (the server's `parent`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub parent: Option<String>,
    /// Where each merged field's value came from (beyond OpenClaw: provenance).
    #[serde(default)]
    pub origins: Origins,
    /// The thinking levels a UI may offer for this row (beyond OpenClaw's config: derived from the row by
    /// [`thinking::thinking_profile`]); set on the rows `describe()`, discovery and the catalog return.
    #[serde(skip_serializing_if = "Option::is_none", skip_deserializing)]
    pub thinking: Option<thinking::ThinkingProfile>,
}

/// Where a field's value came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// Written in the config (on the row, or the provider's `maxTokens`).
    Config,
    /// Stated by the server's `/v1/models` row (or its LoRA parent's).
    Server,
    /// OpenClaw's default or heuristic.
    #[default]
    Default,
}

impl Origin {
    /// The name JSON and JS see.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Config => "config",
            Origin::Server => "server",
            Origin::Default => "default",
        }
    }
}

serialize_as_str!(Origin);

/// Provenance of the fields that config and server can both set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Origins {
    /// `contextWindow`.
    pub context_window: Origin,
    /// `maxTokens`.
    pub max_tokens: Origin,
    /// `reasoning` (`default`: the id heuristic or the model's defaults).
    pub reasoning: Origin,
    /// `input`.
    pub input: Origin,
}

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

/// OpenClaw's reasoning guess for discovered ids: `/r1|reasoning|think|reason/i`.
pub fn looks_like_reasoning(id: &str) -> bool {
    // Compared in place, ASCII case folded (what the lower-cased copy matched), with no copy and no
    // substring searcher built per pattern, and only where an `r` or a `t` starts a pattern:
    // discovery asks this of every row.
    let id = id.as_bytes();
    (0..id.len()).filter(|&i| matches!(id[i] | 0x20, b'r' | b't')).any(|i| {
        ["r1", "reasoning", "think", "reason"].iter().any(|p| id[i..].get(..p.len()).is_some_and(|w| w.eq_ignore_ascii_case(p.as_bytes())))
    })
}

/// The first positive finite number, truncated to an integer.
fn positive_int(n: Number) -> Option<u64> {
    let n = n.0?;
    (n.is_finite() && n >= 1.0).then(|| n.trunc() as u64)
}

/// One row of a `/v1/models` body, as far as OpenClaw reads it.
#[derive(Debug, Default)]
pub(crate) struct Card<'a> {
    object: bool,
    id: Option<Cow<'a, str>>,
    parent: Option<Cow<'a, str>>,
    /// `meta.n_ctx_train`, when `meta` is an object.
    n_ctx_train: Meta,
    context_length: Number,
    context_window: Number,
    context_size: Number,
    max_model_len: Number,
}

object_sink!(impl<'de> for Card<'de>, object: object {
    "id" => id, "parent" => parent, "meta" => n_ctx_train, "context_length" => context_length,
    "context_window" => context_window, "context_size" => context_size, "max_model_len" => max_model_len,
});

/// `meta`: its `n_ctx_train`.
#[derive(Debug, Default)]
struct Meta {
    n_ctx_train: Number,
}

object_sink!(impl<'de> for Meta { "n_ctx_train" => n_ctx_train });

/// A `/v1/models` body: its `data` rows, when `data` is an array.
#[derive(Debug, Default)]
pub(crate) struct ModelList<'a> {
    pub(crate) data: List<Card<'a>>,
}

object_sink!(impl<'de> for ModelList<'de> { "data" => data });

impl Card<'_> {
    /// The row's own context window: `meta.n_ctx_train` (with `meta`), then `context_length`,
    /// `context_window`, `context_size`, `max_model_len` (checklist 6–10).
    fn own_context_window(&self, with_meta: bool) -> Option<u64> {
        let meta = if with_meta { positive_int(self.n_ctx_train.n_ctx_train) } else { None };
        meta.or_else(|| [self.context_length, self.context_window, self.context_size, self.max_model_len].into_iter().find_map(positive_int))
    }

    fn trimmed_id(&self) -> Option<&str> {
        self.id.as_deref().map(str::trim).filter(|id| !id.is_empty())
    }

    fn trimmed_parent(&self) -> Option<&str> {
        self.parent.as_deref().map(str::trim).filter(|p| !p.is_empty())
    }
}

/// Maps the `data` rows of a `/v1/models` body to model definitions as OpenClaw does: rows without a
/// non-blank string id are skipped; a LoRA row with no window of its own inherits its direct parent's
/// top-level window (never `meta`, never a grandparent, `root` ignored).
pub fn map_discovered_rows(rows: &[Value]) -> Vec<ModelDefinition> {
    let text = crate::json::to_string(&Value::Array(rows.to_vec()));
    map_cards(crate::wire::parse::<List<Card>>(&text).ok().and_then(|l| l.0).unwrap_or_default())
}

/// [`map_discovered_rows`] for rows read from the wire. Parents are found by id in constant time.
pub(crate) fn map_cards(cards: Vec<Card>) -> Vec<ModelDefinition> {
    let objects: Vec<Card> = cards.into_iter().filter(|c| c.object).collect();
    // The first row holding each id is the one a LoRA row's parent names. Only the ids some row names
    // as its parent are indexed (`NONE` until that row is found): most rows are nobody's parent.
    const NONE: usize = usize::MAX;
    let mut by_id = NameIndex::new();
    for row in &objects {
        if let Some(parent) = row.trimmed_parent() {
            by_id.first(parent, NONE);
        }
    }
    for (i, row) in objects.iter().enumerate() {
        if let Some(id) = row.trimmed_id().filter(|id| by_id.get(id) == Some(NONE)) {
            by_id.set(id, i);
        }
    }
    let mut out = Vec::with_capacity(objects.len());
    for row in &objects {
        let Some(id) = row.trimmed_id() else { continue };
        let parent = row.trimmed_parent();
        let inherited = || objects.get(by_id.get(parent.filter(|p| *p != id)?)?)?.own_context_window(false);
        let stated = row.own_context_window(true).or_else(inherited);
        let context_window = stated.unwrap_or(DISCOVERED_DEFAULT_CONTEXT_WINDOW);
        out.push(ModelDefinition {
            id: id.to_string(),
            name: id.to_string(),
            reasoning: looks_like_reasoning(id),
            input: vec!["text".to_string()],
            cost: Cost::default(),
            context_window,
            max_tokens: Some(DISCOVERED_DEFAULT_MAX_TOKENS),
            context_tokens: None,
            compat: None,
            params: None,
            source: ModelSource::Discovered,
            parent: parent.map(str::to_string),
            origins: Origins {
                context_window: if stated.is_some() { Origin::Server } else { Origin::Default },
                ..Origins::default()
            },
            thinking: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows(v: Value) -> Vec<ModelDefinition> {
        map_discovered_rows(v.as_array().unwrap())
    }

    #[test]
    fn max_model_len_becomes_the_context_window() {
        let m = rows(json!([{"id":"Qwen/Qwen3-8B","max_model_len":32768}]));
        assert_eq!(m[0].id, "Qwen/Qwen3-8B");
        assert_eq!(m[0].name, "Qwen/Qwen3-8B");
        assert_eq!(m[0].context_window, 32768);
        assert_eq!(m[0].max_tokens, Some(8192));
        assert!(!m[0].reasoning);
        assert_eq!(m[0].input, vec!["text"]);
    }

    #[test]
    fn row_without_context_fields_gets_128000() {
        assert_eq!(rows(json!([{"id":"x"}]))[0].context_window, 128_000);
    }

    #[test]
    fn lora_row_inherits_its_parents_window() {
        let m = rows(json!([{"id":"base","max_model_len":16384},{"id":"lora1","parent":"base","max_model_len":null}]));
        assert_eq!(m[1].context_window, 16384);
        assert_eq!(m[1].parent.as_deref(), Some("base"));
    }

    #[test]
    fn meta_wins_then_the_documented_field_order() {
        assert_eq!(rows(json!([{"id":"x","meta":{"n_ctx_train":24576},"max_model_len":16384}]))[0].context_window, 24576);
        let m = rows(json!([{"id":"y","context_length":200000,"context_window":100000,"context_size":50000}]));
        assert_eq!(m[0].context_window, 200000);
    }

    #[test]
    fn parent_inheritance_limits() {
        let m = rows(json!([
            {"id":"Parent","max_model_len":8192},
            {"id":"case","parent":"parent"},
            {"id":"self","parent":"self"},
            {"id":"gp","max_model_len":4096},
            {"id":"middle","parent":"gp"},
            {"id":"child","parent":"middle"},
            {"id":"rooted","root":"Parent"},
            {"id":"metaonly","meta":{"n_ctx_train":6144}},
            {"id":"kid","parent":"metaonly"},
            {"id":"zero","max_model_len":0},
            {"id":"zkid","parent":" zero "}
        ]));
        let w = |id: &str| m.iter().find(|r| r.id == id).unwrap().context_window;
        assert_eq!(w("case"), 128_000);
        assert_eq!(w("self"), 128_000);
        assert_eq!(w("middle"), 4096);
        assert_eq!(w("child"), 128_000);
        assert_eq!(w("rooted"), 128_000);
        assert_eq!(w("metaonly"), 6144);
        assert_eq!(w("kid"), 128_000);
        assert_eq!(w("zero"), 128_000);
        assert_eq!(w("zkid"), 128_000);
    }

    #[test]
    fn compat_defaults_fill_only_what_is_not_written() {
        let written = json!({"supportsDeveloperRole": true, "maxTokensField": "max_tokens"});
        let c = effective_compat(written.as_object());
        assert_eq!((c["supportsDeveloperRole"].as_bool(), c["maxTokensField"].as_str()), (Some(true), Some("max_tokens")));
        assert_eq!((c["supportsUsageInStreaming"].as_bool(), c["supportsStore"].as_bool()), (Some(true), Some(false)));
        assert_eq!(c["thinkingFormat"], "openai");
        assert_eq!(effective_compat(None).len(), VLLM_COMPAT_DEFAULTS.len());
    }

    #[test]
    fn reasoning_heuristic() {
        assert!(rows(json!([{"id":"deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"}]))[0].reasoning);
        assert!(!rows(json!([{"id":"Qwen/Qwen3-32B"}]))[0].reasoning);
        // As `/r1|reasoning|think|reason/i` matches: anywhere, ASCII case folded, nothing else folded.
        for id in ["x-THINKING", "ReAsOn", "r", "R", "Ｒ1", "İthink", "tHiNk-ſ", "org/model-1", "rr1", ""] {
            let lower = id.to_ascii_lowercase();
            let want = ["r1", "reasoning", "think", "reason"].iter().any(|p| lower.contains(p));
            assert_eq!(looks_like_reasoning(id), want, "{id}");
        }
    }

    #[test]
    fn rows_without_usable_ids_are_skipped_and_ids_trimmed() {
        let m = rows(json!([{"id":""},{"id":"  "},{"x":1},"str",7,{"id":5},{"id":" Base/Model ","max_model_len":32768}]));
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].id, "Base/Model");
    }
}

/// Merges declared rows with discovered ones as OpenClaw does: declared rows first (fields the config
/// wrote win, discovered values replace defaults), then discovered rows that were not declared. An
/// output cap above the merged context window is clamped to it.
pub fn merge_models(declared: &[ModelDefinition], discovered: Vec<ModelDefinition>) -> Vec<ModelDefinition> {
    let listed = first_by_id(declared);
    // The first discovered row of each declared id: only declared ids are indexed (a server may list
    // thousands of rows, each then only looked up), and the rows not declared are moved, not copied.
    let mut found = NameIndex::new();
    for (i, s) in discovered.iter().enumerate() {
        if listed.get(&s.id).is_some() {
            found.first(&s.id, i);
        }
    }
    let mut out: Vec<ModelDefinition> = declared
        .iter()
        .map(|d| match found.get(&d.id).map(|i| &discovered[i]) {
            Some(s) => {
                let o = d.origins;
                let pick = |mine: Origin| mine == Origin::Config;
                let (context_window, cw_origin) =
                    if pick(o.context_window) { (d.context_window, Origin::Config) } else { (s.context_window, s.origins.context_window) };
                let (max_tokens, mt_origin) = if pick(o.max_tokens) { (d.max_tokens, Origin::Config) } else { (s.max_tokens, s.origins.max_tokens) };
                let (reasoning, r_origin) = if pick(o.reasoning) { (d.reasoning, Origin::Config) } else { (s.reasoning, s.origins.reasoning) };
                let (input, i_origin) = if pick(o.input) { (d.input.clone(), Origin::Config) } else { (s.input.clone(), s.origins.input) };
                ModelDefinition {
                    context_window,
                    max_tokens: max_tokens.map(|t| t.min(context_window)),
                    reasoning,
                    input,
                    parent: d.parent.clone().or_else(|| s.parent.clone()),
                    source: ModelSource::Merged,
                    origins: Origins { context_window: cw_origin, max_tokens: mt_origin, reasoning: r_origin, input: i_origin },
                    thinking: None,
                    ..d.clone()
                }
            }
            None => d.clone(),
        })
        .collect();
    out.extend(discovered.into_iter().filter(|s| listed.get(&s.id).is_none()));
    out
}

/// The position of the first row with each id.
pub(crate) fn first_by_id(rows: &[ModelDefinition]) -> NameIndex {
    let mut index = NameIndex::new();
    for (i, row) in rows.iter().enumerate() {
        index.first(&row.id, i);
    }
    index
}

#[cfg(test)]
mod merge_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn declared_rows_win_and_come_first() {
        let declared = vec![ModelDefinition {
            id: "Qwen/Qwen3-8B".into(), name: "Qwen".into(), reasoning: false, input: vec!["text".into()],
            cost: Cost::default(), context_window: 65536, max_tokens: None, context_tokens: None,
            compat: None, params: None, source: ModelSource::Config, parent: None,
            origins: Origins { context_window: Origin::Config, ..Default::default() },
            thinking: None,
        }];
        let discovered = map_discovered_rows(json!([{"id":"other"},{"id":"Qwen/Qwen3-8B","max_model_len":32768}]).as_array().unwrap());
        let m = merge_models(&declared, discovered);
        assert_eq!(m.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["Qwen/Qwen3-8B", "other"]);
        assert_eq!(m[0].context_window, 65536);
        assert_eq!(m[0].max_tokens, Some(8192));
        assert_eq!(m[0].source, ModelSource::Merged);
        assert_eq!(m[1].source, ModelSource::Discovered);
        assert_eq!((m[0].origins.context_window, m[0].origins.max_tokens), (Origin::Config, Origin::Default));
        assert_eq!(m[1].origins.context_window, Origin::Default, "no context field: OpenClaw's 128000");
    }

    #[test]
    fn a_declared_id_listed_twice_merges_with_its_first_row_and_neither_is_added() {
        let declared = vec![ModelDefinition { origins: Origins::default(), ..map_discovered_rows(json!([{"id":"a"}]).as_array().unwrap()).remove(0) }];
        let discovered = map_discovered_rows(json!([{"id":"b"},{"id":"a","max_model_len":512},{"id":"c"},{"id":"a","max_model_len":1024}]).as_array().unwrap());
        let m = merge_models(&declared, discovered);
        assert_eq!(m.iter().map(|r| (r.id.as_str(), r.context_window)).collect::<Vec<_>>(), [("a", 512), ("b", 128_000), ("c", 128_000)]);
    }

    #[test]
    fn unwritten_fields_take_the_servers_values() {
        let declared = vec![ModelDefinition {
            id: "tiny".into(), name: "Tiny".into(), reasoning: false, input: vec!["text".into()],
            cost: Cost::default(), context_window: CONFIGURED_DEFAULT_CONTEXT_WINDOW, max_tokens: None, context_tokens: None,
            compat: None, params: None, source: ModelSource::Config, parent: None, origins: Origins::default(), thinking: None,
        }];
        let discovered = map_discovered_rows(json!([{"id":"tiny","max_model_len":512}]).as_array().unwrap());
        let m = merge_models(&declared, discovered);
        assert_eq!((m[0].context_window, m[0].max_tokens, m[0].name.as_str()), (512, Some(512), "Tiny"));
        assert_eq!(m[0].origins.context_window, Origin::Server);
        let json = serde_json::to_value(&m[0]).unwrap();
        assert_eq!(json["origins"], json!({"contextWindow":"server","maxTokens":"default","reasoning":"default","input":"default"}));
    }
}
