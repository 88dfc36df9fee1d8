// Terminal output shared by the commands: colours (off when piped or NO_COLOR), spinner, tables,
// and the one way an error is printed.

export const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code) => (s) => (tty ? `\x1b[${code}m${s}\x1b[0m` : String(s));
export const [bold, dim, red, green, yellow] = [paint(1), paint(2), paint(31), paint(32), paint(33)];

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

export function fail(err, json = false) {
  if (json) {
    process.stdout.write(`${JSON.stringify({ error: errorInfo(err) }, null, 2)}\n`);
  } else {
    process.stderr.write(`${red("✖")} ${bold(err.code ?? "error")}: ${err.message}\n`);
    if (err.path) process.stderr.write(`  ${dim("at")} ${err.path}\n`);
    if (err.hint) process.stderr.write(`  ${yellow("→")} ${err.hint}\n`);
  }
  process.exit(1);
}

export function errorInfo(err) {
  const { code, message, hint, status, retryable, path, line, column, body, requestId } = err;
  return { code, message, hint, status, retryable, path, line, column, body, requestId };
}

export function table(rows, columns) {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? "").length)));
  const line = (cells) => cells.map((c, i) => String(c ?? "").padEnd(widths[i])).join("  ").trimEnd();
  return [bold(line(columns)), ...rows.map((r) => line(columns.map((c) => r[c])))].join("\n");
}

