use super::*;
use crate::models::thinking::thinking_profile;
use crate::models::{map_discovered_rows, Cost, Origins};
use serde_json::{json, Value};

/// The rows made back from a crossing, as rows.js makes them (its reading, written in Rust).
fn made_back(c: &RowsCrossing) -> Vec<ModelDefinition> {
    let (mut out, mut rest) = (Vec::new(), c.rest.iter().cloned());
    let utf16: Vec<u16> = c.text.encode_utf16().collect();
    let (mut at, mut codes) = (0, c.codes.iter().copied());
    let mut take = |n: f64| {
        at += n as usize;
        String::from_utf16(&utf16[at - n as usize..at]).unwrap()
    };
    while let Some(kind) = codes.next() {
        let mut next = || codes.next().unwrap();
        if kind == 1.0 {
            out.push(rest.next().unwrap());
            continue;
        }
        let id = take(next());
        let name = match next() {
            n if n < 0.0 => id.clone(),
            n => take(n),
        };
        let parent = match next() {
            n if n < 0.0 => None,
            n => Some(take(n)),
        };
        let reasoning = next() == 1.0;
        let mut input = Vec::new();
        let mut digits = next() as u64;
        while digits > 0 {
            input.push(INPUT_KINDS[(digits % 5 - 1) as usize].to_string());
            digits /= 5;
        }
        let cost = Cost { input: next(), output: next(), cache_read: next(), cache_write: next() };
        let context_window = next() as u64;
        let max_tokens = Some(next()).filter(|m| *m >= 0.0).map(|m| m as u64);
        let source = SOURCES[next() as usize];
        let o = next() as usize;
        let origins = Origins { context_window: ORIGINS[o / 27], max_tokens: ORIGINS[o / 9 % 3], reasoning: ORIGINS[o / 3 % 3], input: ORIGINS[o % 3] };
        let thinking = Some(next()).filter(|k| *k >= 0.0).map(|k| c.profiles[k as usize].clone());
        out.push(ModelDefinition { id, name, reasoning, input, cost, context_window, max_tokens, context_tokens: None, compat: None, params: None, source, parent, origins, thinking });
    }
    out
}

fn with_profiles(mut rows: Vec<ModelDefinition>) -> Vec<ModelDefinition> {
    rows.iter_mut().for_each(|r| r.thinking = Some(thinking_profile(r)));
    rows
}

#[test]
fn discovered_rows_cross_as_text_and_numbers_and_are_made_back_the_same() {
    let cards = json!([
        {"id": "org/Qwen3-8B", "max_model_len": 32768},
        {"id": "lora-😀-é", "parent": "org/Qwen3-8B"},
        {"id": "nemotron-3-nano-reasoning", "meta": {"n_ctx_train": 9_007_199_254_740_991_u64}},
        {"id": "deepseek-r1", "context_length": 4096},
        {"id": "plain"},
    ]);
    let Value::Array(cards) = cards else { unreachable!() };
    let rows = with_profiles(map_discovered_rows(&cards));
    let c: RowsCrossing = rows.iter().collect();
    assert!(c.rest.is_empty(), "discovered rows all have the common shape");
    assert!(c.profiles.len() < rows.len(), "a profile crosses once however many rows have it");
    assert_eq!(made_back(&c), rows);
    assert_eq!(c.text, "org/Qwen3-8Blora-😀-éorg/Qwen3-8Bnemotron-3-nano-reasoningdeepseek-r1plain");
    assert_eq!(&c.codes[..4], [0.0, 12.0, -1.0, -1.0], "the id's length; the name is the id; no parent");
    assert_eq!(&c.codes[15..19], [0.0, 9.0, -1.0, 12.0], "UTF-16 units: the emoji counts two");
}

#[test]
fn rows_of_another_shape_cross_whole_in_their_place() {
    let row = |id: &str| ModelDefinition {
        id: id.into(),
        name: format!("{id} name"),
        reasoning: true,
        input: vec!["image".into(), "text".into(), "audio".into(), "video".into()],
        cost: Cost { input: 0.5, output: 1.25, cache_read: 0.0, cache_write: 2.0 },
        context_window: 8192,
        max_tokens: Some(1024),
        context_tokens: None,
        compat: None,
        params: None,
        source: ModelSource::Merged,
        parent: None,
        origins: Origins { context_window: Origin::Config, max_tokens: Origin::Server, reasoning: Origin::Default, input: Origin::Config },
        thinking: None,
    };
    let mut odd = vec![row("ctx"), row("compat"), row("params"), row("huge"), row("cap"), row("kind"), row("many")];
    odd[0].context_tokens = Some(100);
    odd[1].compat = Some(serde_json::Map::from_iter([("supportsTools".to_string(), Value::Bool(false))]));
    odd[2].params = Some(serde_json::Map::new());
    odd[3].context_window = 1 << 53;
    odd[4].max_tokens = Some(u64::MAX);
    odd[5].input = vec!["text".into(), "document".into()];
    odd[6].input = vec!["text".into(); 9];
    let rows: Vec<_> = [row("first")].into_iter().chain(odd.iter().cloned().flat_map(|o| [o, row("between")])).collect();
    let c: RowsCrossing = rows.iter().collect();
    assert_eq!(c.rest, odd);
    assert_eq!(made_back(&c), rows);
    assert_eq!(c.codes[15..17], [1.0, 0.0], "the second row crosses whole, the third as numbers");
    let first = &c.codes[..15];
    assert_eq!(first[5], 2.0 + 5.0 * (1.0 + 5.0 * (4.0 + 5.0 * 3.0)), "image, text, audio, video: digits 2, 1, 4, 3 from the lowest");
    assert_eq!(first[13], ((0.0 * 3.0 + 1.0) * 3.0 + 2.0) * 3.0, "config, server, default, config");
}
