//! Merging declared rows with discovered ones: which side's value each field keeps, and its origin.

use super::{ModelDefinition, ModelSource, Origin, Origins};
use crate::name_index::NameIndex;

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
mod tests {
    use super::*;
    use crate::models::{map_discovered_rows, Cost, CONFIGURED_DEFAULT_CONTEXT_WINDOW};
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
