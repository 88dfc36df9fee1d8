// Tiny DOM helpers shared by the page's modules. Text always goes in as text nodes, never as HTML.
import { isVllmProviderError } from "./pkg/index.js";

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** Creates an element: `attrs.class` sets the class, other attributes are set as given; `false`/`null` are skipped. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === "class") node.className = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** Replaces a container's children; an empty call hides it. */
export function show(id, ...nodes) {
  $(id).replaceChildren(...nodes);
  $(id).hidden = nodes.length === 0;
}

/** Library prose marks commands and names with `backticks`: those become <code>. */
export function prose(text) {
  return String(text ?? "").split("`").map((part, i) => (i % 2 ? el("code", {}, part) : part));
}

/** A typed library error (code, message, hint, where) as a block; anything else as its message. */
export function errorBlock(err, { where = "" } = {}) {
  if (!isVllmProviderError(err)) return el("div", { class: "error-box" }, el("div", {}, String(err?.message ?? err)));
  const at = where || (err.line ? ` (line ${err.line}, column ${err.column})` : err.path ? ` (at ${err.path})` : "");
  const status = err.status ? el("span", { class: "muted" }, ` HTTP ${err.status}`) : null;
  return el("div", { class: "error-box", "data-code": err.code },
    el("div", {}, el("span", { class: "code" }, err.code), ": ", ...prose(err.message), at, status),
    err.hint ? el("div", { class: "hint" }, "→ ", ...prose(err.hint)) : null,
    err.body ? el("details", {}, el("summary", {}, "server's answer"), el("pre", {}, err.body)) : null);
}

/** Milliseconds as a short human string. */
export const ms = (n) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${Math.round(n)} ms`);
