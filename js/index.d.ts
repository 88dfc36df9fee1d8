import type { ErrorInfo } from "./wasm/vllm_provider.js";

export { VllmProvider, classifyError, parseModelRef } from "./wasm/vllm_provider.js";
export type {
  CallOptions, ChatOptions, ChatRequest, ChatResult, ChatUsage, ContentPart, Diagnostic, DiagnoseOptions, DiagnosisCheck,
  DiagnosisReport, ErrorCode, ErrorInfo, FieldOrigin, Message, ModelCatalog, ModelDefinition, PreparedRequest, RequestNote,
  ResolvedProvider, ResolveInput, StreamEvent, ThinkingProfile, ToolCall,
} from "./wasm/vllm_provider.js";

/** Every failure of this library: a real `Error` with a stable `code` and a `hint`; never holds a key. */
export declare class VllmProviderError extends Error {
  constructor(info: ErrorInfo);
  name: "VllmProviderError";
}
/** Its fields are those of `ErrorInfo` (declaration merging keeps one list of them). */
export interface VllmProviderError extends ErrorInfo {}

/** True for values thrown by this library. */
export declare function isVllmProviderError(e: unknown): e is VllmProviderError;

/**
 * Loads the wasm in a browser; does nothing on Node, Deno, Bun and Cloudflare Workers (loaded at
 * import). Safe to call anywhere, any number of times. Without an argument the `.wasm` beside the module
 * is used; pass its URL, bytes or a compiled `WebAssembly.Module` for bundlers that do not copy assets
 * (esbuild) or pages that host the file elsewhere. Until it has resolved, every call throws
 * `VllmProviderError` with `code: "not_initialized"`; a failed load rejects with that error (its `cause`
 * says why) and may be retried.
 */
export declare function init(wasm?: InitInput): Promise<void>;

// What init() takes, written so that the declarations need no DOM lib (`lib: ["es2023"]` with
// @types/node, or none): each platform type is used where the consumer's globals declare it.
type Global = typeof globalThis;
type Instance<K extends string> = Global extends { [P in K]: abstract new (...args: never[]) => infer T } ? T : never;
/** `WebAssembly.Module` where the consumer's lib declares it (any object where it does not). */
export type WasmModule = Global extends { WebAssembly: { Module: abstract new (...args: never[]) => infer T } } ? T : object;
/** A URL (string or `URL`), a fetched `Response`, the `.wasm` bytes, or a compiled `WebAssembly.Module`. */
export type InitInput = string | Instance<"URL"> | Instance<"Response"> | ArrayBuffer | ArrayBufferView | WasmModule;

// wasm-bindgen declares `[Symbol.dispose]()` on exported classes (`using provider = ...`). The same
// polyfill as @types/node's makes the symbol known to TypeScript before 5.2 and to libs without
// `esnext.disposable`, with no `/// <reference lib>` that TypeScript 5.0 cannot find.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

/** The package's (and the crate's) version. */
export declare const version: string;
