//! Positions by name, found in constant time: what keeps lookups by name linear however many
//! names there are (model ids, header names, secrets, aliases, tool-call ids).
//!
//! It is serde_json's object map (an insertion-ordered hash map with `preserve_order`), whose code
//! the package links anyway for JSON objects: std's `HashMap` would add a second hash table and its
//! hasher, about 2 KiB of gzipped wasm.

use serde_json::{Map, Value};

/// Names mapped to positions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NameIndex(Map<String, Value>);

impl NameIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// The position recorded for `name`.
    pub fn get(&self, name: &str) -> Option<usize> {
        self.0.get(name).and_then(Value::as_u64).map(|p| p as usize)
    }

    /// Records `pos` for `name` unless it has a position already; returns the one it keeps.
    pub fn first(&mut self, name: &str, pos: usize) -> usize {
        if let Some(p) = self.get(name) {
            return p;
        }
        self.0.insert(name.to_string(), Value::from(pos));
        pos
    }

    /// Records `pos` for `name`, replacing any earlier position.
    pub fn set(&mut self, name: &str, pos: usize) {
        match self.0.get_mut(name) {
            Some(v) => *v = Value::from(pos),
            None => {
                self.0.insert(name.to_string(), Value::from(pos));
            }
        }
    }

    /// Forgets `name`.
    pub fn remove(&mut self, name: &str) {
        self.0.swap_remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_keeps_the_first_position_and_set_replaces_it() {
        let mut ix = NameIndex::new();
        assert_eq!(ix.first("a", 3), 3);
        assert_eq!(ix.first("a", 5), 3);
        ix.set("a", 7);
        ix.set("b", 1);
        assert_eq!((ix.get("a"), ix.get("b"), ix.get("c")), (Some(7), Some(1), None));
        ix.remove("a");
        assert_eq!((ix.get("a"), ix.get("b")), (None, Some(1)));
    }
}
