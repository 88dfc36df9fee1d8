//! Reading what the server says about itself: `/v1/models` rows with `root` and `max_model_len`, and `/version`.

use serde_json::Value;

/// A `/v1/models` row as diagnosis needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct ServedModel {
    /// The name to send.
    pub id: String,
    /// What the server loaded it from.
    pub root: Option<String>,
    /// The context limit, where listed (LoRA adapters list none).
    pub max_model_len: Option<u64>,
    /// A LoRA adapter's base model.
    pub parent: Option<String>,
}

/// The rows of a `/v1/models` body; `None` when it is not a model list.
pub fn served_models(body: &[u8]) -> Option<Vec<ServedModel>> {
    let v: Value = crate::json::parse(body).ok()?;
    let rows = v.get("data")?.as_array()?;
    let text = |r: &Value, k: &str| r.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    Some(
        rows.iter()
            .filter_map(|r| {
                Some(ServedModel {
                    id: text(r, "id")?,
                    root: text(r, "root"),
                    max_model_len: r.get("max_model_len").and_then(Value::as_u64),
                    parent: text(r, "parent"),
                })
            })
            .collect(),
    )
}

/// The version from a `/version` body (`{"version":"0.33.0"}`), redacted and cut to 64 characters.
pub fn version(body: &[u8], secrets: &[String]) -> Option<String> {
    let v: Value = crate::json::parse(body).ok()?;
    v.get("version").and_then(Value::as_str).map(|s| crate::redact::redact_cut(s, 64, secrets))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_model_lists_give_ids_roots_and_lengths() {
        let body = include_bytes!("../../tests/fixtures/vllm/v0.33.0/models_list_with_lora.json");
        let rows = served_models(body).unwrap();
        assert_eq!(rows[0].id, "qwen3-8b");
        assert_eq!(rows[0].max_model_len, Some(32768));
        assert!(rows[0].root.is_some());
        assert_eq!(rows[1].parent.as_deref(), Some("qwen3-8b"));
        assert_eq!(rows[1].max_model_len, None);
    }

    #[test]
    fn non_lists_and_versions() {
        assert_eq!(served_models(b"{\"detail\":\"Not Found\"}"), None);
        assert_eq!(version(b"{\"version\":\"0.32.0\"}", &[]).as_deref(), Some("0.32.0"));
        assert_eq!(version(b"<html>", &[]), None);
    }
}
