// A caller's fetch is not trusted (api.md, "Several servers"): whatever it does (throw, answer
// something that is not a Response, a Response whose body is locked or read, getters that throw, a
// reader that throws, ignoring init.signal) every call ends with a VllmProviderError, never an uncaught
// exception or a promise left pending, the timeouts fire on time, and the next calls work. Each class
// of misbehaviour is tried over chat(), stream(), discoverModels(), listModels() and diagnose().
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { VllmProvider, isVllmProviderError } from "../../dist/node.js";
import { runInNewContext } from "node:vm";
import { startSimulator } from "../sim/server.mjs";

const uncaught = [];
const record = (e) => uncaught.push(e);
process.on("uncaughtException", record);
process.on("unhandledRejection", record);
afterEach(() => assert.deepEqual(uncaught.splice(0), [], "an exception escaped"));

let sim;
before(async () => {
  sim = await startSimulator({ apiKey: "k", models: [{ id: "m", maxModelLen: 4096 }] });
});
after(() => sim.close());

const BASE = "http://127.0.0.1:9/v1"; // never reached: every request goes to the caller's fetch
const messages = [{ role: "user", content: "hi" }];
const explicit = (fetch, baseUrl = BASE) => VllmProvider.resolve({ config: { models: { providers: { vllm: { baseUrl, apiKey: "k", api: "openai-completions", models: [{ id: "m", name: "m", maxTokens: 8 }] } } } }, fetch });
// An implicit provider (a key, no declared provider): listModels() runs discovery.
const implicit = (fetch) => VllmProvider.resolve({ env: { VLLM_API_KEY: "k" }, baseUrl: BASE, fetch });

/** Settles `p` within `ms`: its value, `{ error }`, or "pending". */
function settle(p, ms = 5000) {
  let timer;
  const pending = new Promise((r) => (timer = setTimeout(() => r("pending"), ms)));
  return Promise.race([Promise.resolve(p).then((value) => ({ value }), (error) => ({ error })), pending]).finally(() => clearTimeout(timer));
}

/** Each public call, run to its end; returns the typed error it ended with (for listModels the
 * discovery error it reports, for diagnose the first failed check's detail). */
const METHODS = {
  chat: (fetch, opts) => explicit(fetch).chat({ model: "m", messages }, opts),
  stream: async (fetch, opts) => {
    for await (const _ of explicit(fetch).stream({ model: "m", messages }, opts));
  },
  discoverModels: (fetch, opts) => explicit(fetch).discoverModels(opts),
  listModels: async (fetch, opts) => {
    const catalog = await implicit(fetch).listModels(opts);
    if (catalog.discovery.error) throw Object.assign(new Error(catalog.discovery.error.message), { ...catalog.discovery.error, name: "VllmProviderError" });
    return catalog;
  },
  diagnose: async (fetch, opts) => {
    const report = await explicit(fetch).diagnose(opts);
    const failed = report.checks.find((c) => c.status === "fail");
    if (failed) throw Object.assign(new Error(failed.detail), { name: "VllmProviderError", code: "check-failed", check: failed });
    return report;
  },
};

/** How much later than `ms` a plain timer set now fires: what a loaded machine adds to any timer,
 * and so to a timeout's 10 %. */
function lateness(ms) {
  const set = performance.now();
  return new Promise((r) => setTimeout(() => r(Math.max(0, performance.now() - set - ms)), ms));
}

async function typedError(method, fetch, opts) {
  const outcome = await settle(METHODS[method](fetch, opts));
  assert.notEqual(outcome, "pending", `${method}: left pending`);
  assert.ok(outcome.error, `${method}: did not fail`);
  assert.ok(isVllmProviderError(outcome.error), `${method}: not a VllmProviderError: ${outcome.error?.stack ?? outcome.error}`);
  return outcome.error;
}

/** A later, well-behaved call against the simulator works. */
async function healthy() {
  const result = await settle(explicit(undefined, sim.baseUrl).chat({ model: "m", messages }));
  assert.equal(result.value?.stopReason, "length", JSON.stringify(result));
}

const sse = new TextEncoder().encode(`data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content: "a" }, finish_reason: null }] })}\n\n`);
const body = (url) => (url.endsWith("/models") ? '{"object":"list","data":[]}' : url.endsWith("/health") ? "" : sse);
const headers = (url) => ({ "content-type": url.endsWith("/models") ? "application/json" : "text/event-stream" });
const streamOf = (url, source) => new Response(new ReadableStream(source), { headers: headers(url) });
const defineOn = (r, key, get) => Object.defineProperty(r, key, { get, configurable: true });
const boom = () => {
  throw new Error("boom");
};

// Misbehaviour → what a call ends with: the code, per method where they differ (diagnose reports its
// failed check, whose text is the error's message).
const CLASSES = {
  "throws instead of returning": [() => boom(), "unreachable"],
  "rejects (a network failure)": [async () => Promise.reject(new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } })), "unreachable"],
  "resolves to a number": [async () => 42, "bad_response"],
  "resolves to a plain object": [async () => ({}), "bad_response"],
  // (`then` reads as absent, or the promise machinery itself would reject with what it throws)
  "resolves to a Proxy whose every read throws": [async () => new Proxy({}, { get: (_, k) => (k === "then" ? undefined : boom()), has: boom, getPrototypeOf: boom }), "bad_response"],
  "answers Response.error()": [async () => Response.error(), "unreachable"],
  "answers a Response whose body is locked": [async (url) => { const r = new Response(body(url), { headers: headers(url) }); r.body.getReader(); return r; }, "bad_response"],
  "answers a Response already read": [async (url) => { const r = new Response(body(url), { headers: headers(url) }); await r.arrayBuffer(); return r; }, "bad_response"],
  "answers a Response whose body getter throws": [async (url) => defineOn(new Response(body(url)), "body", boom), "bad_response"],
  "answers a Response whose headers getter throws": [async (url) => defineOn(new Response(body(url)), "headers", boom), "bad_response"],
  "answers a Response whose status getter throws": [async (url) => defineOn(new Response(body(url)), "status", boom), "bad_response"],
  "answers headers that throw when read": [async (url) => ({ status: 200, headers: { get "content-type"() { return boom(); } }, body: new Response(body(url)).body }), "bad_response"],
  "answers a body whose getReader() throws": [async (url) => { const r = new Response(body(url), { headers: headers(url) }); r.body.getReader = boom; return r; }, "bad_response"],
  "answers a body whose reader's read() throws": [async (url) => { const r = new Response(body(url), { headers: headers(url) }); r.body.getReader = () => ({ read: boom, cancel: boom }); return r; }, "bad_response"],
  "answers a body that errors while read": [async (url) => streamOf(url, { pull: boom }), { chat: "stream_error", stream: "stream_error", default: "unreachable" }],
  "answers chunks that are not bytes": [async (url) => streamOf(url, { start: (c) => (c.enqueue("text, not bytes"), c.close()) }), "bad_response"],
};

const expected = (codes, method) => (typeof codes === "string" ? codes : codes[method] ?? codes.default);

describe("a caller's fetch that misbehaves", () => {
  for (const [name, [fetch, codes]] of Object.entries(CLASSES)) {
    test(`${name}: a typed error from every call, and later calls work`, async () => {
      for (const method of Object.keys(METHODS)) {
        const e = await typedError(method, fetch);
        if (method === "diagnose") assert.equal(e.check.id, "reachable", `${method}: ${e.message}`);
        else assert.equal(e.code, expected(codes, method), `${method}: ${e.code} ${e.message}`);
      }
      await healthy();
    });
  }
});

test("chunks whose own getters lie, that view part of a buffer, or that come from another realm are read as the bytes they hold", async () => {
  // The body is read through the built-in typed-array getters, never the chunk's own.
  class Liar extends Uint8Array {
    get length() { return 1e9; }
    get byteLength() { return boom(); }
    get byteOffset() { return 3; }
    get buffer() { return new ArrayBuffer(1); }
  }
  const lying = (bytes) => {
    const chunk = new Liar(bytes.length);
    chunk.set(bytes);
    return Object.defineProperty(chunk, "length", { value: -1 });
  };
  const inside = (bytes) => new Uint8Array([9, 9, 9, ...bytes, 9]).subarray(3, 3 + bytes.length);
  const foreign = (bytes) => { const c = runInNewContext(`new Uint8Array(${bytes.length})`); c.set(bytes); return c; };
  const models = '{"object":"list","data":[{"id":"m","max_model_len":4096}]}';
  const done = new TextEncoder().encode("data: [DONE]\n\n");
  const full = (url) => (url.endsWith("/models") ? new TextEncoder().encode(models) : new Uint8Array([...sse, ...done]));
  const fetch = async (url) => streamOf(url, { start(c) {
    const bytes = full(url), third = Math.ceil(bytes.length / 3);
    [lying, inside, foreign].forEach((wrap, i) => c.enqueue(wrap(bytes.subarray(i * third, (i + 1) * third))));
    c.close();
  } });
  const found = await explicit(fetch).discoverModels();
  assert.deepEqual(found.map((r) => [r.id, r.contextWindow]), [["m", 4096]]);
  const catalog = await implicit(fetch).listModels();
  assert.deepEqual(catalog.models.map((r) => [r.id, r.contextWindow]), [["m", 4096]], JSON.stringify(catalog.discovery));
  const reply = await explicit(fetch).chat({ model: "m", messages });
  assert.equal(reply.message.content, "a");
});

describe("timeouts hold when the caller's fetch ignores init.signal", () => {
  const T = 600;
  // The wasm's code is compiled on its first calls: not part of any timeout.
  before(async () => {
    for (const method of Object.keys(METHODS)) await settle(METHODS[method](undefined));
  });
  // Each misbehaviour keeps the call waiting forever unless the timeout ends it; the signal it was
  // given must still be aborted (a fetch that honours it stops the request).
  const WAITS = {
    "never answers": (signals) => async (url, init) => (signals.push(init.signal), new Promise(() => {})),
    "answers a body that never ends": (signals) => async (url, init) => (signals.push(init.signal), streamOf(url, { start() {} })),
    "answers a body that never ends and whose cancel() throws": (signals) => async (url, init) => (signals.push(init.signal), streamOf(url, { start() {}, cancel: boom })),
  };
  for (const [name, make] of Object.entries(WAITS)) {
    test(`${name}: timeoutMs ends every call within 10 % of its setting`, async () => {
      for (const method of Object.keys(METHODS)) {
        const signals = [];
        const [started, late] = [performance.now(), lateness(T)];
        const e = await typedError(method, make(signals), { timeoutMs: T });
        const took = performance.now() - started;
        const slack = await late;
        assert.ok(took >= T * 0.98 && took <= T * 1.1 + slack, `${method}: ended after ${took.toFixed(0)} ms for timeoutMs ${T} (a plain timer was ${slack.toFixed(0)} ms late)`);
        if (method === "diagnose") assert.match(e.message, /within 600 ms/);
        else assert.equal(e.code, "timeout", `${method}: ${e.message}`);
        assert.ok(signals.length > 0 && signals.every((s) => s.aborted), `${method}: the signal given to fetch was not aborted`);
      }
      await healthy();
    });
  }

  test("the first-event and idle watchdogs fire on time too", async () => {
    const fetch = async (url) => streamOf(url, { start(c) { c.enqueue(new TextEncoder().encode(": keep-alive\n\n")); } });
    for (const [opts, pattern] of [[{ firstEventTimeoutMs: T }, /first-event timeout/], [{ idleTimeoutMs: T }, /idle timeout/]]) {
      const fed = opts.idleTimeoutMs ? async (url) => streamOf(url, { start(c) { c.enqueue(sse); } }) : fetch;
      for (const method of ["chat", "stream"]) {
        const [started, late] = [performance.now(), lateness(T)];
        const e = await typedError(method, fed, opts);
        const took = performance.now() - started;
        const slack = await late;
        assert.match(e.message, pattern);
        assert.ok(took >= T * 0.98 && took <= T * 1.1 + slack, `${method}: ${took.toFixed(0)} ms (a plain timer was ${slack.toFixed(0)} ms late)`);
      }
    }
    await healthy();
  });

  test("each request of a call is guarded anew: a diagnosis goes on after one of its requests timed out", async () => {
    // /version never answers: its request times out, and the one-token chat after it still goes out.
    const fetch = (url, init) => (url.endsWith("/version") ? new Promise(() => {}) : globalThis.fetch(url, init));
    const report = await explicit(fetch, sim.baseUrl).diagnose({ timeoutMs: 300, probeChat: true });
    const check = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    assert.match(check.version?.detail ?? "", /within 300 ms/, JSON.stringify(report.checks));
    assert.equal(check.chat?.status, "pass", JSON.stringify(check.chat));
  });

  test("an aborted retry wait leaves no timer behind to keep the process running", async () => {
    const busy = async (url) => new Response("busy", { status: 503, headers: { "retry-after": "20" } });
    for (const method of ["chat", "discoverModels"]) {
      const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
      const before = timers();
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const outcome = await settle(METHODS[method](busy, { signal: controller.signal, retries: 1 }));
      assert.equal(outcome.error?.code, "aborted", `${method}: ${JSON.stringify(outcome)}`);
      await new Promise((r) => setImmediate(r));
      assert.equal(timers(), before, `${method}: the 20 s wait's timer is still set`);
    }
    await healthy();
  });

  test("the caller's AbortSignal ends a call whose fetch ignores it, at once", async () => {
    for (const method of Object.keys(METHODS)) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const started = performance.now();
      const outcome = await settle(METHODS[method](async () => new Promise(() => {}), { signal: controller.signal }));
      assert.ok(isVllmProviderError(outcome.error), `${method}: ${JSON.stringify(outcome)}`);
      assert.equal(outcome.error.code, "aborted", method);
      assert.ok(performance.now() - started < 400, `${method}: ${performance.now() - started} ms`);
    }
    await healthy();
  });
});

describe("arguments that misbehave", () => {
  test("a signal whose aborted getter throws is a config error naming signal, for every call", async () => {
    const signal = { get aborted() { return boom(); }, addEventListener() {} };
    for (const method of Object.keys(METHODS)) {
      const outcome = await settle(METHODS[method](async () => new Response("{}"), { signal }));
      assert.ok(isVllmProviderError(outcome.error), `${method}: ${JSON.stringify(outcome)}`);
      assert.deepEqual([outcome.error.code, outcome.error.path], ["config", "signal"], method);
    }
  });

  test("getters and Proxies in arguments are config errors, and the same provider keeps working", async () => {
    const p = explicit(undefined, sim.baseUrl);
    const proxy = new Proxy({}, { get: boom, ownKeys: boom, getOwnPropertyDescriptor: boom });
    for (const call of [
      () => VllmProvider.resolve({ get config() { return boom(); } }),
      () => VllmProvider.resolve({ config: proxy }),
      () => VllmProvider.resolve({ env: proxy }),
      () => VllmProvider.resolve(proxy),
      () => p.buildChatRequest(proxy),
      () => p.chat(proxy),
      () => p.chat({ model: "m", messages }, proxy),
      () => p.discoverModels({ get timeoutMs() { return boom(); } }),
    ]) {
      const outcome = await settle((async () => call())());
      assert.ok(isVllmProviderError(outcome.error), `${call}: ${JSON.stringify(outcome)}`);
      assert.equal(outcome.error.code, "config", String(call));
    }
    assert.equal((await p.chat({ model: "m", messages })).stopReason, "length");
  });

  test("freed objects throw a typed error instead of wasm-bindgen's null pointer", async () => {
    const p = explicit(undefined, sim.baseUrl);
    p.free();
    assert.throws(() => p.describe(), (e) => isVllmProviderError(e) && e.code === "config" && /freed VllmProvider/.test(e.message));
    assert.throws(() => p.stream({ model: "m", messages }), (e) => isVllmProviderError(e) && e.code === "config");
    for (const call of [() => p.chat({ model: "m", messages }), () => p.discoverModels(), () => p.listModels(), () => p.diagnose()]) {
      const outcome = await settle(call());
      assert.equal(outcome.error?.code, "config", String(call));
    }
    p.free(); // a second free() does nothing
    const q = explicit(undefined, sim.baseUrl);
    q[Symbol.dispose]();
    assert.throws(() => q.toJSON(), (e) => isVllmProviderError(e));
    await healthy();
  });
});
