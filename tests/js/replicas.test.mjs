// Several servers through the built package, without a router: `baseUrls` replicas on loopback
// simulators that each answer with their own text. A dead replica is skipped, a 503 is retried, a 429
// waits for its Retry-After, nothing is retried once a body byte arrived, sessions are sticky and sent
// as X-Session-ID, ChatResult.baseUrl names the server that answered, describe() shows health and no
// secret, and bad values are typed config errors.
import { getEventListeners } from "node:events";
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { VllmProvider, isVllmProviderError } from "../../dist/node.js";
import { startSimulator } from "../sim/server.mjs";
import { closedPort, rejection } from "./helpers.mjs";

const KEY = "sk-replica-js-secret";
const LABELS = ["A", "B", "C"];
const hi = { model: "vllm/tiny-model", messages: [{ role: "user", content: "hi" }] };
let sims;

before(async () => {
  sims = await Promise.all(LABELS.map((label) => startSimulator({ apiKey: KEY, reply: `I am worker ${label}.` })));
});
after(() => Promise.all(sims.map((s) => s.close())));
beforeEach(() => sims.forEach((s) => s.reset()));

function provider(baseUrl, baseUrls) {
  const vllm = { baseUrl, apiKey: KEY, api: "openai-completions", models: [{ id: "tiny-model", name: "tiny", maxTokens: 16 }] };
  return VllmProvider.resolve({ config: { models: { providers: { vllm } } }, baseUrls });
}

const chats = (sim) => sim.requests.filter((r) => r.path === "/v1/chat/completions");

test("a dead replica is skipped, marked unhealthy, and the result names the server that answered", async () => {
  const dead = `http://127.0.0.1:${await closedPort()}/v1`;
  const p = provider(dead, [sims[0].baseUrl]);
  const result = await p.chat(hi);
  assert.equal(result.message.content, "I am worker A.");
  assert.equal(result.baseUrl, sims[0].baseUrl);
  const { replicas } = p.describe();
  assert.deepEqual(replicas.map((r) => [r.baseUrl, r.health]), [[dead, "unhealthy"], [sims[0].baseUrl, "healthy"]]);
  assert.equal(replicas[0].lastFailure, "connection refused");
  assert.ok(replicas[0].retryInMs > 0 && replicas[0].retryInMs <= 5000, JSON.stringify(replicas[0]));
  // The next call does not try it during its cooldown.
  assert.equal((await p.chat(hi)).baseUrl, sims[0].baseUrl);
  assert.equal(chats(sims[0]).length, 2);
  assert.ok(!JSON.stringify(p.describe()).includes(KEY));
});

test("a 503 before the first byte goes to the next replica at once; discovery does the same", async () => {
  const p = provider(sims[0].baseUrl, [sims[1].baseUrl]);
  sims[0].respondNext({ error: "queue_full" });
  const started = Date.now();
  const result = await p.chat(hi);
  assert.equal(result.message.content, "I am worker B.");
  assert.ok(Date.now() - started < 1000, "no backoff with another healthy replica");
  assert.equal(p.describe().replicas[0].health, "unhealthy");
  // Both tries carried the same X-Request-Id: one logical request.
  assert.equal(chats(sims[0])[0].headers["x-request-id"], chats(sims[1])[0].headers["x-request-id"]);
  // discoverModels: A is cooling down, so B answers; B's 503 then goes to A's... both tried.
  sims[1].respondNext({ path: "/v1/models", status: 503, body: "Service Unavailable" });
  const models = await p.discoverModels();
  assert.deepEqual(models.map((m) => m.id), ["tiny-model"]);
  assert.equal(sims[0].requests.filter((r) => r.path === "/v1/models").length, 1, "the other replica answered discovery");
});

test("one server: a 503 is retried after a backoff, a 429 waits for its Retry-After", async () => {
  const p = provider(sims[0].baseUrl);
  sims[0].respondNext({ status: 503, body: "Service Unavailable" });
  assert.equal((await p.chat(hi)).message.content, "I am worker A.");
  const [first, second] = chats(sims[0]);
  assert.ok(second.at - first.at >= 200, `backoff of ${second.at - first.at} ms`);
  sims[0].reset();
  sims[0].respondNext({ error: { message: "slow down", type: "RateLimitError", code: 429 }, status: 429, headers: { "retry-after": "1" } });
  assert.equal((await p.chat(hi)).message.content, "I am worker A.");
  const [a, b] = chats(sims[0]);
  assert.ok(b.at - a.at >= 950, `waited ${b.at - a.at} ms for Retry-After: 1`);
});

test("retries: 0 gives the first answer; when every try fails the error lists them", async () => {
  const p = provider(sims[0].baseUrl, [sims[1].baseUrl]);
  sims[0].respondNext({ status: 503, body: "Service Unavailable" });
  const once = await rejection(() => p.chat(hi, { retries: 0 }));
  assert.ok(isVllmProviderError(once));
  assert.equal(once.code, "overloaded");
  assert.equal(once.attempts, undefined, "a single try lists nothing");
  assert.equal(chats(sims[1]).length, 0);
  const q = provider(sims[0].baseUrl, [sims[1].baseUrl]);
  for (const s of [sims[0], sims[1], sims[0]]) s.respondNext({ status: 503, body: "Service Unavailable" });
  const e = await rejection(() => q.chat(hi, { retries: 2 }));
  assert.equal(e.code, "overloaded");
  assert.deepEqual(e.attempts.map((a) => [a.baseUrl, a.status]), [[sims[0].baseUrl, 503], [sims[1].baseUrl, 503], [sims[0].baseUrl, 503]]);
  assert.match(e.message, /3 attempts/);
});

test("a stream that breaks after its first byte is not retried", async () => {
  const p = provider(sims[0].baseUrl, [sims[1].baseUrl]);
  const chunk = { id: "c", object: "chat.completion.chunk", created: 1, model: "tiny-model", choices: [{ index: 0, delta: { content: "par" }, finish_reason: null }] };
  sims[0].respondNext({ sse: [chunk, chunk], hangUp: true, hangUpAfterIndex: 0 });
  const texts = [];
  const e = await rejection(async () => {
    for await (const ev of p.stream(hi)) if (ev.type === "text") texts.push(ev.delta);
  });
  assert.ok(isVllmProviderError(e), String(e));
  assert.deepEqual(texts, ["par"]);
  assert.equal(chats(sims[1]).length, 0, "never sent again");
  assert.equal(p.describe().replicas[0].health, "healthy", "it answered");
});

test("a session stays on one replica across turns and is sent as X-Session-ID beside X-Request-Id; sessions spread", async () => {
  const p = provider(sims[0].baseUrl, [sims[1].baseUrl, sims[2].baseUrl]);
  const homes = new Set();
  for (let turn = 0; turn < 3; turn++) homes.add((await p.chat(hi, { sessionId: "conversation-1" })).baseUrl);
  assert.equal(homes.size, 1);
  const sent = sims.flatMap(chats);
  assert.equal(sent.length, 3);
  assert.ok(sent.every((r) => r.headers["x-session-id"] === "conversation-1" && /^[0-9a-f]{32}$/.test(r.headers["x-request-id"])), JSON.stringify(sent.map((r) => r.headers)));
  const spread = new Set();
  for (let n = 0; n < 12; n++) spread.add((await p.chat(hi, { sessionId: `s-${n}` })).baseUrl);
  assert.ok(spread.size >= 2, `12 sessions on ${spread.size} replica(s)`);
  // Its replica down: the session moves, and comes back once it is healthy again.
  const home = [...homes][0];
  const sim = sims.find((s) => s.baseUrl === home);
  sim.respondNext({ status: 503, body: "busy" });
  const moved = await p.chat(hi, { sessionId: "conversation-1" });
  assert.notEqual(moved.baseUrl, home);
  assert.equal((await p.chat(hi, { sessionId: "conversation-1" })).baseUrl, moved.baseUrl, "kept where it moved during the cooldown");
});

test("a Retry-After wait ends with the call's timeout and with the caller's abort", async () => {
  const p = provider(sims[0].baseUrl);
  sims[0].respondNext({ status: 429, headers: { "retry-after": "30" }, body: "slow down" });
  let started = Date.now();
  const late = await rejection(() => p.chat(hi, { timeoutMs: 1500 }));
  assert.equal(late.code, "rate_limit", late.message);
  assert.ok(Date.now() - started < 1500, "not waited: the wait would outlast the call");
  sims[0].respondNext({ status: 429, headers: { "retry-after": "2" }, body: "slow down" });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  started = Date.now();
  const aborted = await rejection(() => p.chat(hi, { signal: controller.signal }));
  assert.equal(aborted.code, "aborted", aborted.message);
  assert.ok(Date.now() - started < 1500, `aborted after ${Date.now() - started} ms`);
  assert.equal(chats(sims[0]).length, 2, "no try after the abort");
  assert.equal((await p.chat(hi)).message.content, "I am worker A.", "the same instance keeps serving");
});

test("a stream()'s second try hears the caller's abort, and tries leave no listener behind", async () => {
  // The first server refuses at once; the second holds its answer, so the abort lands during the second try.
  const p = provider(`http://127.0.0.1:${await closedPort()}/v1`, [sims[1].baseUrl]);
  sims[1].respondNext({ path: "/v1/chat/completions", headersDelayMs: 3000, body: "{}" });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  const started = Date.now();
  const aborted = await rejection(async () => {
    for await (const _ of p.stream(hi, { signal: controller.signal }));
  });
  assert.equal(aborted.code, "aborted", aborted.message);
  assert.ok(Date.now() - started < 1500, `aborted after ${Date.now() - started} ms`);
  assert.equal(chats(sims[1]).length, 1, "the second try was under way");

  // Two tries of a chat() leave nothing on the caller's signal; a stream()'s keep one listener (its
  // iterator's, until it is collected) however many tries it took.
  const q = provider(`http://127.0.0.1:${await closedPort()}/v1`, [sims[2].baseUrl]);
  const signal = new AbortController().signal;
  assert.equal((await q.chat(hi, { signal })).baseUrl, sims[2].baseUrl);
  assert.equal(getEventListeners(signal, "abort").length, 0);
  const r = provider(`http://127.0.0.1:${await closedPort()}/v1`, [sims[2].baseUrl]);
  const streamed = new AbortController().signal;
  for await (const _ of r.stream(hi, { signal: streamed }));
  assert.equal(chats(sims[2]).length, 2);
  assert.ok(getEventListeners(streamed, "abort").length <= 1, `${getEventListeners(streamed, "abort").length} listeners`);
});

test("bad baseUrls, sessionId and retries are config errors with their paths", async () => {
  const e = await rejection(() => provider(sims[0].baseUrl, [sims[1].baseUrl, sims[2].baseUrl, "127.0.0.1:1/v1"]));
  assert.deepEqual([e.code, e.path], ["config", "baseUrls[2]"]);
  const p = provider(sims[0].baseUrl);
  for (const [opts, path] of [[{ sessionId: 5 }, "sessionId"], [{ sessionId: "" }, "sessionId"], [{ retries: -1 }, "retries"], [{ retries: 1.5 }, "retries"], [{ retries: "2" }, "retries"]]) {
    const bad = await rejection(() => p.chat(hi, opts));
    assert.deepEqual([bad.code, bad.path], ["config", path], JSON.stringify(opts));
  }
  assert.equal(chats(sims[0]).length, 0);
  assert.equal((await p.chat(hi)).baseUrl, sims[0].baseUrl);
});

const BIN = new URL("../../bin/vllm-provider.mjs", import.meta.url).pathname;

/** Runs the CLI with an empty HOME; resolves to { code, stdout, stderr }. */
async function cli(args) {
  const { execFile } = await import("node:child_process");
  const { mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const home = mkdtempSync(join(tmpdir(), "vllm-provider-replicas-home-"));
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, HOME: home, VLLM_API_KEY: KEY }, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
  });
}

test("CLI: --base-url repeated gives replicas, doctor checks each, chat --session sends X-Session-ID", async () => {
  const dead = `http://127.0.0.1:${await closedPort()}/v1`;
  const doc = await cli(["doctor", "--json", "--base-url", sims[0].baseUrl, "--base-url", dead, "--model", "vllm/tiny-model"]);
  const report = JSON.parse(doc.stdout);
  assert.equal(doc.code, 1, doc.stderr);
  assert.equal(report.ok, false);
  const named = new Set(report.checks.map((c) => c.replica).filter(Boolean));
  assert.deepEqual([...named].sort(), [sims[0].baseUrl, dead].sort());
  assert.ok(report.checks.some((c) => c.id === "replicas" && c.status === "warn" && c.detail.includes(dead)), JSON.stringify(report.checks.find((c) => c.id === "replicas")));
  assert.ok(!doc.stdout.includes(KEY));
  const chat = await cli(["chat", "--json", "--base-url", sims[1].baseUrl, "--base-url", sims[2].baseUrl, "--model", "vllm/tiny-model", "--session", "cli-conversation", "hi"]);
  assert.equal(chat.code, 0, chat.stderr);
  const result = JSON.parse(chat.stdout);
  assert.ok([sims[1].baseUrl, sims[2].baseUrl].includes(result.baseUrl));
  const sent = [sims[1], sims[2]].flatMap(chats);
  assert.deepEqual(sent.map((r) => r.headers["x-session-id"]), ["cli-conversation"]);
});
