//! The JavaScript face of the library: each export converts in, calls the core, fetches, calls the
//! core again and converts out. No decisions are made here.

mod convert;
mod errors;
mod fetch;
mod types;

use crate::config::Provider;
use crate::error::ProviderError;
use crate::models::merge_models;
use crate::transport::classify_transport;
use convert::{arg_error, call_options, to_js};
use errors::to_js_error;
use js_sys::{Function, Promise};
use serde::Serialize;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

type JsResult = Result<JsValue, JsValue>;

/// Every async export goes through this one function with a boxed future, so wasm-bindgen-futures'
/// promise glue is compiled once rather than once per export's future type.
fn promise(future: Pin<Box<dyn Future<Output = JsResult>>>) -> Promise {
    wasm_bindgen_futures::future_to_promise(future)
}

fn throw(e: ProviderError) -> JsValue {
    to_js_error(&e)
}

/// A resolved vLLM provider. Create it with `VllmProvider.resolve(...)`.
#[wasm_bindgen]
pub struct VllmProvider {
    core: Rc<Provider>,
    fetch: Option<Function>,
}

#[wasm_bindgen]
impl VllmProvider {
    /// Resolves OpenClaw's `vllm` provider from a config, an environment and auth profiles.
    /// Throws `VllmProviderError` with `code: "config"` (and a `path`, or `line`/`column`).
    pub fn resolve(#[wasm_bindgen(unchecked_param_type = "ResolveInput")] input: Option<JsValue>) -> Result<VllmProvider, JsValue> {
        let (input, fetch) = convert::resolve_input(&input.unwrap_or(JsValue::UNDEFINED)).map_err(throw)?;
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
    pub fn discover_models(&self, #[wasm_bindgen(unchecked_param_type = "CallOptions")] opts: Option<JsValue>) -> Promise {
        let (core, fetch) = (self.core.clone(), self.fetch.clone());
        promise(Box::pin(async move {
            let models = discover(&core, fetch.as_ref(), &opts.unwrap_or(JsValue::UNDEFINED)).await.map_err(throw)?;
            to_js(&models).map_err(throw)
        }))
    }

    /// The declared models merged with discovered ones (when `describe().discovery.enabled`).
    /// Discovery failures do not reject: they are reported in `discovery.error`, as OpenClaw keeps going.
    #[wasm_bindgen(js_name = listModels, unchecked_return_type = "Promise<ModelCatalog>")]
    pub fn list_models(&self, #[wasm_bindgen(unchecked_param_type = "CallOptions")] opts: Option<JsValue>) -> Promise {
        let (core, fetch) = (self.core.clone(), self.fetch.clone());
        promise(Box::pin(async move {
            let opts = opts.unwrap_or(JsValue::UNDEFINED);
            call_options(&opts).map_err(throw)?;
            let declared = &core.describe().models;
            let catalog = if core.describe().discovery.enabled {
                let started = js_sys::Date::now();
                let result = discover(&core, fetch.as_ref(), &opts).await;
                let duration_ms = Some((js_sys::Date::now() - started).max(0.0) as u64);
                match result {
                    Ok(found) => Catalog::new(merge_models(declared, &found), true, true, None, duration_ms),
                    Err(e) if e.code == crate::ErrorCode::Aborted => return Err(throw(e)),
                    Err(e) => Catalog::new(declared.clone(), true, false, Some(e), duration_ms),
                }
            } else {
                Catalog::new(declared.clone(), false, false, None, None)
            };
            to_js(&catalog).map_err(throw)
        }))
    }
}

async fn discover(core: &Provider, fetch: Option<&Function>, opts: &JsValue) -> Result<Vec<crate::models::ModelDefinition>, ProviderError> {
    let opts = call_options(opts)?;
    let req = core.discovery_request(opts.timeout_ms);
    let resp = fetch::send(&req, fetch, &opts)
        .await
        .map_err(|f| classify_transport(&f, &core.describe().base_url).redact(core.secrets()))?;
    core.parse_discovery(&resp)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Discovery {
    attempted: bool,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ProviderError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_ms: Option<u64>,
}

#[derive(Serialize)]
struct Catalog {
    models: Vec<crate::models::ModelDefinition>,
    discovery: Discovery,
}

impl Catalog {
    fn new(models: Vec<crate::models::ModelDefinition>, attempted: bool, ok: bool, error: Option<ProviderError>, duration_ms: Option<u64>) -> Self {
        Catalog { models, discovery: Discovery { attempted, ok, error, duration_ms } }
    }
}

/// Classifies an HTTP error answer you got elsewhere, without throwing.
#[wasm_bindgen(js_name = classifyError, unchecked_return_type = "ErrorInfo")]
pub fn classify_error(
    #[wasm_bindgen(unchecked_param_type = "number | null")] status: JsValue,
    body: String,
    #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] headers: Option<JsValue>,
) -> JsResult {
    let status = match status.as_f64() {
        None if status.is_null() || status.is_undefined() => None,
        Some(s) if s.fract() == 0.0 && (100.0..=599.0).contains(&s) => Some(s as u16),
        _ => return Err(throw(arg_error("status", "status must be an HTTP status (100-599) or null"))),
    };
    let headers = match headers.filter(|h| !h.is_undefined() && !h.is_null()) {
        None => Vec::new(),
        Some(h) => {
            let text = convert::stringify(&h, "headers").map_err(throw)?;
            // A `Value` matched here, not a `Map` deserialized: see `crate::json` for why.
            let Ok(serde_json::Value::Object(map)) = crate::json::parse(text.as_bytes()) else {
                return Err(throw(arg_error("headers", "headers must be an object of strings")));
            };
            map.into_iter().filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string()))).collect()
        }
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
