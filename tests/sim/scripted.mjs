// respondNext() behaviours: what a test can make the simulator answer instead of its default
// vLLM behaviour, and how those answers are rendered.

import { compactJson } from './pyjson.mjs';
import { ECHO_KINDS, renderEcho } from './echo.mjs';
import { errorObject, PRESET_ERRORS } from './errors.mjs';
import { jsonResponse, plainResponse, sseResponse } from './http-layer.mjs';

const TIMING_KEYS = [
  'headersDelayMs',
  'stallBeforeFirstMs',
  'delayMs',
  'stallAfterIndex',
  'stallMs',
  'neverEnd',
  'hangUp',
  'hangUpAfterIndex',
  'chunkBytes',
];

/**
 * Picks the timing fields out of a behaviour.
 * @param {object} behaviour
 * @returns {import('./http-layer.mjs').Timing}
 */
export function timingOf(behaviour) {
  const t = {};
  for (const k of TIMING_KEYS) if (behaviour[k] !== undefined) t[k] = behaviour[k];
  return t;
}

/**
 * Checks a behaviour for obvious mistakes early (at respondNext time, not at request time).
 * @param {object} b
 */
export function validateBehaviour(b) {
  if (!b || typeof b !== 'object') throw new TypeError('respondNext(behaviour): behaviour must be an object');
  const kinds = ['sse', 'scenario', 'error', 'html', 'echo', 'redirect', 'body', 'status'].filter((k) => b[k] !== undefined);
  const exclusive = kinds.filter((k) => k !== 'status' && k !== 'body');
  if (exclusive.length > 1) throw new TypeError(`respondNext: choose one of sse/scenario/error/html/echo/redirect (got ${exclusive.join(', ')})`);
  if (b.redirect !== undefined && ![301, 302, 303, 307, 308].includes(b.status ?? 307)) throw new TypeError('respondNext: a redirect status is 301, 302, 303, 307 or 308');
  if (kinds.length === 0 && !b.hangUp) throw new TypeError('respondNext: behaviour needs status/body, sse, scenario, error, html, echo, redirect or hangUp');
  if (b.echo !== undefined && !ECHO_KINDS.includes(b.echo)) {
    throw new TypeError(`respondNext: unknown echo kind "${b.echo}" (known: ${ECHO_KINDS.join(', ')})`);
  }
  if (typeof b.error === 'string' && !(b.error in PRESET_ERRORS)) {
    throw new TypeError(`respondNext: unknown error preset "${b.error}" (known: ${Object.keys(PRESET_ERRORS).join(', ')})`);
  }
  if (b.path !== undefined && typeof b.path !== 'string' && !(b.path instanceof RegExp)) {
    throw new TypeError('respondNext: path must be a string or a RegExp');
  }
}

/** Does a queued behaviour apply to this request? */
export function matches(b, req) {
  if (b.method && b.method.toUpperCase() !== req.method) return false;
  if (b.path === undefined) return true;
  return typeof b.path === 'string' ? b.path === req.path : b.path.test(req.path);
}

/** Normalises `headers` given as an object or as [name, value] pairs to lower-case pairs. */
function headerPairs(headers) {
  if (!headers) return [];
  const pairs = Array.isArray(headers) ? headers : Object.entries(headers);
  return pairs.map(([k, v]) => [String(k).toLowerCase(), String(v)]);
}

/**
 * Renders a non-scenario behaviour to an AppResponse (null for a bare hang-up).
 * @param {import('./releases.mjs').ReleaseProfile} profile
 * @param {object} b
 * @param {{ headers: Record<string, string|string[]|undefined>, search: string }} req  the request (for `echo`)
 * @returns {import('./http-layer.mjs').AppResponse|null}
 */
export function renderScripted(profile, b, req) {
  if (b.echo !== undefined) return renderEcho(profile, b, req);
  const extra = headerPairs(b.headers);
  if (b.error !== undefined) {
    const info = typeof b.error === 'string' ? PRESET_ERRORS[b.error] : { param: null, type: 'BadRequestError', code: b.status ?? 400, ...b.error };
    return jsonResponse(b.status ?? info.code, errorObject(profile, info), extra);
  }
  if (b.sse !== undefined) {
    const events = b.sse.map((item) => (typeof item === 'string' || Buffer.isBuffer(item) ? item : `data: ${compactJson(item)}\n\n`));
    const endsWithDone = events.length && events[events.length - 1] === 'data: [DONE]\n\n';
    if ((b.done ?? true) && !endsWithDone && !b.neverEnd && !(b.hangUp && b.hangUpAfterIndex !== undefined)) events.push('data: [DONE]\n\n');
    const hasType = extra.some(([k]) => k === 'content-type');
    const app = hasType ? { status: b.status ?? 200, headers: extra, events } : sseResponse(events, b.status ?? 200, extra);
    return app;
  }
  if (b.html !== undefined) return plainResponse(b.status ?? 200, b.html, 'text/html', extra);
  if (b.redirect !== undefined) {
    // Like Starlette's RedirectResponse: an empty body and the Location as given (absolute or not).
    const redirect = plainResponse(b.status ?? 307, '', null, extra);
    redirect.headers.push(['location', b.redirect]);
    return redirect;
  }
  if (b.status === undefined && b.body === undefined) return null; // bare hang-up
  const status = b.status ?? 200;
  const hasType = extra.some(([k]) => k === 'content-type');
  if (b.body === undefined || b.body === null) {
    return { status, headers: [...extra, ['content-length', '0']], body: Buffer.alloc(0) };
  }
  if (typeof b.body === 'string' || Buffer.isBuffer(b.body)) {
    const body = Buffer.isBuffer(b.body) ? b.body : Buffer.from(b.body, 'utf8');
    const headers = [...extra];
    if (!headers.some(([k]) => k === 'content-length' || k === 'transfer-encoding')) headers.push(['content-length', String(body.length)]);
    if (!hasType) headers.push(['content-type', 'text/plain; charset=utf-8']);
    return { status, headers, body };
  }
  // Any other value: a JSON body, written like Starlette's JSONResponse.
  if (!hasType) return jsonResponse(status, b.body, extra);
  const body = Buffer.from(compactJson(b.body), 'utf8');
  return { status, headers: [...extra, ['content-length', String(body.length)]], body };
}
