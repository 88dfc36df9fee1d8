// wasm-bindgen declares `[Symbol.dispose]()` on exported classes (explicit resource management);
// this makes it known to consumers whose `lib` predates it, without asking them for skipLibCheck.
/// <reference lib="esnext.disposable" />
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
 * Loads the wasm in a browser; does nothing on Node. Safe to call anywhere, any number of times.
 * Without an argument the `.wasm` beside the module is used; pass its URL or bytes for bundlers that
 * do not copy assets (esbuild) or pages that host the file elsewhere.
 */
export declare function init(wasm?: URL | string | Response | BufferSource): Promise<void>;

/** The package's (and the crate's) version. */
export declare const version: string;
