// The HTTP layer vLLM's app runs under: uvicorn's response heads, the API-key middleware,
// Starlette's CORS middleware, FastAPI's routing answers (404/405/307), and a response writer
// with the timing controls scripted answers need (delays, stalls, hang-ups).

import { compactJson } from './pyjson.mjs';

/** Reason phrases as Python's http.HTTPStatus (3.11) spells them; uvicorn uses these. */
const PHRASES = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  307: 'Temporary Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Request Entity Too Large',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** @param {number} status */
export const reasonPhrase = (status) => PHRASES[status] ?? 'Unknown';

/**
 * A response as the ASGI app produces it: status, ordered lower-case headers, and either a
 * complete body or a list of body events written one by one (a streaming response).
 * @typedef {object} AppResponse
 * @property {number} status
 * @property {Array<[string, string]>} headers
 * @property {Buffer} [body]
 * @property {Array<string|Buffer>} [events]
 */

/** Starlette JSONResponse: compact JSON, content-length then content-type. */
export function jsonResponse(status, value, extraHeaders = []) {
  const body = Buffer.from(typeof value === 'string' ? value : compactJson(value), 'utf8');
  return { status, headers: [...extraHeaders, ['content-length', String(body.length)], ['content-type', 'application/json']], body };
}

/** Starlette Response with an explicit media type (or none). */
export function plainResponse(status, text, mediaType, extraHeaders = []) {
  const body = Buffer.isBuffer(text) ? text : Buffer.from(text ?? '', 'utf8');
  const headers = [...extraHeaders, ['content-length', String(body.length)]];
  if (mediaType) headers.push(['content-type', mediaType.startsWith('text/') && !/charset=/i.test(mediaType) ? `${mediaType}; charset=utf-8` : mediaType]);
  return { status, headers, body };
}

/** Starlette StreamingResponse(media_type="text/event-stream"). */
export function sseResponse(events, status = 200, extraHeaders = []) {
  return { status, headers: [...extraHeaders, ['content-type', 'text/event-stream; charset=utf-8']], events };
}

// ------------------------------------------------------------------------------------------------
// API-key middleware

/**
 * vLLM's authentication middleware. Returns true when the request may pass.
 * @param {import('./releases.mjs').ReleaseProfile} profile
 * @param {string[]} keys configured keys (empty: no middleware)
 * @param {{method: string, path: string, headers: Record<string, string>}} req
 */
export function authorized(profile, keys, req) {
  if (keys.length === 0) return true;
  if (req.method === 'OPTIONS') return true; // CORS preflights are never authenticated
  if (!profile.authPrefixes.some((p) => req.path.startsWith(p))) return true;
  const header = req.headers.authorization;
  if (!header) return false;
  if (profile.bearerCaseSensitive) return keys.some((k) => header === `Bearer ${k}`);
  // str.partition(" "): scheme compared case-insensitively, the rest compared whole.
  const sp = header.indexOf(' ');
  const scheme = sp === -1 ? header : header.slice(0, sp);
  const token = sp === -1 ? '' : header.slice(sp + 1);
  return scheme.toLowerCase() === 'bearer' && keys.includes(token);
}

/** The 401 every release sends (no CORS headers: the auth middleware wraps the CORS one). */
export const unauthorizedResponse = () => jsonResponse(401, { error: 'Unauthorized' });

// ------------------------------------------------------------------------------------------------
// Starlette CORSMiddleware with vLLM's arguments: allow_methods ["*"], allow_headers ["*"],
// allow_credentials false (vLLM's defaults), allow_origins from --allowed-origins.

const METHODS_MODERN = 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, QUERY';
const METHODS_LEGACY = 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT';

/**
 * @typedef {object} CorsConfig
 * @property {string[]} allowedOrigins
 * @property {boolean} allowCredentials
 * @property {'starlette-1'|'starlette-0'} style  Starlette 1.x (live 0.32.0 pin) or older 0.x
 */

/**
 * Answers a CORS preflight, or returns null when the request is not one.
 * @param {CorsConfig} cors
 * @param {{method: string, headers: Record<string, string>}} req
 * @returns {import('./http-layer.mjs').AppResponse|null}
 */
export function corsPreflight(cors, req) {
  const origin = req.headers.origin;
  if (origin === undefined || req.method !== 'OPTIONS' || !('access-control-request-method' in req.headers)) return null;
  const allowAll = cors.allowedOrigins.includes('*');
  const explicit = !allowAll || cors.allowCredentials;
  const modern = cors.style === 'starlette-1';
  /** @type {Map<string, string>} */
  const h = new Map();
  if (modern) h.set('vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network');
  else if (explicit) h.set('vary', 'Origin');
  if (!explicit) h.set('access-control-allow-origin', '*');
  h.set('access-control-allow-methods', modern ? METHODS_MODERN : METHODS_LEGACY);
  h.set('access-control-max-age', '600');
  if (cors.allowCredentials) h.set('access-control-allow-credentials', 'true');
  const failures = [];
  if (allowAll || cors.allowedOrigins.includes(origin)) {
    if (explicit) h.set('access-control-allow-origin', origin);
  } else {
    failures.push('origin');
  }
  const method = req.headers['access-control-request-method'];
  if (!(modern ? METHODS_MODERN : METHODS_LEGACY).split(', ').includes(method)) failures.push('method');
  const requestedHeaders = req.headers['access-control-request-headers'];
  if (requestedHeaders !== undefined) h.set('access-control-allow-headers', requestedHeaders); // allow_headers ["*"] mirrors
  if (modern && req.headers['access-control-request-private-network'] !== undefined) failures.push('private-network');
  const text = failures.length ? `Disallowed CORS ${failures.join(', ')}` : 'OK';
  return plainResponse(failures.length ? 400 : 200, text, 'text/plain', [...h.entries()]);
}

/**
 * Adds the headers Starlette's CORS middleware puts on a normal (non-preflight) response.
 * @param {CorsConfig} cors
 * @param {Record<string, string>} reqHeaders
 * @param {Array<[string, string]>} headers mutated in place
 */
export function corsDecorate(cors, reqHeaders, headers) {
  const origin = reqHeaders.origin;
  const allowAll = cors.allowedOrigins.includes('*');
  const set = (k, v) => {
    const i = headers.findIndex(([name]) => name === k);
    if (i >= 0) headers[i] = [k, v];
    else headers.push([k, v]);
  };
  const addVary = () => {
    const existing = headers.filter(([k]) => k === 'vary').map(([, v]) => v);
    set('vary', [...existing, 'Origin'].join(', '));
  };
  const explicitOrigin = () => {
    set('access-control-allow-origin', origin);
    addVary();
  };
  if (cors.style === 'starlette-1') {
    if (origin !== undefined) {
      if (allowAll) set('access-control-allow-origin', '*');
      if (cors.allowCredentials) set('access-control-allow-credentials', 'true');
    }
    if (origin !== undefined && allowAll && cors.allowCredentials) explicitOrigin();
    else if (origin !== undefined && !allowAll && cors.allowedOrigins.includes(origin)) explicitOrigin();
    else addVary();
    return;
  }
  // Starlette 0.x: nothing at all for requests without an Origin header.
  if (origin === undefined) return;
  if (allowAll) set('access-control-allow-origin', '*');
  if (cors.allowCredentials) set('access-control-allow-credentials', 'true');
  if (allowAll && 'cookie' in reqHeaders) explicitOrigin();
  else if (!allowAll && cors.allowedOrigins.includes(origin)) explicitOrigin();
}

// ------------------------------------------------------------------------------------------------
// Writing responses

/**
 * Timing controls for writing a response (all optional; every wait ends early when the simulator
 * closes or the client goes away).
 * @typedef {object} Timing
 * @property {number} [headersDelayMs]     wait before the status line is sent
 * @property {number} [stallBeforeFirstMs] after the head, wait before the first body piece
 * @property {number} [delayMs]            wait between body pieces
 * @property {number} [stallAfterIndex]    after body piece #i (0-based) ...
 * @property {number} [stallMs]            ... wait this long (Infinity: never continue)
 * @property {boolean} [neverEnd]          after the last piece, keep the response open forever
 * @property {boolean} [hangUp]            destroy the connection (before the head, or after
 * @property {number} [hangUpAfterIndex]   ... body piece #i when given)
 * @property {number} [chunkBytes]         split a complete body into pieces of this size
 */

/** Resolves after `ms`, or early (returning false) when `signal` aborts. Infinity waits for abort. */
export function wait(ms, signal) {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    let timer = null;
    const onAbort = () => {
      if (timer) clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (Number.isFinite(ms)) {
      timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, Math.max(0, ms));
    }
  });
}

/**
 * Writes an AppResponse the way uvicorn does: "date" and "server" first, the app's headers in
 * order, "connection: close" when the client asked for it, and chunked transfer for streams.
 * @param {import('node:http').ServerResponse} res
 * @param {import('node:http').IncomingMessage} req
 * @param {AppResponse} app
 * @param {Timing} timing
 * @param {AbortSignal} signal aborts on simulator close / client disconnect
 */
export async function writeResponse(res, req, app, timing, signal) {
  const t = timing ?? {};
  if (t.headersDelayMs && !(await wait(t.headersDelayMs, signal))) return;
  if (t.hangUp && t.hangUpAfterIndex === undefined) {
    req.socket.destroy();
    return;
  }
  const streaming = Array.isArray(app.events);
  const flat = ['date', new Date().toUTCString(), 'server', 'uvicorn'];
  for (const [k, v] of app.headers) flat.push(k, v);
  if (/\bclose\b/i.test(req.headers.connection ?? '')) flat.push('connection', 'close');
  if (streaming && !app.headers.some(([k]) => k === 'content-length' || k === 'transfer-encoding')) flat.push('transfer-encoding', 'chunked');
  // Node must not add its own Date/Connection/Keep-Alive headers: uvicorn sends none of them.
  res.sendDate = false;
  res.removeHeader('connection');
  res.writeHead(app.status, reasonPhrase(app.status), flat);

  let pieces;
  if (streaming) pieces = app.events;
  else if (t.chunkBytes && app.body.length > t.chunkBytes) {
    pieces = [];
    for (let i = 0; i < app.body.length; i += t.chunkBytes) pieces.push(app.body.subarray(i, i + t.chunkBytes));
  } else pieces = app.body.length ? [app.body] : [];

  if (t.stallBeforeFirstMs && !(await wait(t.stallBeforeFirstMs, signal))) return;
  for (let i = 0; i < pieces.length; i++) {
    if (i > 0 && t.delayMs && !(await wait(t.delayMs, signal))) return;
    if (signal.aborted) return;
    if (t.hangUp && t.hangUpAfterIndex === i) {
      // Let the piece reach the client before the connection is cut.
      await new Promise((r) => res.write(pieces[i], () => r()));
      req.socket.destroy();
      return;
    }
    res.write(pieces[i]);
    if (t.stallAfterIndex === i && t.stallMs && !(await wait(t.stallMs, signal))) return;
  }
  if (t.neverEnd) {
    await wait(Infinity, signal);
    return;
  }
  res.end();
}
