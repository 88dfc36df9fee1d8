// Cloudflare Workers entry (the `workerd` export condition): Workers may not compile wasm from bytes at
// run time, so the `.wasm` is imported as a module (wrangler does this for every `*.wasm` import with
// no config) and instantiated synchronously at import; `init()` has nothing left to do.
import wasmModule from "./wasm/vllm_provider_bg.wasm";
import { initSync } from "./wasm/vllm_provider.js";
import { loaded, loadSync } from "./ready.js";

loadSync(() => initSync({ module: wasmModule }));

export * from "./index.js";

/** Resolves at once (the wasm is loaded at import), or rejects with the load's typed error. */
export function init() {
  return loaded();
}
