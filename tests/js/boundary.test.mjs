// The JS boundary itself: one crossing per network read, a huge read decoded in slices with the event
// loop free, an abandoned iterator releasing its connection, and failing calls leaving nothing behind
// in the wasm (externref table and memory flat across 300 000 of them).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { VllmProvider, classifyError, init, isVllmProviderError, parseModelRef } from "../../dist/index.js";
import { ChatEvents, initSync } from "../../dist/wasm/vllm_provider.js";
import { startSimulator } from "../sim/server.mjs";

// The browser entry over the very glue module imported here (dist/node.js carries a copy of its own in
// node.cjs), so the patched ChatEvents and the measured externref table and memory are the package's.
const wasm = initSync({ module: readFileSync(new URL("../../dist/wasm/vllm_provider_bg.wasm", import.meta.url)) });
await init(); // already loaded: marks the entry ready
const KEY = "sk-boundary-test";
const messages = [{ role: "user", content: "hi" }];
let sim;
before(async () => {
  sim = await startSimulator({ apiKey: KEY, models: [{ id: "m", maxModelLen: 4096 }] });
});
after(() => sim.close());

const chunk = (content) => `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
const END = `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\ndata: [DONE]\n\n`;
/** A provider whose fetch answers from memory, one read per string in `reads`. */
function reading(reads) {
  const enc = new TextEncoder();
  const fetch = async () => new Response(new ReadableStream({ pull(c) { reads.length ? c.enqueue(enc.encode(reads.shift())) : c.close(); } }), { headers: { "content-type": "text/event-stream" } });
  const vllm = { baseUrl: "http://127.0.0.1:9/v1", apiKey: KEY, api: "openai-completions", models: [{ id: "m", name: "m" }] };
  return VllmProvider.resolve({ config: { models: { providers: { vllm } } }, fetch });
}

test("stream() crosses into the wasm once per network read, whatever the number of events in it", async () => {
  const next = ChatEvents.prototype.nextBatch;
  let crossings = 0;
  ChatEvents.prototype.nextBatch = function () {
    crossings++;
    return next.call(this);
  };
  try {
    const reads = [0, 1, 2].map((r) => Array.from({ length: 50 }, (_, i) => chunk(`${r}.${i} `)).join(""));
    const events = [];
    for await (const ev of reading([...reads, END]).stream({ model: "m", messages })) events.push(ev.type);
    assert.equal(events.filter((t) => t === "text").length, 150);
    // four reads (the last holds the end), then the one that says there is nothing more
    assert.equal(crossings, 5);
  } finally {
    ChatEvents.prototype.nextBatch = next;
  }
});

test("a 24 MB body in one read is decoded in slices, with the event loop free between them", async () => {
  const line = chunk("x".repeat(200));
  const body = line.repeat(Math.ceil(24e6 / line.length)) + END;
  let ticks = 0;
  let longest = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    ticks++;
  }, 1);
  try {
    const started = performance.now();
    const result = await reading([body]).chat({ model: "m", messages });
    const took = performance.now() - started;
    assert.equal(result.message.content.length, 200 * Math.ceil(24e6 / line.length));
    // 24 slices of 1 MiB: the timer runs between them. A whole-body decode would be one long task,
    // with the timer firing once or twice around it. (Counted, not timed: the longest wait depends on
    // how loaded the machine is.)
    assert.ok(ticks >= 10, `the event loop ran ${ticks} times in ${took.toFixed(0)} ms (longest wait ${longest.toFixed(0)} ms)`);
  } finally {
    clearInterval(ticker);
  }
});

test("an iterator dropped unfinished releases its connection once collected", async () => {
  // A child with --expose-gc: read two events of a never-ending reply, drop the iterator, collect.
  const script = `
    import { VllmProvider } from ${JSON.stringify(new URL("../../dist/node.js", import.meta.url).href)};
    const vllm = { baseUrl: process.argv[1], apiKey: ${JSON.stringify(KEY)}, api: "openai-completions", models: [{ id: "m", name: "m" }] };
    const p = VllmProvider.resolve({ config: { models: { providers: { vllm } } } });
    let it = p.stream({ model: "m", messages: [{ role: "user", content: "hi" }] }, { idleTimeoutMs: 0, firstEventTimeoutMs: 0 });
    await it.next();
    await it.next();
    it = null;
    for (let i = 0; i < 20; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 50)); }
    console.log("dropped");
  `;
  sim.respondNext({ sse: [chunk("a"), chunk("b")], neverEnd: true });
  const child = spawn(process.execPath, ["--expose-gc", "--input-type=module", "-e", script, sim.baseUrl], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const killer = setTimeout(() => child.kill(), 15_000);
  const code = await new Promise((r) => child.on("exit", r));
  clearTimeout(killer);
  assert.deepEqual([out, code], ["dropped\n", 0], "the child exits on its own: nothing holds the connection");
  assert.equal(sim.requests.at(-1)?.clientAborted, true, "the simulator saw the connection close");
});

test("300 000 failing calls leave the externref table and the wasm memory flat", async () => {
  const table = wasm.__wbindgen_externrefs;
  const throwing = { get config() { throw new Error("getter"); } };
  const p = VllmProvider.resolve({});
  const calls = [
    () => VllmProvider.resolve(throwing),
    () => VllmProvider.resolve({ env: { get X() { throw new Error("env"); } } }),
    () => VllmProvider.resolve({ config: "{ models: ]" }),
    () => classifyError(500, { length: 2 ** 31 }),
    () => classifyError(500, new Uint8Array(1 << 20)),
    () => parseModelRef(5),
    () => p.buildChatRequest(new Proxy({}, { get() { throw new Error("proxy"); } })),
  ];
  const fail = (n) => {
    for (let i = 0; i < n; i++) {
      try {
        calls[i % calls.length]();
        assert.fail("did not throw");
      } catch (e) {
        if (!isVllmProviderError(e)) throw e;
      }
    }
  };
  fail(10_000); // warm-up: the table and the allocator reach their working size
  const [slots, bytes] = [table.length, wasm.memory.buffer.byteLength];
  fail(300_000);
  assert.ok(table.length - slots <= 256, `the externref table grew from ${slots} to ${table.length}`);
  assert.ok(wasm.memory.buffer.byteLength - bytes <= 1 << 20, `the wasm memory grew from ${bytes} to ${wasm.memory.buffer.byteLength}`);

  // Failing network calls too (a caller's fetch that throws, or answers what is not a Response), each
  // one try: a refused connection is otherwise retried after a backoff.
  const bad = VllmProvider.resolve({ config: { models: { providers: { vllm: { baseUrl: "http://127.0.0.1:9/v1", apiKey: KEY, models: [{ id: "m", name: "m" }] } } } }, fetch: async (url) => (url.endsWith("/models") ? 42 : Promise.reject(new TypeError("fetch failed"))) });
  const failAsync = async (n) => {
    for (let i = 0; i < n; i++) await (i % 2 ? bad.chat({ model: "m", messages }, { retries: 0 }) : bad.discoverModels()).then(() => assert.fail("resolved"), (e) => assert.ok(isVllmProviderError(e)));
  };
  await failAsync(2_000);
  const [slots2, bytes2] = [table.length, wasm.memory.buffer.byteLength];
  await failAsync(20_000);
  assert.ok(table.length - slots2 <= 256, `the externref table grew from ${slots2} to ${table.length}`);
  assert.ok(wasm.memory.buffer.byteLength - bytes2 <= 1 << 20, `the wasm memory grew from ${bytes2} to ${wasm.memory.buffer.byteLength}`);
});

test("model rows made back from their crossing (listModels) equal serde-wasm-bindgen's (describe), JSON text and all", async () => {
  // Declared rows only (an explicit provider with models does not discover), so both exports give the
  // same rows: describe() through serde-wasm-bindgen, listModels() through src/models/crossing.rs.
  let seed = 7;
  const rnd = (n) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), Math.floor((seed / 2 ** 31) * n)); // the high bits
  const pick = (xs) => xs[rnd(xs.length)];
  const names = ["m", "Qwen/Qwen3-8B", "deepseek-r1-distill", "nemotron-3-nano", "gpt-oss-20b", "é中😀", "a\"b\\c", "", "think-𝕏"];
  const kinds = ["text", "image", "video", "audio"];
  const models = Array.from({ length: 300 }, (_, i) => {
    const id = `${pick(names)}-${i}`;
    const row = { id, name: pick([id, pick(names) || "n", `Model ${i} 😀`]) };
    if (rnd(2)) row.reasoning = !!rnd(2);
    if (rnd(2)) row.input = Array.from({ length: 1 + rnd(4) }, () => pick(kinds)).filter((k, j, a) => a.indexOf(k) === j);
    if (rnd(2)) row.cost = { input: rnd(100) / 8, output: rnd(3), cacheRead: 0.1, cacheWrite: rnd(2) };
    if (rnd(2)) row.contextWindow = 1 + rnd(1_000_000);
    if (rnd(2)) row.maxTokens = 1 + rnd(65_536);
    if (!rnd(8)) row.contextTokens = 1 + rnd(4096);
    if (!rnd(8)) row.compat = { supportsTools: false };
    if (!rnd(8)) row.params = { temperature: 0.5 };
    return row;
  });
  const vllm = { baseUrl: "http://127.0.0.1:9/v1", apiKey: KEY, api: "openai-completions", models };
  const provider = VllmProvider.resolve({ config: { models: { providers: { vllm } } } });
  const described = provider.describe().models;
  const catalog = await provider.listModels();
  assert.equal(catalog.discovery.attempted, false);
  assert.equal(described.length, 300);
  assert.ok(described.some((r) => r.compat) && described.some((r) => !r.compat && !r.params && !r.contextTokens), "rows of both ways");
  assert.equal(JSON.stringify(catalog.models), JSON.stringify(described));
  assert.deepEqual(catalog.models, described);
});
