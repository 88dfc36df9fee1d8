// The router test harness, with plain fetch (the package is not involved yet): real vllm-router 0.1.17
// (--policy consistent_hash) in front of three simulators that answer with their own texts. Pins what
// the package's routing relies on: X-Session-ID keeps a conversation on one worker, sessions spread,
// a random X-Request-Id alone spreads the turns, what the router passes through before the first byte
// and mid-stream, and what it answers for a stopped worker.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { startSimulator } from "../sim/server.mjs";
import { startRouter } from "../router/router.mjs";

const LABELS = ["A", "B", "C"];
let sims;
let router;

before(async () => {
  sims = await Promise.all(LABELS.map((label) => startSimulator({ reply: `I am worker ${label}.` })));
  router = await startRouter({ workerUrls: sims.map((s) => s.baseUrl) });
});

after(async () => {
  const exit = await router?.stop();
  assert.equal(router.running(), false, "stopped by its PID");
  assert.ok(exit.signal === "SIGTERM" || exit.code === 0, JSON.stringify(exit));
  await Promise.all((sims ?? []).map((s) => s.close()));
});

/** The text of a reply: a JSON completion's content, or a stream's content deltas joined. */
function replyText(text, stream) {
  if (!stream) return JSON.parse(text).choices?.[0]?.message?.content ?? "";
  return text
    .split("\n")
    .filter((line) => line.startsWith("data: {"))
    .map((line) => JSON.parse(line.slice(6)).choices?.[0]?.delta?.content ?? "")
    .join("");
}

/** One chat turn through `via` (default: the shared router): status, content type, body text, and the worker that wrote it. */
async function turn({ session, stream = false, requestId = randomUUID().replaceAll("-", ""), via = router } = {}) {
  const headers = { "content-type": "application/json", "x-request-id": requestId };
  if (session) headers["x-session-id"] = session;
  const body = JSON.stringify({ model: "tiny-model", stream, max_tokens: 16, messages: [{ role: "user", content: "hi" }] });
  const res = await fetch(`${via.baseUrl}/chat/completions`, { method: "POST", headers, body });
  const text = await res.text();
  const worker = res.status === 200 ? /^I am worker ([A-Z])\.$/.exec(replyText(text, stream))?.[1] : undefined;
  return { status: res.status, type: res.headers.get("content-type"), text, worker, headers: res.headers };
}

/** Sessions that live on each worker of `via`: label → session id. */
async function sessionsPerWorker(via, labels) {
  const out = {};
  for (let n = 0; Object.keys(out).length < labels.length; n++) {
    assert.ok(n < 200, `no session reached every worker: ${JSON.stringify(out)}`);
    const session = `home-${n}-${randomUUID()}`;
    out[(await turn({ session, via })).worker] ??= session;
  }
  return out;
}

/** The worker whose simulator recorded the last chat request carrying this session id. */
function workerOf(session) {
  const i = sims.findIndex((s) => s.requests.some((r) => r.path === "/v1/chat/completions" && r.headers["x-session-id"] === session));
  return LABELS[i];
}

test("the workers answer with their own texts, and the router is healthy in front of them", async () => {
  for (const [i, sim] of sims.entries()) {
    const res = await fetch(`${sim.baseUrl}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "tiny-model", messages: [{ role: "user", content: "hi" }] }) });
    assert.equal((await res.json()).choices[0].message.content, `I am worker ${LABELS[i]}.`);
  }
  const health = await fetch(`${router.origin}/health`);
  assert.equal(health.status, 200);
  const models = await (await fetch(`${router.baseUrl}/models`)).json();
  assert.deepEqual(models.data.map((m) => m.id), ["tiny-model"], "discovery through the router");
});

test("one X-Session-ID stays on one worker across turns, streamed or not", async () => {
  for (let n = 0; n < 8; n++) {
    const session = `conversation-${n}-${randomUUID()}`;
    const first = await turn({ session });
    assert.equal(first.status, 200, first.text);
    assert.ok(first.worker, first.text);
    for (const stream of [false, true, false, true]) {
      const next = await turn({ session, stream });
      assert.equal(next.status, 200, next.text);
      assert.equal(next.worker, first.worker, `${session} moved from ${first.worker} to ${next.worker} (stream: ${stream})`);
    }
    assert.equal(workerOf(session), first.worker, "the worker that answered is the one that received the session");
  }
  // The router forwards both headers: the session and the request id.
  const seen = sims.flatMap((s) => s.requests).filter((r) => r.headers["x-session-id"]?.startsWith("conversation-"));
  assert.equal(seen.length, 8 * 5);
  assert.ok(seen.every((r) => /^[0-9a-f]{32}$/.test(r.headers["x-request-id"])));
});

test("different sessions spread over the workers", async () => {
  const count = { A: 0, B: 0, C: 0 };
  for (let n = 0; n < 45; n++) {
    const r = await turn({ session: `spread-${n}-${randomUUID()}` });
    assert.equal(r.status, 200, r.text);
    count[r.worker]++;
  }
  // Chance alone would leave a worker without any of 45 sessions about once in 30 million runs.
  assert.ok(Object.values(count).every((c) => c > 0), JSON.stringify(count));
});

test("without a session, the random X-Request-Id of each turn spreads one conversation over the workers", async () => {
  const workers = new Set();
  for (let n = 0; n < 15; n++) workers.add((await turn()).worker);
  assert.ok(workers.size >= 2, `15 turns all on ${[...workers]}`);
});

test("before the first byte the router tries a worker 5 times (529 once), then passes its answer through; mid-stream it cuts", async () => {
  // Each worker takes few failures: the router's circuit breaker opens after 10 on one worker.
  const home = await sessionsPerWorker(router, LABELS);
  const chatPath = "/v1/chat/completions";
  const cases = [
    { worker: "A", status: 503, body: "Service Unavailable: queue full", tries: 5 },
    { worker: "A", status: 529, body: "overloaded", tries: 1 },
    { worker: "B", status: 502, body: "Bad Gateway", tries: 5 },
    { worker: "C", status: 429, body: "Too Many Requests", headers: { "retry-after": "2" }, tries: 5 },
  ];
  for (const c of cases) {
    const sim = sims[LABELS.indexOf(c.worker)];
    sim.reset();
    for (let i = 0; i < 12; i++) sim.respondNext({ path: chatPath, status: c.status, body: c.body, headers: c.headers });
    const r = await turn({ session: home[c.worker] });
    assert.equal(r.status, c.status, r.text);
    assert.equal(r.text, c.body);
    assert.match(r.type, /^text\/plain/);
    if (c.headers) assert.equal(r.headers.get("retry-after"), "2", "Retry-After reaches the client");
    assert.equal(sim.requests.filter((x) => x.path === chatPath).length, c.tries, `${c.status}`);
  }
  // One failure, then success: the router's own retry hides it from the client.
  const b = sims[1];
  b.reset();
  b.respondNext({ path: chatPath, status: 503, body: "busy" });
  const recovered = await turn({ session: home.B });
  assert.deepEqual([recovered.status, recovered.worker], [200, "B"]);
  assert.equal(b.requests.length, 2);
  // A stream cut after its first event: the client has the start, then the connection breaks.
  const c = sims[2];
  c.reset();
  const chunk = { id: "chatcmpl-cut", object: "chat.completion.chunk", created: 1, model: "tiny-model", choices: [{ index: 0, delta: { content: "partial" }, finish_reason: null }] };
  // The cut comes 300 ms after the first event, so the router has forwarded it (a cut right after it
  // may reach the client first).
  c.respondNext({ path: chatPath, sse: [chunk, chunk, chunk], delayMs: 300, hangUp: true, hangUpAfterIndex: 1 });
  const res = await fetch(`${router.baseUrl}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-session-id": home.C },
    body: JSON.stringify({ model: "tiny-model", stream: true, messages: [{ role: "user", content: "hi" }] }),
  });
  assert.equal(res.status, 200);
  const reader = res.body.getReader();
  let got = "";
  await assert.rejects(async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      got += Buffer.from(value).toString("utf8");
    }
  }, /terminated/);
  assert.match(got, /"content":"partial"/);
  assert.equal(c.requests.filter((x) => x.path === chatPath).length, 1, "nothing is retried after the first byte");
});

test("a stopped worker: vllm-router answers 500 naming it until its circuit opens, then moves its sessions; with none left, 503", async () => {
  // A router of its own: this test opens circuits.
  const labels = ["D", "E"];
  const own = await Promise.all(labels.map((l) => startSimulator({ reply: `I am worker ${l}.` })));
  const r2 = await startRouter({ workerUrls: own.map((s) => s.origin) });
  try {
    const home = await sessionsPerWorker(r2, labels);
    const port = own[0].port;
    await own[0].close();
    const first = await turn({ session: home.D, via: r2 });
    assert.equal(first.status, 500, first.text);
    assert.equal(first.text, `Request failed: error sending request for url (http://127.0.0.1:${port}/v1/chat/completions)`);
    assert.match(first.type, /^text\/plain/);
    assert.deepEqual([(await turn({ session: home.E, via: r2 })).worker], ["E"], "the other worker's sessions stay");
    // Every request tries the dead worker 5 times; after 10 failures its circuit opens and the
    // session goes to the worker left.
    let moved;
    for (let n = 0; n < 4 && !moved; n++) {
      const r = await turn({ session: home.D, via: r2 });
      if (r.status === 200) moved = r.worker;
      else assert.equal(r.text, first.text);
    }
    assert.equal(moved, "E");
    await own[1].close();
    let last;
    for (let n = 0; n < 4 && last?.status !== 503; n++) last = await turn({ session: home.E, via: r2 });
    assert.deepEqual([last.status, last.text], [503, "No available workers (all circuits open or unhealthy)"]);
  } finally {
    await r2.stop();
    await Promise.all(own.map((s) => s.close()));
  }
});
