/**
 * vLLM wire simulator — a loopback HTTP server that answers like `vllm serve` of a chosen release,
 * byte for byte where the release's wire format is known (see tests/fixtures/vllm/ and
 * shared/spec/vllm-api.md). For tests only: Node 20, no dependencies, binds 127.0.0.1.
 *
 * ```js
 * import { startSimulator } from '../sim/server.mjs';
 * const sim = await startSimulator({ release: '0.32.0', apiKey: 'k', models: [{ id: 'm', maxModelLen: 512 }] });
 * // sim.baseUrl === 'http://127.0.0.1:PORT/v1'
 * sim.respondNext({ path: '/v1/chat/completions', error: 'queue_full' });
 * ...
 * await sim.close();
 * ```
 *
 * ## Options (all optional)
 * - `release`          "0.33.0" (default), "0.32.0", "0.13.0", "0.11.0", "0.9.2" — selects every
 *                      release-specific wire detail (errors, reasoning fields, id lengths, chunk keys…).
 * - `apiKey`           string or string[]; null/undefined = no auth middleware (like no --api-key).
 * - `models`           [{ id, root?, parent?, maxModelLen?, permissionId? }]; default
 *                      [{ id: "tiny-model", maxModelLen: 512 }]. Rows with `parent` are LoRA adapters
 *                      (listed after base models, `max_model_len: null`).
 * - `allowedOrigins`   --allowed-origins; default ["*"] up to 0.31, [] from 0.32 (vLLM's defaults).
 * - `allowCredentials` --allow-credentials (default false).
 * - `corsStyle`        "starlette-1" (vary: Origin on every response; measured on live 0.32.0) or
 *                      "starlette-0"; default "starlette-1" for 0.32.0, "starlette-0" otherwise
 *                      (the v0.33.0 fixture heads carry no vary header).
 * - `toolParser`       true = --enable-auto-tool-choice --tool-call-parser hermes.
 * - `reasoningParser`  true = --reasoning-parser; models whose id matches /qwen3|r1|reason|think/i
 *                      then reason before answering (unless chat_template_kwargs.enable_thinking
 *                      is false or reasoning_effort is "none").
 * - `version`          GET /version value (default: the release).
 * - `created`          pin `created` of every body (default: request time).
 * - `systemFingerprint` pin system_fingerprint (default "vllm-<release>-<8 hex>" from 0.22, null before).
 * - `reply`            the answer text, or ({ body, index }) => text (default: a fixed sentence).
 * - `reasoningText`    the reasoning text of reasoning models.
 * - `maxCharsPerToken` the tokenizer's longest token (v0.32+ rejects prompts longer than
 *                      max_model_len × this in characters); default 11 like the tiny test model.
 * - `forceIncludeUsage` --enable-force-include-usage.
 * - `requestIdHeaders` --enable-request-id-headers (responses carry x-request-id).
 * - `trustRequestChatTemplate` --trust-request-chat-template.
 * - `port`             default 0 (any free port).
 *
 * ## Default behaviour (like real vLLM of the release)
 * Auth on the guarded prefixes (/v1… ; 401 `{"error":"Unauthorized"}`), GET /health and GET|POST
 * /ping (200, empty), GET /version, GET /load, GET /v1/models, POST /v1/chat/completions (JSON or
 * SSE; deterministic text; max_tokens → "length"; n; logprobs; echo/prompt_logprobs; usage and
 * continuous usage; X-Request-Id / request_id → id; 404 unknown model; context-length and
 * max_tokens 400s; tool, validation, JSON and media-type 400s), FastAPI's 404
 * `{"detail":"Not Found"}`, 405 `{"detail":"Method Not Allowed"}` (HEAD included, as FastAPI
 * does) and 307 trailing-slash redirects, CORS per Starlette. Not simulated (answer 404 like an
 * unknown route): /metrics, /v1/completions, /v1/responses, /v1/embeddings, /tokenize and the
 * other endpoints of vllm-api.md §1.
 *
 * ## Recorded requests
 * `sim.requests` holds `{ method, path, search, query, headers, bodyText, body, at, clientAborted }` per
 * request, in arrival order: `search` is the query as sent (with its `?`), `query` an object of the
 * query parameters, `headers` has
 * lower-case names, `body` is the parsed JSON (undefined if not JSON), `at` is Date.now() at
 * arrival, `clientAborted` turns true if the client went away before the response ended.
 *
 * ## respondNext(behaviour)
 * Queues a scripted answer for the next request that matches `behaviour.path` (string or RegExp)
 * and `behaviour.method` (both optional: no filter = the very next request). It replaces the
 * route handler only: the API-key and CORS middleware still run first, so a 401 does not consume
 * it. Queued answers are used first-in first-out. Kinds (pick one):
 * - `{ status?, headers?, body? }`  raw answer: `body` string/Buffer is sent as-is (text/plain unless
 *                                   a content-type header is given), any other value as compact JSON.
 * - `{ html, status? }`             an HTML page (text/html; charset=utf-8), e.g. a proxy error page.
 * - `{ redirect, status? }`         a redirect (301/302/303/307/308, default 307) to `redirect`, an
 *                                   absolute URL (e.g. another origin) or a path, with an empty body.
 * - `{ error, status? }`            a vLLM error in the release's envelope: a preset name
 *                                   ("queue_full" 503, "engine_dead" 500, "retryable" 503) or
 *                                   `{ message, type?, param?, code? }`.
 * - `{ sse: [...], done?, status?, headers? }` an event stream: objects become `data: <json>\n\n`,
 *                                   strings/Buffers are written verbatim; `data: [DONE]\n\n` is
 *                                   appended unless `done: false`, `neverEnd` or a mid-stream hang-up.
 * - `{ scenario: {...} }`           pins for the normal chat pipeline, rendered by the release's
 *                                   serializer: id, created, fingerprint, model, promptTokens,
 *                                   steps (engine deltas: "text" | {content} | {reasoning} |
 *                                   {toolCalls:[{index,id?,type?,name?,arguments?}]} | {silent} | {}),
 *                                   message, finishReason, choices, usage, streamError
 *                                   ({ afterSteps, message?, type?, code? }). See chat-route.mjs.
 * - `{ echo, status? }`             what the request carried (credentials, other header values, query
 *                                   values) sent back in every form (as is, URL-encoded, JSON-escaped
 *                                   once and twice, base64): `echo` is "error" (vLLM's error envelope),
 *                                   "text" (a plain body), "models" (a /v1/models list with the forms in
 *                                   ids), "headers" (x-echo-<n> headers and the content type) or
 *                                   "stream" (chunk id and model, then an in-band error). See echo.mjs.
 * - `{ hangUp: true }` alone        the connection is destroyed without any response.
 * Timing, combinable with every kind: `headersDelayMs`, `stallBeforeFirstMs`, `delayMs` (between
 * body pieces / events), `stallAfterIndex` + `stallMs` (Infinity = forever), `neverEnd` (keep the
 * response open after the last piece), `hangUp` + `hangUpAfterIndex` (cut the connection after
 * piece #i), `chunkBytes` (trickle a complete body in pieces). Every wait ends when the client
 * disconnects or the simulator closes.
 *
 * ## Other methods
 * `reset()` clears the recorded requests (the same array, emptied) and the queue.
 * `close()` ends every open response (also never-ending ones), closes the server, resolves when done.
 */

import http from 'node:http';
import { handleChat } from './chat-route.mjs';
import { errorBodyText } from './errors.mjs';
import { DEFAULT_REASONING, DEFAULT_REPLY, configHash } from './engine.mjs';
import {
  authorized,
  corsDecorate,
  corsPreflight,
  jsonResponse,
  plainResponse,
  sseResponse,
  unauthorizedResponse,
  writeResponse,
} from './http-layer.mjs';
import { modelListObject, normalizeModels } from './models.mjs';
import { releaseProfile } from './releases.mjs';
import { matches, renderScripted, timingOf, validateBehaviour } from './scripted.mjs';

/** Routes of a chat model server that the simulator implements: path → allowed methods. */
const ROUTES = new Map([
  ['/health', ['GET']],
  ['/ping', ['GET', 'POST']],
  ['/load', ['GET']],
  ['/version', ['GET']],
  ['/v1/models', ['GET']],
  ['/v1/chat/completions', ['POST']],
]);

/**
 * @typedef {object} RecordedRequest
 * @property {string} method
 * @property {string} path
 * @property {string} search                   the query as sent, with its `?` (or empty)
 * @property {Record<string, string>} query
 * @property {Record<string, string>} headers  lower-case names
 * @property {string} bodyText
 * @property {unknown} body                     parsed JSON, or undefined
 * @property {number} at                        Date.now() at arrival
 * @property {boolean} clientAborted            the client went away before the response ended
 */

/**
 * @typedef {object} Simulator
 * @property {string} origin          "http://127.0.0.1:PORT"
 * @property {string} baseUrl         origin + "/v1"
 * @property {number} port
 * @property {string} release
 * @property {RecordedRequest[]} requests
 * @property {(behaviour: object) => void} respondNext
 * @property {() => void} reset
 * @property {() => Promise<void>} close
 */

/**
 * Starts a simulator on 127.0.0.1. See the module comment for options and behaviours.
 * @param {object} [options]
 * @returns {Promise<Simulator>}
 */
export async function startSimulator(options = {}) {
  const release = options.release ?? '0.33.0';
  const profile = releaseProfile(release);
  const keys = options.apiKey == null ? [] : (Array.isArray(options.apiKey) ? options.apiKey : [options.apiKey]).filter((k) => k);
  const models = normalizeModels(options.models);
  const config = {
    models,
    toolParser: Boolean(options.toolParser),
    reasoningParser: Boolean(options.reasoningParser),
    trustRequestChatTemplate: Boolean(options.trustRequestChatTemplate),
    forceIncludeUsage: Boolean(options.forceIncludeUsage),
    maxCharsPerToken: options.maxCharsPerToken ?? 11,
    created: options.created,
    systemFingerprint:
      options.systemFingerprint !== undefined
        ? options.systemFingerprint
        : profile.systemFingerprint
          ? `vllm-${release}-${configHash(JSON.stringify([release, models.all]))}`
          : null,
    reply: options.reply ?? DEFAULT_REPLY,
    reasoningText: options.reasoningText ?? DEFAULT_REASONING,
  };
  const cors = {
    allowedOrigins: options.allowedOrigins ?? profile.defaultAllowedOrigins,
    allowCredentials: Boolean(options.allowCredentials),
    style: options.corsStyle ?? profile.corsStyle,
  };
  const version = options.version ?? release;

  /** @type {RecordedRequest[]} */
  const requests = [];
  /** @type {object[]} */
  let queue = [];
  const lifetime = new AbortController();
  const sockets = new Set();

  /** The app behind the middleware: routing and route handlers. */
  function route(req, rawBody, scripted) {
    const { method, path } = req;
    if (scripted && !scripted.scenario) return renderScripted(profile, scripted, req);
    const methods = ROUTES.get(path);
    if (!methods) {
      // Starlette's redirect_slashes: the same path with/without a trailing slash exists → 307.
      const alt = path.endsWith('/') ? path.slice(0, -1) : path + '/';
      if (path !== '/' && ROUTES.has(alt)) {
        const location = `http://${req.headers.host ?? `127.0.0.1:${port}`}${alt}${req.search}`;
        // RedirectResponse sets `location` after Response.__init__ wrote content-length.
        const redirect = plainResponse(307, '', null);
        redirect.headers.push(['location', location]);
        return redirect;
      }
      return jsonResponse(404, { detail: 'Not Found' });
    }
    if (!methods.includes(method)) return jsonResponse(405, { detail: 'Method Not Allowed' }, [['allow', methods.join(', ')]]);
    switch (path) {
      case '/health':
      case '/ping':
        return plainResponse(200, '', null);
      case '/load':
        return jsonResponse(200, { server_load: 0 });
      case '/version':
        return jsonResponse(200, { version });
      case '/v1/models':
        return jsonResponse(
          200,
          modelListObject(models, { created: config.created ?? Math.floor(Date.now() / 1000), idHexLength: profile.idHexLength }),
        );
      case '/v1/chat/completions': {
        const reply = handleChat({ profile, config, request: { rawBody, headers: req.headers }, scenario: scripted?.scenario ?? null });
        if (reply.kind === 'sse') return sseResponse(reply.events);
        return jsonResponse(reply.status, reply.body);
      }
      default:
        return jsonResponse(404, { detail: 'Not Found' });
    }
  }

  async function handle(req, res) {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const rawBody = Buffer.concat(chunks);
    const bodyText = rawBody.toString('utf8');
    let parsed;
    try {
      parsed = bodyText ? JSON.parse(bodyText) : undefined;
    } catch {
      parsed = undefined;
    }
    /** @type {RecordedRequest} */
    const record = {
      method: req.method ?? 'GET',
      path: url.pathname,
      search: url.search,
      query: Object.fromEntries(url.searchParams),
      headers: { ...req.headers },
      bodyText,
      body: parsed,
      at,
      clientAborted: false,
    };
    requests.push(record);

    // Aborted by the simulator closing or by the client going away mid-response.
    const session = new AbortController();
    const onLifetimeAbort = () => session.abort();
    lifetime.signal.addEventListener('abort', onLifetimeAbort, { once: true });
    res.on('close', () => {
      if (!res.writableFinished) {
        record.clientAborted = !lifetime.signal.aborted;
        session.abort();
      }
      lifetime.signal.removeEventListener('abort', onLifetimeAbort);
    });

    const view = { method: record.method, path: record.path, search: url.search, headers: req.headers };
    let app;
    let timing = {};
    if (!authorized(profile, keys, view)) {
      app = unauthorizedResponse();
    } else {
      const preflight = corsPreflight(cors, view);
      if (preflight) {
        app = preflight;
      } else {
        const idx = queue.findIndex((b) => matches(b, view));
        const scripted = idx >= 0 ? queue.splice(idx, 1)[0] : null;
        if (scripted) timing = timingOf(scripted);
        app = route(view, rawBody, scripted);
        if (app === null) {
          // A bare hang-up: no response at all.
          req.socket.destroy();
          return;
        }
        corsDecorate(cors, req.headers, app.headers);
      }
    }
    if (options.requestIdHeaders) {
      app.headers.push(['x-request-id', req.headers['x-request-id'] ?? crypto.randomUUID().replaceAll('-', '')]);
    }
    await writeResponse(res, req, app, timing, session.signal);
    if (session.signal.aborted && !res.writableEnded) res.destroy();
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      // A simulator bug must be visible to the test, not turn into a hang.
      if (req.socket.destroyed) return; // the client went away while the request was read
      if (!res.headersSent) {
        const body = errorBodyText(profile, { message: `simulator error: ${err?.stack ?? err}`, type: 'InternalServerError', code: 500 });
        res.writeHead(500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      } else {
        res.destroy(err);
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  const origin = `http://127.0.0.1:${port}`;
  let closing = null;

  return {
    origin,
    baseUrl: `${origin}/v1`,
    port,
    release,
    requests,
    respondNext(behaviour) {
      validateBehaviour(behaviour);
      queue.push(behaviour);
    },
    reset() {
      requests.length = 0;
      queue = [];
    },
    close() {
      if (!closing) {
        closing = new Promise((resolve) => {
          lifetime.abort();
          server.close(() => resolve());
          for (const s of sockets) s.destroy();
          server.closeAllConnections?.();
        });
      }
      return closing;
    },
  };
}

export { SUPPORTED_RELEASES } from './releases.mjs';
