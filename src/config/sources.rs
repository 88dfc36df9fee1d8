//! Naming secrets instead of printing them in config errors and warnings.
//!
//! Messages quote the values they refuse (`unknown api "…"`), after `${VAR}` substitution. A value
//! that came from `${VAR}` or an env SecretRef is named by its source (`$VLLM_API_KEY`), a key from an
//! auth profile by its profile (`auth profile "vllm:default"`), and a key written in the config as
//! `[redacted]`; URL credentials and other secret shapes are masked as everywhere else.

use super::auth::{is_known_env_name, is_marker, API_KEY_ENV};
use super::reader::get_ci;
use crate::error::ProviderError;
use crate::name_index::NameIndex;
use crate::str_map::StrMap;
use serde_json::Value;

/// Values that may be secrets, each with what to show instead. Kept by length, longest first, each
/// length indexed by value: naming a text then costs its length times the number of distinct lengths,
/// however many auth profiles there are.
#[derive(Debug, Default)]
pub struct Sources {
    by_len: Vec<(usize, NameIndex)>,
    labels: Vec<String>,
}

impl Sources {
    /// Everything the config (before substitution) and the auth-profile store point at.
    pub fn collect(config: &Value, store: Option<&Value>, env: &StrMap) -> Sources {
        let mut s = Sources::default();
        s.env_var(API_KEY_ENV, env);
        s.walk(config, "", env);
        let records = store.and_then(|st| st.get("profiles").filter(|p| p.is_object()).or(Some(st)));
        let Some(records) = records.and_then(Value::as_object) else { return s };
        for (id, record) in records {
            for field in ["key", "token"] {
                if let Some(Value::String(v)) = record.get(field) {
                    s.add(v, format!("auth profile \"{id}\""));
                }
            }
            s.walk(record, "", env);
        }
        // A per-entry `apiKey` naming a profile is a name, not a key.
        for id in records.keys() {
            if let Some((_, values)) = s.by_len.iter_mut().find(|(n, _)| *n == id.len()) {
                values.remove(id);
            }
        }
        s
    }

    fn add(&mut self, value: &str, label: String) {
        // Shorter values would shred ordinary words, as in `crate::redact::redact`.
        if value.len() < 3 {
            return;
        }
        let at = self.by_len.iter().position(|(n, _)| *n <= value.len()).unwrap_or(self.by_len.len());
        if self.by_len.get(at).is_none_or(|(n, _)| *n != value.len()) {
            self.by_len.insert(at, (value.len(), NameIndex::new()));
        }
        // The first label for a value is kept.
        if self.by_len[at].1.first(value, self.labels.len()) == self.labels.len() {
            self.labels.push(label);
        }
    }

    fn env_var(&mut self, name: &str, env: &StrMap) {
        if let Some(v) = env.get(name) {
            self.add(v, format!("${name}"));
            self.add(v.trim(), format!("${name}"));
        }
    }

    /// Collects `${VAR}`s, env-var names used as keys, env SecretRefs and literal values of
    /// secret-looking fields (`apiKey`, `token`, `X-Api-Key`, `request.auth.value`, …).
    fn walk(&mut self, v: &Value, key: &str, env: &StrMap) {
        match v {
            Value::String(s) => {
                let mut rest = s.as_str();
                while let Some(i) = rest.find("${") {
                    rest = &rest[i + 2..];
                    if let Some(end) = rest.find('}') {
                        self.env_var(&rest[..end], env);
                    }
                }
                if is_known_env_name(s.trim()) {
                    self.env_var(s.trim(), env);
                } else if (crate::redact::is_secret_name(key) || key == "value") && !s.contains("${") && !is_marker(s) {
                    self.add(s, crate::redact::REDACTED.to_string());
                }
            }
            Value::Array(items) => items.iter().for_each(|i| self.walk(i, key, env)),
            Value::Object(map) => {
                if let (Some((_, Value::String(source))), Some((_, Value::String(id)))) = (get_ci(map, "source"), get_ci(map, "id")) {
                    if source == "env" {
                        self.env_var(id, env);
                    }
                }
                map.iter().for_each(|(k, v)| self.walk(v, k, env));
            }
            _ => {}
        }
    }

    /// `text` with every value replaced by its name, in one pass (a name is never searched again),
    /// then the usual secret shapes masked.
    pub fn name(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < text.len() {
            let found = self.by_len.iter().find_map(|(n, values)| Some((*n, values.get(text.get(i..i + n)?)?)));
            match found {
                Some((len, label)) => {
                    out.push_str(&self.labels[label]);
                    i += len;
                }
                None => {
                    let c = text[i..].chars().next().unwrap_or(' ');
                    out.push(c);
                    i += c.len_utf8();
                }
            }
        }
        crate::redact::redact(&out, &[])
    }

    /// The error with its texts named (see [`Sources::name`]).
    pub fn name_error(&self, e: ProviderError) -> ProviderError {
        e.map_texts(&|t| self.name(t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_named_by_their_source_longest_first() {
        let env: StrMap = [("VLLM_API_KEY", "team-key-1"), ("K", "team-key-123456"), ("R", "from-ref-9"), ("OPENAI_API_KEY", "oa-key-7")].into();
        let config = json!({"models": {"providers": {"vllm": {
            "baseUrl": "${K}", "apiKey": "OPENAI_API_KEY", "api": "literal-key-99",
            "headers": {"X-Other-Key": "hdr-secret-5", "X-Ref": {"source": "env", "id": "R"}}}}}});
        let store = json!({"profiles": {"vllm:default": {"type": "api_key", "key": "prof-key-3"}}});
        let s = Sources::collect(&config, Some(&store), &env);
        let text = "baseUrl \"team-key-123456\" / team-key-1 / from-ref-9 / oa-key-7 / hdr-secret-5 / prof-key-3 / literal-key-99";
        assert_eq!(s.name(text), "baseUrl \"$K\" / $VLLM_API_KEY / $R / $OPENAI_API_KEY / [redacted] / auth profile \"vllm:default\" / literal-key-99");
    }

    #[test]
    fn names_are_not_searched_again_and_short_values_are_left() {
        let env: StrMap = [("A", "API"), ("B", "ab"), ("VLLM_API_KEY", "xyz-1")].into();
        let s = Sources::collect(&json!({"x": "${A}${B}"}), None, &env);
        assert_eq!(s.name("xyz-1 API ab"), "$VLLM_API_KEY $A ab");
    }
}
