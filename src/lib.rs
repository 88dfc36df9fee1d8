//! OpenClaw's vLLM provider as a library.
//!
//! Everything here except [`wasm`] is a sans-I/O core: it resolves a provider config, builds the HTTP
//! requests to send, and turns responses and failures into results and typed errors. It depends only
//! on serde and serde_json, builds on the host and is tested with plain `cargo test`.
//! The `wasm` module (compiled only for `wasm32`) performs the requests with `fetch` and converts
//! values to and from JavaScript.
#![warn(missing_docs)]
#![deny(unsafe_code)]

/// `impl Serialize` for a unit enum that has `fn as_str(self) -> &'static str`: one
/// `serialize_unit_variant` call with the name `as_str` gives. serde's derive writes that call once per
/// variant, and serde-wasm-bindgen's is inlined into each (ErrorCode's alone was 841 bytes of wasm).
/// The output is the derive's: serde_json and serde-wasm-bindgen both emit the variant's name.
macro_rules! serialize_as_str {
    ($($t:ty),* $(,)?) => {$(
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_unit_variant(stringify!($t), *self as u32, self.as_str())
            }
        }
    )*};
}

/// `serialize_with` for a `&'static str` field: the name written as [`serialize_as_str!`] writes a
/// variant's (the same JSON string). serde-wasm-bindgen makes one JS string per name and reuses it,
/// where `serialize_str` decodes the text again for every value (a row's thinking profile has three).
pub(crate) fn static_name<S: serde::Serializer>(name: &&'static str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_unit_variant("", 0, name)
}

pub mod args;
pub mod catalog;
pub mod classify;
pub mod config;
pub mod diagnose;
pub mod discovery;
pub mod error;
pub mod hints;
pub mod http;
mod join;
mod json;
mod wire;
pub mod str_map;
mod name_index;
#[cfg(test)]
mod secrets_tests;
#[cfg(test)]
mod test_rng;
#[cfg(test)]
mod growth;
pub mod model_ref;
pub mod models;
pub mod redact;
pub mod replicas;
pub mod redirect;
pub mod shaping;
pub mod steps;
pub mod stream;
pub mod transport;
pub mod unreadable;
pub mod url;

#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod heap;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use config::{resolve, ConfigInput, Provider, ResolveInput, ResolvedProvider};
pub use error::{ErrorCode, ProviderError};

/// The crate's version, which is also the npm package's.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
