//! A list of model rows as it crosses to JS. The boundary's own way (serde-wasm-bindgen) makes each
//! row property by property, about 30 calls into JS and a lookup of every property's name: for
//! discovery's rows that was more than a third of `discoverModels()`. A row of the common shape (no
//! `contextTokens`, `compat` or `params`) crosses as its strings in one text and a few numbers, and
//! rows.js makes the same object back, its properties in the same order; the other rows cross whole,
//! and the distinct thinking profiles once each.

use super::thinking::ThinkingProfile;
use super::{ModelDefinition, ModelSource, Origin, INPUT_KINDS};

/// What crosses for a list of rows.
#[derive(Debug, Default, PartialEq)]
pub struct RowsCrossing {
    /// Per row of the common shape: its id, its name where it differs from the id, its parent where
    /// it has one.
    pub text: String,
    /// Per row: `1` (the next of `rest`), or `0` and then, for a row of the common shape: the lengths
    /// in UTF-16 units of its id, its name (`-1`: the id) and its parent (`-1`: none); `reasoning`
    /// (0 or 1); `input` (its kinds as digits in base 5, first kind lowest, each its place in
    /// [`INPUT_KINDS`] from 1); the four costs; `contextWindow`; `maxTokens` (`-1`: none); `source`
    /// (by [`SOURCES`]); the origins (context window, max tokens, reasoning, input: digits in base 3,
    /// by [`ORIGINS`], first highest); the thinking profile's index in `profiles` (`-1`: none).
    pub codes: Vec<f64>,
    /// The thinking profiles of the rows of the common shape, each once.
    pub profiles: Vec<ThinkingProfile>,
    /// The other rows, whole.
    pub rest: Vec<ModelDefinition>,
}

/// The sources, by code.
pub const SOURCES: [ModelSource; 3] = [ModelSource::Config, ModelSource::Discovered, ModelSource::Merged];
/// The origins, by code.
pub const ORIGINS: [Origin; 3] = [Origin::Config, Origin::Server, Origin::Default];

/// The largest integer a JS number holds exactly: a larger count crosses whole (serde-wasm-bindgen
/// refuses it, as before).
const MAX_SAFE: u64 = (1 << 53) - 1;

fn units(s: &str) -> f64 {
    crate::json::utf16_units(s) as f64
}

fn index_of<T: PartialEq>(all: &[T], x: &T) -> f64 {
    all.iter().position(|y| y == x).map_or(-1.0, |i| i as f64)
}

/// `input` as base-5 digits, if every kind is a known one and there are at most 8.
fn input_code(input: &[String]) -> Option<f64> {
    if input.len() > 8 {
        return None;
    }
    input.iter().rev().try_fold(0.0, |code, kind| Some(code * 5.0 + 1.0 + INPUT_KINDS.iter().position(|k| k == kind)? as f64))
}

impl RowsCrossing {
    /// Adds `row`: as text and numbers if it has the common shape, whole if not.
    pub fn push(&mut self, row: &ModelDefinition) {
        let input = input_code(&row.input);
        let common = row.context_tokens.is_none() && row.compat.is_none() && row.params.is_none() && row.context_window <= MAX_SAFE && row.max_tokens.is_none_or(|m| m <= MAX_SAFE);
        let Some(input) = input.filter(|_| common) else {
            self.codes.push(1.0);
            self.rest.push(row.clone());
            return;
        };
        let thinking = row.thinking.as_ref().map_or(-1.0, |p| {
            let at = index_of(&self.profiles, p);
            if at >= 0.0 {
                return at;
            }
            self.profiles.push(p.clone());
            (self.profiles.len() - 1) as f64
        });
        let name = if row.name == row.id { -1.0 } else { units(&row.name) };
        let parent = row.parent.as_deref().map_or(-1.0, units);
        self.text.push_str(&row.id);
        if name >= 0.0 {
            self.text.push_str(&row.name);
        }
        self.text.push_str(row.parent.as_deref().unwrap_or(""));
        let o = |origin| index_of(&ORIGINS, &origin);
        let origins = ((o(row.origins.context_window) * 3.0 + o(row.origins.max_tokens)) * 3.0 + o(row.origins.reasoning)) * 3.0 + o(row.origins.input);
        let c = &row.cost;
        self.codes.extend([0.0, units(&row.id), name, parent, f64::from(u8::from(row.reasoning)), input, c.input, c.output, c.cache_read, c.cache_write]);
        self.codes.extend([row.context_window as f64, row.max_tokens.map_or(-1.0, |m| m as f64), index_of(&SOURCES, &row.source), origins, thinking]);
    }
}

impl<'a> FromIterator<&'a ModelDefinition> for RowsCrossing {
    fn from_iter<I: IntoIterator<Item = &'a ModelDefinition>>(rows: I) -> Self {
        let mut c = RowsCrossing::default();
        rows.into_iter().for_each(|row| c.push(row));
        c
    }
}

#[cfg(test)]
mod tests;
