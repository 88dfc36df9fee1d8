//! The properties the fuzz targets check, one module a target. Each `check` takes libFuzzer's bytes,
//! calls the crate's public functions only, and panics (a crash to libFuzzer) when a property fails:
//! no panic inside the crate, output bounded by the input, the same result under any chunking of the
//! same bytes, errors always of the expected codes, and no secret in any text a caller is shown.

pub mod call;
pub mod classify;
pub mod common;
pub mod config;
pub mod exchange;
pub mod json5;
pub mod models;
pub mod request;
pub mod sse;
pub mod think;
pub mod tools;
