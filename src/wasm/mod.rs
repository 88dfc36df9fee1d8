//! The JavaScript face of the library: each export converts in, calls the core, fetches, calls the core
//! again and converts out; no decisions are made here. Here: the provider and all but `chat()`/`stream()`.

mod chat;
mod convert;
mod drive;
mod fetch;
mod guard;

use crate::{args::arg_error, config::Provider, diagnose::DiagnoseOptions, error::ProviderError, steps::{DiagnoseRun, DiscoveryCall}};
use convert::{call_options, json, to_js};
use js_sys::{Function, Promise};
use std::{future::Future, rc::Rc};
use wasm_bindgen::prelude::*;

type JsResult = Result<JsValue, JsValue>;

// The contract's TypeScript types (types.d.ts: TypeScript, so that editors check it), and typed
// stand-ins for JS arguments, each named for its type: taken as `Option<…>`, they make optional
// parameters in the `.d.ts` (`opts?: CallOptions | null`), which `unchecked_param_type` cannot.
mod types {
    use wasm_bindgen::prelude::wasm_bindgen;
    #[wasm_bindgen(typescript_custom_section)]
    const TS_TYPES: &'static str = include_str!("types.d.ts");
    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(typescript_type = "ResolveInput")] pub type JsResolveInput;
        #[wasm_bindgen(typescript_type = "CallOptions")] pub type JsCallOptions;
        #[wasm_bindgen(typescript_type = "ChatOptions")] pub type JsChatOptions;
        #[wasm_bindgen(typescript_type = "ChatRequest")] pub type JsChatRequest;
        #[wasm_bindgen(typescript_type = "Record<string, string>")] pub type JsHeaders;
        #[wasm_bindgen(typescript_type = "DiagnoseOptions")] pub type JsDiagnoseOptions;
    }
}
use types::{JsCallOptions, JsChatOptions, JsChatRequest, JsDiagnoseOptions, JsHeaders, JsResolveInput};

/// Every async export goes through here: its future is boxed, so wasm-bindgen-futures' promise glue
/// is compiled once, and its error thrown as a `VllmProviderError`.
pub(crate) fn promise(future: impl Future<Output = Result<JsValue, ProviderError>> + 'static) -> Promise {
    let future: std::pin::Pin<Box<dyn Future<Output = JsResult>>> = Box::pin(async move { future.await.map_err(throw) });
    wasm_bindgen_futures::future_to_promise(future)
}

/// The thrown value: a real `Error` named `VllmProviderError` carrying the error's fields.
pub(crate) fn throw(e: ProviderError) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name("VllmProviderError");
    to_js(&e).into_iter().for_each(|fields| drop(js_sys::Object::<JsValue>::assign(err.unchecked_ref(), fields.unchecked_ref())));
    err.into()
}

/// A sync export's value as JS, or its error thrown as a `VllmProviderError`.
pub(crate) fn give<T: serde::Serialize>(result: Result<T, ProviderError>) -> JsResult {
    result.and_then(|v| to_js(&v)).map_err(throw)
}

/// A resolved vLLM provider. Create it with `VllmProvider.resolve(...)`.
#[wasm_bindgen]
pub struct VllmProvider {
    pub(crate) core: Rc<Provider>, // sibling modules add their own `#[wasm_bindgen] impl VllmProvider`
    pub(crate) fetch: Option<Function>,
}

#[wasm_bindgen]
impl VllmProvider {
    /// Resolves OpenClaw's `vllm` provider from a config, an environment and auth profiles.
    /// Throws `VllmProviderError` with `code: "config"` (and a `path`, or `line`/`column`).
    pub fn resolve(input: Option<JsResolveInput>) -> Result<VllmProvider, JsValue> {
        let input = JsValue::from(input);
        let resolved = crate::args::resolve_input(json(&input, false)).and_then(|i| crate::config::resolve(&i));
        resolved.and_then(|core| Ok(VllmProvider { core: Rc::new(core), fetch: convert::fetch_of(&input)? })).map_err(throw)
    }

    /// The resolved provider as a plain object; secrets never appear in it.
    #[wasm_bindgen(unchecked_return_type = "ResolvedProvider")]
    pub fn describe(&self) -> JsResult {
        give(Ok(self.core.describe_at(now())))
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
        let (core, fetch, opts) = (self.core.clone(), self.fetch.clone(), call_options(&opts.into()));
        promise(async move { convert::rows_to_js(&discover(&core, fetch, opts?).await?) })
    }

    /// The declared models merged with discovered ones (when `describe().discovery.enabled`).
    /// Discovery failures do not reject: they are reported in `discovery.error`, as OpenClaw keeps going.
    /// A successful merge is remembered: `buildChatRequest()`, `chat()` and `stream()` then use its rows
    /// (the server's context window for a discovered model), as OpenClaw's catalog does.
    #[wasm_bindgen(js_name = listModels, unchecked_return_type = "Promise<ModelCatalog>")]
    pub fn list_models(&self, opts: Option<JsCallOptions>) -> Promise {
        let (core, fetch, opts) = (self.core.clone(), self.fetch.clone(), call_options(&opts.into()));
        promise(async move {
            let (opts, started) = (opts?, now());
            let discovered = if core.wants_discovery() { Some(discover(&core, fetch, opts).await) } else { None };
            core.catalog_with(discovered.map(|d| (d, now().saturating_sub(started))), |c| {
                // The rows as discoverModels() gives them, in the place serde-wasm-bindgen gave `models`.
                let js = to_js(&c.without_models())?;
                js_sys::Reflect::set(&js, &"models".into(), &convert::rows_to_js(&c.models)?).ok(); // a plain object's own property
                Ok(js)
            })?
        })
    }

    /// Runs OpenClaw's troubleshooting checks against the server and reports each with its fix.
    /// Resolves to a `DiagnosisReport` (it does not reject for server problems; they are checks).
    #[wasm_bindgen(unchecked_return_type = "Promise<DiagnosisReport>")]
    pub fn diagnose(&self, opts: Option<JsDiagnoseOptions>) -> Promise {
        let (core, fetch, opts) = (self.core.clone(), self.fetch.clone(), call_options(&opts.into()));
        promise(async move {
            let (opts, guard) = opts?;
            let mut run = DiagnoseRun::new(&core, DiagnoseOptions::of(opts, convert::page_origin()));
            drive::perform(&mut run, fetch, guard).await.and_then(|()| to_js(&run.result()?))
        })
    }

    /// Exactly what `chat()` would send for `request` (Authorization shown as `Bearer [redacted]`), with
    /// notes explaining each way the body differs from a native-OpenAI request. Throws `VllmProviderError`
    /// (`config` for a bad request or model reference, `context_overflow` when the prompt leaves no room).
    #[wasm_bindgen(js_name = buildChatRequest, unchecked_return_type = "PreparedRequest")]
    pub fn build_chat_request(&self, request: JsChatRequest) -> JsResult {
        let request = Some(JsValue::from(request)).filter(|r| r.is_object() && !r.is_function());
        let request = request.ok_or_else(|| arg_error("request", "buildChatRequest takes an object: { model, messages, tools?, toolChoice?, params?, thinking?, priority? }"));
        // Out as JSON text, measured faster than serde-wasm-bindgen for this value (BENCHMARKS.md).
        let text = request.and_then(|r| crate::shaping::build_from_json(&self.core, &convert::json_text(&r, "request")?)?.prepared_json());
        js_sys::JSON::parse(&text.map_err(throw)?)
    }

    /// The thinking levels a UI may offer for a model (`vllm/<id>` or a bare id), and the default.
    #[wasm_bindgen(js_name = thinkingProfile, unchecked_return_type = "ThinkingProfile")]
    pub fn thinking_profile(&self, #[wasm_bindgen(unchecked_param_type = "string")] model: JsValue) -> JsResult {
        let model = model.as_string().ok_or_else(|| arg_error("model", "thinkingProfile takes a model reference string"));
        give(model.and_then(|m| crate::shaping::profile_for(&self.core, &m)))
    }
}

/// Milliseconds since the Unix epoch, as the core's replica health counts them; and a random `u32`.
pub(crate) fn now() -> u64 {
    js_sys::Date::now() as u64
}
pub(crate) fn random() -> u32 {
    (js_sys::Math::random() * 4_294_967_296.0) as u32
}

/// `GET /models` across the replicas, as the core's [`DiscoveryCall`] steps it.
async fn discover(core: &Provider, fetch: Option<Function>, (opts, guard): (crate::args::Options, guard::Guard)) -> Result<Vec<crate::models::ModelDefinition>, ProviderError> {
    let mut call = DiscoveryCall::new(core, opts.routing, opts.timeout_ms, now());
    drive::perform(&mut call, fetch, guard).await.and_then(|()| call.result())
}

/// Classifies an HTTP error answer you got elsewhere, without throwing.
#[wasm_bindgen(js_name = classifyError, unchecked_return_type = "ErrorInfo")]
pub fn classify_error(#[wasm_bindgen(unchecked_param_type = "number | null")] status: JsValue, #[wasm_bindgen(unchecked_param_type = "string")] body: JsValue, headers: Option<JsHeaders>) -> JsResult {
    // A body that is not a string (bytes, an object claiming a huge length) is refused, never copied.
    let status = Some(status).filter(|s| !s.is_null() && !s.is_undefined()).map(|s| s.as_f64().unwrap_or(f64::NAN));
    let headers = headers.map(JsValue::from).filter(|h| !h.is_null()).map(|h| convert::json_text(&h, "headers")).transpose();
    give(headers.and_then(|h| crate::classify::classify_error(status, body.as_string(), h.as_deref())))
}

/// Splits a model reference on its first `/` (`vllm/Qwen/Qwen3-8B` → `{provider:"vllm", model:"Qwen/Qwen3-8B"}`).
#[wasm_bindgen(js_name = parseModelRef, unchecked_return_type = "{ provider: string; model: string }")]
pub fn parse_model_ref(#[wasm_bindgen(unchecked_param_type = "string")] reference: JsValue) -> JsResult {
    let text = reference.as_string().ok_or_else(|| arg_error("ref", "parseModelRef takes a string"));
    give(text.and_then(|t| crate::model_ref::parse_model_ref(&t)))
}

/// The crate's version (equal to the npm package's).
#[wasm_bindgen(js_name = wasmVersion)]
pub fn wasm_version() -> String {
    crate::VERSION.to_string()
}
