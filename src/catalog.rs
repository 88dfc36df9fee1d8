//! `listModels()`: declared rows merged with what discovery found, and how discovery went.

use crate::config::Provider;
use crate::error::{ErrorCode, ProviderError};
use crate::models::{merge_models, ModelDefinition};
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
}

impl Provider {
    /// Whether `listModels()` queries the server (OpenClaw's discovery rule, see `describe().discovery`).
    pub fn wants_discovery(&self) -> bool {
        self.describe().discovery.enabled
    }

    /// Builds the catalog from a discovery result and its duration (`None`: not attempted). An abort
    /// is the caller's own decision and is returned as an error rather than reported.
    pub fn catalog(&self, discovered: Option<(Result<Vec<ModelDefinition>, ProviderError>, u64)>) -> Result<ModelCatalog, ProviderError> {
        let declared = &self.describe().models;
        let outcome = |ok, error, duration_ms| DiscoveryOutcome { attempted: true, ok, error, duration_ms: Some(duration_ms) };
        Ok(match discovered {
            None => ModelCatalog {
                models: declared.clone(),
                discovery: DiscoveryOutcome { attempted: false, ok: false, error: None, duration_ms: None },
            },
            Some((Err(e), _)) if e.code == ErrorCode::Aborted => return Err(e),
            Some((Err(e), ms)) => ModelCatalog { models: declared.clone(), discovery: outcome(false, Some(e), ms) },
            Some((Ok(found), ms)) => ModelCatalog { models: merge_models(declared, &found), discovery: outcome(true, None, ms) },
        })
    }
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
