// buildChatRequest through the built package: the prepared request, its notes, and proof that real
// vLLM accepts every shape it builds (each prepared request is POSTed as is, with the real key put
// back in place of "Bearer [redacted]").
import { test } from "node:test";
import assert from "node:assert/strict";
import { VllmProvider, isVllmProviderError } from "../../dist/node.js";
import { live } from "./helpers.mjs";

const KEY = "sk-shaping-test-secret";

function provider(models, baseUrl = "http://127.0.0.1:8000/v1", apiKey = KEY) {
  return VllmProvider.resolve({ config: { models: { providers: { vllm: { baseUrl, api: "openai-completions", apiKey, models } } } } });
}

const row = { id: "m", name: "m", contextWindow: 4096, maxTokens: 256 };
const hi = [{ role: "user", content: "hi" }];

test("a plain turn is exactly model, messages, stream, usage and the cap, key redacted", () => {
  const prepared = provider([row]).buildChatRequest({ model: "vllm/m", messages: hi });
  assert.equal(prepared.method, "POST");
  assert.equal(prepared.url, "http://127.0.0.1:8000/v1/chat/completions");
  assert.deepEqual(prepared.headers, { "Content-Type": "application/json", Accept: "application/json", Authorization: "Bearer [redacted]" });
  assert.equal(JSON.stringify(prepared.body), JSON.stringify({ model: "m", messages: hi, stream: true, stream_options: { include_usage: true }, max_completion_tokens: 256 }));
  assert.ok(!JSON.stringify(prepared).includes(KEY));
  for (const note of prepared.notes) {
    assert.match(note.reason, /\.$/, note.reason);
    assert.ok(["dropped", "added", "renamed", "clamped", "overridden"].includes(note.action));
  }
  assert.ok(prepared.notes.some((n) => n.field === "store"));
});

test("bad requests throw config errors that name the path", () => {
  const p = provider([row]);
  for (const [req, path] of [
    [{ model: "m", messages: [{ role: "robot", content: "x" }] }, "messages[0].role"],
    [{ model: "m", messages: [{ role: "user", content: 5 }] }, "messages[0].content"],
    [{ messages: [] }, "model"],
    [{ model: "openai/gpt-4o", messages: hi }, "model"],
  ]) {
    assert.throws(() => p.buildChatRequest(req), (e) => isVllmProviderError(e) && e.code === "config" && e.path === path, JSON.stringify(req));
  }
  const cyclic = { model: "m", messages: hi };
  cyclic.self = cyclic;
  for (const bad of ["hi", undefined, null, () => 1, cyclic, { model: "m", messages: hi, params: { seed: 1n } }]) {
    assert.throws(() => p.buildChatRequest(bad), (e) => isVllmProviderError(e) && e.code === "config", String(bad));
  }
  assert.throws(() => p.buildChatRequest({ model: "m", messages: hi, toolChoice: "required" }), /no tools survived schema conversion/);
});

test("lone surrogates from JavaScript strings are stripped, pairs kept", () => {
  const prepared = provider([row]).buildChatRequest({ model: "m", messages: [{ role: "user", content: "a\ud800b😀" }] });
  assert.equal(prepared.body.messages[0].content, "ab😀");
});

test("thinkingProfile and the describe() row offer vLLM's binary switch for Qwen-format rows", () => {
  const p = provider([{ ...row, compat: { thinkingFormat: "qwen-chat-template" } }]);
  assert.deepEqual(p.thinkingProfile("vllm/m"), { levels: [{ id: "off" }, { id: "low", label: "on" }], defaultLevel: "off", source: "vllm" });
  // describe() shows the same levels on the model's row, for a UI that lists models.
  assert.deepEqual(p.describe().models[0].thinking, p.thinkingProfile("vllm/m"));
  const body = p.buildChatRequest({ model: "m", messages: hi, thinking: "on" }).body;
  assert.deepEqual(body.chat_template_kwargs, { enable_thinking: true, preserve_thinking: true });
});

// Every shape below goes to real vLLM 0.32 and must be accepted (HTTP 200, a complete SSE stream).
const tools = [
  { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
  { name: "add", description: "Adds numbers", parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } } } },
];
const SHAPES = {
  "plain turn": { messages: hi },
  "system prompt": { messages: [{ role: "system", content: "Answer briefly." }, ...hi] },
  "tools with auto": { messages: hi, tools },
  "tools with required": { messages: hi, tools, toolChoice: "required" },
  "tools with a named choice": { messages: hi, tools, toolChoice: { name: "add" } },
  "assistant tool-call replay and tool results": {
    tools,
    messages: [
      { role: "system", content: "Use tools." },
      { role: "user", content: "Weather in Paris?" },
      { role: "assistant", content: "", toolCalls: [{ id: "call_1|fc_9", name: "get_weather", arguments: { city: "Paris" } }] },
      { role: "tool", toolCallId: "call_1|fc_9", toolName: "get_weather", content: "sunny" },
      { role: "assistant", content: "It is sunny." },
      { role: "user", content: [{ type: "text", text: "And tomorrow?" }] },
    ],
  },
  "sampling params": { messages: hi, params: { temperature: 0.2, topP: 0.9, seed: 7, stop: "END", frequencyPenalty: 0.1, presencePenalty: 0.1, parallelToolCalls: false } },
  "response_format json_object": { messages: [{ role: "user", content: "Reply in JSON." }], params: { responseFormat: { type: "json_object" } } },
  "Qwen chat_template_kwargs": { model: "vllm/qwen-row", messages: hi, thinking: "off" },
  "extraBody vLLM fields": { messages: hi, params: { extraBody: { top_k: 5, store: true } } },
};

test("real vLLM accepts every shape buildChatRequest builds", async (t) => {
  const env = live(t);
  if (!env) return;
  const rows = [
    { id: env.model, name: env.model, contextWindow: 512, maxTokens: 4 },
    { id: "qwen-row", name: "q", contextWindow: 512, maxTokens: 4, compat: { thinkingFormat: "qwen-chat-template" } },
  ];
  const p = provider(rows, env.baseUrl, env.apiKey);
  for (const [name, shape] of Object.entries(SHAPES)) {
    await t.test(name, async () => {
      const prepared = p.buildChatRequest({ model: env.model, ...shape });
      assert.equal(prepared.body.stream, true);
      assert.ok(prepared.body.max_completion_tokens <= 4);
      // The Qwen row is declared under another id; send the served model under the same body otherwise.
      const body = { ...prepared.body, model: env.model };
      const headers = { ...prepared.headers, Authorization: `Bearer ${env.apiKey}` };
      const res = await fetch(prepared.url, { method: prepared.method, headers, body: JSON.stringify(body), signal: AbortSignal.timeout(120_000) });
      const text = await res.text();
      assert.equal(res.status, 200, `${name}: ${text.slice(0, 300)}\n${JSON.stringify(prepared.body)}`);
      assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
      assert.ok(text.trimEnd().endsWith("data: [DONE]"), text.slice(-200));
      if (name === "Qwen chat_template_kwargs") assert.deepEqual(prepared.body.chat_template_kwargs, { enable_thinking: false, preserve_thinking: true });
    });
  }
});

test("vllm-provider explain prints the prepared request and every note, key redacted", async () => {
  const { execFile } = await import("node:child_process");
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "vllm-provider-explain-"));
  const config = join(dir, "openclaw.json");
  writeFileSync(config, JSON.stringify({ models: { providers: { vllm: { baseUrl: "http://127.0.0.1:9/v1?x=1", api: "openai-completions", apiKey: KEY, models: [row] } } } }));
  const bin = new URL("../../bin/vllm-provider.mjs", import.meta.url).pathname;
  const run = (args) => new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH, HOME: dir }, timeout: 30_000 }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
  });
  const human = await run(["explain", "hi", "--config", config, "--model", "vllm/m"]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /POST http:\/\/127\.0\.0\.1:9\/v1\/chat\/completions\?x=1/);
  assert.match(human.stdout, /"max_completion_tokens": 256/);
  assert.match(human.stdout, /store \(dropped\): .+\./);
  assert.ok(!human.stdout.includes(KEY) && !human.stderr.includes(KEY));
  const json = await run(["explain", "hi", "--json", "--config", config]);
  assert.equal(json.code, 0, json.stderr);
  const prepared = JSON.parse(json.stdout);
  assert.equal(prepared.body.model, "m");
  assert.ok(prepared.notes.length > 0 && prepared.notes.every((n) => n.reason.endsWith(".")));
  const missing = await run(["explain", "--config", config]);
  assert.equal(missing.code, 2, "a missing prompt is a usage error");
  assert.match(missing.stderr, /explain needs a prompt/);
});
