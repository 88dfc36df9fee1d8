// Types of the `vllm-provider/vllm_provider_bg.wasm` subpath. What importing a `.wasm` file gives depends
// on who loads it; the useful typed case is a runtime or bundler that imports it as a compiled module
// (Cloudflare Workers' wrangler, esbuild or Vite plugins for wasm modules), to hand to `init()`.
// Elsewhere, resolve the subpath to a file (`require.resolve`, `import.meta.resolve`) and serve it.
import type { WasmModule } from "../index.js";

/** The compiled wasm of vllm-provider, for `init(wasm)`. */
declare const wasm: WasmModule;
export default wasm;
