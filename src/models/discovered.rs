//! Discovered rows: a `/v1/models` body read from the wire and mapped to model definitions as
//! OpenClaw maps them (context windows, LoRA parents, the reasoning guess).

use super::{Cost, ModelDefinition, ModelSource, Origin, Origins, DISCOVERED_DEFAULT_CONTEXT_WINDOW, DISCOVERED_DEFAULT_MAX_TOKENS};
use crate::name_index::NameIndex;
use crate::wire::{object_sink, List, Number};
use serde_json::Value;
use std::borrow::Cow;

/// The patterns of OpenClaw's reasoning guess, `/r1|reasoning|think|reason/i`.
const REASONING_PATTERNS: [&str; 4] = ["r1", "reasoning", "think", "reason"];

/// OpenClaw's reasoning guess for discovered ids: `/r1|reasoning|think|reason/i`.
pub fn looks_like_reasoning(id: &str) -> bool {
    // Compared in place, ASCII case folded (what the lower-cased copy matched), with no copy and no
    // substring searcher built per pattern, and only where an `r` or a `t` starts a pattern:
    // discovery asks this of every row.
    let id = id.as_bytes();
    (0..id.len()).filter(|&i| matches!(id[i] | 0x20, b'r' | b't')).any(|i| {
        REASONING_PATTERNS.iter().any(|p| id[i..].get(..p.len()).is_some_and(|w| w.eq_ignore_ascii_case(p.as_bytes())))
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
    fn reasoning_heuristic() {
        assert!(rows(json!([{"id":"deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"}]))[0].reasoning);
        assert!(!rows(json!([{"id":"Qwen/Qwen3-32B"}]))[0].reasoning);
        // As `/r1|reasoning|think|reason/i` matches: anywhere, ASCII case folded, nothing else folded.
        for id in ["x-THINKING", "ReAsOn", "r", "R", "Ｒ1", "İthink", "tHiNk-ſ", "org/model-1", "rr1", ""] {
            let lower = id.to_ascii_lowercase();
            let want = REASONING_PATTERNS.iter().any(|p| lower.contains(p));
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
