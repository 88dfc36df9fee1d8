// The config tester: every decision comes from the library; this file only reads the form and renders.
import { init, VllmProvider, VllmProviderError, isVllmProviderError, version } from "./pkg/index.js";

const SAMPLE = `// openclaw.json: JSON5, comments allowed
{
  models: {
    providers: {
      vllm: {
        baseUrl: "http://127.0.0.1:8000/v1",
        apiKey: "\${VLLM_API_KEY}",
        api: "openai-completions",
        models: [
          { id: "your-model-id", name: "Local vLLM Model", contextWindow: 128000, maxTokens: 8192 },
        ],
      },
    },
  },
  // discover the server's other models too
  agents: { defaults: { modelPolicy: { allow: ["vllm/*"] } } },
}
`;

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) k === "class" ? (node.className = v) : node.setAttribute(k, v);
  node.append(...children);
  return node;
};

function show(id, ...nodes) {
  $(id).replaceChildren(...nodes);
  $(id).hidden = nodes.length === 0;
}

function showError(err) {
  if (!isVllmProviderError(err)) {
    show("error", el("div", {}, String(err?.message ?? err)));
    return;
  }
  const where = err.line ? ` (line ${err.line}, column ${err.column})` : err.path ? ` (at ${err.path})` : "";
  show(
    "error",
    el("div", {}, el("span", { class: "code" }, err.code), `: ${err.message}${where}`),
    el("div", { class: "hint" }, "→ ", err.hint),
  );
  if (err.line) focusLine(err.line, err.column);
}

/** Puts the cursor where the JSON5 error is. */
function focusLine(line, column) {
  const area = $("config");
  const lines = area.value.split("\n");
  const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + Math.max(0, (column ?? 1) - 1);
  area.focus();
  area.setSelectionRange(offset, offset);
}

function resolveFromForm() {
  const key = $("key").value;
  return VllmProvider.resolve({
    config: $("config").value,
    env: key ? { VLLM_API_KEY: key } : {},
    baseUrl: $("base-url").value.trim() || undefined,
  });
}

function renderProvider(d) {
  const dl = el("dl");
  const row = (k, v) => dl.append(el("dt", {}, k), el("dd", {}, v));
  row("status", el("span", { class: `status-${d.status}` }, d.status));
  row("base URL", d.baseUrl);
  row("key", `${d.auth.source}${d.auth.envVar ? ` (${d.auth.envVar})` : ""}; ${d.auth.sendsAuthorization ? "sends Authorization" : "no Authorization header"}`);
  row("discovery", `${d.discovery.enabled ? "on" : "off"}: ${d.discovery.reason}`);
  if (d.timeoutMs) row("timeout", `${d.timeoutMs} ms`);
  row("declared models", d.models.length ? d.models.map((m) => m.id).join(", ") : "none");
  const warnings = d.warnings.map((w) => el("li", { class: "warning" }, `${w.path ? `${w.path}: ` : ""}${w.message}`));
  show("provider", el("h3", {}, "Resolved provider"), dl, ...(warnings.length ? [el("ul", {}, ...warnings)] : []));
}

function renderModels(models, title) {
  const head = el("tr", {}, ...["id", "context window", "max tokens", "reasoning", "source", "LoRA parent"].map((h) => el("th", { scope: "col" }, h)));
  const rows = models.map((m) =>
    el("tr", {},
      el("td", {}, m.id), el("td", { class: "num" }, String(m.contextWindow)), el("td", { class: "num" }, String(m.maxTokens ?? "-")),
      el("td", {}, m.reasoning ? "yes" : "no"), el("td", {}, m.source), el("td", {}, m.parent ?? "")));
  show("models", el("h3", {}, `${title} (${models.length})`), el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows)));
}

async function busy(button, work) {
  button.disabled = true;
  show("error");
  try {
    await work();
  } catch (err) {
    showError(err);
  } finally {
    button.disabled = false;
  }
}

$("form").addEventListener("submit", (e) => e.preventDefault());
$("resolve").addEventListener("click", (e) => busy(e.currentTarget, async () => {
  show("models");
  renderProvider(resolveFromForm().describe());
}));

// With discovery on, show the catalog OpenClaw would use (declared rows merged with the server's);
// with it off, still ask the server, so the page shows what it offers.
$("discover").addEventListener("click", (e) => busy(e.currentTarget, async () => {
  const provider = resolveFromForm();
  const described = provider.describe();
  renderProvider(described);
  show("models");
  if (!described.discovery.enabled) {
    renderModels(await provider.discoverModels(), "The server offers");
    return;
  }
  const catalog = await provider.listModels();
  if (catalog.discovery.error) throw new VllmProviderError(catalog.discovery.error);
  renderModels(catalog.models, "Models OpenClaw would use");
}));

await init();
$("config").value = SAMPLE;
$("version").textContent = `vllm-provider ${version}`;
document.body.dataset.ready = "true";
