// Node entry (also Deno, Bun, Jest and single-file bundles): built by scripts/build.mjs into one
// CommonJS file, dist/node.cjs, that carries the wasm's bytes and compiles them synchronously at load,
// so `require()` works, nothing is read from disk and `init()` has nothing left to do. dist/node.js is
// the ESM face of that same file (one wasm instance for `import` and `require` alike).
import wasmBase64 from "./wasm/vllm_provider_bg.wasm"; // esbuild's base64 loader: the bytes as text
import { initSync } from "./wasm/vllm_provider.js";
import { loaded, loadSync } from "./ready.js";
import { withHostEnvNames } from "./host-env.js";
import { VllmProvider } from "./index.js";

// Buffer where there is one (Node, Deno, Bun, Jest): a decoding loop in JS takes 8-17 ms more on Node 18
// and 20 (measured).
const bytes = () => (typeof Buffer === "function" ? Buffer.from(wasmBase64, "base64") : Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0)));
loadSync(() => initSync({ module: bytes() }));
// resolve() is told which names process.env holds (never a value), for the "pass env" hints.
const { resolve } = VllmProvider;
VllmProvider.resolve = function (input) {
  return resolve.call(this, withHostEnvNames(input));
};

export * from "./index.js";

/** Resolves at once (the wasm is loaded at import), or rejects with the load's typed error. */
export function init() {
  return loaded();
}
