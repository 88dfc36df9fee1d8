//! The `agents` block as it concerns vLLM: the model-policy allow-list (which turns discovery on
//! for an explicit provider), the default model with its fallbacks, aliases, and per-model params.

use super::reader::{expected, get_ci};
use crate::error::ProviderError;
use serde::Serialize;
use serde_json::{Map, Value};
use crate::str_map::StrMap;

/// `agents.defaults.model` (or the agent's own): primary and fallbacks, as written.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DefaultModel {
    /// `primary` (or the string form).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<String>,
    /// `fallbacks`, in order.
    pub fallbacks: Vec<String>,
}

/// Whether an allow-list entry is `vllm/*` (segments trimmed, provider case-insensitive).
fn is_vllm_wildcard(entry: &str) -> bool {
    let (p, m) = entry.split_once('/').unwrap_or((entry, ""));
    p.trim().eq_ignore_ascii_case("vllm") && m.trim() == "*"
}

/// The agent's own entry under `agents.entries.<id>` or `agents.list[{ id }]`.
fn agent_entry<'a>(agents: &'a Map<String, Value>, id: &str) -> Option<&'a Value> {
    agents.get("entries").and_then(|e| e.get(id)).or_else(|| {
        agents.get("list").and_then(Value::as_array).and_then(|l| l.iter().find(|a| a.get("id").and_then(Value::as_str) == Some(id)))
    })
}

/// Checks the shapes this library reads under `agents`, with paths.
pub fn check(root: &Map<String, Value>) -> Result<(), ProviderError> {
    let Some(agents) = root.get("agents") else { return Ok(()) };
    let Value::Object(agents) = agents else { return Err(expected("agents", "an object", agents)) };
    let Some(defaults) = agents.get("defaults") else { return Ok(()) };
    let Value::Object(defaults) = defaults else { return Err(expected("agents.defaults", "an object", defaults)) };
    if let Some(policy) = defaults.get("modelPolicy") {
        let Value::Object(p) = policy else { return Err(expected("agents.defaults.modelPolicy", "an object", policy)) };
        if let Some(allow) = p.get("allow") {
            let Value::Array(items) = allow else { return Err(expected("agents.defaults.modelPolicy.allow", "an array of model refs", allow)) };
            if let Some((i, v)) = items.iter().enumerate().find(|(_, v)| !v.is_string()) {
                return Err(expected(&format!("agents.defaults.modelPolicy.allow[{i}]"), "a model ref string", v));
            }
        }
    }
    if let Some(models) = defaults.get("models") {
        let Value::Object(m) = models else { return Err(expected("agents.defaults.models", "an object of model ref → settings", models)) };
        for (k, v) in m {
            let path = format!("agents.defaults.models[\"{k}\"]");
            let Value::Object(entry) = v else { return Err(expected(&path, "an object", v)) };
            if let Some(alias) = entry.get("alias") {
                if !alias.is_string() {
                    return Err(expected(&format!("{path}.alias"), "a string", alias));
                }
            }
            if let Some(params) = entry.get("params") {
                if !params.is_object() {
                    return Err(expected(&format!("{path}.params"), "an object of params", params));
                }
            }
        }
    }
    if let Some(model) = defaults.get("model") {
        read_default_model(model, "agents.defaults.model")?;
    }
    Ok(())
}

fn read_default_model(v: &Value, path: &str) -> Result<DefaultModel, ProviderError> {
    match v {
        Value::String(s) => Ok(DefaultModel { primary: Some(s.trim().to_string()), fallbacks: Vec::new() }),
        Value::Object(m) => {
            let primary = match m.get("primary") {
                None => None,
                Some(Value::String(s)) => Some(s.trim().to_string()),
                Some(other) => return Err(expected(&format!("{path}.primary"), "a model ref string", other)),
            };
            let fallbacks = match m.get("fallbacks") {
                None => Vec::new(),
                Some(Value::Array(items)) => items
                    .iter()
                    .enumerate()
                    .map(|(i, f)| f.as_str().map(|s| s.trim().to_string()).ok_or_else(|| expected(&format!("{path}.fallbacks[{i}]"), "a model ref string", f)))
                    .collect::<Result<_, _>>()?,
                Some(other) => return Err(expected(&format!("{path}.fallbacks"), "an array of model refs", other)),
            };
            Ok(DefaultModel { primary, fallbacks })
        }
        other => Err(expected(path, "a model ref string or { primary, fallbacks }", other)),
    }
}

/// The default model for `agent_id` (its own `model` overrides `agents.defaults.model`).
pub fn default_model(root: &Map<String, Value>, agent_id: Option<&str>) -> Result<Option<DefaultModel>, ProviderError> {
    let Some(agents) = root.get("agents").and_then(Value::as_object) else { return Ok(None) };
    if let Some(model) = agent_id.and_then(|id| agent_entry(agents, id)).and_then(|e| e.get("model")) {
        return read_default_model(model, &format!("agents (agent \"{}\").model", agent_id.unwrap_or(""))).map(Some);
    }
    agents.get("defaults").and_then(|d| d.get("model")).map(|m| read_default_model(m, "agents.defaults.model")).transpose()
}

/// Aliases from `agents.defaults.models["<ref>"].alias`: alias → model ref.
pub fn aliases(root: &Map<String, Value>) -> StrMap {
    let Some(models) = root.get("agents").and_then(|a| a.get("defaults")).and_then(|d| d.get("models")).and_then(Value::as_object) else {
        return StrMap::new();
    };
    // A later duplicate alias wins, as OpenClaw's object spread does.
    let mut out = StrMap::new();
    for (r, v) in models {
        if let Some(alias) = v.get("alias").and_then(Value::as_str).map(str::trim).filter(|a| !a.is_empty()) {
            out.insert(alias.to_string(), r.trim().to_string());
        }
    }
    out
}

/// `agents.defaults.models` (model ref → settings), whose `params` apply to requests for that model
/// (errata §0.1 item 6); see `Provider::agent_params`.
pub fn agent_models(root: &Map<String, Value>) -> Option<Map<String, Value>> {
    root.get("agents")?.get("defaults")?.get("models")?.as_object().cloned()
}

/// Where a `vllm/*` wildcard was found in the effective model-policy allow-list, if anywhere:
/// the agent's own policy, then `agents.defaults.modelPolicy.allow`, then (legacy configs without any
/// `modelPolicy` object) the keys of `agents.defaults.models`.
pub fn allow_list_wildcard(root: &Map<String, Value>, agent_id: Option<&str>) -> Option<String> {
    let (_, agents) = get_ci(root, "agents")?;
    let agents = agents.as_object()?;
    let has_wildcard = |list: &Value| list.as_array().is_some_and(|a| a.iter().filter_map(Value::as_str).any(is_vllm_wildcard));
    if let Some(id) = agent_id {
        if let Some(allow) = agent_entry(agents, id).and_then(|e| e.get("modelPolicy")).and_then(|p| p.get("allow")) {
            return has_wildcard(allow).then(|| format!("the model policy of agent \"{id}\""));
        }
    }
    let defaults = agents.get("defaults")?.as_object()?;
    if let Some(policy) = defaults.get("modelPolicy") {
        return policy.get("allow").filter(|a| has_wildcard(a)).map(|_| "agents.defaults.modelPolicy.allow".to_string());
    }
    let legacy = defaults.get("models")?.as_object()?;
    legacy.keys().any(|k| is_vllm_wildcard(k)).then(|| "agents.defaults.models (legacy config without modelPolicy)".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn root(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn wildcard_sources_in_order() {
        let r = root(json!({"agents":{"defaults":{"modelPolicy":{"allow":[" VLLM / * "]}}}}));
        assert_eq!(allow_list_wildcard(&r, None).as_deref(), Some("agents.defaults.modelPolicy.allow"));
        let r = root(json!({"agents":{"defaults":{"modelPolicy":{"allow":["vllm/*"]}},"entries":{"ops":{"modelPolicy":{"allow":["vllm/a"]}}}}}));
        assert!(allow_list_wildcard(&r, Some("ops")).is_none(), "the agent's own policy replaces the default one");
        assert!(allow_list_wildcard(&r, Some("other")).is_some());
        let r = root(json!({"agents":{"list":[{"id":"ops","modelPolicy":{"allow":["vllm/*"]}}]}}));
        assert_eq!(allow_list_wildcard(&r, Some("ops")).as_deref(), Some("the model policy of agent \"ops\""));
        let r = root(json!({"agents":{"defaults":{"modelPolicy":{},"models":{"vllm/*":{}}}}}));
        assert!(allow_list_wildcard(&r, None).is_none(), "any modelPolicy object retires the legacy keys rule");
        let r = root(json!({"agents":{"defaults":{"modelPolicy":{"allow":["vllm/qwen"]}}}}));
        assert!(allow_list_wildcard(&r, None).is_none(), "exact refs are not wildcards");
    }

    #[test]
    fn default_model_string_object_and_per_agent() {
        let r = root(json!({"agents":{"defaults":{"model":{"primary":"vllm/a","fallbacks":["vllm/b"]}},"entries":{"x":{"model":"vllm/c"}}}}));
        assert_eq!(default_model(&r, None).unwrap().unwrap(), DefaultModel { primary: Some("vllm/a".into()), fallbacks: vec!["vllm/b".into()] });
        assert_eq!(default_model(&r, Some("x")).unwrap().unwrap().primary.as_deref(), Some("vllm/c"));
        assert!(default_model(&root(json!({})), None).unwrap().is_none());
    }

    #[test]
    fn agents_model_params_must_be_objects() {
        let bad = root(json!({"agents":{"defaults":{"models":{"vllm/m":{"params":[1]}}}}}));
        assert_eq!(check(&bad).unwrap_err().path.as_deref(), Some("agents.defaults.models[\"vllm/m\"].params"));
        assert!(agent_models(&root(json!({"agents":{"defaults":{}}}))).is_none());
    }

    #[test]
    fn aliases_map_to_refs() {
        let r = root(json!({"agents":{"defaults":{"models":{"vllm/Qwen/Qwen3-8B":{"alias":"qwen"},"vllm/x":{}}}}}));
        assert_eq!(aliases(&r), StrMap::from([("qwen".to_string(), "vllm/Qwen/Qwen3-8B".to_string())]));
    }
}
