// Speed of the built package, measured (npm run bench; build first). One Node process, every path on the
// same bytes, runs interleaved, medians reported.
//
// The stream: about 20 MB of vLLM 0.33 SSE built from the shapes of tests/fixtures/vllm/v0.33.0 (reasoning
// deltas, content deltas, tool-call deltas, the usage chunk, [DONE]), served from memory by a caller's fetch
// as a Response whose body arrives in 64 KiB reads (what a socket gives), so no network is measured.
// Paths: chat(), stream() (every event taken), the plain-JS reference (eventsource-parser + JSON.parse +
// accumulate, what a hand-written client does), and the floor (read the body, TextDecoder, nothing else).
//
// With --conversions it also times each value's way across the boundary, serde-wasm-bindgen against JSON
// text (tests/convert_bench.rs, built optimised: about two minutes the first time).
//
//   node scripts/bench.mjs [--runs N] [--mb N] [--json] [--conversions]
import { readFileSync } from "node:fs";
import { createParser } from "eventsource-parser";
const { VllmProvider } = await import(process.env.VLLM_PROVIDER_DIST ?? "../dist/node.js");

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg("runs", 7);
const TARGET_BYTES = arg("mb", 20) * 1e6;
const READ_BYTES = 64 * 1024;

// --- The stream, from the fixture shapes -------------------------------------------------------------
const fixture = (name) => readFileSync(new URL(`../tests/fixtures/vllm/v0.33.0/${name}`, import.meta.url), "utf8");
const frames = (text) => text.split("\n\n").filter((f) => f.startsWith("data: {")).map((f) => JSON.parse(f.slice(6)));
const reasoningFrames = frames(fixture("chat_stream_reasoning_then_content.sse"));
const toolFrames = frames(fixture("chat_stream_tool_call_deltas.sse"));
const template = reasoningFrames.find((f) => f.choices[0]?.delta?.reasoning !== undefined);
const words = reasoningFrames.map((f) => f.choices[0]?.delta?.reasoning).filter((w) => typeof w === "string" && !w.includes("<"));
const withDelta = (delta) => ({ ...template, choices: [{ ...template.choices[0], delta }] });
const toolStart = toolFrames.find((f) => f.choices[0]?.delta?.tool_calls?.[0]?.id);
const toolDelta = toolFrames.find((f) => f.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments !== undefined);
const finish = toolFrames.find((f) => f.choices[0]?.finish_reason === "tool_calls");
const usage = toolFrames.find((f) => f.usage);

function buildStream() {
  const out = [frames(fixture("chat_stream_reasoning_then_content.sse"))[0]];
  let bytes = 0;
  const push = (frame) => {
    const text = `data: ${JSON.stringify(frame)}\n\n`;
    out.push(text);
    bytes += text.length;
  };
  let i = 0;
  while (bytes < TARGET_BYTES * 0.35) push(withDelta({ reasoning: words[i++ % words.length] }));
  while (bytes < TARGET_BYTES * 0.7) push(withDelta({ content: words[i++ % words.length] }));
  // Tool calls, each under the core's 256 000-byte argument cap: {"text": "<words>"}.
  for (let index = 0; bytes < TARGET_BYTES; index++) {
    const call = structuredClone(toolStart);
    Object.assign(call.choices[0].delta.tool_calls[0], { index, id: `chatcmpl-tool-${String(index).padStart(16, "0")}` });
    push(call);
    const args = (text) => {
      const d = structuredClone(toolDelta);
      Object.assign(d.choices[0].delta.tool_calls[0], { index, function: { arguments: text } });
      return d;
    };
    push(args('{"text": "'));
    for (let n = 0; n < 20_000 && bytes < TARGET_BYTES; n += 8) push(args(words[i++ % words.length].replaceAll('"', "")));
    push(args('"}'));
  }
  push(finish);
  push(usage);
  out[0] = `data: ${JSON.stringify(out[0])}\n\n`;
  out.push("data: [DONE]\n\n");
  return new TextEncoder().encode(out.join(""));
}

const body = buildStream();
const response = () =>
  new Response(
    new ReadableStream({
      start() {
        this.at = 0;
      },
      pull(c) {
        if (this.at >= body.length) return c.close();
        c.enqueue(body.subarray(this.at, (this.at += READ_BYTES)));
      },
    }),
    { headers: { "content-type": "text/event-stream" } },
  );

// --- The paths ----------------------------------------------------------------------------------------
const provider = VllmProvider.resolve({
  config: { models: { providers: { vllm: { baseUrl: "http://127.0.0.1:9/v1", apiKey: "k", api: "openai-completions", models: [{ id: "qwen3-8b", name: "qwen3-8b", reasoning: true }] } } } },
  fetch: async () => response(),
});
const request = { model: "vllm/qwen3-8b", messages: [{ role: "user", content: "hi" }] };

const paths = {
  async "chat()"() {
    const r = await provider.chat(request);
    return r.message.toolCalls.length;
  },
  async "stream()"() {
    let n = 0;
    for await (const ev of provider.stream(request)) if (ev.type) n++;
    return n;
  },
  async "eventsource-parser + JSON.parse + accumulate"() {
    const acc = { reasoning: "", content: "", calls: [], usage: undefined, done: false };
    const parser = createParser({
      onEvent(ev) {
        if (ev.data === "[DONE]") return void (acc.done = true);
        const chunk = JSON.parse(ev.data);
        if (chunk.usage) acc.usage = chunk.usage;
        const delta = chunk.choices[0]?.delta;
        if (!delta) return;
        if (delta.reasoning) acc.reasoning += delta.reasoning;
        if (delta.content) acc.content += delta.content;
        for (const t of delta.tool_calls ?? []) {
          const call = (acc.calls[t.index] ??= { id: "", name: "", arguments: "" });
          if (t.id) call.id = t.id;
          if (t.function?.name) call.name = t.function.name;
          if (t.function?.arguments) call.arguments += t.function.arguments;
        }
      },
    });
    const reader = response().body.getReader();
    const decoder = new TextDecoder();
    for (let r = await reader.read(); !r.done; r = await reader.read()) parser.feed(decoder.decode(r.value, { stream: true }));
    return acc.calls.map((c) => JSON.parse(c.arguments)).length;
  },
  async "raw read + TextDecoder (floor)"() {
    const reader = response().body.getReader();
    const decoder = new TextDecoder();
    let chars = 0;
    for (let r = await reader.read(); !r.done; r = await reader.read()) chars += decoder.decode(r.value, { stream: true }).length;
    return chars;
  },
};

// --- Runs -----------------------------------------------------------------------------------------------
const times = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
const results = {};
for (let run = -2; run < RUNS; run++) {
  for (const [name, fn] of Object.entries(paths)) {
    const started = performance.now();
    results[name] = await fn();
    const ms = performance.now() - started;
    if (run >= 0) times[name].push(ms);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = body.length / 1e6;
const reference = median(times["eventsource-parser + JSON.parse + accumulate"]);
const rows = Object.entries(times).map(([name, xs]) => ({ name, ms: median(xs), mbps: mb / (median(xs) / 1000), vsJs: reference / median(xs) }));
const chat = median(times["chat()"]);
const stream = median(times["stream()"]);

if (process.argv.includes("--json")) {
  console.log(JSON.stringify({ bytes: body.length, runs: RUNS, rows, streamOverChat: stream / chat }, null, 2));
} else {
  console.log(`stream: ${mb.toFixed(1)} MB, ${results["stream()"]} events, ${READ_BYTES / 1024} KiB reads; ${RUNS} runs each (after 2 warm-up), medians; Node ${process.version}`);
  console.log("| path | median ms | MB/s | speed vs. eventsource-parser path |");
  console.log("|---|---:|---:|---:|");
  for (const r of rows) console.log(`| ${r.name} | ${r.ms.toFixed(0)} | ${r.mbps.toFixed(1)} | ${r.vsJs.toFixed(2)}× |`);
  console.log(`\nstream() / chat() time: ${(stream / chat).toFixed(2)} (must stay within 1.5)`);
}
if (stream > 1.5 * chat) {
  console.error(`bench: stream() took ${(stream / chat).toFixed(2)}× chat()'s time, above 1.5×`);
  process.exitCode = 1;
}

if (process.argv.includes("--conversions")) {
  const { execFileSync } = await import("node:child_process");
  const out = execFileSync("cargo", ["test", "--release", "--target", "wasm32-unknown-unknown", "--test", "convert_bench", "--", "--include-ignored", "--nocapture"], {
    cwd: new URL("..", import.meta.url).pathname,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  console.log("\nconversions, per call (tests/convert_bench.rs):");
  for (const line of out.split("\n")) if (line.startsWith("|")) console.log(line);
}
