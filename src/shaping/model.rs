//! Which model row a request uses, and the compat flags read from it (§5.2 defaults for vLLM).

use super::notes::{Action, Notes};
use crate::config::Provider;
use crate::error::ProviderError;
use crate::model_ref::parse_model_ref;
use crate::models::{Cost, ModelDefinition, ModelSource, CONFIGURED_DEFAULT_CONTEXT_WINDOW, CONFIGURED_DEFAULT_MAX_TOKENS};
pub use crate::models::thinking::{compat_bool, compat_str, with_qwen_rule};

/// The model row a request runs against, with OpenClaw's vLLM Qwen rule applied.
pub fn resolve_model(provider: &Provider, reference: &str, notes: &mut Notes) -> Result<ModelDefinition, ProviderError> {
    provider.with_model_rows(|rows| resolve_model_in(provider, rows, reference, notes))
}

/// Like [`resolve_model`], but among `rows` (e.g. a catalog with discovered rows, as `listModels()`
/// returns it) instead of the declared rows only.
pub fn resolve_model_in(provider: &Provider, rows: &[ModelDefinition], reference: &str, notes: &mut Notes) -> Result<ModelDefinition, ProviderError> {
    ready(provider, reference)?;
    let declared = rows;
    // A bare id that itself contains a slash (`Qwen/Qwen3-8B`) names a declared row before it is
    // read as `<provider>/<model>`.
    if let Some(m) = declared.iter().find(|m| m.id == reference.trim()) {
        return Ok(with_defaults(m.clone()));
    }
    let parsed = parse_model_ref(reference).map_err(|e| e.tap_model_path())?;
    if parsed.provider != "vllm" {
        return Err(ProviderError::config_at(
            "model",
            format!("Model \"{reference}\" belongs to provider \"{}\", not vllm", parsed.provider),
            "Use \"vllm/<model id>\" or a bare model id of this vLLM server.",
        ));
    }
    let found = declared.iter().find(|m| m.id == parsed.model).or_else(|| declared.iter().find(|m| m.id.eq_ignore_ascii_case(&parsed.model)));
    let model = match found {
        Some(m) => with_defaults(m.clone()),
        None => {
            notes.push(
                "model",
                Action::Added,
                format!(
                    "Model \"{}\" is not among the provider's models, so OpenClaw's configured-fallback row is used: context window 200000 tokens, text input, no reasoning and no output cap.",
                    parsed.model
                ),
            );
            with_qwen_rule(fallback_row(&parsed.model))
        }
    };
    Ok(model)
}

/// A row of the catalog as OpenClaw's request path sees it: the Qwen rule, and OpenClaw's default
/// output cap for a declared row without `maxTokens` (errata §0.1 item 3; discovered rows have theirs).
fn with_defaults(model: ModelDefinition) -> ModelDefinition {
    let mut model = with_qwen_rule(model);
    if model.max_tokens.is_none() {
        model.max_tokens = Some(CONFIGURED_DEFAULT_MAX_TOKENS);
    }
    model
}

/// Refuses what OpenClaw refuses before any request (an unregistered provider; an explicit provider
/// with no key that cannot use the synthetic local one): the config decides, see `ensure_can_send_to`.
fn ready(provider: &Provider, reference: &str) -> Result<(), ProviderError> {
    let id = parse_model_ref(reference).map(|r| r.model).unwrap_or_else(|_| reference.trim().to_string());
    provider.ensure_can_send_to(&format!("vllm/{id}"))
}

/// OpenClaw's configured-fallback row for an id the config does not list (§2.4).
pub fn fallback_row(id: &str) -> ModelDefinition {
    ModelDefinition {
        id: id.to_string(),
        name: id.to_string(),
        reasoning: false,
        input: vec!["text".to_string()],
        cost: Cost::default(),
        context_window: CONFIGURED_DEFAULT_CONTEXT_WINDOW,
        max_tokens: None,
        context_tokens: None,
        compat: None,
        params: None,
        source: ModelSource::Config,
        parent: None,
        origins: Default::default(),
        thinking: None,
    }
}

trait TapModelPath {
    fn tap_model_path(self) -> Self;
}

impl TapModelPath for ProviderError {
    fn tap_model_path(mut self) -> Self {
        self.path = Some("model".to_string());
        self
    }
}

/// Whether the row accepts an input kind (`image`, `video`).
pub fn accepts(model: &ModelDefinition, kind: &str) -> bool {
    model.input.iter().any(|i| i == kind)
}
