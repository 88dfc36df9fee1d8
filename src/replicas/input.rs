//! `ResolveInput.baseUrls`: more base URLs serving the same models, after the provider's own.

use super::Replica;
use crate::error::ProviderError;
use crate::url::{normalize_base_url, BaseUrl};
use serde_json::Value;

const HINT: &str = "Give baseUrls as an array of base URLs like http://10.0.0.2:8000/v1 (scheme, host, port and the /v1 prefix), one per replica.";

/// The replicas of a provider: `main` (the configured or default base URL) first, then each entry of
/// `base_urls` as the caller gave it (`None` or `null`: none). Entries are normalised like `baseUrl`
/// (trimmed, trailing slashes removed) and shown with `secrets` redacted; an entry naming a server
/// already listed is dropped. A malformed entry is a `config` error at its path (`baseUrls[2]`).
pub fn replica_list(main: Replica, base_urls: Option<&Value>, secrets: &[String]) -> Result<Vec<Replica>, ProviderError> {
    let mut out = vec![main];
    let entries = match base_urls {
        None | Some(Value::Null) => return Ok(out),
        Some(Value::Array(entries)) => entries,
        Some(_) => return Err(ProviderError::config_at("baseUrls", "baseUrls must be an array of base URLs", HINT)),
    };
    for (n, entry) in entries.iter().enumerate() {
        let path = format!("baseUrls[{n}]");
        let Some(text) = entry.as_str().filter(|t| !t.trim().is_empty()) else {
            let what = if entry.is_string() { "is empty" } else { "must be a string" };
            return Err(ProviderError::config_at(&path, format!("{path} {what}"), HINT));
        };
        let url = normalize_base_url(Some(text));
        let shown = crate::redact::redact(&url, secrets);
        let Some(base) = BaseUrl::parse(&url) else {
            let why = if url.contains("${") { "contains a ${VAR}, which is not substituted in baseUrls (pass the URL itself)" } else { "is not an absolute http(s) URL" };
            return Err(ProviderError::config_at(&path, format!("{path} \"{shown}\" {why}"), HINT));
        };
        let replica = Replica::new(base, shown);
        if !out.iter().any(|r| r.key == replica.key) {
            out.push(replica);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn main_replica() -> Replica {
        Replica::new(BaseUrl::parse("http://127.0.0.1:8000/v1").unwrap(), "http://127.0.0.1:8000/v1".into())
    }

    #[test]
    fn replicas_follow_the_main_base_url_normalised_and_without_repeats() {
        let list = replica_list(main_replica(), Some(&json!([" http://10.0.0.2:8000/v1/ ", "http://127.0.0.1:8000/v1", "http://10.0.0.2:8000/v1", "https://b.example/v1"])), &[]).unwrap();
        let shown: Vec<&str> = list.iter().map(|r| r.shown.as_str()).collect();
        assert_eq!(shown, ["http://127.0.0.1:8000/v1", "http://10.0.0.2:8000/v1", "https://b.example/v1"]);
        assert_eq!(replica_list(main_replica(), None, &[]).unwrap().len(), 1);
        assert_eq!(replica_list(main_replica(), Some(&Value::Null), &[]).unwrap().len(), 1);
        assert_eq!(replica_list(main_replica(), Some(&json!([])), &[]).unwrap().len(), 1);
    }

    #[test]
    fn a_malformed_entry_is_a_config_error_at_its_index() {
        let cases = [
            (json!(["http://a/v1", "http://b/v1", "b:8000/v1"]), "baseUrls[2]", "not an absolute http(s) URL"),
            (json!(["http://a/v1", 8000]), "baseUrls[1]", "must be a string"),
            (json!(["  "]), "baseUrls[0]", "is empty"),
            (json!(["ftp://a/v1"]), "baseUrls[0]", "not an absolute"),
            (json!(["http://${HOST}:8000/v1"]), "baseUrls[0]", "not substituted"),
            (json!("http://a/v1"), "baseUrls", "must be an array"),
        ];
        for (value, path, words) in cases {
            let e = replica_list(main_replica(), Some(&value), &[]).unwrap_err();
            assert_eq!((e.code.as_str(), e.path.as_deref()), ("config", Some(path)), "{value}");
            assert!(e.message.contains(words), "{}", e.message);
            assert!(e.hint.contains("http://10.0.0.2:8000/v1"));
        }
    }

    #[test]
    fn known_secrets_in_an_entry_are_redacted_where_it_is_shown() {
        let secrets = ["sk-replica-secret-123".to_string()];
        let list = replica_list(main_replica(), Some(&json!(["http://10.0.0.2:8000/v1?api_key=sk-replica-secret-123"])), &secrets).unwrap();
        assert_eq!(list[1].shown, "http://10.0.0.2:8000/v1?api_key=[redacted]");
        assert_eq!(list[1].base.endpoint("/models"), "http://10.0.0.2:8000/v1/models?api_key=sk-replica-secret-123", "still sent");
        let e = replica_list(main_replica(), Some(&json!(["h:1/v1?api_key=sk-replica-secret-123"])), &secrets).unwrap_err();
        assert!(!e.message.contains("sk-replica"), "{}", e.message);
    }
}
