// The load test: the built package against the vLLM simulator on loopback, in one Node process.
//   node tests/load/load.mjs            full size (npm run load): 10 000 sequential chats
//   node tests/load/load.mjs --reduced  what npm test runs (tests/js/load.test.mjs): 2 000
// Phases: 200 concurrent streams; N sequential chats; 200 streams aborted in flight. It prints p50/p99
// latencies, RSS, the wasm memory and the JS values the wasm holds, before and after, and
// checks that they stay flat: growth bounds, never absolute times (the machine is shared).
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { readFileSync } from "node:fs";
import { VllmProvider, init, isVllmProviderError } from "../../dist/index.js";
import { initSync } from "../../dist/wasm/vllm_provider.js";
import { startSimulator } from "../sim/server.mjs";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc");
/** The wasm instance's exports: the browser entry over the very glue imported here (dist/node.js carries
 * a copy of its own inside node.cjs), so what is measured is the instance the calls run in. */
const wasm = initSync({ module: readFileSync(new URL("../../dist/wasm/vllm_provider_bg.wasm", import.meta.url)) });
await init(); // already loaded: marks the entry ready

const MiB = 1024 * 1024;
const KEY = "sk-load-5d2a";
const REQUEST = { model: "vllm/m", messages: [{ role: "user", content: "Say hi" }], params: { maxTokens: 16 } };

/**
 * What the process and the wasm instance hold now, after garbage collection has run and the
 * FinalizationRegistry callbacks that free wasm objects and their JS references have had their turn.
 * `externrefs` counts the JS values the wasm instance holds in its externref table (its slots, not its
 * capacity, which only says how many were held at once between two collections).
 */
async function memory() {
  for (let i = 0; i < 5; i++) {
    gc();
    await new Promise((ok) => setTimeout(ok, 20));
  }
  const table = wasm.__wbindgen_externrefs;
  let externrefs = 0;
  for (let i = 0; i < table.length; i++) externrefs += table.get(i) == null ? 0 : 1;
  return { rss: process.memoryUsage().rss, wasm: wasm.memory.buffer.byteLength, externrefs };
}
const mib = (n) => `${(n / MiB).toFixed(1)} MiB`;
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const ms = (n) => `${n.toFixed(2)} ms`;

async function drain(iterable) {
  const types = [];
  for await (const e of iterable) types.push(e.type);
  return types;
}

/** Runs the three phases; returns the figures, checks them, prints them. */
export async function runLoad({ sequential = 10_000, concurrent = 200, aborts = 200, log = console.log } = {}) {
  const sim = await startSimulator({ apiKey: KEY, models: [{ id: "m", maxModelLen: 4096 }] });
  try {
    const provider = VllmProvider.resolve({ env: { VLLM_API_KEY: KEY }, baseUrl: sim.baseUrl });
    const figures = {};

    // Warm-up: the allocator's pools, the JIT, the first connections.
    for (let i = 0; i < 100; i++) await provider.chat(REQUEST);
    await Promise.all(Array.from({ length: concurrent }, () => drain(provider.stream(REQUEST))));
    sim.reset();
    const before = await memory();

    // 1. Concurrent streams: every one ends with done, events in order.
    let t0 = performance.now();
    const streams = await Promise.all(Array.from({ length: concurrent }, async () => {
      const start = performance.now();
      const types = await drain(provider.stream(REQUEST));
      return { types, ms: performance.now() - start };
    }));
    figures.concurrent = { count: concurrent, ms: performance.now() - t0 };
    for (const { types } of streams) {
      assert.equal(types[0], "start");
      assert.equal(types.at(-1), "done");
    }
    const concurrentMs = streams.map((s) => s.ms).sort((a, b) => a - b);
    log(`load: ${concurrent} concurrent streams: all done in ${ms(figures.concurrent.ms)} (p50 ${ms(quantile(concurrentMs, 0.5))}, p99 ${ms(quantile(concurrentMs, 0.99))})`);
    sim.reset();

    // 2. Sequential chats: latencies, and whether they drift as the run goes on.
    const latencies = [];
    const middle = {};
    t0 = performance.now();
    for (let i = 0; i < sequential; i++) {
      const start = performance.now();
      const result = await provider.chat(REQUEST);
      latencies.push(performance.now() - start);
      assert.ok(result.message.content.length > 0 && result.stopReason !== "error");
      if (i % 1000 === 999) sim.reset(); // the simulator's own request log is not what is measured
      if (i === Math.floor(sequential / 2)) Object.assign(middle, await memory());
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const quarter = Math.floor(sequential / 4);
    const p50 = (list) => quantile([...list].sort((a, b) => a - b), 0.5);
    figures.sequential = {
      count: sequential, ms: performance.now() - t0, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99),
      firstQuarterP50: p50(latencies.slice(0, quarter)), lastQuarterP50: p50(latencies.slice(-quarter)),
    };
    log(`load: ${sequential} sequential chats in ${ms(figures.sequential.ms)}: p50 ${ms(figures.sequential.p50)}, p99 ${ms(figures.sequential.p99)}; p50 of the first quarter ${ms(figures.sequential.firstQuarterP50)}, of the last ${ms(figures.sequential.lastQuarterP50)}`);
    sim.reset();

    // 3. Aborts in flight: each stream gets its first event, then its signal aborts it; the server
    // never ends the reply, so only the abort can end it, and each connection must close.
    t0 = performance.now();
    const aborted = await Promise.all(Array.from({ length: aborts }, async (_, i) => {
      sim.respondNext({ path: "/v1/chat/completions", sse: [{ id: `c${i}`, object: "chat.completion.chunk", model: "m", choices: [{ index: 0, delta: { content: "a" }, finish_reason: null }] }], neverEnd: true });
      const controller = new AbortController();
      let abortedAt;
      try {
        for await (const event of provider.stream(REQUEST, { signal: controller.signal })) {
          if (event.type === "text" && abortedAt === undefined) {
            abortedAt = performance.now();
            controller.abort();
          }
        }
        assert.fail("the stream ended without the abort");
      } catch (e) {
        assert.ok(isVllmProviderError(e), String(e));
        assert.equal(e.code, "aborted");
        return performance.now() - abortedAt;
      }
    }));
    await new Promise((ok) => setTimeout(ok, 200)); // the server sees each close
    const closed = sim.requests.filter((r) => r.clientAborted).length;
    const abortMs = aborted.sort((a, b) => a - b);
    figures.aborts = { count: aborts, closed, p50: quantile(abortMs, 0.5), p99: quantile(abortMs, 0.99), max: abortMs.at(-1), ms: performance.now() - t0 };
    log(`load: ${aborts} aborts in flight: all "aborted" (abort to rejection p50 ${ms(figures.aborts.p50)}, p99 ${ms(figures.aborts.p99)}), ${closed} of ${aborts} connections closed`);
    assert.equal(closed, aborts, "every aborted request's connection is closed");
    sim.reset();

    const afterAll = await memory();
    figures.memory = { before, middle, after: afterAll };
    log(`load: RSS ${mib(before.rss)} before, ${mib(middle.rss)} half-way, ${mib(afterAll.rss)} after; wasm memory ${mib(before.wasm)} before, ${mib(middle.wasm)} half-way, ${mib(afterAll.wasm)} after; JS values held by the wasm ${before.externrefs} before, ${afterAll.externrefs} after`);

    // Flat: the wasm memory never shrinks, so any leak shows as growth; a small step is the allocator
    // rounding up. RSS also holds V8's heap and the simulator's, so its bound is looser. Latency must
    // not drift with the number of requests served.
    assert.ok(afterAll.wasm - before.wasm <= 2 * MiB, `wasm memory grew by ${mib(afterAll.wasm - before.wasm)}`);
    assert.ok(afterAll.wasm - middle.wasm <= 1 * MiB, `wasm memory grew by ${mib(afterAll.wasm - middle.wasm)} in the second half`);
    assert.ok(afterAll.externrefs - before.externrefs <= 64, `the wasm holds ${afterAll.externrefs - before.externrefs} more JS values`);
    assert.ok(afterAll.rss - before.rss <= 96 * MiB, `RSS grew by ${mib(afterAll.rss - before.rss)}`);
    assert.ok(figures.sequential.lastQuarterP50 <= 3 * figures.sequential.firstQuarterP50 + 1, "latency drifts up as the run goes on");
    return figures;
  } finally {
    await sim.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const reduced = process.argv.includes("--reduced");
  await runLoad({ sequential: reduced ? 2_000 : 10_000 });
  console.log("load: flat");
}
