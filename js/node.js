// Node entry: the wasm is compiled synchronously at import, so `init()` has nothing left to do.
import { readFileSync } from "node:fs";
import { initSync } from "./wasm/vllm_provider.js";

initSync({ module: readFileSync(new URL("./wasm/vllm_provider_bg.wasm", import.meta.url)) });

export { VllmProvider, classifyError, parseModelRef } from "./wasm/vllm_provider.js";
export { VllmProviderError, isVllmProviderError } from "./error.js";
export { version } from "./version.js";

/** Does nothing on Node (the wasm is already loaded); kept so code runs unchanged everywhere. */
export async function init() {}
