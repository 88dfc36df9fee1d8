// The contract's types (src/wasm/types.rs emits this file into the package's declarations).
/** What `VllmProvider.resolve` reads. */
export interface ResolveInput {
  /** A whole OpenClaw config: `openclaw.json` as JSON5 text, or an object. */
  config?: string | object;
  /** The environment to read (Node: `process.env`). Nothing else is read. @default {} */
  env?: Record<string, string | undefined>;
  /**
   * An OpenClaw auth-profiles store (`auth-profiles.json`), JSON5 text or object:
   * `{ profiles: { "vllm:default": { type: "api_key", provider: "vllm", key: "…" } }, order?: { vllm: [ids] } }`.
   * `api_key` (`key`/`keyRef`) and `token` (`token`/`tokenRef`) profiles of provider `vllm` are used.
   */
  authProfiles?: string | object;
  /** The agent whose model policy applies, where the config has one. */
  agentId?: string;
  /** Overrides `models.providers.vllm.baseUrl` (e.g. from a command-line flag). */
  baseUrl?: string;
  /**
   * Replicas of the same deployment, after the base URL: each call goes to a healthy one (with a
   * `sessionId`, always the same one while it is healthy). One that refuses the connection or answers
   * 502/503/504/529 before the first byte is skipped for 5 s, then tried once. A malformed entry is a
   * `config` error with its path (`baseUrls[2]`). Behind a router (vllm-router, llm-d, ...), give the
   * router's URL alone.
   */
  baseUrls?: string[];
  /**
   * Used instead of the global `fetch` (proxies, instrumentation, workers). Called as
   * `fetch(url, init)` with `init.method`, `init.headers` (a plain object), `init.body`,
   * `init.redirect: "manual"` and `init.signal`, as openai-node and the AI SDK call theirs; it must
   * honour `init.redirect` (the library follows same-origin redirects itself and refuses the others).
   * It is not trusted: a throw, an answer that is not a `Response`, a locked body, getters that throw
   * or a signal it ignores all end the call with a `VllmProviderError`, and the timeouts still hold.
   */
  fetch?: typeof globalThis.fetch;
}

/** A config problem that did not stop resolution. */
export interface Diagnostic { level: "warning"; path: string; message: string }

/** The resolved provider, with no secret in it. */
export interface ResolvedProvider {
  id: "vllm";
  /** `unregistered`: no key and no explicit `models.providers.vllm` entry. */
  status: "explicit" | "implicit" | "unregistered";
  /** Normalised base URL (trailing slashes removed). */
  baseUrl: string;
  api: "openai-completions";
  auth: { source: "env" | "config" | "profile" | "synthetic-local" | "none"; envVar?: string;
          profileId?: string; sendsAuthorization: boolean };
  discovery: { enabled: boolean; reason: string };
  /** Declared rows, defaults applied. */
  models: ModelDefinition[];
  /** From `timeoutSeconds`. */
  timeoutMs?: number;
  /** Configured headers; secret values shown as "[redacted]". */
  headers: Record<string, string>;
  /** `agents.defaults.model` (or the agent's own), as written. */
  defaultModel?: { primary?: string; fallbacks: string[] };
  /** Aliases from `agents.defaults.models["<ref>"].alias`: alias → model ref. */
  aliases?: Record<string, string>;
  /** `request.allowPrivateNetwork`, when written. */
  allowPrivateNetwork?: boolean;
  /** With `baseUrls`: every server (the base URL first) and its health now. */
  replicas?: ReplicaInfo[];
  warnings: Diagnostic[];
}

/** One server of `ResolvedProvider.replicas`. Never holds a secret. */
export interface ReplicaInfo {
  /** Secrets redacted. */
  baseUrl: string;
  /** `unhealthy`: skipped until its cooldown ends; `trial`: the next call tries it once. */
  health: "healthy" | "unhealthy" | "trial";
  /** For an unhealthy one: milliseconds until its trial. */
  retryInMs?: number;
  /** Its last failure (`"503"`, `"connection refused"`) while it is not healthy again. */
  lastFailure?: string;
}

/** One try of a call that was tried more than once (`VllmProviderError.attempts`). */
export interface Attempt {
  baseUrl: string;
  /** The HTTP status, when the server answered. */
  status?: number;
  /** Why nothing answered (`"connection refused"`). */
  failure?: string;
}

/** Where a model field's value came from. */
export type FieldOrigin = "config" | "server" | "default";

/** One model the provider offers. */
export interface ModelDefinition {
  id: string; name: string; reasoning: boolean; input: ("text" | "image" | "video" | "audio")[];
  cost: { input: number; output: number; cacheRead: number; cacheWrite: number };
  contextWindow: number; maxTokens?: number; contextTokens?: number;
  compat?: Record<string, unknown>; params?: Record<string, unknown>;
  source: "config" | "discovered" | "merged";
  /** A LoRA adapter's base model (from the server's `parent`). */
  parent?: string;
  /** Where each field came from: the config, the server's `/v1/models` row, or a default. */
  origins?: { contextWindow: FieldOrigin; maxTokens: FieldOrigin; reasoning: FieldOrigin; input: FieldOrigin };
  /** The thinking levels a UI may offer for this model (`ChatRequest.thinking`), and the default. */
  thinking?: ThinkingProfile;
}

/** Declared rows merged with discovered ones, and how discovery went. */
export interface ModelCatalog {
  models: ModelDefinition[];
  discovery: { attempted: boolean; ok: boolean; error?: ErrorInfo; durationMs?: number };
  /** Where the config and the server disagree (e.g. a contextWindow above the server's max_model_len). */
  warnings: Diagnostic[];
}

/** Options of every call that goes to the network. */
export interface CallOptions {
  /** Aborts the request at once (`code: "aborted"`), also when the caller's `fetch` ignores it. */
  signal?: AbortSignal;
  /** Whole-request timeout in milliseconds (redirects followed and retries included). */
  timeoutMs?: number;
  /**
   * Keeps a conversation on one server: sent as `X-Session-ID` (vllm-router's affinity key, read by
   * AIBrix and llm-d too), and with `baseUrls` it picks the replica by consistent hashing. 1 to 256
   * printable ASCII characters; use the same one for every turn.
   */
  sessionId?: string;
  /**
   * Tries again on a refused connection, 429, 502, 503, 504 or 529, before the first byte of the
   * answer only (0 to 10). Waits a jittered backoff or the server's `Retry-After`, within `timeoutMs`.
   * @default 2
   */
  retries?: number;
}

/** Options of `chat()` and `stream()`. Without a configured timeout (`timeoutMs`, or the provider's
 *  `timeoutSeconds`, which also set both watchdogs), the first-event watchdog is 300 s and the idle
 *  watchdog 300 s on a remote host, off on a local one (OpenClaw's defaults). */
export interface ChatOptions extends CallOptions {
  /** From the response headers to the first event, in milliseconds; 0 turns it off. */
  firstEventTimeoutMs?: number;
  /** Between two events while waiting for the server, in milliseconds; 0 turns it off. */
  idleTimeoutMs?: number;
}

/** Every error code a `VllmProviderError` can carry. */
export type ErrorCode = "config" | "unregistered" | "unreachable" | "timeout" | "aborted" | "cors" | "auth"
  | "model_not_found" | "context_overflow" | "tool_choice_unsupported" | "bad_request" | "rate_limit"
  | "server_error" | "overloaded" | "bad_response" | "stream_error" | "malformed_tool_call"
  /** The wasm is not loaded: `init()` was not awaited, or failed (see the error's `cause`). */
  | "not_initialized";

/** The fields of a `VllmProviderError`, as a plain object. */
export interface ErrorInfo {
  code: ErrorCode;
  /** Keeps the server's own words, e.g. "404 The model `x` does not exist." */
  message: string;
  /** What to do about it. */
  hint: string;
  retryable: boolean;
  status?: number;
  requestId?: string;
  /** The server's body, cut to 500 characters, secrets removed. */
  body?: string;
  /** For "config": where in the config. */
  path?: string;
  /** For JSON5 syntax errors: 1-based line and column. */
  line?: number;
  column?: number;
  /** Milliseconds the server asked to wait (Retry-After). */
  retryAfterMs?: number;
  /** When the call was tried more than once: every try, in order. */
  attempts?: Attempt[];
}

/** What `diagnose()` looks at. */
export interface DiagnoseOptions extends CallOptions {
  /** The model to check (`vllm/<id>` or a bare id); default: the first declared model. */
  model?: string;
  /** Also send a one-token chat request to the model. @default false */
  probeChat?: boolean;
  /** The caller runs inside a container, where `localhost` is not the host. @default false */
  inContainer?: boolean;
}

/** One check of a diagnosis. */
export interface DiagnosisCheck {
  /** "config" | "base-url" | "reachable" | "health" | "auth" | "models" | "version" | "model" | "chat" | "cors" */
  id: string;
  status: "pass" | "warn" | "fail" | "skip";
  title: string;
  /** What was seen (for "skip": why the check did not run). */
  detail: string;
  /** What to do, for "warn" and "fail". */
  hint?: string;
  durationMs?: number;
  /** With `baseUrls`: the server this check is about. */
  replica?: string;
}

/** What `diagnose()` found. Never holds a key. */
export interface DiagnosisReport {
  /** No check failed. */
  ok: boolean;
  checks: DiagnosisCheck[];
  server?: { version?: string; models: string[]; maxModelLen?: Record<string, number> };
}

/** A chat request: what `buildChatRequest`, `chat()` and `stream()` take. */
export interface ChatRequest {
  /** "vllm/<id>" or a bare provider-local id. */
  model: string;
  messages: Message[];
  tools?: { name: string; description?: string; parameters: object }[];
  /** Default: "auto" when tools are given. */
  toolChoice?: "auto" | "none" | "required" | { name: string };
  /** temperature, topP, maxTokens, seed, stop, frequencyPenalty, presencePenalty, responseFormat,
   *  parallelToolCalls, chatTemplateKwargs, extraBody, priorityScheduling, cacheRetention, promptCacheKey
   *  (snake_case spellings work too); merged over the model's configured params. */
  params?: Record<string, unknown>;
  /** "on" is the binary switch's "low". Default: the model's thinking profile default. */
  thinking?: "off" | "on" | "minimal" | "low" | "medium" | "high" | "xhigh" | "max";
  /** vLLM priority scheduling (with `params.priorityScheduling: true`). */
  priority?: "foreground" | "background" | "normal";
}

/** One conversation message. */
export type Message =
  | { role: "system"; content: string }
  | { role: "user"; content: string | ContentPart[] }
  | { role: "assistant"; content?: string | ContentPart[]; reasoning?: string;
      reasoningField?: "reasoning" | "reasoning_content"; toolCalls?: ToolCall[] }
  | { role: "tool"; toolCallId: string; toolName?: string; content: string | ContentPart[] };

/** Part of a message; media as base64. */
export type ContentPart = { type: "text"; text: string }
  | { type: "image"; data: string; mimeType: string }
  | { type: "video"; data: string; mimeType: string };

/** A tool call, arguments parsed. */
export interface ToolCall { id: string; name: string; arguments: Record<string, unknown> }

/** Why the body differs from what a native-OpenAI client would send. */
export interface RequestNote {
  /** Body field (dotted), or "headers.<Name>". */
  field: string;
  action: "dropped" | "added" | "renamed" | "clamped" | "overridden";
  /** A full sentence. */
  reason: string;
}

/** Exactly what `chat()` sends. */
export interface PreparedRequest {
  method: "POST";
  url: string;
  /** Authorization shown as "Bearer [redacted]". */
  headers: Record<string, string>;
  /** The exact JSON body, snake_case as on the wire. */
  body: Record<string, unknown>;
  notes: RequestNote[];
}

/** The thinking levels a UI may offer for a model. */
export interface ThinkingProfile {
  levels: { id: "off" | "minimal" | "low" | "medium" | "high" | "xhigh" | "max"; label?: string }[];
  defaultLevel: string;
  /** "vllm": the provider's own profile; "core": OpenClaw's fallback. */
  source: "vllm" | "core";
}

/** Token counts of one reply; `input` excludes cached and cache-written prompt tokens. */
export interface ChatUsage {
  input: number; output: number; cacheRead: number; cacheWrite: number;
  /** input + output + cacheRead + cacheWrite */
  totalTokens: number;
  /** Reasoning tokens within `output`, when the server counts them. */
  reasoningTokens?: number;
}

/** What `chat()` returns and the `done` event carries. An `error` stop is thrown, never returned. */
export interface ChatResult {
  id: string; model: string;
  message: {
    /** The visible text, `<think>`-style tags removed. */
    content: string;
    /** Present for reasoning models with thinking on. */
    reasoning?: string;
    /** The field the reasoning came in ("reasoning" or "reasoning_content"), for replay. */
    reasoningField?: string;
    toolCalls: ToolCall[];
  };
  stopReason: "stop" | "length" | "toolUse" | "error" | "aborted";
  usage?: ChatUsage;
  requestId?: string;
  /** The server that answered (with `baseUrls`, the replica), secrets redacted. */
  baseUrl: string;
}

/** One event of `stream()`; an error ends the iteration by throwing VllmProviderError. */
export type StreamEvent =
  | { type: "start"; id: string; model: string }
  | { type: "reasoning"; delta: string; field: "reasoning" | "reasoning_content" | "reasoning_text" }
  | { type: "text"; delta: string }
  | { type: "toolCall"; index: number; id?: string; name?: string; argumentsDelta: string }
  | { type: "usage"; usage: ChatUsage }
  | { type: "done"; result: ChatResult };
