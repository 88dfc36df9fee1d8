// buildChatRequest through the built package: the prepared request, its notes, and proof that real
// vLLM accepts every shape it builds (each prepared request is POSTed as is, with the real key put
// back in place of "Bearer [redacted]").
import { test } from "node:test";
import assert from "node:assert/strict";
import { VllmProvider, isVllmProviderError } from "../../dist/node.js";
import { live, rejection } from "./helpers.mjs";

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

test("thinkingProfile and the describe() row offer vLLM's binary switch for Qwen-format reasoning rows", () => {
  const p = provider([{ ...row, reasoning: true, compat: { thinkingFormat: "qwen-chat-template" } }]);
  assert.deepEqual(p.thinkingProfile("vllm/m"), { levels: [{ id: "off" }, { id: "low", label: "on" }], defaultLevel: "off", source: "vllm" });
  // describe() shows the same levels on the model's row, for a UI that lists models.
  assert.deepEqual(p.describe().models[0].thinking, p.thinkingProfile("vllm/m"));
  const body = p.buildChatRequest({ model: "m", messages: hi, thinking: "on" }).body;
  assert.deepEqual(body.chat_template_kwargs, { enable_thinking: true, preserve_thinking: true });
});

test("a Qwen chat-template row without reasoning: true offers only off, sends no kwargs, and says why", () => {
  const p = provider([{ ...row, compat: { thinkingFormat: "qwen-chat-template" } }]);
  assert.deepEqual(p.thinkingProfile("vllm/m"), { levels: [{ id: "off" }], defaultLevel: "off", source: "core" });
  assert.deepEqual(p.describe().models[0].thinking, p.thinkingProfile("vllm/m"));
  const plain = JSON.stringify({ model: "m", messages: hi, stream: true, stream_options: { include_usage: true }, max_completion_tokens: 256 });
  for (const thinking of [undefined, "off", "low"]) {
    const prepared = p.buildChatRequest({ model: "m", messages: hi, thinking });
    assert.equal(JSON.stringify(prepared.body), plain, String(thinking));
  }
  const notes = p.buildChatRequest({ model: "m", messages: hi, thinking: "low" }).notes;
  assert.deepEqual(notes.find((n) => n.field === "thinking"), {
    field: "thinking", action: "clamped",
    reason: "Thinking `low` is not offered by this model (reasoning is off for it); sent without thinking, as OpenClaw's scheduled runs do.",
  });
});

test("the body OpenClaw 2026.9.6 sends: strict ids, reasoning_content, the 8192 cap, params from agents, snake_case", () => {
  const history = [
    { role: "user", content: "Weather?" },
    { role: "assistant", reasoning: "Use the tool.", reasoningField: "reasoning_content", toolCalls: [{ id: "call_9|item/x", name: "get_weather", arguments: { city: "Paris" } }] },
    { role: "tool", toolCallId: "call_9|item/x", content: "sunny" },
    { role: "assistant", content: "Sunny.", reasoning: "Dropped.", reasoningField: "reasoning" },
    { role: "user", content: "Thanks" },
  ];
  const config = {
    models: { providers: { vllm: { baseUrl: "http://127.0.0.1:8000/v1", api: "openai-completions", apiKey: KEY, models: [{ id: "m", name: "m", reasoning: true, params: { temperature: 0.1, seed: 3 } }] } } },
    agents: { defaults: { models: { "vllm/m": { params: { temperature: 0.6, topP: 0.9, extra_body: { top_k: 5 } } } } } },
  };
  const p = VllmProvider.resolve({ config });
  const prepared = p.buildChatRequest({ model: "vllm/m", messages: history, params: { seed: 11, frequency_penalty: 0.5, stop: "END", top_p: 0.5 } });
  assert.equal(JSON.stringify(prepared.body), JSON.stringify({
    model: "m",
    messages: [
      { role: "user", content: "Weather?" },
      { role: "assistant", content: null, reasoning_content: "Use the tool.", tool_calls: [{ id: "call9itemx", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
      { role: "tool", content: "sunny", tool_call_id: "call9itemx" },
      { role: "assistant", content: "Sunny." },
      { role: "user", content: "Thanks" },
    ],
    stream: true, stream_options: { include_usage: true },
    temperature: 0.6, top_p: 0.9, frequency_penalty: 0.5, seed: 11, stop: ["END"], max_completion_tokens: 8192, top_k: 5,
  }));
  for (const field of ["messages[].tool_call_id", "messages[].reasoning", "top_p", "max_completion_tokens"]) {
    assert.ok(prepared.notes.some((n) => n.field === field), field);
  }
  // snake_case max_tokens is honoured; vllm/vllm/<id> is not reduced (an undeclared id: no cap).
  assert.equal(p.buildChatRequest({ model: "vllm/m", messages: hi, params: { max_tokens: 256 } }).body.max_completion_tokens, 256);
  const self = p.buildChatRequest({ model: "vllm/vllm/m", messages: hi }).body;
  assert.equal(self.model, "vllm/m");
  assert.equal(self.max_completion_tokens, undefined);
});

test("request.auth header mode sends that header and the key's bearer", () => {
  const vllm = { baseUrl: "http://127.0.0.1:8000/v1", api: "openai-completions", apiKey: KEY, request: { auth: { mode: "header", headerName: "X-Api-Key", value: "header-secret-31" } }, models: [row] };
  const p = VllmProvider.resolve({ config: { models: { providers: { vllm } } } });
  const prepared = p.buildChatRequest({ model: "m", messages: hi });
  assert.deepEqual(prepared.headers, { "Content-Type": "application/json", Accept: "application/json", Authorization: "Bearer [redacted]", "X-Api-Key": "[redacted]" });
  assert.equal(p.describe().auth.sendsAuthorization, true);
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
    { id: "qwen-row", name: "q", contextWindow: 512, maxTokens: 4, reasoning: true, compat: { thinkingFormat: "qwen-chat-template" } },
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

// The shapes OpenClaw 2026.9.6 was measured to send (spec §0.1 errata, items 1–9), each built as the
// tests above pin it and POSTed as is to real vLLM 0.32, which must accept it.
test("real vLLM accepts the bodies OpenClaw 2026.9.6 sends (errata §0.1)", async (t) => {
  const env = live(t);
  if (!env) return;
  const resolveWith = ({ row: fields, agents, auth }) => {
    const vllm = { baseUrl: env.baseUrl, api: "openai-completions", apiKey: env.apiKey, models: [{ id: env.model, name: env.model, contextWindow: 512, ...fields }] };
    if (auth) vllm.request = { auth };
    const config = { models: { providers: { vllm } } };
    if (agents) config.agents = { defaults: { models: { [`vllm/${env.model}`]: { params: agents } } } };
    return VllmProvider.resolve({ config });
  };
  const ids = ["call_a1", "call_9|item/x", "chatcmpl-tool-4f2a9c81b3d04e6f"];
  const strict = ["calla1", "call9itemx", "chatcmpltool4f2a9c81b3d04e6f"];
  const toolHistory = [
    { role: "user", content: "Weather in Paris, Rome and Oslo?" },
    { role: "assistant", toolCalls: ids.map((id, i) => ({ id, name: "get_weather", arguments: { city: ["Paris", "Rome", "Oslo"][i] } })) },
    ...ids.map((id) => ({ role: "tool", toolCallId: id, toolName: "get_weather", content: "sunny" })),
  ];
  const checkIds = (body) => {
    const turn = body.messages[1];
    assert.equal(turn.content, null);
    assert.deepEqual(turn.tool_calls.map((c) => c.id), strict);
    assert.deepEqual(body.messages.slice(2).map((m) => m.tool_call_id), strict);
  };
  const CASES = {
    "1, 2: a tool-call-only turn with content null and strict ids, with tools": {
      row: { maxTokens: 4 }, request: { messages: toolHistory, tools },
      check: (body) => (checkIds(body), assert.equal(body.tool_choice, "auto")),
    },
    "1: strict ids without tools in the request": {
      row: { maxTokens: 4 }, request: { messages: toolHistory },
      check: (body) => (checkIds(body), assert.equal(body.tools, undefined)),
    },
    "2: reasoning_content replayed in history on a reasoning row": {
      row: { maxTokens: 4, reasoning: true },
      request: { messages: [
        { role: "user", content: "Hi?" },
        { role: "assistant", content: "Hello.", reasoning: "A greeting.", reasoningField: "reasoning_content" },
        { role: "user", content: "And again?" },
        { role: "assistant", content: "Hello again.", reasoning: "Not replayed.", reasoningField: "reasoning" },
        { role: "user", content: "Bye." },
      ] },
      check: (body) => {
        assert.deepEqual(body.messages[1], { role: "assistant", content: "Hello.", reasoning_content: "A greeting." });
        assert.deepEqual(body.messages[3], { role: "assistant", content: "Hello again." });
      },
    },
    // 8192 itself does not fit tiny-model's 512 tokens: a small window shows the default clamped to it.
    "3: the default cap of a declared row without maxTokens, clamped to the context budget": {
      row: { contextWindow: 40 }, request: { messages: hi },
      check: (body, notes) => {
        assert.equal(body.max_completion_tokens, 38);
        assert.ok(notes.some((n) => n.action === "clamped" && n.reason.includes("from 8192 to 38")), JSON.stringify(notes));
      },
    },
    "4: a row's params.maxTokens above its maxTokens": {
      row: { maxTokens: 2, params: { maxTokens: 6 } }, request: { messages: hi },
      check: (body) => assert.equal(body.max_completion_tokens, 6),
    },
    "6, 7: params from agents.defaults.models and snake_case params": {
      row: { maxTokens: 8, params: { temperature: 0.1, seed: 3 } },
      agents: { temperature: 0.6, topP: 0.9, extra_body: { top_k: 5 } },
      request: { messages: hi, params: { seed: 11, max_tokens: 4, frequency_penalty: 0.5, stop: "END", top_p: 0.5 } },
      check: (body) => {
        const { temperature, top_p, frequency_penalty, seed, stop, max_completion_tokens, top_k } = body;
        assert.deepEqual({ temperature, top_p, frequency_penalty, seed, stop, max_completion_tokens, top_k },
          { temperature: 0.6, top_p: 0.9, frequency_penalty: 0.5, seed: 11, stop: ["END"], max_completion_tokens: 4, top_k: 5 });
      },
    },
    "8: a Qwen chat-template row without reasoning, thinking low asked: no kwargs": {
      row: { maxTokens: 4, compat: { thinkingFormat: "qwen-chat-template" } }, request: { messages: hi, thinking: "low" },
      check: (body) => assert.equal(body.chat_template_kwargs, undefined),
    },
  };
  for (const [name, c] of Object.entries(CASES)) {
    await t.test(name, async () => {
      const request = { model: `vllm/${env.model}`, ...c.request };
      const prepared = resolveWith(c).buildChatRequest(request);
      c.check(prepared.body, prepared.notes);
      const headers = { ...prepared.headers, Authorization: `Bearer ${env.apiKey}` };
      const res = await fetch(prepared.url, { method: prepared.method, headers, body: JSON.stringify(prepared.body), signal: AbortSignal.timeout(120_000) });
      const text = await res.text();
      assert.equal(res.status, 200, `${name}: ${text.slice(0, 300)}\n${JSON.stringify(prepared.body)}`);
      assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
      assert.ok(text.trimEnd().endsWith("data: [DONE]"), text.slice(-200));
    });
  }
  await t.test("9: request.auth header mode still sends the key's bearer, which vLLM's --api-key checks", async () => {
    const p = resolveWith({ row: { maxTokens: 2 }, auth: { mode: "header", headerName: "X-Api-Key", value: "header-value-9" } });
    const result = await p.chat({ model: `vllm/${env.model}`, messages: hi }, { timeoutMs: 120_000 });
    assert.ok(["stop", "length"].includes(result.stopReason), result.stopReason);
  });
  await t.test("5: vllm/vllm/<id> is not reduced: the server is asked for vllm/<id>", async () => {
    const e = await rejection(() => resolveWith({ row: { maxTokens: 2 } }).chat({ model: `vllm/vllm/${env.model}`, messages: hi }, { timeoutMs: 120_000 }));
    assert.deepEqual([e.code, e.status], ["model_not_found", 404]);
    assert.ok(e.message.includes(`vllm/${env.model}`), e.message);
  });
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
