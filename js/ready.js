// Whether the wasm is loaded, shared by every entry. Before it is (the browser build before `init()` has
// finished, or after a failed load) the generated glue would throw an untyped TypeError from deep inside;
// the exports are guarded here so such a call throws a VllmProviderError that says what to do instead.
import { VllmProviderError } from "./error.js";

/** "idle": init() not called; "loading": it is running; "ready"; or the VllmProviderError of a failed load. */
let state = "idle";
let loading;

const HINT =
  "`await init()` first. If the .wasm is not beside the module, pass its URL, `init(new URL(\"/assets/vllm_provider_bg.wasm\", " +
  "location.href))`, its bytes or a `WebAssembly.Module`. A Content-Security-Policy must allow 'wasm-unsafe-eval' in script-src.";

function notReady(message, retryable, cause) {
  const err = new VllmProviderError({ code: "not_initialized", message, hint: HINT, retryable });
  if (cause !== undefined) err.cause = cause;
  return err;
}

/** Throws the typed error unless the wasm is loaded. */
function assertReady() {
  if (state === "ready") return;
  if (state === "idle") throw notReady("vllm-provider is not initialised: init() was not called", false);
  if (state === "loading") throw notReady("vllm-provider is not initialised yet: init() has not finished", true);
  throw state;
}

/** Runs `load` (which returns a promise) once at a time; a failed load leaves a typed error and may be retried. */
export function loadAsync(load) {
  if (state === "ready") return Promise.resolve();
  loading ??= Promise.resolve()
    .then(load)
    .then(
      () => void (state = "ready"),
      (cause) => {
        state = failed(cause);
        throw state;
      },
    )
    .finally(() => (loading = undefined));
  state = "loading";
  return loading;
}

/** Runs a synchronous `load` (Node, Workers) at import; a failure is kept for the first call and init(). */
export function loadSync(load) {
  try {
    load();
    state = "ready";
  } catch (cause) {
    state = failed(cause);
  }
}

/** `init()` of the entries that load at import: resolves when loaded, rejects with the load's error. */
export function loaded() {
  return state === "ready" ? Promise.resolve() : Promise.reject(state);
}

function failed(cause) {
  const why = cause instanceof Error ? cause.message : String(cause);
  return notReady(`vllm-provider could not load its wasm: ${why}`, true, cause);
}

/** `fn` with the readiness check in front. */
const guard = (fn) =>
  function (...args) {
    assertReady();
    return fn.apply(this, args);
  };

/**
 * The glue's exports with the readiness check in front. `VllmProvider.resolve` is wrapped in place, so
 * instances made by the glue stay `instanceof` the exported class.
 */
export function guarded({ VllmProvider, classifyError, parseModelRef }) {
  VllmProvider.resolve = guard(VllmProvider.resolve);
  return { VllmProvider, classifyError: guard(classifyError), parseModelRef: guard(parseModelRef) };
}
