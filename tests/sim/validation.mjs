// Request-body checks for POST /v1/chat/completions, in the order vLLM runs them:
//   1. FastAPI parses the body as JSON when the content type is JSON  → json_invalid (400)
//   2. vLLM's validate_json_request dependency checks the media type   → "Unsupported Media Type" (400)
//   3. ChatCompletionRequest's own "before" validators (definition order, observed on v0.32.0)
//   4. pydantic field validation (declaration order)
// Errors come back as ErrorInfo objects (see errors.mjs), never thrown.

import {
  requestValidationError,
  semanticValidationError,
  unsupportedMediaType,
} from './errors.mjs';
import { compareVersions } from './releases.mjs';

// ------------------------------------------------------------------------------------------------
// JSON parsing with CPython's json module semantics (the C scanner): same accepted syntax
// (NaN/Infinity included), same error messages and error positions (counted in code points).

class PyJsonError extends Error {
  constructor(msg, pos) {
    super(msg);
    this.pos = pos;
  }
}

const WS = new Set([' ', '\t', '\n', '\r']);
const NUMBER_RE = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
const ESCAPES = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function skipWs(s, i) {
  while (i < s.length && WS.has(s[i])) i++;
  return i;
}

function scanString(s, end) {
  const begin = end - 1;
  let out = '';
  for (;;) {
    let next = end;
    let c = '';
    for (; next < s.length; next++) {
      c = s[next];
      if (c === '"' || c === '\\') break;
      if (c.charCodeAt(0) <= 0x1f) throw new PyJsonError('Invalid control character at', next);
    }
    if (next >= s.length) throw new PyJsonError('Unterminated string starting at', begin);
    out += s.slice(end, next);
    next++;
    if (c === '"') return [out, next];
    if (next === s.length) throw new PyJsonError('Unterminated string starting at', begin);
    c = s[next];
    if (c !== 'u') {
      end = next + 1;
      if (!(c in ESCAPES)) throw new PyJsonError('Invalid \\escape', end - 2);
      out += ESCAPES[c];
    } else {
      next++;
      end = next + 4;
      if (end >= s.length) throw new PyJsonError('Invalid \\uXXXX escape', next - 1);
      const hex = s.slice(next, end);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new PyJsonError('Invalid \\uXXXX escape', end - 5);
      out += String.fromCharCode(parseInt(hex, 16));
    }
  }
}

class StopIteration extends Error {
  constructor(pos) {
    super('StopIteration');
    this.pos = pos;
  }
}

function scanOnce(s, idx) {
  if (idx >= s.length) throw new StopIteration(idx);
  const c = s[idx];
  if (c === '"') return scanString(s, idx + 1);
  if (c === '{') return parseObject(s, idx + 1);
  if (c === '[') return parseArray(s, idx + 1);
  if (s.startsWith('null', idx)) return [null, idx + 4];
  if (s.startsWith('true', idx)) return [true, idx + 4];
  if (s.startsWith('false', idx)) return [false, idx + 5];
  if (s.startsWith('NaN', idx)) return [NaN, idx + 3];
  if (s.startsWith('Infinity', idx)) return [Infinity, idx + 8];
  if (s.startsWith('-Infinity', idx)) return [-Infinity, idx + 9];
  NUMBER_RE.lastIndex = idx;
  const m = NUMBER_RE.exec(s);
  if (m) return [Number(m[0]), idx + m[0].length];
  throw new StopIteration(idx);
}

function parseObject(s, idx) {
  const obj = {};
  idx = skipWs(s, idx);
  if (idx < s.length && s[idx] === '}') return [obj, idx + 1];
  for (;;) {
    if (idx >= s.length || s[idx] !== '"') throw new PyJsonError('Expecting property name enclosed in double quotes', idx);
    const [key, afterKey] = scanString(s, idx + 1);
    idx = skipWs(s, afterKey);
    if (idx >= s.length || s[idx] !== ':') throw new PyJsonError("Expecting ':' delimiter", idx);
    idx = skipWs(s, idx + 1);
    const [value, afterValue] = scanOnce(s, idx);
    obj[key] = value;
    idx = skipWs(s, afterValue);
    if (idx < s.length && s[idx] === '}') return [obj, idx + 1];
    if (idx >= s.length || s[idx] !== ',') throw new PyJsonError("Expecting ',' delimiter", idx);
    idx = skipWs(s, idx + 1);
  }
}

function parseArray(s, idx) {
  const arr = [];
  idx = skipWs(s, idx);
  if (idx < s.length && s[idx] === ']') return [arr, idx + 1];
  for (;;) {
    const [value, afterValue] = scanOnce(s, idx);
    arr.push(value);
    idx = skipWs(s, afterValue);
    if (idx < s.length && s[idx] === ']') return [arr, idx + 1];
    if (idx >= s.length || s[idx] !== ',') throw new PyJsonError("Expecting ',' delimiter", idx);
    idx = skipWs(s, idx + 1);
  }
}

/** Code-point index (Python's str index) of a UTF-16 index. */
function codePointIndex(s, i) {
  let n = 0;
  for (let k = 0; k < i; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0xd800 && c <= 0xdbff && k + 1 < i) k++;
    n++;
  }
  return n;
}

/**
 * json.loads() of text, CPython-style.
 * @param {string} text
 * @returns {{ok: true, value: unknown} | {ok: false, msg: string, pos: number}}
 */
export function parsePythonJson(text) {
  try {
    let idx = skipWs(text, 0);
    let value;
    try {
      [value, idx] = scanOnce(text, idx);
    } catch (e) {
      if (e instanceof StopIteration) throw new PyJsonError('Expecting value', e.pos);
      throw e;
    }
    idx = skipWs(text, idx);
    if (idx !== text.length) throw new PyJsonError('Extra data', idx);
    return { ok: true, value };
  } catch (e) {
    if (e instanceof StopIteration) return { ok: false, msg: 'Expecting value', pos: codePointIndex(text, e.pos) };
    if (e instanceof PyJsonError) return { ok: false, msg: e.message, pos: codePointIndex(text, e.pos) };
    throw e;
  }
}

// ------------------------------------------------------------------------------------------------
// Body decoding (FastAPI + vLLM's media-type dependency)

/**
 * Decodes a raw request body the way FastAPI + vLLM do before the model sees it.
 * @param {import('./releases.mjs').ReleaseProfile} profile
 * @param {Buffer} raw
 * @param {string|undefined} contentType
 * @returns {{error: import('./errors.mjs').ErrorInfo} | {fastapiDetail: string} | {body: unknown}}
 */
export function decodeJsonBody(profile, raw, contentType) {
  const ct = (contentType ?? '').toLowerCase();
  const mediaType = ct.split(';', 1)[0].trim();
  const [main, sub = ''] = mediaType.split('/');
  // FastAPI only parses JSON content types; others keep the raw bytes (and fail the media check).
  const jsonish = main === 'application' && (sub === 'json' || sub.endsWith('+json'));
  let body;
  if (raw.length === 0) {
    body = undefined;
  } else if (jsonish) {
    let text;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(raw);
    } catch {
      // Not JSON-decodable bytes: FastAPI's own HTTPException, answered by FastAPI's handler.
      return { fastapiDetail: 'There was an error parsing the body' };
    }
    const parsed = parsePythonJson(text);
    if (!parsed.ok) {
      return {
        error: requestValidationError(profile, [
          { type: 'json_invalid', loc: ['body', parsed.pos], msg: 'JSON decode error', input: {}, ctx: { error: parsed.msg } },
        ]),
      };
    }
    body = parsed.value;
  }
  if (ct.split(';', 1)[0] !== 'application/json') return { error: unsupportedMediaType(profile) };
  if (body === undefined || body === null) {
    return { error: requestValidationError(profile, [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]) };
  }
  return { body };
}

// ------------------------------------------------------------------------------------------------
// vLLM's semantic "before" validators of ChatCompletionRequest, in definition order.

/**
 * @param {import('./releases.mjs').ReleaseProfile} profile
 * @param {Record<string, unknown>} data the request body (a dict)
 * @returns {import('./errors.mjs').ErrorInfo|null}
 */
function semanticChecks(profile, data) {
  const fail = (message, parameter, value) => semanticValidationError(profile, { message, parameter, value, input: data });

  const rf = data.response_format;
  if (rf && typeof rf === 'object' && rf.type === 'json_schema' && rf.json_schema == null) {
    return fail("When response_format type is 'json_schema', the 'json_schema' field must be provided.", 'response_format');
  }

  if (truthy(data.stream_options) && !truthy(data.stream)) {
    return fail('Stream options can only be defined when `stream=True`.', 'stream_options');
  }

  for (const name of ['prompt_logprobs', 'top_logprobs']) {
    const v = data[name];
    if (v != null && typeof v !== 'number') return fail(`\`${name}\` must be an integer.`, name, v);
  }
  if (data.prompt_logprobs != null) {
    const p = data.prompt_logprobs;
    if (truthy(data.stream) && (p > 0 || p === -1)) return fail('`prompt_logprobs` are not available when `stream=True`.', 'prompt_logprobs');
    if (p < 0 && p !== -1) return fail('`prompt_logprobs` must be a positive value or -1.', 'prompt_logprobs', p);
  }
  if (data.top_logprobs != null) {
    const t = data.top_logprobs;
    if (t < 0 && t !== -1) return fail('`top_logprobs` must be a positive value or -1.', 'top_logprobs', t);
    if ((t === -1 || t > 0) && !truthy(data.logprobs)) return fail('when using `top_logprobs`, `logprobs` must be set to true.', 'top_logprobs');
  }

  if (profile.rejectsEmptyTools && Array.isArray(data.tools) && data.tools.length === 0) {
    return fail('`tools` must not be an empty array. Either provide at least one tool or omit the field entirely.', 'tools');
  }
  let toolChoice = data.tool_choice;
  if (!('tool_choice' in data) && truthy(data.tools)) toolChoice = 'auto';
  if (toolChoice !== undefined && toolChoice !== null && toolChoice !== 'none') {
    if (data.tools == null) return fail('When using `tool_choice`, `tools` must be set.', 'tool_choice');
    if (toolChoice !== 'auto' && toolChoice !== 'required' && (typeof toolChoice !== 'object' || Array.isArray(toolChoice))) {
      return fail(`Invalid value for \`tool_choice\`: ${toolChoice}! Only named tools, "none", "auto" or "required" are supported.`, 'tool_choice');
    }
    if (typeof toolChoice === 'object') {
      const usage = 'Correct usage: `{"type": "function", "function": {"name": "my_function"}}`';
      const fn = toolChoice.function;
      if (!fn || typeof fn !== 'object') return fail(`Invalid value for \`function\`: \`${fn === undefined ? 'None' : JSON.stringify(fn)}\` in \`tool_choice\`! ${usage}`, 'tool_choice.function');
      if (!('name' in fn)) return fail(`Expected field \`name\` in \`function\` in \`tool_choice\`! ${usage}`, 'tool_choice.function.name');
      if (typeof fn.name !== 'string' || fn.name.length === 0) return fail(`Invalid \`name\` in \`function\`: \`${fn.name}\` in \`tool_choice\`! ${usage}`, 'tool_choice.function.name');
      const tools = Array.isArray(data.tools) ? data.tools : [];
      if (!tools.some((t) => t?.function?.name === fn.name)) {
        return fail('The tool specified in `tool_choice` does not match any of the specified `tools`', 'tool_choice');
      }
    }
  }

  if (truthy(data.continue_final_message) && truthy(data.add_generation_prompt)) {
    return fail('Cannot set both `continue_final_message` and `add_generation_prompt` to True.');
  }
  return null;
}

/** Python truthiness of a JSON value. */
function truthy(v) {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

// ------------------------------------------------------------------------------------------------
// pydantic field validation (lax mode, as FastAPI validates parsed JSON), declaration order.

const INT_RE = /^\s*[+-]?\d+\s*$/;

function checkFloat(v) {
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return null;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t !== '' && (!Number.isNaN(Number(t)) || /^[+-]?(inf|infinity|nan)$/i.test(t))) return null;
    return { type: 'float_parsing', msg: 'Input should be a valid number, unable to parse string as a number' };
  }
  return { type: 'float_type', msg: 'Input should be a valid number' };
}

function checkInt(v) {
  if (v === null || typeof v === 'boolean') return null;
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return null;
    if (!Number.isFinite(v)) return { type: 'finite_number', msg: 'Input should be a finite number' };
    return { type: 'int_from_float', msg: 'Input should be a valid integer, got a number with a fractional part' };
  }
  if (typeof v === 'string') {
    if (INT_RE.test(v)) return null;
    return { type: 'int_parsing', msg: 'Input should be a valid integer, unable to parse string as an integer' };
  }
  return { type: 'int_type', msg: 'Input should be a valid integer' };
}

function checkBool(v) {
  if (v === null || typeof v === 'boolean') return null;
  if (typeof v === 'number') return v === 0 || v === 1 ? null : { type: 'bool_parsing', msg: 'Input should be a valid boolean, unable to interpret input' };
  if (typeof v === 'string') {
    return /^(0|off|f|false|n|no|1|on|t|true|y|yes)$/i.test(v.trim())
      ? null
      : { type: 'bool_parsing', msg: 'Input should be a valid boolean, unable to interpret input' };
  }
  return { type: 'bool_type', msg: 'Input should be a valid boolean' };
}

function checkStr(v) {
  if (v === null || typeof v === 'string') return null;
  return { type: 'string_type', msg: 'Input should be a valid string' };
}

/** A Literal[...] field (str values); pydantic lists the choices in its message. */
function checkLiteral(values) {
  const expected = values.map((v) => `'${v}'`);
  const text = expected.length > 1 ? `${expected.slice(0, -1).join(', ')} or ${expected.at(-1)}` : expected[0];
  return (v) => (v === null || values.includes(v) ? null : { type: 'literal_error', msg: `Input should be ${text}`, ctx: { expected: text } });
}

function checkList(v) {
  if (Array.isArray(v)) return null;
  return { type: 'list_type', msg: 'Input should be a valid list' };
}

// Field name → checker, in ChatCompletionRequest declaration order (v0.32.0 sources). Only the
// scalar fields a client commonly sends are type-checked; unknown fields are accepted (extra="allow").
/** `reasoning_effort` values by release: added in 0.10.1 with three values, seven in 0.32/0.33. */
function reasoningEffortValues(profile) {
  if (compareVersions(profile.release, '0.32.0') >= 0) return ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'];
  if (compareVersions(profile.release, '0.10.1') >= 0) return ['low', 'medium', 'high'];
  return null; // not a field yet: ignored like any unknown key
}

const FIELD_CHECKS = [
  ['model', checkStr],
  ['frequency_penalty', checkFloat],
  ['logprobs', checkBool],
  ['max_tokens', checkInt],
  ['max_completion_tokens', checkInt],
  ['n', checkInt],
  ['presence_penalty', checkFloat],
  ['seed', checkInt],
  ['stream', checkBool],
  ['temperature', checkFloat],
  ['top_p', checkFloat],
  ['reasoning_effort', (v, profile) => (reasoningEffortValues(profile) ? checkLiteral(reasoningEffortValues(profile))(v) : null)],
  ['parallel_tool_calls', checkBool],
  ['user', checkStr],
  ['top_k', checkInt],
  ['min_p', checkFloat],
  ['repetition_penalty', checkFloat],
  ['ignore_eos', checkBool],
  ['min_tokens', checkInt],
  ['skip_special_tokens', checkBool],
  ['echo', checkBool],
  ['add_generation_prompt', checkBool],
  ['continue_final_message', checkBool],
  ['add_special_tokens', checkBool],
  ['priority', checkInt],
  ['request_id', checkStr],
];

/**
 * Validates a parsed chat request body.
 * @param {import('./releases.mjs').ReleaseProfile} profile
 * @param {unknown} body
 * @returns {import('./errors.mjs').ErrorInfo|null}
 */
export function validateChatBody(profile, body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return requestValidationError(profile, [
      { type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input: body },
    ]);
  }
  const semantic = semanticChecks(profile, body);
  if (semantic) return semantic;

  const errors = [];
  if (!('messages' in body)) errors.push({ type: 'missing', loc: ['body', 'messages'], msg: 'Field required', input: body });
  else {
    const e = checkList(body.messages);
    if (e) errors.push({ ...e, loc: ['body', 'messages'], input: body.messages });
  }
  for (const [name, check] of FIELD_CHECKS) {
    if (!(name in body)) continue;
    const e = check(body[name], profile);
    if (e) errors.push({ ...e, loc: ['body', name], input: body[name] });
  }
  if ('tools' in body && body.tools !== null) {
    if (!Array.isArray(body.tools)) errors.push({ type: 'list_type', msg: 'Input should be a valid list', loc: ['body', 'tools'], input: body.tools });
    else {
      body.tools.forEach((tool, i) => {
        const loc = ['body', 'tools', i];
        if (tool === null || typeof tool !== 'object' || Array.isArray(tool)) {
          errors.push({ type: 'model_attributes_type', msg: 'Input should be a valid dictionary or object to extract fields from', loc, input: tool });
        } else if (tool.function === undefined) {
          errors.push({ type: 'missing', msg: 'Field required', loc: [...loc, 'function'], input: tool });
        } else if (tool.function === null || typeof tool.function !== 'object' || Array.isArray(tool.function)) {
          errors.push({ type: 'model_attributes_type', msg: 'Input should be a valid dictionary or object to extract fields from', loc: [...loc, 'function'], input: tool.function });
        } else if (typeof tool.function.name !== 'string') {
          errors.push(
            tool.function.name === undefined
              ? { type: 'missing', msg: 'Field required', loc: [...loc, 'function', 'name'], input: tool.function }
              : { type: 'string_type', msg: 'Input should be a valid string', loc: [...loc, 'function', 'name'], input: tool.function.name },
          );
        }
      });
    }
  }
  if ('stop' in body && body.stop !== null && typeof body.stop !== 'string') {
    // `str | list[str]`: pydantic reports the failure of every union branch.
    const stringType = { type: 'string_type', msg: 'Input should be a valid string' };
    if (!Array.isArray(body.stop)) {
      errors.push({ ...stringType, loc: ['body', 'stop'], input: body.stop });
      errors.push({ type: 'list_type', msg: 'Input should be a valid list', loc: ['body', 'stop'], input: body.stop });
    } else if (body.stop.some((x) => typeof x !== 'string')) {
      errors.push({ ...stringType, loc: ['body', 'stop'], input: body.stop });
      body.stop.forEach((x, i) => {
        if (typeof x !== 'string') errors.push({ ...stringType, loc: ['body', 'stop', i], input: x });
      });
    }
  }
  if ('stream_options' in body && body.stream_options !== null) {
    const so = body.stream_options;
    if (typeof so !== 'object' || Array.isArray(so)) {
      errors.push({ type: 'model_attributes_type', loc: ['body', 'stream_options'], msg: 'Input should be a valid dictionary or object to extract fields from', input: so });
    } else {
      for (const k of ['include_usage', 'continuous_usage_stats']) {
        if (!(k in so)) continue;
        const e = checkBool(so[k]);
        if (e) errors.push({ ...e, loc: ['body', 'stream_options', k], input: so[k] });
      }
    }
  }
  // Declaration order: `messages` first, the scalars as listed, stream_options after `stream`.
  const order = ['messages', ...FIELD_CHECKS.map(([n]) => n)];
  order.splice(order.indexOf('stream'), 0, 'stop');
  order.splice(order.indexOf('top_p') + 1, 0, 'tools');
  order.splice(order.indexOf('stream') + 1, 0, 'stream_options');
  errors.sort((a, b) => order.indexOf(a.loc[1]) - order.indexOf(b.loc[1]));
  return errors.length ? requestValidationError(profile, errors) : null;
}

/** pydantic lax coercion of the scalar values the simulator reads. */
export function coerce(body) {
  const num = (v) => (typeof v === 'string' ? Number(v.trim()) : typeof v === 'boolean' ? Number(v) : v);
  const bool = (v) => (typeof v === 'string' ? /^(1|on|t|true|y|yes)$/i.test(v.trim()) : typeof v === 'number' ? v === 1 : v);
  const out = { ...body };
  for (const k of ['max_tokens', 'max_completion_tokens', 'n', 'top_logprobs']) if (out[k] != null) out[k] = num(out[k]);
  for (const k of ['stream', 'logprobs', 'add_generation_prompt', 'include_reasoning']) if (out[k] != null) out[k] = bool(out[k]);
  return out;
}
