// A minimal HTTP/1.1 client over a raw socket, for tests that must see the exact bytes of a
// response head (header names, order, case) and the de-chunked body. Every call is bounded.

import net from 'node:net';

/**
 * @typedef {object} RawResponse
 * @property {string} statusLine         e.g. "HTTP/1.1 200 OK"
 * @property {number} status
 * @property {string[]} headerLines      "name: value" in received order
 * @property {Array<[string, string]>} headers lower-case name, value
 * @property {Buffer} body               de-chunked body
 * @property {Buffer[]} chunks           the body as received chunk by chunk (chunked responses)
 * @property {Buffer} raw                every byte received
 */

/**
 * Sends one request and reads one complete response (Content-Length or chunked), then closes.
 * @param {string} origin "http://127.0.0.1:PORT"
 * @param {{method?: string, path?: string, headers?: Record<string, string>, body?: string|Buffer|object}} req
 *   an object body is sent as JSON text; no Connection header is sent unless given
 * @param {{timeoutMs?: number}} [opts]
 * @returns {Promise<RawResponse>}
 */
export function rawRequest(origin, req, opts = {}) {
  const url = new URL(origin);
  const timeoutMs = opts.timeoutMs ?? 5000;
  const body =
    req.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body));
  const headers = { host: url.host, ...(req.headers ?? {}) };
  if (body.length || ['POST', 'PUT', 'PATCH'].includes(req.method ?? 'GET')) headers['content-length'] = String(body.length);
  let head = `${req.method ?? 'GET'} ${req.path ?? '/'} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  head += '\r\n';

  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`rawRequest ${req.method ?? 'GET'} ${req.path}: no complete response within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (fn, value) => {
      clearTimeout(timer);
      socket.destroy();
      fn(value);
    };
    socket.on('connect', () => socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body])));
    socket.on('error', (e) => done(reject, e));
    socket.on('close', () => {
      const parsed = tryParse(buf, (req.method ?? 'GET') === 'HEAD', true);
      if (parsed) done(resolve, parsed);
      else done(reject, new Error(`rawRequest ${req.path}: connection closed after ${buf.length} bytes without a complete response`));
    });
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const parsed = tryParse(buf, (req.method ?? 'GET') === 'HEAD', false);
      if (parsed) done(resolve, parsed);
    });
  });
}

/** Parses a complete response from `buf`, or returns null when more bytes are needed. */
function tryParse(buf, isHead, closed) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const statusLine = lines[0];
  const headerLines = lines.slice(1);
  const headers = headerLines.map((l) => {
    const i = l.indexOf(':');
    return /** @type {[string, string]} */ ([l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()]);
  });
  const get = (n) => headers.find(([k]) => k === n)?.[1];
  const rest = buf.subarray(end + 4);
  const status = Number(statusLine.split(' ')[1]);
  const base = { statusLine, status, headerLines, headers, raw: buf };
  if (isHead) return { ...base, body: Buffer.alloc(0), chunks: [] };
  if (get('transfer-encoding') === 'chunked') {
    const chunks = [];
    let pos = 0;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', pos);
      if (lineEnd < 0) return null;
      const size = parseInt(rest.subarray(pos, lineEnd).toString('latin1'), 16);
      if (size === 0) return { ...base, body: Buffer.concat(chunks), chunks };
      if (rest.length < lineEnd + 2 + size + 2) return null;
      chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      pos = lineEnd + 2 + size + 2;
    }
  }
  const length = get('content-length');
  if (length !== undefined) {
    if (rest.length < Number(length)) return null;
    return { ...base, body: rest.subarray(0, Number(length)), chunks: [] };
  }
  return closed ? { ...base, body: rest, chunks: [] } : null;
}
