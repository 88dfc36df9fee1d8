// Node entry: the wasm is compiled synchronously at import, so `init()` has nothing left to do.
import { readFileSync } from "node:fs";
import { VllmProvider, initSync } from "./wasm/vllm_provider.js";
import { guardFreed } from "./error.js";

initSync({ module: readFileSync(new URL("./wasm/vllm_provider_bg.wasm", import.meta.url)) });
guardFreed(VllmProvider, "VllmProvider");

export { VllmProvider, classifyError, parseModelRef } from "./wasm/vllm_provider.js";
export { VllmProviderError, isVllmProviderError } from "./error.js";
export { version } from "./version.js";

/** Does nothing on Node (the wasm is already loaded); kept so code runs unchanged everywhere. */
export async function init() {}
