//! Reading typed fields out of a config object, with the dotted path of every problem.

use crate::error::ProviderError;
use serde_json::{Map, Value};

const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// A nested object and its dotted path.
pub type Nested<'a> = (&'a Map<String, Value>, String);

/// A JSON object at a known path.
#[derive(Clone, Copy, Debug)]
pub struct Obj<'a> {
    /// The object.
    pub map: &'a Map<String, Value>,
    /// Its dotted path (`models.providers.vllm`).
    pub path: &'a str,
}

/// Joins a path and a key.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Describes a JSON value's type for messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A schema error: `path` expected `what`, got the value's type.
pub fn expected(path: &str, what: &str, got: &Value) -> ProviderError {
    ProviderError::config_at(
        path,
        format!("{path}: expected {what}, got {}", type_name(got)),
        format!("Set {path} to {what}, as OpenClaw's config schema requires."),
    )
}

impl<'a> Obj<'a> {
    /// Rejects keys outside `allowed` (OpenClaw's strict objects).
    pub fn only_keys(&self, allowed: &[&str]) -> Result<(), ProviderError> {
        match self.map.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(ProviderError::config_at(
                &join(self.path, k),
                format!("{}: unrecognized key \"{k}\"", join(self.path, k)),
                format!("Remove it; {} accepts: {}.", self.path, crate::join::join(allowed, ", ")),
            )),
            None => Ok(()),
        }
    }

    /// An optional string.
    pub fn opt_str(&self, key: &str) -> Result<Option<&'a str>, ProviderError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(expected(&join(self.path, key), "a string", v)),
        }
    }

    /// An optional non-empty string.
    pub fn opt_nonempty_str(&self, key: &str) -> Result<Option<&'a str>, ProviderError> {
        match self.opt_str(key)? {
            Some(s) if s.trim().is_empty() => Err(ProviderError::config_at(
                &join(self.path, key),
                format!("{}: must not be empty", join(self.path, key)),
                "Give it a value or remove the key.",
            )),
            other => Ok(other),
        }
    }

    /// An optional boolean.
    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, ProviderError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(expected(&join(self.path, key), "a boolean", v)),
        }
    }

    /// An optional number greater than zero (and at most 2^53 - 1, JavaScript's largest safe integer).
    pub fn opt_positive(&self, key: &str) -> Result<Option<f64>, ProviderError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(v @ Value::Number(n)) => match n.as_f64() {
                Some(x) if x > 0.0 && x <= MAX_SAFE => Ok(Some(x)),
                _ => Err(expected(&join(self.path, key), "a number greater than 0 and at most 9007199254740991", v)),
            },
            Some(v) => Err(expected(&join(self.path, key), "a number greater than 0", v)),
        }
    }

    /// An optional integer greater than zero.
    pub fn opt_positive_int(&self, key: &str) -> Result<Option<u64>, ProviderError> {
        match self.opt_positive(key)? {
            Some(x) if x.fract() == 0.0 => Ok(Some(x as u64)),
            Some(_) => Err(expected(&join(self.path, key), "a whole number greater than 0", &self.map[key])),
            None => Ok(None),
        }
    }

    /// An optional nested object, returned with its path.
    pub fn opt_obj(&self, key: &str) -> Result<Option<Nested<'a>>, ProviderError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some((m, join(self.path, key)))),
            Some(v) => Err(expected(&join(self.path, key), "an object", v)),
        }
    }

    /// An optional array.
    pub fn opt_array(&self, key: &str) -> Result<Option<&'a Vec<Value>>, ProviderError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(v) => Err(expected(&join(self.path, key), "an array", v)),
        }
    }
}

/// Looks up `key` case-insensitively (OpenClaw finds `models.providers.VLLM` too).
pub fn get_ci<'a>(map: &'a Map<String, Value>, key: &str) -> Option<(&'a String, &'a Value)> {
    map.get_key_value(key).or_else(|| map.iter().find(|(k, _)| k.trim().eq_ignore_ascii_case(key)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn type_errors_name_the_path_and_the_expectation() {
        let v = json!({"contextWindow": "big"});
        let o = Obj { map: v.as_object().unwrap(), path: "models.providers.vllm.models[0]" };
        let e = o.opt_positive("contextWindow").unwrap_err();
        assert_eq!(e.path.as_deref(), Some("models.providers.vllm.models[0].contextWindow"));
        assert!(e.message.contains("expected a number greater than 0, got a string"));
        let v = json!({"contextWindow": 1e300});
        let o = Obj { map: v.as_object().unwrap(), path: "m" };
        assert!(o.opt_positive("contextWindow").unwrap_err().message.contains("at most 9007199254740991"));
    }

    #[test]
    fn negative_and_zero_numbers_are_refused() {
        let v = json!({"a": -1, "b": 0, "c": 1.5});
        let o = Obj { map: v.as_object().unwrap(), path: "p" };
        assert!(o.opt_positive("a").is_err());
        assert!(o.opt_positive("b").is_err());
        assert!(o.opt_positive_int("c").is_err());
    }

    #[test]
    fn unknown_keys_are_refused_with_the_allowed_list() {
        let v = json!({"baseUrl": "x", "baseURL": "y"});
        let o = Obj { map: v.as_object().unwrap(), path: "models.providers.vllm" };
        let e = o.only_keys(&["baseUrl"]).unwrap_err();
        assert_eq!(e.path.as_deref(), Some("models.providers.vllm.baseURL"));
    }

    #[test]
    fn case_insensitive_lookup() {
        let v = json!({"VLLM": 1});
        assert!(get_ci(v.as_object().unwrap(), "vllm").is_some());
    }
}
