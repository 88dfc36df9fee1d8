//! `${VAR}` substitution in config strings, as OpenClaw does it.
//!
//! Only names matching `[A-Z_][A-Z0-9_]*` are substituted; `$${VAR}` writes a literal `${VAR}`; a
//! missing or empty variable stays literally `${VAR}` and produces a warning.

use super::Diagnostic;
use serde_json::{Map, Value};
use crate::str_map::StrMap;

/// Substitutes in every string of the config `root`, recording warnings with their paths.
pub fn substitute_all(root: &mut Map<String, Value>, env: &StrMap, warnings: &mut Vec<Diagnostic>) {
    for (k, v) in root.iter_mut() {
        substitute_at(v, env, &At { up: None, step: Step::Key(k) }, warnings);
    }
}

/// Where a value is: the step from its parent, and the parent's place. Written out only for a
/// warning (writing every value's path was most of the walk's time on a config of 80 000 rows).
struct At<'a> {
    up: Option<&'a At<'a>>,
    step: Step<'a>,
}

enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

impl At<'_> {
    fn path(&self) -> String {
        let up = self.up.map(At::path).unwrap_or_default();
        match self.step {
            Step::Key(k) => super::reader::join(&up, k),
            Step::Index(i) => format!("{up}[{i}]"),
        }
    }
}

fn substitute_at(value: &mut Value, env: &StrMap, at: &At, warnings: &mut Vec<Diagnostic>) {
    match value {
        Value::String(s) if s.contains('$') => {
            let (out, missing) = substitute(s, env);
            for name in missing {
                warnings.push(Diagnostic::warning(
                    &at.path(),
                    format!("${{{name}}} is not set in the environment; the text stays literally ${{{name}}}"),
                ));
            }
            *s = out;
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                substitute_at(item, env, &At { up: Some(at), step: Step::Index(i) }, warnings);
            }
        }
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                substitute_at(v, env, &At { up: Some(at), step: Step::Key(k) }, warnings);
            }
        }
        _ => {}
    }
}

fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('A'..='Z' | '_')) && chars.all(|c| matches!(c, 'A'..='Z' | '0'..='9' | '_'))
}

/// Substitutes `${VAR}` in one string; returns the text and the names that were missing.
pub fn substitute(text: &str, env: &StrMap) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut missing = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        if let Some(escaped) = after.strip_prefix("$${") {
            if let Some(end) = escaped.find('}') {
                if is_var_name(&escaped[..end]) {
                    out.push_str("${");
                    out.push_str(&escaped[..=end]);
                    rest = &escaped[end + 1..];
                    continue;
                }
            }
        }
        if let Some(inner) = after.strip_prefix("${") {
            if let Some(end) = inner.find('}') {
                let name = &inner[..end];
                if is_var_name(name) {
                    match env.get(name).filter(|v| !v.is_empty()) {
                        Some(v) => out.push_str(v),
                        None => {
                            out.push_str(&after[..end + 3]);
                            if !missing.iter().any(|m| m == name) {
                                missing.push(name.to_string());
                            }
                        }
                    }
                    rest = &inner[end + 1..];
                    continue;
                }
            }
        }
        out.push('$');
        rest = &after[1..];
    }
    out.push_str(rest);
    (out, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> StrMap {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn substitutes_known_names() {
        let (s, m) = substitute("http://${HOST}:8000/v1", &env(&[("HOST", "gpu1")]));
        assert_eq!(s, "http://gpu1:8000/v1");
        assert!(m.is_empty());
    }

    #[test]
    fn missing_or_empty_stays_literal_and_is_reported() {
        let (s, m) = substitute("${A}-${B}", &env(&[("B", "")]));
        assert_eq!(s, "${A}-${B}");
        assert_eq!(m, vec!["A", "B"]);
    }

    #[test]
    fn double_dollar_escapes() {
        let (s, m) = substitute("$${VLLM_API_KEY}", &env(&[("VLLM_API_KEY", "k")]));
        assert_eq!(s, "${VLLM_API_KEY}");
        assert!(m.is_empty());
    }

    #[test]
    fn every_string_is_substituted_and_a_missing_name_reported_at_its_path() {
        let mut v = serde_json::json!({"a": {"b": [1, {"c": "${NO}"}, "${HOST}"]}, "d": ["${NO2}"], "e": "${HOST}", "f": "${NO3}"});
        let mut warnings = Vec::new();
        substitute_all(v.as_object_mut().unwrap(), &env(&[("HOST", "h")]), &mut warnings);
        assert_eq!(v, serde_json::json!({"a": {"b": [1, {"c": "${NO}"}, "h"]}, "d": ["${NO2}"], "e": "h", "f": "${NO3}"}));
        let paths: Vec<&str> = warnings.iter().map(|w| w.path.as_str()).collect();
        assert_eq!(paths, ["a.b[1].c", "d[0]", "f"]);
    }

    #[test]
    fn lower_case_and_malformed_names_are_left_alone() {
        let (s, m) = substitute("${lower} ${1X} $ ${UNCLOSED", &env(&[]));
        assert_eq!(s, "${lower} ${1X} $ ${UNCLOSED");
        assert!(m.is_empty());
    }
}
