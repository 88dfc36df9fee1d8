//! OpenClaw's auth-profile store (`auth-profiles.json`): the `vllm` credentials and their order.
//!
//! The store is `{ profiles: { "<id>": { type, provider, key | keyRef | token | tokenRef, … } },
//! order?: { vllm: [ids] }, usageStats?: { "<id>": { lastUsed } } }`; a bare record of profiles is
//! accepted too. Only `api_key` and `token` credentials can authenticate a vLLM server.

use super::reader::{expected, get_ci, join, Obj};
use super::secret::{read_input, SecretInput};
use super::Diagnostic;
use crate::error::ProviderError;
use crate::name_index::NameIndex;
use serde_json::{Map, Value};

/// The kind of credential a profile holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileKind {
    /// `type: "api_key"` (`key` or `keyRef`).
    ApiKey,
    /// `type: "token"` (`token` or `tokenRef`).
    Token,
    /// `type: "oauth"`: provider-specific, unusable for vLLM.
    OAuth,
}

impl ProfileKind {
    fn as_str(self) -> &'static str {
        match self {
            ProfileKind::ApiKey => "api_key",
            ProfileKind::Token => "token",
            ProfileKind::OAuth => "oauth",
        }
    }
}

/// One `vllm` profile.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    /// Profile id, e.g. `vllm:default`.
    pub id: String,
    /// Credential kind.
    pub kind: ProfileKind,
    /// The credential, if the profile holds one.
    pub secret: Option<SecretInput>,
    /// Path of the credential field, for warnings.
    pub path: String,
}

/// The `vllm` profiles in OpenClaw's order, plus every profile id (for per-entry bindings).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profiles {
    /// `vllm` profiles, first to try first.
    pub ordered: Vec<Profile>,
    /// Ids of `vllm` oauth profiles (unusable; kept for the per-entry binding message).
    pub oauth_ids: Vec<String>,
}

/// Reads the store. `config` is the whole OpenClaw config (its `auth.order.vllm` and `auth.profiles`
/// take part in the order).
pub fn read(store: &Value, config: &Map<String, Value>, warnings: &mut Vec<Diagnostic>) -> Result<Profiles, ProviderError> {
    let Value::Object(root) = store else { return Err(expected("authProfiles", "an object", store)) };
    let (records, rpath) = match root.get("profiles") {
        Some(Value::Object(p)) => (p, "authProfiles.profiles".to_string()),
        Some(v) => return Err(expected("authProfiles.profiles", "an object", v)),
        None => (root, "authProfiles".to_string()),
    };
    let mut all = Vec::new();
    for (id, record) in records {
        let path = join(&rpath, id);
        let Value::Object(m) = record else { return Err(expected(&path, "an object", record)) };
        if let Some(p) = read_profile(id, m, &path)? {
            all.push((p, last_used(root, id)));
        }
    }
    for (p, _) in &all {
        if p.kind == ProfileKind::OAuth {
            warnings.push(Diagnostic::warning(&p.path, format!("auth profile \"{}\" is an oauth credential, which cannot authenticate a vLLM server; it is skipped", p.id)));
        }
    }
    let oauth_ids = all.iter().filter(|(p, _)| p.kind == ProfileKind::OAuth).map(|(p, _)| p.id.clone()).collect();
    all.retain(|(p, _)| p.kind != ProfileKind::OAuth);
    let explicit = order_list(root.get("order"), "authProfiles.order")?
        .or(order_list(config.get("auth").and_then(|a| get_ci(a.as_object()?, "order")).map(|(_, v)| v), "auth.order")?)
        .or_else(|| configured_ids(config));
    let ordered = match explicit {
        Some(ids) => {
            let mut by_id = NameIndex::new();
            for (i, (p, _)) in all.iter().enumerate() {
                by_id.first(&p.id, i);
            }
            ids.iter().filter_map(|id| by_id.get(id).map(|i| all[i].0.clone())).collect()
        }
        None => {
            // OpenClaw's default: token before api_key, then the least recently used first. The id
            // breaks ties, so the order is total and any sort gives the same result: a heap's, whose
            // code is a fraction of `sort_unstable`'s (about 1 KiB of gzipped wasm less).
            let heap: std::collections::BinaryHeap<InOrder> = all.into_iter().map(InOrder).collect();
            heap.into_sorted_vec().into_iter().map(|InOrder((p, _))| p).collect()
        }
    };
    Ok(Profiles { ordered, oauth_ids })
}

/// A profile and its last use, ordered as OpenClaw tries them.
struct InOrder((Profile, u64));

impl Ord for InOrder {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let ((a, ua), (b, ub)) = (&self.0, &other.0);
        rank(a.kind).cmp(&rank(b.kind)).then(ua.cmp(ub)).then(a.id.cmp(&b.id))
    }
}

impl PartialOrd for InOrder {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for InOrder {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for InOrder {}

fn rank(kind: ProfileKind) -> u8 {
    match kind {
        ProfileKind::OAuth => 0,
        ProfileKind::Token => 1,
        ProfileKind::ApiKey => 2,
    }
}

fn last_used(root: &Map<String, Value>, id: &str) -> u64 {
    root.get("usageStats").and_then(|u| u.get(id)).and_then(|s| s.get("lastUsed")).and_then(Value::as_f64).map_or(0, |x| x.max(0.0) as u64)
}

/// `order: { vllm: [ids] }` (provider key matched case-insensitively).
fn order_list(order: Option<&Value>, path: &str) -> Result<Option<Vec<String>>, ProviderError> {
    let Some(order) = order else { return Ok(None) };
    let Value::Object(m) = order else { return Err(expected(path, "an object of provider → profile ids", order)) };
    let Some((key, list)) = get_ci(m, "vllm") else { return Ok(None) };
    let lpath = join(path, key);
    let Value::Array(items) = list else { return Err(expected(&lpath, "an array of profile ids", list)) };
    items
        .iter()
        .enumerate()
        .map(|(i, v)| v.as_str().map(str::to_string).ok_or_else(|| expected(&format!("{lpath}[{i}]"), "a profile id string", v)))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Ids under the config's `auth.profiles` whose provider is `vllm`.
fn configured_ids(config: &Map<String, Value>) -> Option<Vec<String>> {
    let profiles = config.get("auth")?.get("profiles")?.as_object()?;
    let ids: Vec<String> = profiles
        .iter()
        .filter(|(_, v)| v.get("provider").and_then(Value::as_str).is_some_and(|p| p.trim().eq_ignore_ascii_case("vllm")))
        .map(|(k, _)| k.clone())
        .collect();
    (!ids.is_empty()).then_some(ids)
}

fn read_profile(id: &str, m: &Map<String, Value>, path: &str) -> Result<Option<Profile>, ProviderError> {
    let o = Obj { map: m, path };
    let provider = o.opt_str("provider")?.unwrap_or_else(|| id.split(':').next().unwrap_or(""));
    if !provider.trim().eq_ignore_ascii_case("vllm") {
        return Ok(None);
    }
    let kind = match o.opt_str("type")?.or(o.opt_str("mode")?) {
        Some("api_key") => ProfileKind::ApiKey,
        Some("token") => ProfileKind::Token,
        Some("oauth") => ProfileKind::OAuth,
        Some(other) => {
            return Err(ProviderError::config_at(
                &join(path, "type"),
                format!("{}: expected \"api_key\", \"token\" or \"oauth\", got \"{other}\"", join(path, "type")),
                "A vLLM profile is { type: \"api_key\", provider: \"vllm\", key: \"…\" }.",
            ))
        }
        None => return Err(ProviderError::config_at(&join(path, "type"), format!("{}: required", join(path, "type")), "A vLLM profile is { type: \"api_key\", provider: \"vllm\", key: \"…\" }.")),
    };
    let (field, ref_field) = match kind {
        ProfileKind::Token => ("token", "tokenRef"),
        _ => ("key", "keyRef"),
    };
    let secret = match (m.get(field), m.get(ref_field)) {
        (Some(Value::String(s)), _) if !s.trim().is_empty() => Some((SecretInput::Literal(s.trim().to_string()), join(path, field))),
        (Some(v @ Value::Object(_)), _) => Some((read_input(v, &join(path, field))?, join(path, field))),
        (Some(v), _) if !v.is_string() => return Err(expected(&join(path, field), "a string", v)),
        (_, Some(v)) => Some((read_input(v, &join(path, ref_field))?, join(path, ref_field))),
        _ => None,
    };
    let (secret, spath) = match secret {
        Some((s, p)) => (Some(s), p),
        None => (None, path.to_string()),
    };
    Ok(Some(Profile { id: id.to_string(), kind, secret, path: spath }))
}

/// The message OpenClaw gives when a per-entry `apiKey` binds a profile of the wrong kind.
pub fn wrong_kind_binding(id: &str, kind: ProfileKind, path: &str) -> ProviderError {
    ProviderError::config_at(
        path,
        format!("Per-entry apiKey \"{id}\" for provider \"vllm\" references a \"{}\" credential, which cannot be sent to vLLM", kind.as_str()),
        "Bind an api_key or token profile, or write the key itself (or ${VLLM_API_KEY}).",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ids(store: Value, config: Value) -> Vec<String> {
        read(&store, config.as_object().unwrap(), &mut vec![]).unwrap().ordered.into_iter().map(|p| p.id).collect()
    }

    #[test]
    fn only_vllm_profiles_token_first_then_least_recently_used() {
        let store = json!({"profiles":{
            "vllm:b":{"type":"api_key","provider":"vllm","key":"kb"},
            "vllm:a":{"type":"api_key","provider":"vllm","key":"ka"},
            "vllm:t":{"type":"token","provider":"vllm","token":"t"},
            "openai:x":{"type":"api_key","provider":"openai","key":"o"}},
            "usageStats":{"vllm:a":{"lastUsed":200},"vllm:b":{"lastUsed":100}}});
        assert_eq!(ids(store, json!({})), ["vllm:t", "vllm:b", "vllm:a"]);
    }

    #[test]
    fn equal_kind_and_use_fall_back_to_the_id_whatever_the_stored_order() {
        let store = json!({"profiles":{
            "vllm:d":{"type":"api_key","provider":"vllm","key":"kd"},
            "vllm:t2":{"type":"token","provider":"vllm","token":"t"},
            "vllm:c":{"type":"api_key","provider":"vllm","key":"kc"},
            "vllm:t1":{"type":"token","provider":"vllm","token":"t"},
            "vllm:e":{"type":"api_key","provider":"vllm","key":"ke"}},
            "usageStats":{"vllm:e":{"lastUsed":5}}});
        assert_eq!(ids(store, json!({})), ["vllm:t1", "vllm:t2", "vllm:c", "vllm:d", "vllm:e"]);
    }

    #[test]
    fn stored_order_then_config_order_then_config_profiles() {
        let profiles = json!({"vllm:a":{"type":"api_key","provider":"vllm","key":"a"},"vllm:b":{"type":"api_key","provider":"vllm","key":"b"}});
        let with_order = json!({"profiles": profiles, "order": {"vllm": ["vllm:b", "missing", "vllm:a"]}});
        assert_eq!(ids(with_order, json!({})), ["vllm:b", "vllm:a"]);
        let plain = json!({"profiles": profiles});
        assert_eq!(ids(plain.clone(), json!({"auth":{"order":{"vllm":["vllm:b"]}}})), ["vllm:b"]);
        assert_eq!(ids(plain, json!({"auth":{"profiles":{"vllm:a":{"provider":"vllm","mode":"api_key"}}}})), ["vllm:a"]);
    }

    #[test]
    fn bare_records_refs_and_oauth() {
        let mut w = vec![];
        let p = read(&json!({"vllm:default":{"type":"api_key","provider":"vllm","keyRef":{"source":"env","provider":"default","id":"K"}},
            "vllm:o":{"type":"oauth","provider":"vllm","access":"x"}}), &Map::new(), &mut w).unwrap();
        assert_eq!(p.ordered.len(), 1);
        assert!(matches!(p.ordered[0].secret, Some(SecretInput::Ref(_))));
        assert!(w[0].message.contains("oauth"));
    }

    #[test]
    fn malformed_stores_are_config_errors_with_paths() {
        for (store, path) in [
            (json!([]), "authProfiles"),
            (json!({"profiles": 3}), "authProfiles.profiles"),
            (json!({"profiles": {"vllm:a": 3}}), "authProfiles.profiles.vllm:a"),
            (json!({"profiles": {"vllm:a": {"provider":"vllm","type":"password"}}}), "authProfiles.profiles.vllm:a.type"),
            (json!({"profiles": {"vllm:a": {"provider":"vllm"}}}), "authProfiles.profiles.vllm:a.type"),
            (json!({"profiles": {"vllm:a": {"provider":"vllm","type":"api_key","key":5}}}), "authProfiles.profiles.vllm:a.key"),
            (json!({"profiles": {"vllm:a": {"provider":"vllm","type":"api_key","keyRef":{"source":"env","id":"x"}}}}), "authProfiles.profiles.vllm:a.keyRef.id"),
            (json!({"profiles": {}, "order": {"vllm": "a"}}), "authProfiles.order.vllm"),
        ] {
            let e = read(&store, &Map::new(), &mut vec![]).unwrap_err();
            assert_eq!(e.path.as_deref(), Some(path), "{store}: {}", e.message);
        }
    }
}
