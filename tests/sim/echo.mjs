// The `echo` behaviour of respondNext(): a careless proxy or server that sends back what the request
// carried (its credentials, other header values, query values) in every form it might: as is,
// URL-encoded, JSON-escaped once and twice, base64 (standard and URL-safe, with and without padding).
// Tests then check that none of it reaches a caller through the client library.

import { errorObject } from './errors.mjs';
import { jsonResponse, plainResponse, sseResponse } from './http-layer.mjs';
import { compactJson } from './pyjson.mjs';

/** Where an echo goes: the answer each kind gives. */
export const ECHO_KINDS = ['error', 'text', 'models', 'headers', 'stream'];

// Headers every client sends whatever its config: not worth echoing (and they keep the echo short).
const PLAIN_HEADERS = new Set([
  'host', 'connection', 'content-length', 'content-type', 'accept', 'accept-encoding', 'accept-language',
  'user-agent', 'origin', 'referer', 'keep-alive', 'x-request-id', 'priority', 'pragma', 'cache-control',
]);

/**
 * Every form of `value` the echo sends.
 * @param {string} value
 * @returns {string[]}
 */
export function echoForms(value) {
  const json1 = JSON.stringify(value).slice(1, -1);
  const b64 = Buffer.from(value, 'utf8').toString('base64');
  const b64url = Buffer.from(value, 'utf8').toString('base64url');
  return [
    value,
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    json1,
    JSON.stringify(json1).slice(1, -1),
    b64,
    b64.replace(/=+$/, ''),
    b64url,
    b64url.padEnd(Math.ceil(b64url.length / 4) * 4, '='),
  ];
}

/**
 * The values a request carried that may be secrets: header values (but the plain ones), the token of
 * an `Authorization` header and a `Basic` credential's decoded pair and password, query values (raw
 * and decoded).
 * @param {{ headers: Record<string, string|string[]|undefined>, search: string }} req
 * @returns {string[]}
 */
export function carriedValues(req) {
  const out = new Set();
  for (const [name, raw] of Object.entries(req.headers)) {
    if (PLAIN_HEADERS.has(name) || name.startsWith('sec-') || raw === undefined) continue;
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      out.add(value);
      const [scheme, token] = value.split(/ (.*)/s);
      if (token && name === 'authorization') {
        out.add(token);
        if (scheme.toLowerCase() === 'basic') {
          const pair = Buffer.from(token, 'base64').toString('utf8');
          out.add(pair);
          if (pair.includes(':')) out.add(pair.slice(pair.indexOf(':') + 1));
        }
      }
    }
  }
  for (const piece of req.search.replace(/^\?/, '').split('&')) {
    const raw = piece.slice(piece.indexOf('=') + 1);
    if (!piece.includes('=') || !raw) continue;
    out.add(raw);
    out.add(new URLSearchParams(piece).values().next().value);
  }
  return [...out].filter((v) => v.length >= 3);
}

/**
 * Renders an `echo` behaviour for the request `req` (see server.mjs):
 * - `error`   (status 400) vLLM's error envelope whose message holds every form of every value;
 * - `text`    (status 500) the same as a plain-text body;
 * - `models`  (status 200) a /v1/models list with one model per form: id `echo-<n>-<form>`, root and
 *             parent the form;
 * - `headers` (status 200) an `x-echo-<n>` header per form and a content type `text/x-echo-<form>`
 *             (the first value URL-encoded), with a model list as body;
 * - `stream`  (status 200) an event stream whose chunk id and model hold the forms, then an in-band
 *             error whose message holds them.
 * @param {import('./releases.mjs').ReleaseProfile} profile
 * @param {{ echo: string, status?: number }} b
 * @param {{ headers: Record<string, string|string[]|undefined>, search: string }} req
 * @returns {import('./http-layer.mjs').AppResponse}
 */
export function renderEcho(profile, b, req) {
  const forms = carriedValues(req).flatMap(echoForms);
  const all = forms.join(' | ');
  const modelList = () => ({
    object: 'list',
    data: forms.map((f, i) => ({ id: `echo-${i}-${f}`, object: 'model', created: 0, owned_by: 'vllm', root: f, parent: i % 2 ? f : null, max_model_len: 512 })),
  });
  // The message is sent whole (a release that sanitizes messages could cut a form short).
  const error = (status) => errorObject({ ...profile, sanitizeMessages: false }, { message: all, type: 'BadRequestError', param: null, code: status });
  switch (b.echo) {
    case 'error':
      return jsonResponse(b.status ?? 400, error(b.status ?? 400));
    case 'text':
      return plainResponse(b.status ?? 500, all, 'text/plain');
    case 'models':
      return jsonResponse(b.status ?? 200, modelList());
    case 'headers': {
      const headers = forms.filter((f) => /^[\x20-\x7e]*$/.test(f)).map((f, i) => [`x-echo-${i}`, f]);
      const first = encodeURIComponent(carriedValues(req)[0] ?? 'nothing');
      const body = Buffer.from(compactJson(modelList()), 'utf8');
      return { status: b.status ?? 200, headers: [...headers, ['content-type', `text/x-echo-${first}`], ['content-length', String(body.length)]], body };
    }
    case 'stream': {
      const chunk = { id: `chatcmpl-${all}`, object: 'chat.completion.chunk', created: 0, model: `echo-${all}`, choices: [{ index: 0, delta: { role: 'assistant', content: 'ok' }, logprobs: null, finish_reason: null }] };
      const inBand = { error: { message: all, type: 'BadRequestError', param: null, code: 400 } };
      return sseResponse([`data: ${compactJson(chunk)}\n\n`, `data: ${compactJson(inBand)}\n\n`], b.status ?? 200);
    }
    default:
      throw new TypeError(`respondNext: unknown echo kind "${b.echo}" (known: ${ECHO_KINDS.join(', ')})`);
  }
}
