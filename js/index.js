// Browser and bundler entry: the wasm loads when `init()` is awaited.
import wasmInit, { VllmProvider } from "./wasm/vllm_provider.js";
import { guardFreed } from "./error.js";

guardFreed(VllmProvider, "VllmProvider");

export { VllmProvider, classifyError, parseModelRef } from "./wasm/vllm_provider.js";
export { VllmProviderError, isVllmProviderError } from "./error.js";
export { version } from "./version.js";

let ready;

/**
 * Loads the wasm; safe to call any number of times. Without an argument the `.wasm` beside this file
 * is fetched (Vite and webpack emit it as an asset); pass a URL, a Response or the bytes otherwise.
 */
export function init(wasm) {
  ready ??= wasmInit(wasm === undefined ? undefined : { module_or_path: wasm }).then(
    () => undefined,
    (err) => {
      ready = undefined; // a failed load (wrong URL, offline) may be retried
      throw err;
    },
  );
  return ready;
}
