//! Model definitions: the rows a provider offers, declared in config or discovered from `/v1/models`.

mod compat;
mod discovered;
mod merge;
mod crossing;
pub mod thinking;

pub use crossing::RowsCrossing;
pub use compat::{effective_compat, CompatDefault, VLLM_COMPAT_DEFAULTS};
pub use discovered::{looks_like_reasoning, map_discovered_rows};
pub(crate) use discovered::{map_cards, ModelList};
pub use merge::merge_models;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// OpenClaw's context window for discovered rows without any context field.
pub const DISCOVERED_DEFAULT_CONTEXT_WINDOW: u64 = 128_000;
/// OpenClaw's output cap for discovered rows.
pub const DISCOVERED_DEFAULT_MAX_TOKENS: u64 = 8_192;
/// OpenClaw's context window for configured rows that declare none.
pub const CONFIGURED_DEFAULT_CONTEXT_WINDOW: u64 = 200_000;
/// OpenClaw's output cap for configured rows that declare none (errata §0.1 item 3); ids that are
/// neither declared nor discovered get no cap at all.
pub const CONFIGURED_DEFAULT_MAX_TOKENS: u64 = 8_192;

/// The input kinds a row may accept, in the order OpenClaw's schema lists them (a row's digits in
/// [`RowsCrossing::codes`] are their places, from 1).
pub const INPUT_KINDS: [&str; 4] = ["text", "image", "video", "audio"];

/// Per-token prices (always zero for a self-hosted server unless configured).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cost {
    /// Input price.
    pub input: f64,
    /// Output price.
    pub output: f64,
    /// Cache-read price.
    pub cache_read: f64,
    /// Cache-write price.
    pub cache_write: f64,
}

/// Where a row came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelSource {
    /// Declared in `models.providers.vllm.models`.
    Config,
    /// Listed by the server only.
    Discovered,
    /// Declared and also listed by the server.
    Merged,
}

impl ModelSource {
    /// The name JSON and JS see.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelSource::Config => "config",
            ModelSource::Discovered => "discovered",
            ModelSource::Merged => "merged",
        }
    }
}

serialize_as_str!(ModelSource);

/// One model the provider offers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelDefinition {
    /// Provider-local id, as the server serves it.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Whether the model emits reasoning.
    pub reasoning: bool,
    /// Accepted input kinds.
    pub input: Vec<String>,
    /// Prices.
    pub cost: Cost,
    /// Native context window in tokens.
    pub context_window: u64,
    /// Output cap in tokens.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub max_tokens: Option<u64>,
    /// Effective runtime context cap.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub context_tokens: Option<u64>,
    /// Compatibility flags.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub compat: Option<Map<String, Value>>,
    /// Per-model params.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub params: Option<Map<String, Value>>,
    /// Where the row came from.
    pub source: ModelSource,
    /// A LoRA adapter's base model (the server's `parent`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub parent: Option<String>,
    /// Where each merged field's value came from (beyond OpenClaw: provenance).
    #[serde(default)]
    pub origins: Origins,
    /// The thinking levels a UI may offer for this row (beyond OpenClaw's config: derived from the row by
    /// [`thinking::thinking_profile`]); set on the rows `describe()`, discovery and the catalog return.
    #[serde(skip_serializing_if = "Option::is_none", skip_deserializing)]
    pub thinking: Option<thinking::ThinkingProfile>,
}

/// Where a field's value came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// Written in the config (on the row, or the provider's `maxTokens`).
    Config,
    /// Stated by the server's `/v1/models` row (or its LoRA parent's).
    Server,
    /// OpenClaw's default or heuristic.
    #[default]
    Default,
}

impl Origin {
    /// The name JSON and JS see.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Config => "config",
            Origin::Server => "server",
            Origin::Default => "default",
        }
    }
}

serialize_as_str!(Origin);

/// Provenance of the fields that config and server can both set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Origins {
    /// `contextWindow`.
    pub context_window: Origin,
    /// `maxTokens`.
    pub max_tokens: Origin,
    /// `reasoning` (`default`: the id heuristic or the model's defaults).
    pub reasoning: Origin,
    /// `input`.
    pub input: Origin,
}
