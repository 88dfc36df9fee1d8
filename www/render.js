// Renders the library's plain results (ResolvedProvider, ModelCatalog rows, DiagnosisReport). Every
// decision and sentence shown comes from the library; this file only lays them out.
import { el, ms, prose } from "./dom.js";

// ResolvedProvider carries the status but not its sentence; these restate the contract's definitions.
const STATUS_WHY = {
  explicit: "models.providers.vllm is declared in the config, so OpenClaw registers the provider as written.",
  implicit: "No models.providers.vllm entry, but a key is available: OpenClaw registers vLLM with its defaults.",
  unregistered: "No models.providers.vllm entry and no key: OpenClaw does not register vLLM at all. Set VLLM_API_KEY (any value works for a server without --api-key) or declare the provider.",
};

const AUTH_SOURCE = {
  env: "environment variable",
  config: "written in the config",
  profile: "auth profile",
  "synthetic-local": "no key needed (local placeholder)",
  none: "no key",
};

function definitionList(rows) {
  const dl = el("dl");
  for (const [k, v] of rows) if (v !== undefined && v !== null && v !== "") dl.append(el("dt", {}, k), el("dd", {}, v));
  return dl;
}

function warningList(warnings, idPrefix) {
  if (!warnings.length) return null;
  return el("ul", { class: "warnings" }, warnings.map((w, i) =>
    el("li", { id: `${idPrefix}-${i}`, class: "warning" }, w.path ? el("code", {}, w.path) : null, w.path ? ": " : "", ...prose(w.message))));
}

/** Where this page is served from and what the server must allow for it (browser-only problems). */
function browserAccess(baseUrl) {
  let target;
  try {
    target = new URL(baseUrl);
  } catch {
    return null;
  }
  const page = location.origin;
  if (target.origin === page) return "same origin as this page: no CORS needed";
  if (location.protocol === "https:" && target.protocol === "http:") {
    return el("span", { class: "warning" }, "this https page cannot call an http server (mixed content): open the page over http, or put vLLM behind https");
  }
  return el("span", {}, "another origin: vLLM must allow this page with ", el("code", {}, `--allowed-origins '["${page}"]'`), " (0.32+ allows none by default)");
}

/** The "Resolved provider" panel. */
export function providerPanel(d) {
  const auth = el("span", {}, el("b", {}, d.auth.source), ` (${AUTH_SOURCE[d.auth.source] ?? d.auth.source}`,
    d.auth.envVar ? el("span", {}, ": ", el("code", {}, d.auth.envVar)) : null,
    d.auth.profileId ? el("span", {}, ": ", el("code", {}, d.auth.profileId)) : null,
    `); ${d.auth.sendsAuthorization ? "sends Authorization (key hidden)" : "no Authorization header"}`);
  const headers = Object.entries(d.headers ?? {});
  const def = d.defaultModel?.primary ? [d.defaultModel.primary, ...(d.defaultModel.fallbacks ?? [])].join(" → ") : "";
  return [
    el("h3", {}, "Resolved provider"),
    definitionList([
      ["status", el("div", {}, el("span", { class: `badge status-${d.status}` }, d.status), " ", el("span", { class: "why" }, STATUS_WHY[d.status] ?? ""))],
      ["base URL", el("code", {}, d.baseUrl)],
      ["replicas", (d.replicas ?? []).map((r) => `${r.baseUrl}: ${r.health}`).join(", ")],
      ["key", auth],
      ["discovery", el("div", {}, el("span", { class: `badge ${d.discovery.enabled ? "on" : "off"}` }, d.discovery.enabled ? "on" : "off"), " ", ...prose(d.discovery.reason))],
      ["timeout", d.timeoutMs ? `${d.timeoutMs} ms` : ""],
      ["headers", headers.length ? headers.map(([k, v]) => `${k}: ${v}`).join(", ") : ""],
      ["default model", def],
      ["declared", d.models.length ? d.models.map((m) => m.id).join(", ") : "no models declared"],
      ["browser", browserAccess(d.baseUrl)],
    ]),
    warningList(d.warnings, "provider-warning"),
  ].filter(Boolean);
}

const ORIGIN_TITLE = { config: "from the config", server: "from the server's /v1/models", default: "OpenClaw's default" };

function valueCell(field, value, origin, klass = "") {
  return el("td", { "data-field": field, class: klass || null },
    el("span", { class: "v" }, value),
    origin ? el("span", { class: `origin origin-${origin}`, title: ORIGIN_TITLE[origin] ?? origin }, origin) : null);
}

/**
 * The models table. `warnings` are ModelCatalog.warnings: their paths name a declared row
 * (`…models[i].field`), whose cell is highlighted and linked to the sentence below the table.
 */
export function modelsPanel(models, title, { warnings = [], declared = [], discovery } = {}) {
  const flagged = new Map();
  warnings.forEach((w, i) => {
    const m = /models\[(\d+)\]\.(\w+)$/.exec(w.path ?? "");
    const id = m && declared[Number(m[1])]?.id;
    if (id) flagged.set(`${id}\u0000${m[2]}`, { i, message: w.message });
  });
  const cell = (m, field, value) => {
    const flag = flagged.get(`${m.id}\u0000${field}`);
    const td = valueCell(field, value, m.origins?.[field], flag ? "disagree" : "");
    if (flag) {
      td.setAttribute("title", flag.message);
      td.setAttribute("aria-describedby", `model-warning-${flag.i}`);
      td.prepend(el("span", { class: "flag", "aria-hidden": "true" }, "⚠ "));
    }
    return td;
  };
  const head = el("tr", {}, ["model", "context", "max tokens", "reasoning", "LoRA of", "source"].map((h) => el("th", { scope: "col" }, h)));
  const rows = models.map((m) => {
    const idFlag = flagged.get(`${m.id}\u0000id`);
    return el("tr", { "data-id": m.id, class: idFlag ? "disagree-row" : null },
      el("th", { scope: "row", "data-field": "id", title: idFlag?.message ?? null },
        idFlag ? el("span", { class: "flag", "aria-hidden": "true" }, "⚠ ") : null,
        el("span", { class: "v" }, m.id), m.name && m.name !== m.id ? el("small", { class: "name" }, m.name) : null),
      cell(m, "contextWindow", String(m.contextWindow)),
      cell(m, "maxTokens", m.maxTokens === undefined ? "–" : String(m.maxTokens)),
      cell(m, "reasoning", m.reasoning ? "yes" : "no"),
      el("td", { "data-field": "parent" }, el("span", { class: "v" }, m.parent ?? "")),
      el("td", { "data-field": "source" }, el("span", { class: `v source-${m.source}` }, m.source)));
  });
  const legend = el("p", { class: "legend muted" }, "Small tags tell where each value came from: ",
    ...["config", "server", "default"].flatMap((o) => [el("span", { class: `origin origin-${o}` }, o), " "]));
  const served = models.filter((m) => m.source !== "config").length;
  const line = discovery?.ok
    ? el("p", { class: "discovery-line ok" }, `✓ The server listed ${served} model${served === 1 ? "" : "s"}${discovery.durationMs !== undefined ? ` in ${ms(discovery.durationMs)}` : ""}.`)
    : null;
  return [
    el("h3", {}, `${title} (${models.length})`),
    line,
    el("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": "models" }, el("table", {}, el("thead", {}, head), el("tbody", {}, rows))),
    models.some((m) => m.origins) ? legend : null,
    warnings.length ? el("p", { class: "warning-title" }, "Config and server disagree:") : null,
    warningList(warnings, "model-warning"),
  ].filter(Boolean);
}

const MARK = { pass: "✓", warn: "!", fail: "✗", skip: "–" };

/** The doctor's report: a summary line, then each check with its status, detail and fix. */
export function doctorPanel(report) {
  const count = (s) => report.checks.filter((c) => c.status === s).length;
  const [fails, warns] = [count("fail"), count("warn")];
  const summary = fails ? `${fails} check${fails > 1 ? "s" : ""} failed${warns ? `, ${warns} with warnings` : ""}`
    : warns ? `No failures, ${warns} warning${warns > 1 ? "s" : ""}` : "Every check passed";
  const server = report.server
    ? el("p", { class: "muted" }, `Server: vLLM ${report.server.version ?? "(version unknown)"}, serving ${report.server.models.join(", ") || "nothing"}`)
    : null;
  return [
    el("p", { class: `summary ${fails ? "bad" : warns ? "warn" : "ok"}` }, summary),
    el("ol", { class: "checks" }, report.checks.map((c) =>
      el("li", { class: `check-${c.status}`, "data-check": c.id },
        el("span", { class: "mark", "aria-hidden": "true" }, MARK[c.status] ?? "?"),
        el("div", {},
          el("div", {}, el("b", {}, c.title), " ", el("span", { class: `badge s-${c.status}` }, c.status),
            c.durationMs !== undefined ? el("span", { class: "muted" }, ` ${ms(c.durationMs)}`) : null),
          el("div", { class: "detail" }, ...prose(c.detail)),
          c.hint ? el("div", { class: "hint" }, "→ ", ...prose(c.hint)) : null)))),
    server,
  ];
}
