// Error bodies and error texts, per release. Every string here is quoted from
// shared/spec/vllm-api.md §7 / the fixtures / the v0.32.0 sources; the functions only decide which
// variant a release uses.

import { compactJson, pythonJsonDumps, pyRepr, PyTuple } from './pyjson.mjs';

/**
 * @typedef {object} ErrorInfo
 * @property {string} message
 * @property {string} type
 * @property {string|null} [param]
 * @property {number} code  HTTP status (vLLM's `code` is always the integer status)
 */

/**
 * vLLM's sanitize_message (v0.14+): strips memory addresses, traceback lines and file paths.
 * @param {string} message
 */
export function sanitizeMessage(message) {
  return message
    .replace(/ at 0x[0-9a-fA-F]+>/g, '>')
    .replace(/\n?\s*File "[^"]+", line \d+, in \S+(\n\s+.*)?/g, '')
    .replace(/\/(?:home|usr|opt|var|tmp|root|lib|mnt|srv)(?:\/[\w.-]+)+/g, '<path>')
    .replace(/(?:\/[\w-]+)+\/[\w-]+\.\w+/g, '<path>')
    .trim();
}

/**
 * The error body object a release sends for a non-streamed error.
 * @param {import('./releases.mjs').ReleaseProfile} profile
 * @param {ErrorInfo} info
 */
export function errorObject(profile, info) {
  const message = profile.sanitizeMessages ? sanitizeMessage(info.message) : info.message;
  const param = info.param ?? null;
  if (profile.errorEnvelope === 'flat') {
    return { object: 'error', message, type: info.type, param, code: info.code };
  }
  return { error: { message, type: info.type, param, code: info.code } };
}

/**
 * Serialized non-streamed error body (Starlette JSONResponse: compact).
 * @param {import('./releases.mjs').ReleaseProfile} profile
 * @param {ErrorInfo} info
 */
export function errorBodyText(profile, info) {
  return compactJson(errorObject(profile, info));
}

/**
 * The in-band `data:` payload of an error raised after a stream started (without "data: ").
 * Up to v0.10.0 the inner object is the flat error (with "object":"error"); json.dumps spacing
 * before v0.33.
 * @param {import('./releases.mjs').ReleaseProfile} profile
 * @param {ErrorInfo} info
 */
export function streamErrorPayload(profile, info) {
  const message = profile.sanitizeMessages ? sanitizeMessage(info.message) : info.message;
  const inner =
    profile.errorEnvelope === 'flat'
      ? { object: 'error', message, type: info.type, param: info.param ?? null, code: info.code }
      : { message, type: info.type, param: info.param ?? null, code: info.code };
  const body = { error: inner };
  return profile.streamErrorJson === 'compact' ? compactJson(body) : pythonJsonDumps(body);
}

/** The mid-stream error a release reports when the engine fails a running request. */
export function engineFailureInfo(profile, message) {
  if (profile.streamErrorsAlways400) {
    // Up to v0.15 every exception was reported as BadRequestError/400, whatever its cause.
    return { message: message ?? 'Internal server error', type: 'BadRequestError', param: null, code: 400 };
  }
  return { message: message ?? 'Internal server error', type: 'InternalServerError', param: null, code: 500 };
}

/** `str(VLLMValidationError)` (v0.16+): message plus " (parameter=…, value=…)". */
export function withParameterSuffix(message, parameter, value) {
  const extras = [];
  if (parameter != null) extras.push(`parameter=${parameter}`);
  if (value != null) extras.push(`value=${value}`);
  return extras.length ? `${message} (${extras.join(', ')})` : message;
}

/**
 * A vLLM semantic validation failure (a check vLLM runs itself, not a pydantic type error).
 * From v0.30 these are VLLMValidationError → BadRequestError with `param`; before that they were
 * pydantic ValueErrors surfacing through the validation handler.
 * @returns {ErrorInfo}
 */
export function semanticValidationError(profile, { message, parameter, value, input }) {
  if (profile.vllmValidationErrors) {
    return { message: withParameterSuffix(message, parameter, value), type: 'BadRequestError', param: parameter ?? null, code: 400 };
  }
  return requestValidationError(profile, [
    { type: 'value_error', loc: ['body'], msg: `Value error, ${message}`, input, ctx: { error: `ValueError(${pyRepr(message)})` } },
  ]);
}

/** Summary vLLM (v0.30+) puts in place of a validation error's `input`. */
function summarizeInput(value) {
  if (typeof value === 'string') return value.length > 200 ? value.slice(0, 200) + '...[truncated]' : value;
  if (Array.isArray(value)) return `<list of ${value.length} items>`;
  if (value !== null && typeof value === 'object') return `<dict of ${Object.keys(value).length} items>`;
  const text = pyRepr(value);
  return text.length > 200 ? text.slice(0, 200) + '...[truncated]' : text;
}

/**
 * A FastAPI RequestValidationError as vLLM's handler renders it: HTTP 400 (never 422),
 * type "Bad Request".
 * @param {import('./releases.mjs').ReleaseProfile} profile
 * @param {Array<{type: string, loc: (string|number)[], msg: string, input: unknown, ctx?: object}|string>} errors
 *   pydantic-style error dicts; a bare string is an error FastAPI got as text (media type check)
 * @returns {ErrorInfo}
 */
export function requestValidationError(profile, errors) {
  const count = errors.length;
  const label = count === 1 ? 'error' : 'errors';
  let param = null;
  let lines;
  if (profile.modernValidationMessages) {
    // v0.30+: built from exc.errors(); loc joined with dots; input summarised; at most 10 listed.
    const first = errors[0];
    if (first && typeof first === 'object' && first.loc?.length) param = first.loc.join('.');
    lines = errors.slice(0, 10).map((err) => {
      if (typeof err === 'string') return err;
      const shown = { type: err.type, loc: err.loc.join('.'), msg: err.msg, input: summarizeInput(err.input) };
      if (err.ctx) shown.ctx = err.ctx;
      return pyRepr(shown);
    });
    let message = `${count} validation ${label}:\n` + lines.map((l) => `  ${l}\n`).join('');
    if (count > 10) message += `  ...and ${count - 10} more ${label}\n`;
    return { message: message.trimEnd(), type: 'Bad Request', param, code: 400 };
  }
  // Before v0.30 the message was FastAPI's own str(exc): the raw error dicts with tuple locations
  // and the full input. (Approximation: those releases were not recorded byte for byte.)
  lines = errors.map((err) =>
    typeof err === 'string' ? err : pyRepr({ type: err.type, loc: new PyTuple(err.loc), msg: err.msg, input: err.input, ...(err.ctx ? { ctx: err.ctx } : {}) }),
  );
  if (profile.modelNotFoundParam) {
    const first = errors[0];
    if (first && typeof first === 'object' && first.loc?.length) param = first.loc.join('.');
  }
  const message = `${count} validation ${label}:\n` + lines.map((l) => `  ${l}`).join('\n');
  return { message, type: 'Bad Request', param, code: 400 };
}

// ------------------------------------------------------------------------------------------------
// Texts of specific errors.

/** Unknown `model` → 404. */
export function modelNotFound(profile, requested, servedNames) {
  let message = `The model \`${requested}\` does not exist.`;
  if (profile.modelNotFoundAliases) message += ` Valid aliases: ${servedNames.join(', ')}.`;
  return { message, type: 'NotFoundError', param: profile.modelNotFoundParam ? 'model' : null, code: 404 };
}

/** `tools` with implicit/explicit "auto" on a server without --enable-auto-tool-choice. */
export function autoToolChoiceNotEnabled() {
  return {
    message: '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set',
    type: 'BadRequestError',
    param: null,
    code: 400,
  };
}

/** "required" / named tool_choice without --tool-call-parser (v0.14+). */
export function toolChoiceNeedsParser(toolChoice) {
  const desc = typeof toolChoice === 'object' ? `function "${toolChoice.function.name}"` : `"${toolChoice}"`;
  return { message: `tool_choice=${desc} requires --tool-call-parser to be set`, type: 'BadRequestError', param: null, code: 400 };
}

/** Content-Type other than application/json. */
export function unsupportedMediaType(profile) {
  return requestValidationError(profile, ["Unsupported Media Type: Only 'application/json' is allowed"]);
}

/** Preset errors for respondNext({ error: name }). */
export const PRESET_ERRORS = Object.freeze({
  /** --max-num-queued-reqs exceeded (v0.30+). */
  queue_full: {
    message: 'The engine is currently busy and cannot accept new requests. Please try again later or on a different instance.',
    type: 'Service Unavailable',
    param: null,
    code: 503,
  },
  /** The engine died; /health turns 503 as well. */
  engine_dead: {
    message: 'The server had an error while processing your request.',
    type: 'InternalServerError',
    param: null,
    code: 500,
  },
  /** A retryable per-request failure. */
  retryable: { message: 'Request failed, please retry.', type: 'ServiceUnavailableError', param: null, code: 503 },
});

/**
 * Context-length / token-budget errors. Returns null when the release accepts the request
 * (v0.32+ silently clamps max_tokens to the remaining context).
 * @param {import('./releases.mjs').ReleaseProfile} profile
 * @param {{ maxModelLen: number, promptTokens: number, promptChars: number, maxCharsPerToken: number,
 *           maxTokens: number|null, maxTokensParam: string, atLeast: boolean }} a
 * @returns {ErrorInfo|null}
 */
export function contextLengthError(profile, a) {
  const M = a.maxModelLen;
  const P = a.promptTokens;
  const T = a.maxTokens;
  const none = profile.noneSuffix ? ' None' : '';
  const bad = (message, param = null) => ({ message, type: 'BadRequestError', param, code: 400 });

  if (profile.contextRules === 'v0.32') {
    // Order of the v0.32 renderer: max_tokens vs max_model_len, then the character bound of the
    // prompt text, then the token count.
    if (T != null && T > M) {
      return bad(
        withParameterSuffix(
          `${a.maxTokensParam}=${T} cannot be greater than max_model_len=${M}. Please request fewer output tokens.`,
          a.maxTokensParam,
          T,
        ),
        a.maxTokensParam,
      );
    }
    const maxChars = M * a.maxCharsPerToken;
    if (a.promptChars > maxChars) {
      return bad(
        withParameterSuffix(
          `This model's maximum context length is ${M} tokens. However, your prompt contains ${a.promptChars} characters (more than ${maxChars} characters, which is the upper bound for ${M} input tokens). Please reduce the length of the input prompt.`,
          'input_text',
          a.promptChars,
        ),
        'input_text',
      );
    }
    if (P > M) {
      const q = a.atLeast ? 'at least ' : '';
      return bad(
        withParameterSuffix(
          `This model's maximum context length is ${M} tokens. However, your prompt contains ${q}${P} input tokens, which exceeds this limit even without any output tokens. Please reduce the length of the input prompt.`,
          'input_tokens',
          P,
        ),
        'input_tokens',
      );
    }
    return null;
  }

  if (profile.contextRules === 'v0.10.1') {
    if (P >= M) {
      return bad(
        `This model's maximum context length is ${M} tokens. However, your request has ${P} input tokens. Please reduce the length of the input messages.${none}`,
      );
    }
    if (T != null && P + T > M) {
      return bad(
        `'max_tokens' or 'max_completion_tokens' is too large: ${T}. This model's maximum context length is ${M} tokens and your request has ${P} input tokens (${T} > ${M} - ${P}).${none}`,
      );
    }
    return null;
  }

  // v0.9 rules (up to v0.10.0)
  if (T == null) {
    if (P >= M) {
      return bad(
        `This model's maximum context length is ${M} tokens. However, you requested ${P} tokens in the messages, Please reduce the length of the messages.${none}`,
      );
    }
    return null;
  }
  if (P + T > M) {
    return bad(
      `This model's maximum context length is ${M} tokens. However, you requested ${P + T} tokens (${P} in the messages, ${T} in the completion). Please reduce the length of the messages or completion.${none}`,
    );
  }
  return null;
}
