//! Secret inputs: a literal string or an OpenClaw SecretRef `{ source, provider, id }`.
//!
//! Only `env` refs can be read here (from the `env` the caller passed). `file`, `exec` and `store`
//! refs are materialised by OpenClaw's gateway; this runtime reports them as unavailable.

use super::reader::{expected, join, Obj};
use super::Diagnostic;
use crate::error::ProviderError;
use serde_json::Value;
use crate::str_map::StrMap;

/// Where a SecretRef points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefSource {
    /// An environment variable (readable here).
    Env,
    /// A file (not readable here).
    File,
    /// A command's output (not readable here).
    Exec,
    /// OpenClaw's secret store (not readable here).
    Store,
}

impl RefSource {
    /// The name as written in configs.
    pub fn as_str(self) -> &'static str {
        match self {
            RefSource::Env => "env",
            RefSource::File => "file",
            RefSource::Exec => "exec",
            RefSource::Store => "store",
        }
    }
}

/// A validated SecretRef.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretRef {
    /// `source`.
    pub source: RefSource,
    /// `id`: an env var name, a JSON pointer, a command id or a store key.
    pub id: String,
}

/// A config value that may be a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretInput {
    /// Written in the config (after `${VAR}` substitution).
    Literal(String),
    /// A reference.
    Ref(SecretRef),
}

/// What a secret input resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A usable value.
    Value {
        /// The secret.
        value: String,
        /// The variable it came from, if any.
        env_var: Option<String>,
    },
    /// An env ref whose variable is unset or empty.
    Unset(String),
    /// A file/exec/store ref: this runtime cannot read it.
    Unavailable(RefSource),
}

fn is_env_id(id: &str) -> bool {
    let mut c = id.chars();
    matches!(c.next(), Some('A'..='Z')) && id.len() <= 128 && c.all(|c| matches!(c, 'A'..='Z' | '0'..='9' | '_'))
}

fn is_provider_name(p: &str) -> bool {
    let mut c = p.chars();
    matches!(c.next(), Some('a'..='z')) && p.len() <= 64 && c.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_' | '-'))
}

/// Reads a SecretRef object (strict: `source`, `provider`, `id`).
pub fn read_ref(v: &Value, path: &str) -> Result<SecretRef, ProviderError> {
    let Value::Object(map) = v else { return Err(expected(path, "a SecretRef object", v)) };
    let o = Obj { map, path };
    o.only_keys(&["source", "provider", "id"])?;
    let bad = |key: &str, what: &str| {
        ProviderError::config_at(
            &join(path, key),
            format!("{}: {what}", join(path, key)),
            "Write a SecretRef as { source: \"env\", provider: \"default\", id: \"VLLM_API_KEY\" }.",
        )
    };
    let source = match o.opt_str("source")? {
        Some("env") => RefSource::Env,
        Some("file") => RefSource::File,
        Some("exec") => RefSource::Exec,
        Some("store") => RefSource::Store,
        Some(other) => return Err(bad("source", &format!("expected one of \"env\", \"file\", \"exec\", \"store\", got \"{other}\""))),
        None => return Err(bad("source", "required")),
    };
    if let Some(p) = o.opt_str("provider")? {
        if !is_provider_name(p) {
            return Err(bad("provider", "expected a name matching ^[a-z][a-z0-9_-]{0,63}$"));
        }
    }
    let id = o.opt_str("id")?.ok_or_else(|| bad("id", "required"))?;
    let ok = match source {
        RefSource::Env | RefSource::Store => is_env_id(id),
        RefSource::File => id == "value" || id.starts_with('/'),
        RefSource::Exec => !id.trim().is_empty(),
    };
    if !ok {
        let what = match source {
            RefSource::Env | RefSource::Store => "expected an id matching ^[A-Z][A-Z0-9_]{0,127}$",
            RefSource::File => "expected an absolute JSON pointer (\"/a/b\") or \"value\"",
            RefSource::Exec => "must not be empty",
        };
        return Err(bad("id", what));
    }
    Ok(SecretRef { source, id: id.to_string() })
}

/// Reads `string | SecretRef`.
pub fn read_input(v: &Value, path: &str) -> Result<SecretInput, ProviderError> {
    match v {
        Value::String(s) => Ok(SecretInput::Literal(s.clone())),
        Value::Object(_) => Ok(SecretInput::Ref(read_ref(v, path)?)),
        other => Err(expected(path, "a string or a SecretRef object", other)),
    }
}

/// The value of a non-empty env var, trimmed.
pub fn env_value(env: &StrMap, name: &str) -> Option<String> {
    env.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()).map(str::to_string)
}

/// Resolves a secret input against `env`.
pub fn resolve(input: &SecretInput, env: &StrMap) -> Resolved {
    match input {
        SecretInput::Literal(s) => Resolved::Value { value: s.clone(), env_var: None },
        SecretInput::Ref(r) if r.source == RefSource::Env => match env_value(env, &r.id) {
            Some(value) => Resolved::Value { value, env_var: Some(r.id.clone()) },
            None => Resolved::Unset(r.id.clone()),
        },
        SecretInput::Ref(r) => Resolved::Unavailable(r.source),
    }
}

/// The warning for a ref this runtime cannot use.
pub fn unusable_warning(path: &str, resolved: &Resolved) -> Option<Diagnostic> {
    match resolved {
        Resolved::Value { .. } => None,
        Resolved::Unset(name) => Some(Diagnostic::warning(path, format!("{path} refers to env var {name}, which is not set"))),
        Resolved::Unavailable(source) => Some(Diagnostic::warning(
            path,
            format!(
                "{path} is a \"{}\" SecretRef, which this runtime cannot read (OpenClaw's gateway materialises it); pass the value through env with {{ source: \"env\", id: \"…\" }} instead",
                source.as_str()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn env_refs_resolve_from_env_and_others_are_unavailable() {
        let env: StrMap = [("K".to_string(), " v ".to_string())].into();
        let r = read_input(&json!({"source":"env","provider":"default","id":"K"}), "p").unwrap();
        assert_eq!(resolve(&r, &env), Resolved::Value { value: "v".into(), env_var: Some("K".into()) });
        let f = read_input(&json!({"source":"file","provider":"vault","id":"/keys/vllm"}), "p").unwrap();
        assert_eq!(resolve(&f, &env), Resolved::Unavailable(RefSource::File));
        assert!(unusable_warning("p", &resolve(&f, &env)).unwrap().message.contains("cannot read"));
    }

    #[test]
    fn malformed_refs_name_the_field() {
        for (v, path) in [
            (json!({"source":"vault","id":"K"}), "p.source"),
            (json!({"id":"K"}), "p.source"),
            (json!({"source":"env"}), "p.id"),
            (json!({"source":"env","id":"lower"}), "p.id"),
            (json!({"source":"file","id":"rel/path"}), "p.id"),
            (json!({"source":"env","id":"K","provider":"Bad"}), "p.provider"),
            (json!({"source":"env","id":"K","extra":1}), "p.extra"),
        ] {
            assert_eq!(read_input(&v, "p").unwrap_err().path.as_deref(), Some(path), "{v}");
        }
        assert_eq!(read_input(&json!(5), "p").unwrap_err().path.as_deref(), Some("p"));
    }
}
