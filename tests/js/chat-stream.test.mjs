// chat() and stream() through the built package against the vLLM simulator: every event type, tool
// calls, reasoning, usage, the exact body sent, the timers, bad answers, and cancelling (by signal
// and by `break`), down to the connection the simulator sees close.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { VllmProvider, isVllmProviderError } from "../../dist/node.js";
import { startSimulator } from "../sim/server.mjs";
import { rejection } from "./helpers.mjs";

const KEY = "sk-stream-test-secret";
const hi = [{ role: "user", content: "hi" }];
let sim;

before(async () => {
  sim = await startSimulator({ apiKey: KEY, toolParser: true, models: [{ id: "m", maxModelLen: 4096 }] });
});
after(() => sim.close());
beforeEach(() => sim.reset());

function provider(row = {}, extra = {}) {
  const vllm = { baseUrl: sim.baseUrl, apiKey: KEY, api: "openai-completions", models: [{ id: "m", name: "m", maxTokens: 64, ...row }], ...extra };
  return VllmProvider.resolve({ config: { models: { providers: { vllm } } } });
}

const chunk = (delta, extra = {}) => ({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, logprobs: null, finish_reason: null, ...extra }] });
const usageChunk = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "m", choices: [], usage: { prompt_tokens: 8, total_tokens: 18, completion_tokens: 10, completion_tokens_details: { reasoning_tokens: 3 } } };

async function collect(iterable) {
  const events = [];
  for await (const event of iterable) events.push(event);
  return events;
}

/** Waits until the simulator saw the client go away from the last request. */
async function clientClosed() {
  for (let i = 0; i < 100 && !sim.requests.at(-1)?.clientAborted; i++) await new Promise((r) => setTimeout(r, 20));
  return sim.requests.at(-1)?.clientAborted;
}

test("a streamed reply yields start, reasoning, text, usage and done, in order", async () => {
  sim.respondNext({
    sse: [
      chunk({ role: "assistant", content: "" }),
      chunk({ reasoning: "thinking" }),
      chunk({ reasoning: " hard" }),
      chunk({ content: "Hi" }),
      chunk({ content: " there" }, { finish_reason: "stop" }),
      usageChunk,
    ],
  });
  const events = await collect(provider({ reasoning: true }).stream({ model: "vllm/m", messages: hi }));
  const usage = { input: 8, output: 10, cacheRead: 0, cacheWrite: 0, totalTokens: 18, reasoningTokens: 3 };
  const result = events.at(-1).result;
  assert.deepEqual(events.slice(0, -1), [
    { type: "start", id: "chatcmpl-1", model: "m" },
    { type: "reasoning", delta: "thinking", field: "reasoning" },
    { type: "reasoning", delta: " hard", field: "reasoning" },
    { type: "text", delta: "Hi" },
    { type: "text", delta: " there" },
    { type: "usage", usage },
  ]);
  assert.deepEqual(result, {
    id: "chatcmpl-1",
    model: "m",
    baseUrl: sim.baseUrl,
    message: { content: "Hi there", reasoning: "thinking hard", reasoningField: "reasoning", toolCalls: [] },
    stopReason: "stop",
    usage,
    requestId: sim.requests[0].headers["x-request-id"],
  });
  assert.match(result.requestId, /^[0-9a-f]{32}$/);
});

test("reasoning is dropped for a model not marked reasoning, as OpenClaw drops it", async () => {
  sim.respondNext({ sse: [chunk({ reasoning_content: "hm" }), chunk({ content: "Hi" }, { finish_reason: "stop" })] });
  const result = await provider().chat({ model: "m", messages: hi });
  assert.deepEqual(result.message, { content: "Hi", toolCalls: [] });
});

test("tool-call deltas arrive as toolCall events and end as parsed calls with stopReason toolUse", async () => {
  sim.respondNext({
    sse: [
      chunk({ role: "assistant", content: null }),
      chunk({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "get_weather", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city": ' } }, { index: 1, id: "call_b", type: "function", function: { name: "add", arguments: '{"a": 1,' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }, { index: 1, function: { arguments: ' "b": 2}' } }] }),
      chunk({}, { finish_reason: "tool_calls" }),
    ],
  });
  const tools = [
    { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
    { name: "add", parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } } } },
  ];
  const events = await collect(provider().stream({ model: "m", messages: hi, tools }));
  const calls = events.filter((e) => e.type === "toolCall");
  assert.deepEqual(calls[0], { type: "toolCall", index: 0, id: "call_a", name: "get_weather", argumentsDelta: "" });
  assert.equal(calls.filter((c) => c.index === 0).map((c) => c.argumentsDelta).join(""), '{"city": "Paris"}');
  assert.equal(calls.filter((c) => c.index === 1).map((c) => c.argumentsDelta).join(""), '{"a": 1, "b": 2}');
  const { result } = events.at(-1);
  assert.equal(result.stopReason, "toolUse");
  assert.deepEqual(result.message.toolCalls, [
    { id: "call_a", name: "get_weather", arguments: { city: "Paris" } },
    { id: "call_b", name: "add", arguments: { a: 1, b: 2 } },
  ]);
  assert.deepEqual(sim.requests[0].body.tool_choice, "auto");
});

test("events cross whole: every reasoning field, text beyond the BMP, tool-call fragments with and without their id, keys in order", async () => {
  sim.respondNext({
    sse: [
      chunk({ role: "assistant", content: "" }),
      chunk({ reasoning_content: "é😀" }),
      chunk({ reasoning_text: "中文" }),
      chunk({ reasoning: "x" }),
      chunk({ content: "a😀b" }),
      chunk({ content: '\n"q" ' }),
      chunk({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "f", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"k": "ü😀"}' } }] }),
      chunk({}, { finish_reason: "tool_calls" }),
    ],
  });
  const tools = [{ name: "f", parameters: { type: "object" } }];
  const events = await collect(provider({ reasoning: true }).stream({ model: "vllm/m", messages: hi, tools }));
  const want = [
    { type: "start", id: "chatcmpl-1", model: "m" },
    { type: "reasoning", delta: "é😀", field: "reasoning_content" },
    { type: "reasoning", delta: "中文", field: "reasoning_text" },
    { type: "reasoning", delta: "x", field: "reasoning" },
    { type: "text", delta: "a😀b" },
    { type: "text", delta: '\n"q" ' },
    { type: "toolCall", index: 0, id: "call_a", name: "f", argumentsDelta: "" },
    { type: "toolCall", index: 0, argumentsDelta: '{"k": "ü😀"}' },
  ];
  assert.deepEqual(events.slice(0, -1), want);
  assert.equal(JSON.stringify(events.slice(0, -1)), JSON.stringify(want), "the same keys in the same order");
  assert.deepEqual(events.at(-1).result.message.toolCalls, [{ id: "call_a", name: "f", arguments: { k: "ü😀" } }]);
});

test("incomplete tool-call arguments reject with malformed_tool_call", async () => {
  sim.respondNext({ sse: [chunk({ tool_calls: [{ index: 0, id: "c", function: { name: "f", arguments: '{"a":' } }] }), chunk({}, { finish_reason: "tool_calls" })] });
  const e = await rejection(() => provider().chat({ model: "m", messages: hi, tools: [{ name: "f", parameters: { type: "object" } }] }));
  assert.equal(e.code, "malformed_tool_call");
  assert.equal(e.message, "Provider returned an incomplete or malformed tool call");
  assert.equal(e.requestId, sim.requests[0].headers["x-request-id"]);
});

test("chat() sends byte for byte the body buildChatRequest returned, with its headers and an X-Request-Id", async () => {
  const p = provider({ reasoning: true, compat: { thinkingFormat: "qwen-chat-template" } });
  const request = {
    model: "vllm/m",
    messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Grüße, \"quoted\" \\ ünïcödé 😀 \n" }],
    tools: [{ name: "lookup", description: "Looks up", parameters: { type: "object", properties: { q: { type: "string" } } } }],
    params: { temperature: 0.25, topP: 0.5, seed: 7, stop: "END", extraBody: { top_k: 3 } },
    thinking: "on",
  };
  const prepared = p.buildChatRequest(request);
  const result = await p.chat(request);
  const sent = sim.requests[0];
  assert.equal(sent.bodyText, JSON.stringify(prepared.body));
  assert.equal(`${sim.origin}${sent.path}`, prepared.url);
  for (const [name, value] of Object.entries(prepared.headers)) {
    assert.equal(sent.headers[name.toLowerCase()], name === "Authorization" ? `Bearer ${KEY}` : value, name);
  }
  assert.equal(sent.headers["x-request-id"], result.requestId);
  assert.equal(result.id, `chatcmpl-${result.requestId}`, "vLLM names the completion after X-Request-Id");
  assert.equal(result.stopReason, "stop");
});

test("the simulator's own pipeline: a JSON (non-streamed) answer is read as one chunk", async () => {
  const result = await provider().chat({ model: "m", messages: hi, params: { extraBody: { stream: false, stream_options: null } } });
  assert.equal(sim.requests[0].body.stream, false);
  assert.equal(result.message.content, "Hello! This is a simulated reply from the vLLM wire simulator.");
  assert.ok(result.usage.output > 0);
  sim.respondNext({ scenario: { steps: ["Hel", "lo"], finishReason: "length" } });
  const capped = await provider().chat({ model: "m", messages: hi, params: { maxTokens: 2 } });
  assert.deepEqual([capped.message.content, capped.stopReason], ["Hello", "length"]);
});

test("a stream that opens but sends nothing hits the first-event timeout, and the connection is closed", async () => {
  // Headers and a keep-alive comment arrive (no event), then nothing.
  sim.respondNext({ sse: [": keep-alive\n\n", chunk({ content: "late" })], stallAfterIndex: 0, stallMs: 10_000 });
  const started = Date.now();
  const e = await rejection(() => provider().chat({ model: "m", messages: hi }, { firstEventTimeoutMs: 200 }));
  assert.equal(e.code, "timeout");
  assert.match(e.message, /^completions HTTP stream opened but did not deliver a first SSE event within 200ms after streaming headers \(first-event timeout\)\. provider=vllm api=openai-completions model=m$/);
  assert.match(e.hint, /firstEventTimeoutMs/);
  assert.ok(Date.now() - started < 3000);
  assert.equal(e.requestId, sim.requests[0].headers["x-request-id"]);
  assert.ok(await clientClosed());
});

test("a stream that stalls mid-reply hits the idle timeout with its own message", async () => {
  sim.respondNext({ sse: [chunk({ content: "a" }), chunk({ content: "b" }), chunk({ content: "c" }, { finish_reason: "stop" })], stallAfterIndex: 1, stallMs: 10_000 });
  const seen = [];
  const e = await rejection(async () => {
    for await (const ev of provider().stream({ model: "m", messages: hi }, { idleTimeoutMs: 250 })) seen.push(ev.type === "text" ? ev.delta : ev.type);
  });
  assert.deepEqual(seen, ["start", "a", "b"]);
  assert.equal(e.code, "timeout");
  assert.equal(e.message, "LLM idle timeout (250ms): no response from model");
  assert.match(e.hint, /idleTimeoutMs/);
  assert.ok(await clientClosed());
});

test("a slow consumer does not trip the idle timeout: it only runs while waiting for the server", async () => {
  sim.respondNext({ sse: [chunk({ content: "a" }), chunk({ content: "b" }, { finish_reason: "stop" })] });
  const texts = [];
  for await (const ev of provider().stream({ model: "m", messages: hi }, { idleTimeoutMs: 100 })) {
    if (ev.type === "text") texts.push(ev.delta);
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.deepEqual(texts, ["a", "b"]);
});

test("server events that yield nothing (reasoning not kept) still count as signs of life", async () => {
  const thinking = Array.from({ length: 6 }, () => chunk({ reasoning: "..." }));
  sim.respondNext({ sse: [chunk({ role: "assistant", content: "" }), ...thinking, chunk({ content: "ok" }, { finish_reason: "stop" })], delayMs: 120 });
  const result = await provider().chat({ model: "m", messages: hi }, { idleTimeoutMs: 400 });
  assert.deepEqual([result.message.content, result.message.reasoning], ["ok", undefined]);
});

test("the whole-request timeout covers the body too; before the headers it says nothing answered", async () => {
  sim.respondNext({ sse: [chunk({ content: "a" }), chunk({ content: "b" })], delayMs: 150, neverEnd: true });
  const e = await rejection(() => provider().chat({ model: "m", messages: hi }, { timeoutMs: 400 }));
  assert.equal(e.code, "timeout");
  assert.equal(e.message, "vllm/m: the reply did not finish within 400 ms (whole-request timeout)");
  assert.ok(await clientClosed());

  sim.respondNext({ sse: [chunk({ content: "a" })], headersDelayMs: 10_000 });
  const early = await rejection(() => provider({}, { timeoutSeconds: 1 }).chat({ model: "m", messages: hi }));
  assert.equal(early.code, "timeout");
  assert.equal(early.message, `No response from ${sim.baseUrl}/chat/completions within 1000 ms`);
  assert.ok(early.requestId);
});

test("an HTML page (a base URL without /v1) is bad_response naming the /v1 prefix", async () => {
  sim.respondNext({ html: "<!doctype html><title>Welcome</title>" });
  const e = await rejection(() => provider().chat({ model: "m", messages: hi }));
  assert.equal(e.code, "bad_response");
  assert.match(e.message, /^vllm\/m: OpenAI-compatible streamed responses must be text\/event-stream or JSON; got text\/html/);
  assert.match(e.hint, /\/v1/);
});

test("an error frame after HTTP 200 ends the stream with stream_error and the server's message", async () => {
  sim.respondNext({ scenario: { steps: ["Hel", "lo", " world"], streamError: { afterSteps: 1, message: "boom: engine failed" } } });
  const seen = [];
  const e = await rejection(async () => {
    for await (const ev of provider().stream({ model: "m", messages: hi })) seen.push(ev.type);
  });
  assert.equal(e.code, "stream_error");
  assert.match(e.message, /boom: engine failed/);
  assert.equal(e.retryable, true);
  // The text read before the error frame is given out first.
  assert.deepEqual(seen, ["start", "text"]);
});

test("a connection cut mid-reply is stream_error after the events that arrived", async () => {
  sim.respondNext({ sse: [chunk({ content: "a" }), chunk({ content: "b" }), chunk({ content: "c" })], hangUp: true, hangUpAfterIndex: 1 });
  const seen = [];
  const e = await rejection(async () => {
    for await (const ev of provider().stream({ model: "m", messages: hi })) seen.push(ev.type === "text" ? ev.delta : ev.type);
  });
  assert.deepEqual(seen, ["start", "a", "b"]);
  assert.equal(e.code, "stream_error");
  assert.match(e.message, /^vllm\/m: the connection closed before the reply ended/);
  assert.equal(e.retryable, true);
});

test("HTTP errors are classified with status and request id; the key never shows", async () => {
  const wrong = VllmProvider.resolve({ config: { models: { providers: { vllm: { baseUrl: sim.baseUrl, apiKey: "sk-wrong-key-1", api: "openai-completions", models: [{ id: "m", name: "m" }] } } } } });
  const e = await rejection(() => wrong.chat({ model: "m", messages: hi }));
  assert.deepEqual([e.code, e.status], ["auth", 401]);
  assert.equal(e.requestId, sim.requests[0].headers["x-request-id"]);
  assert.ok(!JSON.stringify({ ...e, message: e.message }).includes("sk-wrong-key-1"));
  const missing = await rejection(() => provider().chat({ model: "vllm/nope", messages: hi }));
  assert.deepEqual([missing.code, missing.status], ["model_not_found", 404]);
  // A 503 is retried before the first byte by default (CallOptions.retries, 2): with none, it is the error.
  sim.respondNext({ error: "queue_full" });
  assert.equal((await rejection(() => provider().chat({ model: "m", messages: hi }, { retries: 0 }))).code, "overloaded");
});

test("the caller's signal aborts mid-stream at once with code aborted, and the connection closes", async () => {
  sim.respondNext({ sse: [chunk({ content: "a" }), chunk({ content: "b" })], neverEnd: true });
  const controller = new AbortController();
  const seen = [];
  let abortedAt;
  const e = await rejection(async () => {
    for await (const ev of provider().stream({ model: "m", messages: hi }, { signal: controller.signal })) {
      seen.push(ev.type);
      if (ev.type === "text") {
        setTimeout(() => {
          abortedAt = Date.now();
          controller.abort();
        }, 50);
      }
    }
  });
  assert.ok(Date.now() - abortedAt < 500, "at once");
  assert.deepEqual([e.code, e.message, e.retryable], ["aborted", "Request was aborted", false]);
  assert.ok(e.requestId);
  assert.deepEqual(seen, ["start", "text", "text"]);
  assert.ok(await clientClosed());
});

test("an abort while events are still queued wins over them", async () => {
  sim.respondNext({ sse: [chunk({ content: "a" }), chunk({ content: "b" }, { finish_reason: "stop" })] });
  const controller = new AbortController();
  const it = provider().stream({ model: "m", messages: hi }, { signal: controller.signal })[Symbol.asyncIterator]();
  assert.equal((await it.next()).value.type, "start");
  controller.abort();
  const e = await rejection(() => it.next());
  assert.equal(e.code, "aborted");
  assert.deepEqual(await it.next(), { value: undefined, done: true });
});

test("an already-aborted signal sends nothing", async () => {
  const e = await rejection(() => provider().chat({ model: "m", messages: hi }, { signal: AbortSignal.abort() }));
  assert.equal(e.code, "aborted");
  assert.equal(sim.requests.length, 0);
});

test("break in for await cancels the request: the simulator sees the connection close", async () => {
  sim.respondNext({ sse: [chunk({ content: "a" }), chunk({ content: "b" })], neverEnd: true });
  for await (const ev of provider().stream({ model: "m", messages: hi })) {
    if (ev.type === "text") break;
  }
  assert.ok(await clientClosed());
});

test("return() while the headers are pending aborts the request at once and settles the pending next()", async () => {
  sim.respondNext({ sse: [chunk({ content: "a" })], headersDelayMs: 10_000 });
  const it = provider().stream({ model: "m", messages: hi }, { idleTimeoutMs: 600_000 });
  const first = it.next();
  for (let i = 0; i < 100 && sim.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  const stopped = Date.now();
  assert.deepEqual(await it.return(), { value: undefined, done: true });
  assert.deepEqual(await first, { value: undefined, done: true });
  assert.ok(await clientClosed());
  assert.ok(Date.now() - stopped < 1500, `closed after ${Date.now() - stopped} ms`);
  assert.deepEqual(await it.next(), { value: undefined, done: true });
});

/** A provider whose fetch answers every request with `chunks` (strings or anything else, enqueued as
 * they are) and keeps the body open unless `close`; the fetch ignores the request's signal. */
function fetching(chunks, { close = true, headers = { "content-type": "text/event-stream" } } = {}) {
  const enc = (c) => (typeof c === "string" ? new TextEncoder().encode(c) : c);
  const fetch = async () => new Response(new ReadableStream({ start(c) { for (const x of chunks) c.enqueue(enc(x)); if (close) c.close(); } }), { headers });
  const vllm = { baseUrl: "http://127.0.0.1:9/v1", apiKey: KEY, api: "openai-completions", models: [{ id: "m", name: "m" }] };
  return VllmProvider.resolve({ config: { models: { providers: { vllm } } }, fetch });
}
const sse = (...chunks) => chunks.map((c) => `data: ${typeof c === "string" ? c : JSON.stringify(c)}\n\n`).join("");

test("after return() a read that was pending gives no event", async () => {
  // The body stops after its finish_reason, before [DONE], and the fetch ignores the abort: the read
  // waiting for the rest ends when return() cancels it, and that end must not become a `done` event.
  const it = fetching([sse(chunk({ content: "a" }, { finish_reason: "stop" }))], { close: false }).stream({ model: "m", messages: hi });
  assert.equal((await it.next()).value.type, "start");
  assert.equal((await it.next()).value.delta, "a");
  const pending = it.next();
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(await it.return(), { value: undefined, done: true });
  assert.deepEqual(await pending, { value: undefined, done: true });
});

test("return() drops an error read together with the events before it", async () => {
  const it = fetching([sse(chunk({ content: "a" }), '{"error":{"message":"boom","code":500}}')]).stream({ model: "m", messages: hi });
  assert.equal((await it.next()).value.type, "start");
  await it.return();
  assert.deepEqual(await it.next(), { value: undefined, done: true });
});

test("a body that is not a ReadableStream of bytes rejects with bad_response saying so, for chat() and discoverModels()", async () => {
  const settle = (p) => Promise.race([p.then(() => assert.fail("resolved"), (e) => e), new Promise((r) => setTimeout(() => r("hang"), 3000))]);
  const vllm = { baseUrl: "http://127.0.0.1:9/v1", apiKey: KEY, api: "openai-completions" };
  const plain = (headers, body) => async () => ({ status: 200, headers: new Headers(headers), body });
  const withFetch = (fetch, models) => VllmProvider.resolve({ config: { models: { providers: { vllm: { ...vllm, ...models } } } }, fetch });
  const row = { models: [{ id: "m", name: "m" }] };
  for (const [p, what] of [
    [withFetch(plain({ "content-type": "text/event-stream" }, "data: x"), row), "the response body is not a ReadableStream"],
    [fetching([1e12]), "a body chunk was not bytes"],
    [fetching([{ length: -1 }]), "a body chunk was not bytes"],
  ]) {
    const e = await settle(p.chat({ model: "m", messages: hi }));
    assert.ok(isVllmProviderError(e), String(e));
    assert.deepEqual([e.code, e.message], ["bad_response", `Cannot read the response: ${what}`]);
    assert.match(e.hint, /ReadableStream/);
  }
  const stream = async (chunks) => new Response(new ReadableStream({ start(c) { for (const x of chunks) c.enqueue(x); c.close(); } }), { headers: { "content-type": "application/json" } });
  for (const [fetch, what] of [
    [plain({ "content-type": "application/json" }, '{"data":[]}'), "the response body is not a ReadableStream"],
    [() => stream(['{"data":[]}']), "a body chunk was not bytes"],
  ]) {
    const e = await settle(withFetch(fetch).discoverModels());
    assert.ok(isVllmProviderError(e), String(e));
    assert.deepEqual([e.code, e.message], ["bad_response", `Cannot read the response: ${what}`]);
  }
});

test("a sniffed body reads the same however its first chunks split", async () => {
  const body = sse(chunk({ content: "hi" }, { finish_reason: "stop" }), "[DONE]");
  for (const [type, chunks] of [
    [undefined, ["da", body.slice(2)]],
    [undefined, ["\n", "\n", body]],
    ["application/json", ["\n", body]],
    ["application/json", ["\n" + body]],
  ]) {
    const p = fetching(chunks, { headers: type ? { "content-type": type } : {} });
    assert.equal((await p.chat({ model: "m", messages: hi })).message.content, "hi", JSON.stringify(chunks.slice(0, -1)));
  }
});

test("nothing is sent before the first next(); next() after the end says done", async () => {
  const it = provider().stream({ model: "m", messages: hi });
  assert.equal(it[Symbol.asyncIterator](), it);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(sim.requests.length, 0);
  const events = [];
  // Overlapping next() calls are answered in order.
  const pending = Array.from({ length: 30 }, () => it.next());
  for (const r of await Promise.all(pending)) if (!r.done) events.push(r.value.type);
  assert.equal(events[0], "start");
  assert.equal(events.at(-1), "done");
  assert.equal(sim.requests.length, 1);
  assert.deepEqual(await it.next(), { value: undefined, done: true });
  assert.deepEqual(await it.return(), { value: undefined, done: true });
});

test("bad arguments reject with config errors naming the option", async () => {
  const p = provider();
  for (const [opts, path] of [[{ timeoutMs: -1 }, "timeoutMs"], [{ idleTimeoutMs: 1.5 }, "idleTimeoutMs"], [{ firstEventTimeoutMs: "5" }, "firstEventTimeoutMs"], [{ signal: {} }, "signal"]]) {
    const e = await rejection(() => p.chat({ model: "m", messages: hi }, opts));
    assert.deepEqual([e.code, e.path], ["config", path], JSON.stringify(opts));
  }
  const e = await rejection(() => p.stream({ model: "m", messages: [{ role: "robot", content: "x" }] }).next());
  assert.deepEqual([e.code, e.path], ["config", "messages[0].role"]);
  assert.equal(sim.requests.length, 0);
});

test("Node exits promptly after a cancel: no timer, reader or socket is left pending", async () => {
  // The child streams from a never-ending reply with long timers armed, cancels, and must then exit
  // on its own (an uncleared timer or an open reader would keep it alive for minutes).
  const script = `
    import { VllmProvider } from ${JSON.stringify(new URL("../../dist/node.js", import.meta.url).href)};
    const p = VllmProvider.resolve({ config: { models: { providers: { vllm: { baseUrl: process.argv[1], apiKey: ${JSON.stringify(KEY)}, api: "openai-completions", timeoutSeconds: 600, models: [{ id: "m", name: "m", maxTokens: 8 }] } } } } });
    const opts = { firstEventTimeoutMs: 600000, idleTimeoutMs: 600000 };
    for await (const ev of p.stream({ model: "m", messages: [{ role: "user", content: "hi" }] }, opts)) if (ev.type === "text") break;
    const c = new AbortController();
    try {
      for await (const ev of p.stream({ model: "m", messages: [{ role: "user", content: "hi" }] }, { ...opts, signal: c.signal })) if (ev.type === "text") c.abort();
    } catch (e) { console.log(e.code); }
    console.log("cancelled");
  `;
  for (let i = 0; i < 2; i++) sim.respondNext({ sse: [chunk({ content: "a" }), chunk({ content: "b" })], neverEnd: true });
  const started = Date.now();
  const child = spawn(process.execPath, ["--input-type=module", "-e", script, sim.baseUrl], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const killer = setTimeout(() => child.kill(), 15_000);
  const code = await new Promise((r) => child.on("exit", r));
  clearTimeout(killer);
  assert.equal(out, "aborted\ncancelled\n");
  assert.equal(code, 0);
  assert.ok(Date.now() - started < 5000, `exited after ${Date.now() - started} ms`);
  assert.equal(sim.requests.length, 2);
});
