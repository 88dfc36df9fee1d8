//! `buildChatRequest` and `thinkingProfile`: the request `chat()`/`stream()` will send, and the
//! thinking levels a model offers. Pure: no network.

use super::{convert::json_text, give, throw, types::JsChatRequest, JsResult, VllmProvider};
use crate::args::arg_error;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl VllmProvider {
    /// Exactly what `chat()` would send for `request` (Authorization shown as `Bearer [redacted]`), with
    /// notes explaining each way the body differs from a native-OpenAI request. Throws `VllmProviderError`
    /// (`config` for a bad request or model reference, `context_overflow` when the prompt leaves no room).
    #[wasm_bindgen(js_name = buildChatRequest, unchecked_return_type = "PreparedRequest")]
    pub fn build_chat_request(&self, request: JsChatRequest) -> JsResult {
        let value = JsValue::from(request);
        if !value.is_object() || value.is_function() {
            return Err(throw(arg_error("request", "buildChatRequest takes an object: { model, messages, tools?, toolChoice?, params?, thinking?, priority? }")));
        }
        // Out as JSON text, measured faster than serde-wasm-bindgen for this value (BENCHMARKS.md).
        let text = json_text(&value, "request").and_then(|text| crate::shaping::build_from_json(&self.core, &text)?.prepared_json());
        js_sys::JSON::parse(&text.map_err(throw)?)
    }

    /// The thinking levels a UI may offer for a model (`vllm/<id>` or a bare id), and the default.
    #[wasm_bindgen(js_name = thinkingProfile, unchecked_return_type = "ThinkingProfile")]
    pub fn thinking_profile(&self, #[wasm_bindgen(unchecked_param_type = "string")] model: JsValue) -> JsResult {
        let model = model.as_string().ok_or_else(|| arg_error("model", "thinkingProfile takes a model reference string"));
        give(model.and_then(|m| crate::shaping::profile_for(&self.core, &m)))
    }
}
