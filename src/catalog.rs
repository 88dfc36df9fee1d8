//! `listModels()`: declared rows merged with what discovery found, and how discovery went.

use crate::config::{Diagnostic, Provider};
use crate::error::{ErrorCode, ProviderError};
use crate::models::{merge_models, ModelDefinition, ModelSource, Origin};
use serde::Serialize;

/// How discovery went for a catalog.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscoveryOutcome {
    /// Whether the server was queried.
    pub attempted: bool,
    /// Whether the query succeeded.
    pub ok: bool,
    /// Why it failed (discovery failures do not fail `listModels()`, as OpenClaw keeps going).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ProviderError>,
    /// How long the query took.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
}

/// The merged model list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelCatalog {
    /// Declared rows first, then discovered-only rows.
    pub models: Vec<ModelDefinition>,
    /// How discovery went.
    pub discovery: DiscoveryOutcome,
    /// Where the config and the server disagree (beyond OpenClaw, which merges silently).
    pub warnings: Vec<Diagnostic>,
}

impl ModelCatalog {
    /// The catalog with no rows: the wasm layer gives the rows their own way (see
    /// [`crate::models::RowsCrossing`]) and puts them in `models`, which stays first.
    pub fn without_models(&self) -> ModelCatalog {
        ModelCatalog { models: Vec::new(), discovery: self.discovery.clone(), warnings: self.warnings.clone() }
    }
}

impl Provider {
    /// Whether `listModels()` queries the server (OpenClaw's discovery rule, see `describe().discovery`).
    pub fn wants_discovery(&self) -> bool {
        self.describe().discovery.enabled
    }

    /// Builds the catalog from a discovery result and its duration (`None`: not attempted). An abort
    /// is the caller's own decision and is returned as an error rather than reported. A successful
    /// merge is remembered: later requests run against its rows, as OpenClaw's catalog does.
    pub fn catalog(&self, discovered: Option<(Result<Vec<ModelDefinition>, ProviderError>, u64)>) -> Result<ModelCatalog, ProviderError> {
        self.catalog_with(discovered, ModelCatalog::clone)
    }

    /// [`Provider::catalog`], handed to `f` (the wasm layer's conversion to JS) before a successful
    /// merge's rows are remembered: they are then moved there instead of copied (1 000 rows each time).
    pub fn catalog_with<R>(&self, discovered: Option<(Result<Vec<ModelDefinition>, ProviderError>, u64)>, f: impl FnOnce(&ModelCatalog) -> R) -> Result<R, ProviderError> {
        let declared = &self.describe().models;
        let outcome = |ok, error, duration_ms| DiscoveryOutcome { attempted: true, ok, error, duration_ms: Some(duration_ms) };
        let plain = |discovery| ModelCatalog { models: declared.clone(), discovery, warnings: Vec::new() };
        Ok(match discovered {
            None => f(&plain(DiscoveryOutcome { attempted: false, ok: false, error: None, duration_ms: None })),
            Some((Err(e), _)) if e.code == ErrorCode::Aborted => return Err(e),
            Some((Err(e), ms)) => f(&plain(outcome(false, Some(e), ms))),
            Some((Ok(mut found), ms)) => {
                if let Some(params) = self.provider_params() {
                    for row in &mut found {
                        let mut merged = params.clone();
                        merged.extend(row.params.take().unwrap_or_default());
                        row.params = Some(merged);
                    }
                }
                let warnings = disagreements(self.config_path(), declared, &found);
                let mut models = merge_models(declared, found);
                crate::models::thinking::attach_thinking(&mut models);
                let catalog = ModelCatalog { models, discovery: outcome(true, None, ms), warnings };
                let out = f(&catalog);
                self.remember_rows(catalog.models);
                out
            }
        })
    }
}

/// Declared values the server contradicts: a context window or output cap larger than the server's
/// window, and declared models the server does not serve.
fn disagreements(entry: &str, declared: &[ModelDefinition], found: &[ModelDefinition]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, d) in declared.iter().enumerate() {
        let row = format!("{entry}.models[{i}]");
        let Some(s) = found.iter().find(|s| s.id == d.id) else {
            let listed = crate::join::join(&found.iter().take(5).map(|s| s.id.as_str()).collect::<Vec<_>>(), ", ");
            out.push(Diagnostic::warning(&format!("{row}.id"), format!("\"{}\" is declared but the server does not serve it (it lists: {listed}); requests for it will fail with model_not_found", d.id)));
            continue;
        };
        if s.origins.context_window != Origin::Server {
            continue;
        }
        if d.origins.context_window == Origin::Config && d.context_window > s.context_window {
            out.push(Diagnostic::warning(
                &format!("{row}.contextWindow"),
                format!("contextWindow {} is larger than the server's max_model_len {} for \"{}\"; the config wins, so prompts the server cannot hold will be refused with context_overflow", d.context_window, s.context_window, d.id),
            ));
        }
        if let (Origin::Config, Some(t)) = (d.origins.max_tokens, d.max_tokens) {
            if t >= s.context_window {
                out.push(Diagnostic::warning(
                    &format!("{row}.maxTokens"),
                    format!("maxTokens {t} is not below the server's max_model_len {} for \"{}\"; it leaves no room for the prompt", s.context_window, d.id),
                ));
            }
        }
    }
    debug_assert!(declared.iter().all(|d| d.source == ModelSource::Config));
    out
}

#[cfg(test)]
mod tests {
    use crate::config::{resolve, ConfigInput, ResolveInput};
    use crate::error::{ErrorCode, ProviderError};
    use crate::models::map_discovered_rows;

    fn provider(cfg: &str) -> crate::config::Provider {
        resolve(&ResolveInput { config: Some(ConfigInput::Text(cfg.into())), ..Default::default() }).unwrap()
    }

    const WILDCARD: &str = "{models:{providers:{vllm:{apiKey:'k', models:[{id:'a', name:'A'}]}}}, agents:{defaults:{modelPolicy:{allow:['vllm/*']}}}}";

    #[test]
    fn requests_run_against_the_merged_rows_once_the_catalog_has_them() {
        let p = resolve(&ResolveInput { env: [("VLLM_API_KEY", "k")].into(), ..Default::default() }).unwrap();
        let req = r#"{"model":"vllm/tiny","messages":[{"role":"user","content":"hi"}]}"#;
        let before = crate::shaping::build_from_json(&p, req).unwrap().prepared;
        assert!(before.body.max_tokens.is_none(), "the configured-fallback row has no output cap");
        assert!(before.notes.iter().any(|n| n.reason.contains("not among the provider's models")));
        // A failed discovery remembers nothing.
        p.catalog(Some((Err(ProviderError::new(ErrorCode::Unreachable, "down", "h")), 1))).unwrap();
        assert!(crate::shaping::build_from_json(&p, req).unwrap().prepared.body.max_tokens.is_none());
        let found = map_discovered_rows(serde_json::json!([{"id":"tiny","max_model_len":512}]).as_array().unwrap());
        p.catalog(Some((Ok(found), 1))).unwrap();
        let after = crate::shaping::build_from_json(&p, req).unwrap().prepared;
        let cap = after.body.max_tokens.map(|(_, n)| n).unwrap();
        assert!(cap < 512, "clamped to the server's window: {cap}");
        assert!(!after.notes.iter().any(|n| n.reason.contains("not among the provider's models")));
    }

    #[test]
    fn not_attempted_keeps_the_declared_rows() {
        let p = provider("{models:{providers:{vllm:{apiKey:'k', models:[{id:'a', name:'A'}]}}}}");
        assert!(!p.wants_discovery());
        let c = p.catalog(None).unwrap();
        assert_eq!((c.models.len(), c.discovery.attempted, c.discovery.duration_ms), (1, false, None));
    }

    #[test]
    fn success_merges_and_failure_is_reported_not_thrown() {
        let p = provider(WILDCARD);
        assert!(p.wants_discovery());
        let found = map_discovered_rows(serde_json::json!([{"id":"a","max_model_len":512},{"id":"b"}]).as_array().unwrap());
        let c = p.catalog(Some((Ok(found), 12))).unwrap();
        assert_eq!(c.models.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!((c.discovery.ok, c.discovery.duration_ms), (true, Some(12)));
        let err = ProviderError::new(ErrorCode::Auth, "401 Unauthorized", "h");
        let c = p.catalog(Some((Err(err), 3))).unwrap();
        assert_eq!((c.models.len(), c.discovery.ok), (1, false));
        assert_eq!(c.discovery.error.unwrap().code, ErrorCode::Auth);
    }

    #[test]
    fn an_abort_is_returned_as_an_error() {
        let err = ProviderError::new(ErrorCode::Aborted, "Request was aborted", "h");
        assert_eq!(provider(WILDCARD).catalog(Some((Err(err), 1))).unwrap_err().code, ErrorCode::Aborted);
    }
}

#[cfg(test)]
mod warning_tests {
    use crate::config::{resolve, ConfigInput, ResolveInput};
    use crate::models::{map_discovered_rows, Origin};
    use serde_json::json;

    fn provider(cfg: &str) -> crate::config::Provider {
        resolve(&ResolveInput { config: Some(ConfigInput::Text(cfg.into())), ..Default::default() }).unwrap()
    }

    #[test]
    fn config_larger_than_the_server_is_a_warning_and_the_config_still_wins() {
        let p = provider("{models:{providers:{vllm:{apiKey:'k', params:{temperature:0.1}, models:[{id:'Qwen/Qwen3-8B', name:'Q', contextWindow:65536, maxTokens:40000}, {id:'gone', name:'G'}]}}}}");
        let found = map_discovered_rows(json!([{"id":"Qwen/Qwen3-8B","max_model_len":32768},{"id":"new"}]).as_array().unwrap());
        let c = p.catalog(Some((Ok(found), 1))).unwrap();
        assert_eq!(c.models[0].context_window, 65536, "checklist 19: the explicit value wins");
        assert_eq!(c.models[0].origins.context_window, Origin::Config);
        let paths: Vec<&str> = c.warnings.iter().map(|w| w.path.as_str()).collect();
        assert_eq!(paths, ["models.providers.vllm.models[0].contextWindow", "models.providers.vllm.models[0].maxTokens", "models.providers.vllm.models[1].id"]);
        assert!(c.warnings[0].message.contains("max_model_len 32768"));
        assert_eq!(c.models[2].id, "new");
        assert_eq!(c.models[2].params.as_ref().unwrap()["temperature"], 0.1, "provider params reach discovered rows");
        let text = serde_json::to_value(&c).unwrap();
        assert!(text["warnings"].is_array());
    }

    #[test]
    fn agreeing_config_gives_no_warning() {
        let p = provider("{models:{providers:{vllm:{apiKey:'k', models:[{id:'a', name:'A', contextWindow:512}]}}}}");
        let found = map_discovered_rows(json!([{"id":"a","max_model_len":512}]).as_array().unwrap());
        assert!(p.catalog(Some((Ok(found), 1))).unwrap().warnings.is_empty());
        let found = map_discovered_rows(json!([{"id":"a"}]).as_array().unwrap());
        assert!(p.catalog(Some((Ok(found), 1))).unwrap().warnings.is_empty(), "a server default is no disagreement");
    }
}
