// Streaming: a ~20 MB vLLM stream through chat() and stream(), against what a JS client would do with the
// same bytes: eventsource-parser + JSON.parse by hand, openai-node, and the AI SDK's openai-compatible
// provider with streamText; and the floor, reading the body and decoding it and nothing else.
// Every path gets the same in-memory bytes from a caller's fetch, in 64 KiB reads, so no network is
// measured; every path but the floor ends with the same accumulation (checked before timing).
import assert from "node:assert/strict";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { jsonSchema, streamText, tool } from "ai";
import { createParser } from "eventsource-parser";
import OpenAI from "openai";
import { BASE_URL, CONFIG, READ_BYTES, responseOver, sseBody } from "./inputs.mjs";
import { interleave, once, spread, table, times } from "./measure.mjs";

const REFERENCE = "eventsource-parser + JSON.parse + accumulate";

/** Folds one chat.completion.chunk into `acc`, as a hand-written client keeps a turn. */
function accumulate(acc, chunk) {
  const delta = chunk.choices?.[0]?.delta;
  if (!delta) return;
  if (delta.reasoning) acc.reasoning += delta.reasoning;
  if (delta.content) acc.content += delta.content;
  for (const t of delta.tool_calls ?? []) {
    const call = (acc.calls[t.index] ??= { id: "", name: "", arguments: "" });
    if (t.id) call.id = t.id;
    if (t.function?.name) call.name = t.function.name;
    if (t.function?.arguments) call.arguments += t.function.arguments;
  }
}

const emptyTurn = () => ({ reasoning: "", content: "", calls: [] });
/** The turn as chat() returns it: tool-call arguments parsed. */
const finished = (acc) => ({ ...acc, calls: acc.calls.map((c) => ({ ...c, arguments: JSON.parse(c.arguments) })) });
const fromResult = ({ message: m }) => ({ reasoning: m.reasoning ?? "", content: m.content, calls: m.toolCalls.map(({ id, name, arguments: a }) => ({ id, name, arguments: a })) });

/** The paths, name → async function returning the turn it accumulated (the floor: the characters read). */
function paths(VllmProvider, body) {
  const fetch = async () => responseOver(body, "text/event-stream");
  const provider = VllmProvider.resolve({ config: CONFIG, fetch });
  const request = { model: "vllm/qwen3-8b", messages: [{ role: "user", content: "hi" }] };
  const openai = new OpenAI({ apiKey: "k", baseURL: BASE_URL, fetch, maxRetries: 0 });
  const aiSdk = createOpenAICompatible({ name: "vllm", baseURL: BASE_URL, apiKey: "k", fetch, includeUsage: true });
  // The stream's tool, declared so that the SDK takes its calls as valid rather than as errors.
  const tools = { get_weather: tool({ inputSchema: jsonSchema({ type: "object" }) }) };

  return {
    "chat()": async () => fromResult(await provider.chat(request)),
    "stream() (every event taken)": async () => {
      let result;
      for await (const ev of provider.stream(request)) if (ev.type === "done") result = ev.result;
      return fromResult(result);
    },
    [REFERENCE]: async () => {
      const acc = emptyTurn();
      const parser = createParser({ onEvent: (ev) => ev.data !== "[DONE]" && accumulate(acc, JSON.parse(ev.data)) });
      const reader = (await fetch()).body.getReader();
      const decoder = new TextDecoder();
      for (let r = await reader.read(); !r.done; r = await reader.read()) parser.feed(decoder.decode(r.value, { stream: true }));
      return finished(acc);
    },
    "openai-node `create({stream:true})`": async () => {
      const acc = emptyTurn();
      for await (const chunk of await openai.chat.completions.create({ ...request, model: "qwen3-8b", stream: true })) accumulate(acc, chunk);
      return finished(acc);
    },
    "@ai-sdk/openai-compatible + `streamText`": async () => {
      const r = streamText({ model: aiSdk.chatModel("qwen3-8b"), prompt: "hi", tools, maxRetries: 0 });
      for await (const part of r.fullStream) if (part.type === "error") throw part.error;
      const calls = (await r.toolCalls).map((c) => ({ id: c.toolCallId, name: c.toolName, arguments: c.input }));
      return { reasoning: (await r.reasoningText) ?? "", content: await r.text, calls };
    },
    "raw read + TextDecoder (floor)": async () => {
      const reader = (await fetch()).body.getReader();
      const decoder = new TextDecoder();
      let chars = 0;
      for (let r = await reader.read(); !r.done; r = await reader.read()) chars += decoder.decode(r.value, { stream: true }).length;
      return chars;
    },
  };
}

/** Each path once, untimed: every accumulation must equal chat()'s, or the comparison means nothing. */
async function check(all) {
  const expected = await all["chat()"]();
  assert.ok(expected.reasoning && expected.content && expected.calls.length, "chat() accumulated every part");
  for (const [name, run] of Object.entries(all)) {
    const got = await run();
    if (typeof got === "object") assert.deepStrictEqual(got, expected, `${name} accumulates what chat() returns`);
  }
  return expected;
}

export async function streamSection({ VllmProvider, runs, mb }) {
  const body = sseBody(mb * 1e6);
  const all = paths(VllmProvider, body);
  const turn = await check(all);
  const s = await interleave(Object.fromEntries(Object.entries(all).map(([name, run]) => [name, once(run)])), { runs, warmups: 1 });
  const size = body.length / 1e6;
  const speed = (name) => s[REFERENCE].median / s[name].median;
  const chat = speed("chat()");
  const stream = speed("stream() (every event taken)");
  const streamOverChat = s["stream() (every event taken)"].median / s["chat()"].median;
  return {
    title: "Streaming",
    notes: [
      `${size.toFixed(1)} MB of vLLM 0.33 SSE (reasoning, content, then the argument deltas of ${turn.calls.length} tool calls) in ${READ_BYTES / 1024} KiB reads; ${runs} runs each, interleaved, after one checked run; every path's accumulation equals chat()'s.`,
    ],
    table: table(
      ["path", "median ms", "min–max ms", "MB/s", "speed vs. eventsource-parser path"],
      Object.entries(s).map(([name, st]) => [name, ...spread(st), (size / (st.median / 1000)).toFixed(1), times(speed(name))]),
    ),
    figures: { bytes: body.length, runs, paths: s, streamOverChat },
    targets: [
      { what: "chat() speed vs. the eventsource-parser path", figure: times(chat), target: "≥ 1.00×", met: chat >= 1 },
      { what: "stream() speed vs. the eventsource-parser path", figure: times(stream), target: "≥ 0.75×", met: stream >= 0.75 },
      { what: "stream() time / chat() time", figure: streamOverChat.toFixed(2), target: "≤ 1.5 (the bench fails above)", met: streamOverChat <= 1.5, enforced: true },
    ],
  };
}
