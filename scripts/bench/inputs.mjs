// What the bench feeds every path: built once, from the recorded vLLM fixtures' shapes, so that each
// path and its anchors read the same bytes and values.
import { readFileSync } from "node:fs";

const V033 = new URL("../../tests/fixtures/vllm/v0.33.0/", import.meta.url);
const fixture = (name) => readFileSync(new URL(name, V033), "utf8");
/** A socket's read size: every body is handed out in pieces of this many bytes. */
export const READ_BYTES = 64 * 1024;

/** The provider every section resolves: one reasoning model with Qwen's thinking format, a header. */
export const CONFIG = {
  models: {
    providers: {
      vllm: {
        baseUrl: "http://127.0.0.1:9/v1",
        apiKey: "sk-bench-0123456789",
        api: "openai-completions",
        headers: { "X-Team": "bench" },
        models: [
          {
            id: "qwen3-8b", name: "Qwen3 8B", reasoning: true, contextWindow: 32768, maxTokens: 4096,
            compat: { thinkingFormat: "qwen-chat-template", supportedReasoningEfforts: ["low", "high"] },
            params: { temperature: 0.6, topP: 0.95 },
          },
        ],
      },
    },
  },
};
export const BASE_URL = CONFIG.models.providers.vllm.baseUrl;

/** A `Response` over `bytes` whose body arrives in 64 KiB reads (what a socket gives), made anew per call. */
export function responseOver(bytes, contentType) {
  let at = 0;
  const body = new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.subarray(at, (at += READ_BYTES)));
    },
  });
  return new Response(body, { headers: { "content-type": contentType } });
}

// --- The stream ---------------------------------------------------------------------------------------
const frames = (text) => text.split("\n\n").filter((f) => f.startsWith("data: {")).map((f) => JSON.parse(f.slice(6)));

/**
 * About `targetBytes` of vLLM 0.33 SSE: a third reasoning deltas, a third content deltas, a third
 * tool-call argument deltas, then the finish and usage chunks and [DONE]; every chunk is a recorded one
 * with another delta.
 */
export function sseBody(targetBytes) {
  const reasoningFrames = frames(fixture("chat_stream_reasoning_then_content.sse"));
  const toolFrames = frames(fixture("chat_stream_tool_call_deltas.sse"));
  const template = reasoningFrames.find((f) => f.choices[0]?.delta?.reasoning !== undefined);
  // The recorded reasoning words, without the last delta's </think> (a tag the core strips from content).
  const words = reasoningFrames.map((f) => f.choices[0]?.delta?.reasoning).filter((w) => typeof w === "string" && !w.includes("<"));
  const withDelta = (delta) => ({ ...template, choices: [{ ...template.choices[0], delta }] });
  const toolStart = toolFrames.find((f) => f.choices[0]?.delta?.tool_calls?.[0]?.id);
  const toolDelta = toolFrames.find((f) => f.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments !== undefined);

  const out = [];
  let bytes = 0;
  const push = (frame) => {
    const text = `data: ${JSON.stringify(frame)}\n\n`;
    out.push(text);
    bytes += text.length;
  };
  push(reasoningFrames[0]);
  let i = 0;
  const word = () => words[i++ % words.length];
  while (bytes < targetBytes * 0.35) push(withDelta({ reasoning: word() }));
  while (bytes < targetBytes * 0.7) push(withDelta({ content: word() }));
  // Tool calls, each under the core's 256 000-byte argument cap: {"text": "<words>"}.
  for (let index = 0; bytes < targetBytes; index++) {
    const call = structuredClone(toolStart);
    Object.assign(call.choices[0].delta.tool_calls[0], { index, id: `chatcmpl-tool-${String(index).padStart(16, "0")}` });
    push(call);
    const args = (text) => {
      const d = structuredClone(toolDelta);
      Object.assign(d.choices[0].delta.tool_calls[0], { index, function: { arguments: text } });
      return d;
    };
    push(args('{"text": "'));
    for (let n = 0; n < 20_000 && bytes < targetBytes; n += 8) push(args(word().replaceAll('"', "")));
    push(args('"}'));
  }
  push(toolFrames.find((f) => f.choices[0]?.finish_reason === "tool_calls"));
  push(toolFrames.find((f) => f.usage));
  out.push("data: [DONE]\n\n");
  return new TextEncoder().encode(out.join(""));
}

// --- The chat request -------------------------------------------------------------------------------
const TOOL_NAMES = ["get_weather", "get_time", "search_web", "read_file", "send_mail"];

/** 20 messages (system, user turns, assistant turns with reasoning and tool calls, tool results) and 5 tools. */
export function chatRequest() {
  const messages = [{ role: "system", content: "You are a careful assistant. Answer briefly and cite the tool results you used." }];
  for (let i = 0; i < 6; i++) {
    const id = `call_${i}|abc`;
    messages.push(
      { role: "user", content: `Question ${i}: what is the weather in city number ${i}, and should I take an umbrella?` },
      { role: "assistant", content: "", reasoning: `The user wants weather ${i}.`, reasoningField: "reasoning_content", toolCalls: [{ id, name: "get_weather", arguments: { city: `City ${i}`, unit: "celsius" } }] },
      { role: "tool", toolCallId: id, toolName: "get_weather", content: JSON.stringify({ temp: i, rain: true }) },
    );
  }
  messages.push({ role: "user", content: [{ type: "text", text: "Thanks. Summarise all of it in a table." }] });
  const tools = TOOL_NAMES.map((name) => ({
    name,
    description: `The ${name} tool.`,
    parameters: { type: "object", properties: { q: { type: "string", description: "What to ask" }, limit: { type: "integer", minimum: 1 } }, required: ["q"] },
  }));
  return { model: "vllm/qwen3-8b", messages, tools, params: { maxTokens: 1024, temperature: 0.2 }, thinking: "high" };
}

// --- The model cards --------------------------------------------------------------------------------
/**
 * A /v1/models body of `n` cards shaped like vLLM 0.33's: every fourth one a LoRA adapter of the card
 * before it (no max_model_len of its own), the others with windows of 4 096 to 32 768 tokens.
 */
export function modelsBody(n) {
  const [base, lora] = JSON.parse(fixture("models_list_with_lora.json")).data;
  const card = (i) => {
    const adapter = i % 4 === 3;
    const c = structuredClone(adapter ? lora : base);
    Object.assign(c, {
      id: `org/model-${i}`,
      root: `/models/model-${i}`,
      parent: adapter ? `org/model-${i - 1}` : null,
      max_model_len: adapter ? null : 4096 * (1 + (i % 8)),
    });
    c.permission[0].id = `modelperm-${i.toString(16).padStart(16, "0")}`;
    return c;
  };
  return new TextEncoder().encode(JSON.stringify({ object: "list", data: Array.from({ length: n }, (_, i) => card(i)) }));
}
