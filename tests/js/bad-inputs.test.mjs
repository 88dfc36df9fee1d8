// The bad-input corpus (tests/bad-inputs/*.json): malformed and hostile configs, chat requests, server
// answers, event streams, response headers, JS arguments of the wrong type and a caller's misbehaving
// fetch, each run through the built package against the simulator (or a raw loopback server for what
// the simulator cannot send) and each asserting the exact VllmProviderError code. After every entry
// the same wasm instance must still serve a good chat. Every entry must pass.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import zlib from "node:zlib";
import { after, before, describe, test } from "node:test";
import { VllmProvider, classifyError, isVllmProviderError, parseModelRef } from "vllm-provider";
import { startSimulator } from "../sim/server.mjs";

const DIR = new URL("../bad-inputs/", import.meta.url);
const FILES = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();
const KEY = "sk-bad-inputs-7c1e";
const GOOD = { model: "vllm/m", messages: [{ role: "user", content: "Say hi" }] };

let sim;
let raw;
let good;

/** The config of the good provider: two declared rows (a 64-token one for context overflows). */
const config = (baseUrl) => ({
  models: { providers: { vllm: { baseUrl, apiKey: "${VLLM_API_KEY}", api: "openai-completions", models: [
    { id: "m", name: "M", contextWindow: 4096, maxTokens: 256 },
    { id: "tiny", name: "T", contextWindow: 64, maxTokens: 16 },
  ] } } },
  agents: { defaults: { modelPolicy: { allow: ["vllm/*"] } } },
});
const provider = (extra = {}) => VllmProvider.resolve({ config: config(sim.baseUrl), env: { VLLM_API_KEY: KEY }, ...extra });

/** A JS value from the data files' JSON: `$js` tags for what JSON cannot hold, `$repeat`/`$then`/`$bytes` for big or binary data. */
function value(v) {
  if (Array.isArray(v)) return v.map(value);
  if (v === null || typeof v !== "object") return v;
  if ("$repeat" in v) {
    const [piece, n] = v.$repeat;
    const head = piece.repeat(n);
    return v.$then === undefined ? head : head + value(v.$then);
  }
  if ("$bytes" in v) return Buffer.from(v.$bytes);
  if ("$js" in v) {
    switch (v.$js) {
      case "bigint": return 5n;
      case "symbol": return Symbol("bad");
      case "function": return () => "x";
      case "NaN": return NaN;
      case "Infinity": return Infinity;
      case "good-request": return structuredClone(GOOD);
      case "throwing-proxy": return new Proxy({}, { get() { throw new Error("hostile getter"); }, ownKeys() { throw new Error("hostile ownKeys"); }, has() { throw new Error("hostile has"); }, getOwnPropertyDescriptor() { throw new Error("hostile descriptor"); } });
      case "throwing-getter": return Object.defineProperty({}, v.key, { enumerable: true, get() { throw new Error("hostile getter"); } });
      case "cyclic": { const o = { models: {} }; o.models.self = o; return o; }
      default: throw new Error(`unknown $js tag ${v.$js}`);
    }
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value(x)]));
}

/**
 * Options of a call, with `abortAfterMs` turned into a signal. Each entry scripts one answer, so the
 * call makes one try (`retries: 0`): what a retried 429/502/503/504/529 gives is replicas.test.mjs's.
 */
function options(entry) {
  const { abortAfterMs, ...rest } = { retries: 0, ...entry.options };
  if (abortAfterMs !== undefined) {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), abortAfterMs);
    rest.signal = controller.signal;
  }
  return rest;
}

async function drain(iterable) {
  const events = [];
  for await (const e of iterable) events.push(e);
  return events;
}

/** Calls `call` ("chat", "stream", "discoverModels", …) on provider `p` with the entry's request and options. */
function callOn(p, call, entry) {
  const request = entry.request === undefined ? GOOD : value(entry.request);
  switch (call) {
    case "chat": return p.chat(request, options(entry));
    case "stream": return drain(p.stream(request, options(entry)));
    case "buildChatRequest": return p.buildChatRequest(request);
    case "discoverModels": return p.discoverModels(options(entry));
    case "listModels": return p.listModels(options(entry));
    default: throw new Error(`unknown call ${call}`);
  }
}

/** Misbehaving fetch functions for `ResolveInput.fetch`. */
const FETCHES = {
  "throws-string": () => { throw "no network"; },
  "throws-error": () => { throw new Error("no network"); },
  "rejects-typeerror": () => Promise.reject(new TypeError("fetch failed")),
  "returns-number": () => 5,
  "returns-plain-object": async () => ({ status: 200 }),
  "returns-response-error": async () => Response.error(),
  "returns-status-0": async () => fakeResponse(0),
  "returns-status-65736": async () => fakeResponse(65736),
  "returns-status-99": async () => fakeResponse(99),
  "returns-status-600": async () => fakeResponse(600),
  "never-settles": () => new Promise(() => {}),
  "body-errors": async (url) => new Response(new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode(String(url).endsWith("/models") ? '{"data":[' : 'data: {"choices":[{"delta":{"content":"a"}}]}\n\n'));
      c.error(new Error("body broke"));
    },
  }), { headers: { "content-type": String(url).endsWith("/models") ? "application/json" : "text/event-stream" } }),
  "body-never-ends": async (url) => new Response(new ReadableStream({
    start(c) { c.enqueue(new TextEncoder().encode(String(url).endsWith("/models") ? '{"data":[' : 'data: {"choices":[{"delta":{"content":"a"}}]}\n\n')); },
  }), { headers: { "content-type": String(url).endsWith("/models") ? "application/json" : "text/event-stream" } }),
  "throwing-status-getter": async () => {
    const r = new Response("{}", { headers: { "content-type": "application/json" } });
    Object.defineProperty(r, "status", { get() { throw new Error("hostile status"); } });
    return r;
  },
};

/** A Response whose status is outside what the Response constructor allows (a Response with the status overridden). */
function fakeResponse(status) {
  const r = new Response('{"data":[]}', { headers: { "content-type": "application/json" } });
  Object.defineProperty(r, "status", { value: status });
  Object.defineProperty(r, "ok", { value: status >= 200 && status < 300 });
  return r;
}

/** A raw loopback server for what the simulator does not send: broken compression, header floods, short bodies, not HTTP. */
async function startRaw() {
  const server = http.createServer({ maxHeaderSize: 1 << 20 }, (req, res) => {
    const behaviour = req.url.split("/")[1];
    const json = req.url.endsWith("/models");
    const type = json ? "application/json" : "text/event-stream";
    switch (behaviour) {
      case "gzip-garbage": res.writeHead(200, { "content-type": type, "content-encoding": "gzip" }); return res.end(Buffer.from("this is not gzip at all"));
      case "br-garbage": res.writeHead(200, { "content-type": type, "content-encoding": "br" }); return res.end(Buffer.from("nor brotli"));
      case "oversized-headers": {
        const headers = { "content-type": type };
        for (let i = 0; i < 60; i++) headers[`x-filler-${i}`] = "a".repeat(1000);
        res.writeHead(200, headers);
        return res.end(json ? '{"data":[]}' : zlib.constants ? "data: [DONE]\n\n" : "");
      }
      case "short-body": res.writeHead(200, { "content-type": type, "content-length": "1000" }); res.write(json ? '{"data":[' : 'data: {"choices":[{"delta":{"content":"a"}}]}\n\n'); return setTimeout(() => res.destroy(), 20);
      default: res.writeHead(404); return res.end();
    }
  });
  // "not-http": a listener that answers garbage bytes instead of HTTP.
  const garbage = net.createServer((socket) => { socket.on("error", () => {}); socket.end("SSH-2.0-OpenSSH_9.6\r\n\u0000\u0001garbage\r\n\r\n"); });
  await Promise.all([new Promise((ok) => server.listen(0, "127.0.0.1", ok)), new Promise((ok) => garbage.listen(0, "127.0.0.1", ok))]);
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    url: (behaviour) => behaviour === "not-http" ? `http://127.0.0.1:${garbage.address().port}/v1` : `http://127.0.0.1:${server.address().port}/${behaviour}/v1`,
    close: () => Promise.all([new Promise((ok) => server.close(ok)), new Promise((ok) => garbage.close(ok))]),
  };
}

/** Runs one entry; resolves with what it returned, or rejects with what it threw. */
async function run(entry) {
  const call = entry.call;
  if (entry.respond !== undefined) {
    const path = call === "discoverModels" || call === "listModels" ? "/v1/models" : "/v1/chat/completions";
    const respond = JSON.parse(JSON.stringify(entry.respond).replaceAll("$RAW_ORIGIN", raw.origin));
    sim.respondNext({ path, ...value(respond) });
    return callOn(good, call, entry);
  }
  if (entry.raw !== undefined) return callOn(provider({ config: config(raw.url(entry.raw)) }), call, entry);
  if (entry.fetch !== undefined) return callOn(provider({ fetch: FETCHES[entry.fetch] }), call, entry);
  if (call === "resolve") return VllmProvider.resolve(value(entry.input));
  if (call.startsWith("resolve+")) return callOn(VllmProvider.resolve(value(entry.input)), call.slice(8), entry);
  if (entry.request !== undefined) return callOn(good, call, entry);
  const args = value(entry.args);
  if (call === "VllmProvider.resolve") return VllmProvider.resolve(...args);
  if (call === "classifyError") return classifyError(...args);
  if (call === "parseModelRef") return parseModelRef(...args);
  if (call.startsWith("provider.")) {
    const method = call.slice(9);
    return method === "stream" ? drain(good.stream(...args)) : good[method](...args);
  }
  if (call.startsWith("freed.")) {
    const p = provider();
    p.free();
    const method = call.slice(6);
    return method === "stream" ? drain(p.stream(...args)) : p[method](...args);
  }
  throw new Error(`unknown call ${call}`);
}

/** The error `fn` fails with, within `ms`; fails if it succeeds or hangs. */
async function failure(fn, ms) {
  let timer;
  const deadline = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms); });
  try {
    await Promise.race([Promise.resolve().then(fn), deadline]);
  } catch (e) {
    if (e?.message === `no answer within ${ms} ms` && !isVllmProviderError(e)) throw e;
    return e;
  } finally {
    clearTimeout(timer);
  }
  assert.fail("succeeded instead of failing");
}

/** The same wasm instance serves a good chat after the entry. */
async function servesAGoodRequest() {
  sim.reset();
  const result = await Promise.race([good.chat(GOOD), new Promise((_, no) => setTimeout(() => no(new Error("the good chat did not answer within 5 s")), 5000))]);
  assert.equal(result.stopReason, "stop");
  assert.ok(result.message.content.length > 0);
}

before(async () => {
  sim = await startSimulator({ apiKey: KEY, models: [{ id: "m", maxModelLen: 4096 }, { id: "tiny", maxModelLen: 64 }] });
  raw = await startRaw();
  good = provider();
});
after(async () => {
  await sim?.close();
  await raw?.close();
});

let total = 0;
for (const file of FILES) {
  const { about, entries } = JSON.parse(readFileSync(new URL(file, DIR), "utf8"));
  total += entries.length;
  describe(`${file}: ${about}`, () => {
    for (const entry of entries) {
      test(`${entry.name} → ${entry.code}`, async () => {
        try {
          const e = await failure(() => run(entry), entry.deadlineMs ?? 10_000);
          assert.ok(isVllmProviderError(e), `threw something other than a VllmProviderError: ${e?.stack ?? String(e)}`);
          assert.equal(e.code, entry.code, `${e.code}: ${e.message}`);
          assert.ok(!JSON.stringify({ ...e, message: e.message }).includes(KEY), "the key leaked into the error");
        } finally {
          await servesAGoodRequest();
        }
      });
    }
  });
}

test("the corpus holds at least 300 entries", () => {
  assert.ok(total >= 300, `${total} entries`);
});
