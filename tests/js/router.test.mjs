// The package behind a real vllm-router 0.1.17 (--policy consistent_hash) in front of simulators that
// answer with their own texts: CallOptions.sessionId keeps a conversation on one worker across turns,
// different sessions spread, and a worker stopped in the middle gives the router's answer as a typed
// error naming the router and the worker, until the router moves the session.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { VllmProvider } from "../../dist/node.js";
import { startSimulator } from "../sim/server.mjs";
import { startRouter } from "../router/router.mjs";
import { live, rejection } from "./helpers.mjs";

const hi = { model: "vllm/tiny-model", messages: [{ role: "user", content: "hi" }] };
let sims;
let router;

before(async () => {
  sims = await Promise.all(["A", "B", "C"].map((label) => startSimulator({ reply: `I am worker ${label}.` })));
  router = await startRouter({ workerUrls: sims.map((s) => s.baseUrl) });
});

after(async () => {
  await router?.stop();
  await Promise.all((sims ?? []).map((s) => s.close()));
});

function provider(baseUrl) {
  const vllm = { baseUrl, apiKey: "sk-router-test", api: "openai-completions", models: [{ id: "tiny-model", name: "tiny", maxTokens: 16 }] };
  return VllmProvider.resolve({ config: { models: { providers: { vllm } } } });
}

/** The result a stream's `done` event carries. */
async function streamed(events) {
  let done;
  for await (const ev of events) if (ev.type === "done") done = ev.result;
  return done;
}

/** The worker that wrote a reply. */
const worker = (result) => /^I am worker ([A-Z])\.$/.exec(result.message.content)?.[1];

test("one sessionId stays on one worker across turns, chat() and stream() alike; the result names the router", async () => {
  const p = provider(router.baseUrl);
  const seen = new Set();
  for (let turn = 0; turn < 4; turn++) {
    const result = turn % 2 ? await p.chat(hi, { sessionId: "conversation-42" }) : await streamed(p.stream(hi, { sessionId: "conversation-42" }));
    seen.add(worker(result));
    assert.equal(result.baseUrl, router.baseUrl);
  }
  assert.equal(seen.size, 1, [...seen].join());
  const home = sims[["A", "B", "C"].indexOf([...seen][0])];
  const last = home.requests.filter((r) => r.path === "/v1/chat/completions").at(-1);
  assert.equal(last.headers["x-session-id"], "conversation-42");
  assert.match(last.headers["x-request-id"], /^[0-9a-f]{32}$/);
});

test("different sessions spread over the workers", async () => {
  const p = provider(router.baseUrl);
  const workers = new Set();
  for (let n = 0; n < 12; n++) workers.add(worker(await p.chat(hi, { sessionId: `spread-${n}` })));
  assert.ok(workers.size >= 2, `12 sessions on ${[...workers].join()}`);
});

test("a worker stopped in the middle: the router's answer is a typed error naming the router and the worker, then the session moves", async () => {
  const own = await Promise.all(["D", "E"].map((label) => startSimulator({ reply: `I am worker ${label}.` })));
  const r2 = await startRouter({ workerUrls: own.map((s) => s.origin) });
  try {
    const p = provider(r2.baseUrl);
    let session;
    for (let n = 0; !session; n++) {
      assert.ok(n < 100, "no session reached worker D");
      if (worker(await p.chat(hi, { sessionId: `home-${n}` })) === "D") session = `home-${n}`;
    }
    const { port } = own[0];
    await own[0].close();
    const e = await rejection(() => p.chat(hi, { sessionId: session }));
    assert.equal(e.code, "server_error", e.message);
    assert.equal(e.status, 500);
    assert.ok(e.hint.startsWith(`vllm-router could not reach its worker http://127.0.0.1:${port}`), e.hint);
    assert.equal(e.attempts, undefined, "a 500 is not retried by the package");
    // The router opens the dead worker's circuit after some failures and moves the session to E.
    let moved;
    for (let n = 0; n < 6 && !moved; n++) {
      try {
        moved = worker(await p.chat(hi, { sessionId: session }));
      } catch (err) {
        assert.equal(err.code, "server_error", err.message);
      }
    }
    assert.equal(moved, "E");
  } finally {
    await r2.stop();
    await Promise.all(own.map((s) => s.close()));
  }
});

test("live: vllm-router in front of real vLLM 0.32: discovery and one streamed chat through it", async (t) => {
  const srv = live(t);
  if (!srv) return;
  const r3 = await startRouter({ workerUrls: [srv.origin] });
  try {
    const vllm = { baseUrl: r3.baseUrl, apiKey: srv.apiKey, api: "openai-completions", models: [{ id: srv.model, name: srv.model, contextWindow: 512, maxTokens: 8 }] };
    const p = VllmProvider.resolve({ config: { models: { providers: { vllm } } } });
    const rows = await p.discoverModels();
    assert.ok(rows.some((m) => m.id === srv.model), rows.map((m) => m.id).join());
    assert.equal(rows.find((m) => m.id === srv.model).contextWindow, 512, "the server's max_model_len, through the router");
    const types = [];
    let done;
    for await (const ev of p.stream({ model: `vllm/${srv.model}`, messages: [{ role: "user", content: "Say hello." }], params: { maxTokens: 8, temperature: 0 } }, { sessionId: "live-session" })) {
      types.push(ev.type);
      if (ev.type === "done") done = ev.result;
    }
    assert.equal(types[0], "start");
    assert.equal(types.at(-1), "done");
    assert.ok(types.includes("text") || done.message.content === "", types.join());
    assert.equal(done.baseUrl, r3.baseUrl);
    assert.ok(done.usage.output > 0 && done.usage.output <= 8, JSON.stringify(done.usage));
  } finally {
    await r3.stop();
  }
});
