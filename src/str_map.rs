//! A string-to-string map in insertion order, for the environment, configured headers and aliases.
//!
//! The entries are a list, found by name through a [`NameIndex`] (a `BTreeMap` would add its
//! insertion and rebalancing code, about 2 KiB of gzipped wasm), so filling a map of any size takes
//! time proportional to it (a process environment, thousands of aliases).

use crate::name_index::NameIndex;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// Names mapped to values; inserting an existing name replaces its value in place.
#[derive(Clone, Debug, Default)]
pub struct StrMap(Vec<(String, String)>, NameIndex);

impl PartialEq for StrMap {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for StrMap {}

impl StrMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value stored under exactly `name`.
    pub fn get(&self, name: &str) -> Option<&String> {
        self.1.get(name).map(|i| &self.0[i].1)
    }

    /// Stores `value` under `name`, replacing an earlier value (its position is kept).
    pub fn insert(&mut self, name: String, value: String) {
        let at = self.1.first(&name, self.0.len());
        match self.0.get_mut(at) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name, value)),
        }
    }

    /// Entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// Names in insertion order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for StrMap {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut out = Self::new();
        for (k, v) in iter {
            out.insert(k.into(), v.into());
        }
        out
    }
}

impl<K: Into<String>, V: Into<String>, const N: usize> From<[(K, V); N]> for StrMap {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl std::ops::Index<&str> for StrMap {
    type Output = String;

    /// The value under `name`; panics when there is none (as `BTreeMap`'s indexing does).
    fn index(&self, name: &str) -> &String {
        self.get(name).unwrap_or_else(|| panic!("no entry named {name:?}"))
    }
}

impl Serialize for StrMap {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_insert_replaces_the_value_in_place() {
        let mut m = StrMap::from([("b", "1"), ("a", "2")]);
        m.insert("b".into(), "3".into());
        assert_eq!(m.iter().collect::<Vec<_>>(), [(&"b".to_string(), &"3".to_string()), (&"a".to_string(), &"2".to_string())]);
        assert_eq!(m.get("a").map(String::as_str), Some("2"));
        assert_eq!(m.get("A"), None);
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn serializes_as_an_object_in_insertion_order() {
        let m: StrMap = [("z", "1"), ("a", "2")].into_iter().collect();
        assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"z":"1","a":"2"}"#);
        assert!(StrMap::new().is_empty());
    }

    #[test]
    fn filling_a_large_map_takes_time_proportional_to_it() {
        let make = |n: usize| (0..n).map(|i| (format!("NAME_{i}"), format!("v{i}"))).collect::<Vec<_>>();
        crate::growth::assert_linear("StrMap", 20_000, make, |pairs| {
            let m: StrMap = pairs.iter().cloned().collect();
            assert_eq!(m.get("NAME_7").map(String::as_str), Some("v7"));
        });
    }
}
