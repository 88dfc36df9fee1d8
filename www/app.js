// The config tester: every decision comes from the library; this file reads the form, calls it, and
// hands the results to render.js / request.js.
import { init, VllmProvider, VllmProviderError, version } from "./pkg/index.js";
import { $, el, errorBlock, show } from "./dom.js";
import { attachGutter, excerpt, focusAt } from "./editor.js";
import { doctorPanel, modelsPanel, providerPanel } from "./render.js";
import { previewPanel, SAMPLE_TOOL, streamInto } from "./request.js";

const SAMPLE = `// openclaw.json: JSON5, comments allowed
{
  models: {
    providers: {
      vllm: {
        baseUrl: "http://127.0.0.1:8000/v1",
        apiKey: "\${VLLM_API_KEY}",   // read from the key field below
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

// The key lives in the password field; only an explicit opt-in copies it to this tab's sessionStorage.
const KEY_STORE = "vllm-provider.tester.key";
const gutter = attachGutter($("config"), $("gutter"));
let current; // the live reply being streamed, if any
let thinkingFor; // the model (under the last resolved config) whose levels the Thinking field offers

function readInput() {
  const key = $("key").value;
  const profiles = $("auth-profiles").value.trim();
  return {
    config: $("config").value,
    env: key ? { VLLM_API_KEY: key } : {},
    authProfiles: profiles || undefined,
    baseUrl: $("base-url").value.trim() || undefined,
    baseUrls: $("base-urls").value.split(/\s+/).filter(Boolean),
  };
}

// The provider of the current inputs is kept, so the rows `listModels()` merged into it are the ones
// the preview and the live reply use, exactly as the library's own provider would; any change to the
// inputs resolves a new one. (The inputs, key included, stay in this variable only.)
let resolved; // { inputs: string, provider }
function resolveFromForm() {
  const input = readInput();
  const inputs = JSON.stringify(input);
  if (resolved?.inputs !== inputs) resolved = { inputs, provider: VllmProvider.resolve(input) };
  return resolved.provider;
}

/** Shows a config/discovery error; a JSON5 error also gets its line marked and the cursor put there. */
function showError(err) {
  const inProfiles = String(err?.path ?? "").startsWith("authProfiles");
  const area = inProfiles ? $("auth-profiles") : $("config");
  const box = errorBlock(err);
  $("result-empty").hidden = true;
  if (err?.line) box.append(excerpt(area.value, err.line, err.column, { maskAll: inProfiles }) ?? "");
  show("error", box);
  if (!err?.line) return;
  if (inProfiles) $("auth-details").open = true;
  else gutter.mark(err.line);
  focusAt(area, err.line, err.column);
}

/** Offers every known model id in the model fields and picks a default for the request. */
function offerModels(models) {
  $("model-ids").replaceChildren(...models.map((m) => el("option", { value: `vllm/${m.id}` })));
  const field = $("req-model");
  const known = models.some((m) => `vllm/${m.id}` === field.value || m.id === field.value);
  if (models.length && (!field.value || !known)) field.value = `vllm/${models[0].id}`;
}

function renderProvider(described) {
  $("result-empty").hidden = true;
  show("provider", ...providerPanel(described));
}

async function busy(button, work) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

function resolveOnly() {
  show("error");
  show("models");
  gutter.mark(0);
  try {
    const described = resolveFromForm().describe();
    renderProvider(described);
    offerModels(described.models);
    thinkingFor = undefined;
    updatePreview();
  } catch (err) {
    show("provider");
    showError(err);
  }
}

// With discovery on, show the catalog OpenClaw would use (declared rows merged with the server's);
// with it off, still ask the server, so the page shows what it offers.
async function discover() {
  show("error");
  gutter.mark(0);
  let provider, described;
  try {
    provider = resolveFromForm();
    described = provider.describe();
  } catch (err) {
    show("provider");
    show("models");
    return showError(err);
  }
  renderProvider(described);
  show("models");
  try {
    if (!described.discovery.enabled) {
      const served = await provider.discoverModels();
      show("models", ...modelsPanel(served, "The server offers"));
      offerModels(served);
    } else {
      const catalog = await provider.listModels();
      const failed = catalog.discovery.error;
      show("models", ...modelsPanel(catalog.models, failed ? "Declared models (discovery failed)" : "Models OpenClaw would use", { warnings: catalog.warnings ?? [], declared: described.models, discovery: catalog.discovery }));
      // Served models first: they are the ones a request can reach.
      offerModels([...catalog.models.filter((m) => m.source !== "config"), ...catalog.models.filter((m) => m.source === "config")]);
      if (failed) throw new VllmProviderError(failed);
    }
  } catch (err) {
    showError(err);
  }
  thinkingFor = undefined;
  updatePreview();
}

function chatRequest() {
  const maxTokens = Number.parseInt($("max-tokens").value, 10);
  const temperature = Number.parseFloat($("temperature").value);
  const request = {
    model: $("req-model").value.trim(),
    messages: [{ role: "user", content: $("prompt").value }],
    params: {},
  };
  if (Number.isFinite(maxTokens)) request.params.maxTokens = maxTokens;
  if (Number.isFinite(temperature)) request.params.temperature = temperature;
  if ($("thinking").value) request.thinking = $("thinking").value;
  if ($("with-tool").checked) request.tools = [SAMPLE_TOOL];
  return request;
}

/** Offers the thinking levels the library gives for the chosen model (its default first). */
function offerThinking(provider, model) {
  const select = $("thinking");
  let profile;
  try {
    profile = provider.thinkingProfile(model);
  } catch {
    profile = { levels: [], defaultLevel: "" };
  }
  const chosen = select.value;
  const ids = profile.levels.map((l) => l.id);
  select.replaceChildren(el("option", { value: "" }, profile.defaultLevel ? `default (${profile.defaultLevel})` : "default"),
    ...profile.levels.map((l) => el("option", { value: l.id }, l.label ?? l.id)));
  select.value = ids.includes(chosen) ? chosen : "";
}

function updatePreview() {
  if (!$("req-model").value.trim()) return show("preview", el("p", { class: "muted" }, "Pick a model (List models fills this in) to see the exact request."));
  try {
    const provider = resolveFromForm();
    const model = $("req-model").value.trim();
    if (model !== thinkingFor) {
      offerThinking(provider, model);
      thinkingFor = model;
    }
    show("preview", ...previewPanel(provider.buildChatRequest(chatRequest())));
  } catch (err) {
    show("preview", errorBlock(err));
  }
}

async function send() {
  if (current) return;
  let provider;
  try {
    provider = resolveFromForm();
  } catch (err) {
    return $("live").replaceChildren(errorBlock(err));
  }
  $("send").disabled = true;
  $("stop").disabled = false;
  current = await streamInto($("live"), provider, chatRequest());
  try {
    await current.done;
  } finally {
    current = undefined;
    $("send").disabled = false;
    $("stop").disabled = true;
  }
}

function stop() {
  current?.stop();
}

async function runDoctor() {
  show("doctor", el("p", { class: "muted" }, "Running checks…"));
  try {
    const model = $("doctor-model").value.trim() || undefined;
    const report = await resolveFromForm().diagnose({ model, probeChat: $("probe-chat").checked });
    show("doctor", ...doctorPanel(report));
  } catch (err) {
    show("doctor", errorBlock(err));
  }
}

// Ctrl/Cmd+Enter in a textarea submits its form; Enter in a one-line field does so natively.
for (const form of document.forms) {
  form.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && e.target.tagName === "TEXTAREA") {
      e.preventDefault();
      form.requestSubmit();
    }
  });
}
document.addEventListener("keydown", (e) => e.key === "Escape" && current && stop());

$("form").addEventListener("submit", (e) => {
  e.preventDefault();
  busy($("discover"), discover);
});
$("resolve").addEventListener("click", resolveOnly);
$("request-form").addEventListener("submit", (e) => {
  e.preventDefault();
  send();
});
$("request-form").addEventListener("input", updatePreview);
$("request-form").addEventListener("change", updatePreview);
$("stop").addEventListener("click", stop);
$("doctor-form").addEventListener("submit", (e) => {
  e.preventDefault();
  busy($("doctor-run"), runDoctor);
});
$("remember-key").addEventListener("change", (e) => {
  if (e.target.checked) sessionStorage.setItem(KEY_STORE, $("key").value);
  else sessionStorage.removeItem(KEY_STORE);
});
$("key").addEventListener("input", () => $("remember-key").checked && sessionStorage.setItem(KEY_STORE, $("key").value));

await init();
$("config").value = SAMPLE;
gutter.render();
const remembered = sessionStorage.getItem(KEY_STORE);
if (remembered !== null) {
  $("key").value = remembered;
  $("remember-key").checked = true;
}
$("version").textContent = `vllm-provider ${version}`;
$("origin-note").textContent = `this page: ${location.origin}`;
document.body.dataset.ready = "true";
