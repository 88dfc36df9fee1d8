// `vllm-provider chat "<prompt>"`, run as a user runs it, against the simulator and live vLLM.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, test } from "node:test";
import { startSimulator } from "../sim/server.mjs";
import { live } from "./helpers.mjs";

const BIN = new URL("../../bin/vllm-provider.mjs", import.meta.url).pathname;
const KEY = "sk-cli-chat-CANARY-3141";
const HOME = mkdtempSync(join(tmpdir(), "vllm-provider-home-"));
let sim;

before(async () => {
  sim = await startSimulator({ apiKey: KEY, models: [{ id: "m", maxModelLen: 4096 }] });
});
after(() => sim.close());
beforeEach(() => sim.reset());

function configFile(baseUrl, row) {
  const file = join(mkdtempSync(join(tmpdir(), "vllm-provider-chat-")), "openclaw.json");
  writeFileSync(file, JSON.stringify({ models: { providers: { vllm: { baseUrl, apiKey: "${VLLM_API_KEY}", api: "openai-completions", models: [{ name: row.id, maxTokens: 12, ...row }] } } } }));
  return file;
}

function cli(args, key = KEY) {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, HOME, VLLM_API_KEY: key }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

const chunk = (delta, extra = {}) => ({ id: "chatcmpl-9", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: null, ...extra }] });

test("chat streams the reply to stdout; reasoning and usage go to stderr", async () => {
  sim.respondNext({
    sse: [chunk({ reasoning: "Let me think." }), chunk({ content: "Hello" }), chunk({ content: " you." }, { finish_reason: "stop" }), { id: "chatcmpl-9", choices: [], usage: { prompt_tokens: 9, completion_tokens: 5, total_tokens: 14, completion_tokens_details: { reasoning_tokens: 2 } } }],
  });
  const r = await cli(["chat", "hi", "there", "--config", configFile(sim.baseUrl, { id: "m", reasoning: true })]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "Hello you.\n");
  assert.match(r.stderr, /Let me think\./);
  assert.match(r.stderr, /stop · 9 in, 5 out \(2 reasoning\), 14 total/);
  assert.deepEqual(sim.requests[0].body.messages, [{ role: "user", content: "hi there" }]);
  assert.ok(!r.stdout.includes(KEY) && !r.stderr.includes(KEY));
  assert.doesNotMatch(r.stderr, /reasoning not shown/);
});

test("chat says why reasoning the server counted is not shown for a row not marked reasoning", async () => {
  sim.respondNext({
    sse: [chunk({ reasoning: "Let me think." }), chunk({ content: "Hi" }, { finish_reason: "stop" }), { id: "chatcmpl-9", choices: [], usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13, completion_tokens_details: { reasoning_tokens: 3 } } }],
  });
  const r = await cli(["chat", "hi", "--config", configFile(sim.baseUrl, { id: "m" })]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "Hi\n");
  assert.doesNotMatch(r.stderr, /Let me think/);
  assert.match(r.stderr, /reasoning not shown: OpenClaw keeps it only for models declared with reasoning: true/);
});

test("chat --json prints the ChatResult", async () => {
  const r = await cli(["chat", "hi", "--json", "--config", configFile(sim.baseUrl, { id: "m", maxTokens: 64 })]);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.equal(result.message.content, "Hello! This is a simulated reply from the vLLM wire simulator.");
  assert.equal(result.stopReason, "stop");
  assert.equal(result.requestId, sim.requests[0].headers["x-request-id"]);
});

test("chat errors print the code and the fix, exit 1; no prompt is a usage error", async () => {
  const r = await cli(["chat", "hi", "--config", configFile(sim.baseUrl, { id: "m" }), "--model", "vllm/nope"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /model_not_found: 404 The model `nope` does not exist/);
  const json = await cli(["chat", "hi", "--json", "--config", configFile(sim.baseUrl, { id: "m" })], "sk-wrong");
  assert.equal(json.code, 1);
  assert.equal(JSON.parse(json.stdout).error.code, "auth");
  const sent = sim.requests.length;
  const missing = await cli(["chat", "--config", configFile(sim.baseUrl, { id: "m" })]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /chat needs a prompt/);
  assert.equal(sim.requests.length, sent, "a usage error sends nothing");
});

test("Ctrl-C aborts the request cleanly: exit 130, the connection closed, nothing left running", async () => {
  sim.respondNext({ sse: [chunk({ content: "tick" })], neverEnd: true });
  const child = spawn(process.execPath, [BIN, "chat", "hi", "--config", configFile(sim.baseUrl, { id: "m" })], { env: { PATH: process.env.PATH, HOME, VLLM_API_KEY: KEY } });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  await new Promise((resolve) => child.stdout.on("data", (d) => (stdout += d) && stdout.includes("tick") && resolve()));
  const interrupted = Date.now();
  child.kill("SIGINT");
  const code = await new Promise((r) => child.on("exit", r));
  assert.equal(code, 130);
  assert.ok(Date.now() - interrupted < 3000);
  assert.match(stderr, /aborted/);
  for (let i = 0; i < 100 && !sim.requests[0].clientAborted; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(sim.requests[0].clientAborted, true);
});

test("live: chat streams a reply from real vLLM", async (t) => {
  const srv = live(t);
  if (!srv) return;
  const r = await cli(["chat", "Say hello.", "--config", configFile(srv.baseUrl, { id: srv.model, contextWindow: 512, maxTokens: 6 })], srv.apiKey);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.length > 1);
  assert.match(r.stderr, /(stop|length) · \d+ in, [1-6] out, \d+ total/);
});

test("with discovery on, chat runs against the server's rows: a discovered model's window clamps the output cap", async () => {
  // No config: an implicit provider (the key from env), which OpenClaw discovers.
  const r = await cli(["chat", "hi", "--base-url", sim.baseUrl, "--model", "vllm/m", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(sim.requests.map((q) => `${q.method} ${q.path}`), ["GET /v1/models", "POST /v1/chat/completions"]);
  const sent = sim.requests[1].body.max_completion_tokens;
  assert.ok(sent > 0 && sent < 4096, `clamped to the server's 4096-token window: ${sent}`);
});
