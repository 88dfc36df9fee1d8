// Request preview (buildChatRequest) and the live reply (stream). Both take a provider and a
// ChatRequest from app.js; the live panel only accumulates what the StreamEvents say.
import { el, errorBlock, ms } from "./dom.js";

/** A sample tool, so the live test can show tool calls (the live server runs the hermes parser). */
export const SAMPLE_TOOL = {
  name: "get_weather",
  description: "Current weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

/** The "Request preview" content: method and URL, headers (key redacted), body, and the notes as a list. */
export function previewPanel(prepared) {
  const headers = Object.entries(prepared.headers).map(([k, v]) => `${k}: ${v}`).join("\n");
  const notes = prepared.notes.length
    ? el("ul", { class: "notes" }, prepared.notes.map((n) =>
      el("li", {}, el("code", {}, n.field), " ", el("span", { class: `badge action-${n.action}` }, n.action), " ", n.reason)))
    : el("p", { class: "muted" }, "No differences from a native-OpenAI request.");
  return [
    el("h3", {}, "Exactly what will be sent"),
    el("pre", { class: "http", tabindex: "0", "aria-label": "request line and headers" }, `${prepared.method} ${prepared.url}\n${headers}`),
    el("pre", { class: "json", tabindex: "0", "aria-label": "request body" }, JSON.stringify(prepared.body, null, 2)),
    el("h3", {}, `Why it differs from an OpenAI request (${prepared.notes.length})`),
    notes,
  ];
}

/** One streamed reply rendered into `root`; `stop()` aborts it. Resolves when the stream ends. */
export async function streamInto(root, provider, request) {
  const controller = new AbortController();
  const status = el("p", { class: "live-status" }, "Connecting…");
  const reasoning = el("pre", { class: "reasoning", id: "live-reasoning" });
  const reasoningBox = el("details", { class: "reasoning-box", open: true, hidden: true }, el("summary", {}, "Reasoning"), reasoning);
  const text = el("div", { class: "answer", id: "live-text" });
  const tools = el("ol", { class: "tool-calls", id: "live-tools", hidden: true });
  const stats = el("dl", { class: "stats", id: "live-stats" });
  root.replaceChildren(status, reasoningBox, el("h3", {}, "Answer"), text, tools, stats);

  const calls = [];
  const t0 = performance.now();
  let first, usage, result, deltas = 0;
  const firstToken = () => {
    deltas += 1;
    if (first === undefined) {
      first = performance.now();
      status.textContent = "Streaming…";
    }
  };
  const renderTools = () => {
    tools.hidden = calls.length === 0;
    tools.replaceChildren(...calls.map((c) => el("li", {}, el("b", {}, "tool call "), el("code", {}, `${c.name ?? "?"}(${c.args})`), c.id ? el("small", { class: "muted" }, ` ${c.id}`) : null)));
  };
  const renderStats = (state) => {
    const end = performance.now();
    const out = usage?.output ?? deltas;
    const genSeconds = first === undefined ? 0 : (end - first) / 1000;
    const rows = [
      ["time to first token", first === undefined ? "–" : ms(first - t0)],
      ["tokens per second", genSeconds > 0 && out > 1 ? `${((out - 1) / genSeconds).toFixed(1)}${usage ? "" : " (deltas)"}` : "–"],
      ["total time", ms(end - t0)],
      ["usage", usage ? `${usage.input} in, ${usage.output} out${usage.reasoningTokens ? ` (${usage.reasoningTokens} reasoning)` : ""}, ${usage.totalTokens} total` : "–"],
      ["stop reason", result?.stopReason ?? state],
      ["answered by", result?.baseUrl ?? "–"],
    ];
    stats.replaceChildren(...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  };

  const run = (async () => {
    try {
      for await (const ev of provider.stream(request, { signal: controller.signal })) {
        switch (ev.type) {
          case "start":
            status.textContent = `Waiting for ${ev.model}…`;
            break;
          case "reasoning":
            firstToken();
            reasoningBox.hidden = false;
            reasoning.append(ev.delta);
            break;
          case "text":
            firstToken();
            text.append(ev.delta);
            break;
          case "toolCall": {
            firstToken();
            const c = (calls[ev.index] ??= { args: "" });
            if (ev.id) c.id = ev.id;
            if (ev.name) c.name = ev.name;
            c.args += ev.argumentsDelta ?? "";
            renderTools();
            break;
          }
          case "usage":
            usage = ev.usage;
            break;
          case "done":
            result = ev.result;
            usage ??= result.usage;
            if (result.message.toolCalls?.length) {
              calls.splice(0, calls.length, ...result.message.toolCalls.map((t) => ({ id: t.id, name: t.name, args: JSON.stringify(t.arguments) })));
              renderTools();
            }
            break;
        }
      }
      status.textContent = "Done.";
      status.className = "live-status ok";
      renderStats("stop");
      // OpenClaw keeps reasoning only for rows marked as reasoning models; say why it is missing.
      if (usage?.reasoningTokens && !result?.message.reasoning) {
        root.append(el("p", { class: "notice", id: "live-reasoning-hidden" },
          `The server counted ${usage.reasoningTokens} reasoning tokens, but no reasoning is shown: OpenClaw keeps reasoning only for models marked as reasoning models. Declare this model with `,
          el("code", {}, "reasoning: true"), " to see it."));
      }
    } catch (err) {
      if (err?.code === "aborted") {
        status.textContent = `Stopped: the request was aborted after ${deltas} delta${deltas === 1 ? "" : "s"}.`;
        status.className = "live-status warn";
        renderStats("aborted");
      } else {
        status.replaceChildren(errorBlock(err));
        status.className = "live-status";
        renderStats("error");
      }
    }
  })();
  return { stop: () => controller.abort(), done: run };
}
