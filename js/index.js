// Browser and bundler entry: the wasm loads when `init()` is awaited.
import wasmInit, * as glue from "./wasm/vllm_provider.js";
import { guarded, loadAsync } from "./ready.js";
import { guardFreed } from "./error.js";

guardFreed(glue.VllmProvider, "VllmProvider");

// Guarded (js/ready.js): a call before init() has finished throws a typed `not_initialized` error.
export const { VllmProvider, classifyError, parseModelRef } = guarded(glue);
export { VllmProviderError, isVllmProviderError } from "./error.js";
export { version } from "./version.js";

/**
 * Loads the wasm; safe to call any number of times. Without an argument the `.wasm` beside this file
 * is fetched (Vite and webpack emit it as an asset); pass a URL, a Response, the bytes or a compiled
 * `WebAssembly.Module` otherwise. A failed load (wrong URL, offline, CSP) rejects with a typed error
 * and may be retried.
 */
export function init(wasm) {
  return loadAsync(() => wasmInit(wasm === undefined ? undefined : { module_or_path: wasm }));
}
