//! The contract's TypeScript types, emitted into the generated `.d.ts`. The extern types are typed
//! stand-ins for JS arguments, each named for its TypeScript type: taken as `Option<…>`, they make
//! optional parameters in the generated declarations (`opts?: CallOptions | null`), which
//! `unchecked_param_type` cannot.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "ResolveInput")] pub type JsResolveInput;
    #[wasm_bindgen(typescript_type = "CallOptions")] pub type JsCallOptions;
    #[wasm_bindgen(typescript_type = "ChatOptions")] pub type JsChatOptions;
    #[wasm_bindgen(typescript_type = "ChatRequest")] pub type JsChatRequest;
    #[wasm_bindgen(typescript_type = "Record<string, string>")] pub type JsHeaders;
    #[wasm_bindgen(typescript_type = "DiagnoseOptions")] pub type JsDiagnoseOptions;
}

// The declarations live in types.d.ts beside this file (TypeScript, so editors check it).
#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = include_str!("types.d.ts");
