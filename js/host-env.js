// Which environment variables exist in this process, by name only, for the Node entry. `resolve()`
// reads only the `env` it is given; when a `${VAR}` is missing there but the process has it, the core
// says "pass `env: process.env`" in the warning and the 401 hint. No value is read here.

/**
 * The names set in `process.env`, one a line, or none where reading them needs a permission not granted
 * (Deno without --allow-env).
 */
function hostEnvNames() {
  try {
    const deno = globalThis.Deno;
    if (deno && deno.permissions?.querySync?.({ name: "env" }).state !== "granted") return "";
    return typeof process === "object" && process.env ? Object.keys(process.env).join("\n") : "";
  } catch {
    return "";
  }
}

/**
 * `input` with `hostEnvNames` added (no input is an empty one); anything else, or an input that cannot
 * be copied, is passed on as it is for the core to refuse.
 */
export function withHostEnvNames(input) {
  if (input === undefined || input === null) return { hostEnvNames: hostEnvNames() };
  if (typeof input !== "object" || Array.isArray(input)) return input;
  try {
    return { ...input, hostEnvNames: hostEnvNames() };
  } catch {
    return input;
  }
}
