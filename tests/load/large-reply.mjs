// One large reply, read in a fresh process (the wasm memory never shrinks, so one scenario's peak would
// hide the next one's): `node tests/load/large-reply.mjs <stream|chat|json>` reads the reply twice and
// prints, as JSON, what the reply held and how much the wasm memory grew over the first and the second
// reading. tests/js/large-reply-memory.test.mjs checks the figures.
import { readFileSync } from "node:fs";
import { VllmProvider, init } from "../../dist/index.js";
import { initSync } from "../../dist/wasm/vllm_provider.js";
import { startSimulator } from "../sim/server.mjs";

// The browser entry over the very glue imported here, so the memory measured is the calls' instance.
const wasm = initSync({ module: readFileSync(new URL("../../dist/wasm/vllm_provider_bg.wasm", import.meta.url)) });
await init();
const scenario = process.argv[2];
const KEY = "sk-large-reply";
const REQUEST = { model: "vllm/m", messages: [{ role: "user", content: "hi" }] };
const TEXT = 30e6; // a streamed reply's text, in 100 KB deltas
const DELTA = "x".repeat(100_000);
const JSON_TEXT = "y".repeat(15e6); // a JSON reply's (vLLM's answer without streaming; at most 16 MiB)
const chunk = (delta, finish = null) => ({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] });
const jsonBody = () => JSON.stringify({ id: "c", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: JSON_TEXT }, finish_reason: "stop" }] });

const sim = await startSimulator({ apiKey: KEY, models: [{ id: "m", maxModelLen: 4096 }] });
try {
  const provider = VllmProvider.resolve({ env: { VLLM_API_KEY: KEY }, baseUrl: sim.baseUrl });
  await provider.chat(REQUEST); // warm-up: the allocator's first pools
  const out = { scenario, body: 0, grown: [], text: [], joined: [] };
  for (let round = 0; round < 2; round++) {
    if (scenario === "json") {
      const body = jsonBody();
      out.body = body.length;
      sim.respondNext({ path: "/v1/chat/completions", status: 200, headers: { "content-type": "application/json" }, body });
    } else {
      const sse = Array.from({ length: TEXT / DELTA.length }, () => chunk({ content: DELTA }));
      sse.push(chunk({}, "stop"));
      out.body = sse.reduce((n, c) => n + JSON.stringify(c).length + 8, 0);
      sim.respondNext({ path: "/v1/chat/completions", sse });
    }
    const before = wasm.memory.buffer.byteLength;
    let result;
    let text = 0;
    if (scenario === "stream") {
      for await (const e of provider.stream(REQUEST)) {
        if (e.type === "text") text += e.delta.length;
        if (e.type === "done") result = e.result;
      }
    } else {
      result = await provider.chat(REQUEST);
      text = result.message.content.length;
    }
    out.grown.push(wasm.memory.buffer.byteLength - before);
    out.text.push(text);
    const expected = scenario === "json" ? JSON_TEXT : DELTA.repeat(TEXT / DELTA.length);
    out.joined.push(result.message.content === expected && result.stopReason === "stop");
  }
  console.log(JSON.stringify(out));
} finally {
  await sim.close();
}
