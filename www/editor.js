// The config editor: a plain textarea with a line-number gutter, and a way to point at a JSON5 error.
import { el } from "./dom.js";

/** Keeps the gutter's numbers in step with the textarea's lines and scroll position. */
export function attachGutter(area, gutter) {
  let count = 0;
  let marked = 0;
  const render = () => {
    const lines = area.value.split("\n").length;
    if (lines === count) return;
    count = lines;
    gutter.replaceChildren(...Array.from({ length: lines }, (_, i) => el("span", { class: i + 1 === marked ? "bad" : null }, `${i + 1}\n`)));
    gutter.scrollTop = area.scrollTop;
  };
  area.addEventListener("input", () => {
    mark(0);
    render();
  });
  area.addEventListener("scroll", () => (gutter.scrollTop = area.scrollTop));
  /** Marks one line (1-based) as the error's; 0 clears the mark. */
  function mark(line) {
    marked = line;
    for (const [i, span] of [...gutter.children].entries()) span.classList.toggle("bad", i + 1 === line);
  }
  return { render: () => ((count = 0), render()), mark };
}

/** Offset of a 1-based line and column in `text`. */
function offsetOf(text, line, column) {
  const lines = text.split("\n");
  const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  return Math.min(text.length, start + Math.max(0, (column ?? 1) - 1));
}

/** Puts the cursor at the error and scrolls the line into view. */
export function focusAt(area, line, column) {
  const offset = offsetOf(area.value, line, column);
  area.focus();
  area.setSelectionRange(offset, offset);
  const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 18;
  area.scrollTop = Math.max(0, (line - 3) * lineHeight);
}

// Names whose values are secrets (or may hold one), as the library counts them, and URL credentials
// (`http://user:pass@host`): on such a line the excerpt hides the values.
const SECRET_NAME = /auth|key|token|secret|cookie|session|password|credential|bearer|:\/\/[^/\s"'@]*@/i;

/**
 * The line with its values masked (`•`, same length, so the caret still points at the column): quoted
 * strings and bare words after a colon, where a key written by mistake would otherwise be copied into
 * the page. With `all`, every line is masked (an auth-profiles store is mostly keys).
 */
function masked(src, all) {
  if (!all && !SECRET_NAME.test(src)) return src;
  const dots = (s) => "•".repeat([...s].length);
  return src
    .replace(/(["'])((?:\\.|(?!\1).)*)(\1?)/g, (_, q, body, end) => q + dots(body) + end)
    .replace(/(:\s*)([^\s,'"{}[\]•]+)/g, (_, pre, word) => pre + dots(word));
}

/** The error's line with a caret under its column, like a compiler prints it; values that may be
 * keys are masked (see `masked`). */
export function excerpt(text, line, column, { maskAll = false } = {}) {
  const src = text.split("\n")[line - 1];
  if (src === undefined) return null;
  const n = String(line);
  const caret = " ".repeat(n.length) + " | " + " ".repeat(Math.max(0, (column ?? 1) - 1)) + "^";
  return el("pre", { class: "excerpt" }, `${n} | ${masked(src.replace(/\t/g, " "), maskAll)}\n${caret}`);
}
