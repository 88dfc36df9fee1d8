// Terminal output shared by the commands: colours (decided per stream), spinner, tables, and the one
// way an error is printed.

/**
 * Whether to colour what goes to `stream`: FORCE_COLOR forces it (unless "0" or "false", as Node and
 * chalk read it), a non-empty NO_COLOR or TERM=dumb turns it off, else only a terminal gets colour. Each
 * stream decides for itself, so `models 2>err.log` colours the table but keeps the log plain.
 */
export function wantsColour(stream, env = process.env) {
  if (env.FORCE_COLOR !== undefined) return !["0", "false"].includes(env.FORCE_COLOR.toLowerCase());
  if (env.NO_COLOR) return false;
  if (env.TERM === "dumb") return false;
  return Boolean(stream.isTTY);
}

function palette(on) {
  const paint = (code) => (s) => (on ? `\x1b[${code}m${s}\x1b[0m` : String(s));
  return { bold: paint(1), dim: paint(2), red: paint(31), green: paint(32), yellow: paint(33) };
}

/** Styles for what is written to stdout. */
export const out = palette(wantsColour(process.stdout));
/** Styles for what is written to stderr. */
export const err = palette(wantsColour(process.stderr));

/** Shows a spinner on stderr while `promise` runs, if that takes longer than a moment. */
export async function spin(label, promise) {
  if (!process.stderr.isTTY) return promise;
  const frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
  let i = 0;
  let shown = false;
  const timer = setInterval(() => {
    shown = true;
    process.stderr.write(`\r${frames[i++ % frames.length]} ${label}`);
  }, 120);
  try {
    return await promise;
  } finally {
    clearInterval(timer);
    if (shown) process.stderr.write("\r\x1b[2K");
  }
}

/** Prints a failure (JSON on stdout with `json`, else the code, message and hint on stderr) and exits 1. */
export function fail(e, json = false) {
  if (json) {
    process.stdout.write(`${JSON.stringify({ error: errorInfo(e) }, null, 2)}\n`);
  } else {
    process.stderr.write(`${err.red("✖")} ${err.bold(e.code ?? "error")}: ${e.message}\n`);
    if (e.path) process.stderr.write(`  ${err.dim("at")} ${e.path}\n`);
    if (e.hint) process.stderr.write(`  ${err.yellow("→")} ${e.hint}\n`);
  }
  process.exit(1);
}

export function errorInfo(err) {
  const { code, message, hint, status, retryable, path, line, column, body, requestId } = err;
  return { code, message, hint, status, retryable, path, line, column, body, requestId };
}

/** A plain-text table for stdout, its header in bold. */
export function table(rows, columns) {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? "").length)));
  const line = (cells) => cells.map((c, i) => String(c ?? "").padEnd(widths[i])).join("  ").trimEnd();
  return [out.bold(line(columns)), ...rows.map((r) => line(columns.map((c) => r[c])))].join("\n");
}

