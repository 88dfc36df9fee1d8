//! The JavaScript face of the library: each export converts in, calls the core, fetches, calls the
//! core again and converts out. No decisions are made here.

mod chat;
mod convert;
mod diagnose;
mod net;
mod shaping;
mod types;

use crate::config::Provider;
use crate::error::ProviderError;
use crate::transport::classify_transport;
use convert::{arg_error, call_options, to_js, to_js_error};
use js_sys::{Function, Promise};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use types::{JsCallOptions, JsHeaders, JsResolveInput};
use wasm_bindgen::prelude::*;

type JsResult = Result<JsValue, JsValue>;

// Rust's default wasm allocator (dlmalloc) is bigger and slower than talc's dynamic one, which grows
// the wasm memory as needed; the library is single-threaded (no `atomics`), as talc requires.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Every async export goes through this one function with a boxed future, so wasm-bindgen-futures'
/// promise glue is compiled once rather than once per export's future type.
pub(crate) fn promise(future: Pin<Box<dyn Future<Output = JsResult>>>) -> Promise {
    wasm_bindgen_futures::future_to_promise(future)
}

pub(crate) fn throw(e: ProviderError) -> JsValue {
    to_js_error(&e)
}

/// A resolved vLLM provider. Create it with `VllmProvider.resolve(...)`.
#[wasm_bindgen]
pub struct VllmProvider {
    // Features add their own `#[wasm_bindgen] impl VllmProvider` blocks in sibling modules.
    pub(crate) core: Rc<Provider>,
    pub(crate) fetch: Option<Function>,
}

#[wasm_bindgen]
impl VllmProvider {
    /// Resolves OpenClaw's `vllm` provider from a config, an environment and auth profiles.
    /// Throws `VllmProviderError` with `code: "config"` (and a `path`, or `line`/`column`).
    pub fn resolve(input: Option<JsResolveInput>) -> Result<VllmProvider, JsValue> {
        let (input, fetch) = convert::resolve_input(&input.map_or(JsValue::UNDEFINED, JsValue::from)).map_err(throw)?;
        let core = crate::config::resolve(&input).map_err(throw)?;
        Ok(VllmProvider { core: Rc::new(core), fetch })
    }

    /// The resolved provider as a plain object; secrets never appear in it.
    #[wasm_bindgen(unchecked_return_type = "ResolvedProvider")]
    pub fn describe(&self) -> JsResult {
        to_js(self.core.describe()).map_err(throw)
    }

    /// Same as `describe()`, so `JSON.stringify(provider)` never leaks a key.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "ResolvedProvider")]
    pub fn to_json(&self) -> JsResult {
        self.describe()
    }

    /// `GET {baseUrl}/models`, mapped to model definitions as OpenClaw maps them. Queries the server
    /// whatever `describe().discovery` says (you asked); rejects with `VllmProviderError`.
    #[wasm_bindgen(js_name = discoverModels, unchecked_return_type = "Promise<ModelDefinition[]>")]
    pub fn discover_models(&self, opts: Option<JsCallOptions>) -> Promise {
        let (core, fetch, opts) = (self.core.clone(), self.fetch.clone(), call_options(&opts.map_or(JsValue::UNDEFINED, JsValue::from)));
        promise(Box::pin(async move {
            let models = discover(&core, fetch.as_ref(), &opts.map_err(throw)?).await.map_err(throw)?;
            to_js(&models).map_err(throw)
        }))
    }

    /// The declared models merged with discovered ones (when `describe().discovery.enabled`).
    /// Discovery failures do not reject: they are reported in `discovery.error`, as OpenClaw keeps going.
    /// A successful merge is remembered: `buildChatRequest()`, `chat()` and `stream()` then use its rows
    /// (the server's context window for a discovered model), as OpenClaw's catalog does.
    #[wasm_bindgen(js_name = listModels, unchecked_return_type = "Promise<ModelCatalog>")]
    pub fn list_models(&self, opts: Option<JsCallOptions>) -> Promise {
        let (core, fetch, opts) = (self.core.clone(), self.fetch.clone(), call_options(&opts.map_or(JsValue::UNDEFINED, JsValue::from)));
        promise(Box::pin(async move {
            let opts = opts.map_err(throw)?;
            let discovered = if core.wants_discovery() {
                let started = js_sys::Date::now();
                let result = discover(&core, fetch.as_ref(), &opts).await;
                Some((result, (js_sys::Date::now() - started).max(0.0) as u64))
            } else {
                None
            };
            to_js(&core.catalog(discovered).map_err(throw)?).map_err(throw)
        }))
    }
}

async fn discover(core: &Provider, fetch: Option<&Function>, opts: &convert::CallOptions) -> Result<Vec<crate::models::ModelDefinition>, ProviderError> {
    let req = core.discovery_request(opts.timeout_ms);
    let resp = net::send(&req, fetch, &opts.guard()?)
        .await
        .map_err(|f| classify_transport(&f, &core.describe().base_url).redact(core.secrets()))?;
    core.parse_discovery(&resp)
}

/// Classifies an HTTP error answer you got elsewhere, without throwing.
#[wasm_bindgen(js_name = classifyError, unchecked_return_type = "ErrorInfo")]
pub fn classify_error(
    #[wasm_bindgen(unchecked_param_type = "number | null")] status: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] body: JsValue,
    headers: Option<JsHeaders>,
) -> JsResult {
    // null/undefined is "no status"; anything else must be a number the core accepts.
    let number = if status.is_null() || status.is_undefined() { None } else { Some(status.as_f64().unwrap_or(f64::NAN)) };
    let status = crate::http::status_from_number(number).map_err(throw)?;
    // Only a string is read: anything else (bytes, an object claiming a huge length) is refused before
    // it is copied into the wasm memory.
    let body = body.as_string().ok_or_else(|| throw(arg_error("body", "body must be a string (the response text)")))?;
    let headers = match headers.map(JsValue::from).filter(|h| !h.is_undefined() && !h.is_null()) {
        None => Vec::new(),
        Some(h) => crate::http::headers_from_json(&convert::json_text(&h, "headers").map_err(throw)?).map_err(throw)?,
    };
    let info = crate::classify::classify_http(status, &body, &headers, &Default::default());
    to_js(&info).map_err(throw)
}

/// Splits a model reference on its first `/` (`vllm/Qwen/Qwen3-8B` → `{provider:"vllm", model:"Qwen/Qwen3-8B"}`).
#[wasm_bindgen(js_name = parseModelRef, unchecked_return_type = "{ provider: string; model: string }")]
pub fn parse_model_ref(#[wasm_bindgen(unchecked_param_type = "string")] reference: JsValue) -> JsResult {
    let text = reference.as_string().ok_or_else(|| throw(arg_error("ref", "parseModelRef takes a string")))?;
    to_js(&crate::model_ref::parse_model_ref(&text).map_err(throw)?).map_err(throw)
}

/// The crate's version (equal to the npm package's).
#[wasm_bindgen(js_name = wasmVersion)]
pub fn wasm_version() -> String {
    crate::VERSION.to_string()
}
