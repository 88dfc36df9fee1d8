// The JSON5 oracle: the `json5` npm package (OpenClaw's parser) run on each input.
//   node tests/json5/oracle.mjs < inputs.json > outcomes.json
// stdin: a JSON array of texts. stdout: a JSON array, per text, either { ok: true, value } or
// { ok: false, line, message }. `value` is the parsed value printed as JSON the way a
// `serde_json::Value` can hold it: Infinity and NaN as null, -0 as 0, strings made well-formed (a
// lone surrogate becomes U+FFFD). Used by the differential tests (src/config/json5_oracle.rs and
// tests/js/json5-differential.test.mjs).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const JSON5 = require("json5");

/** The parsed value as a serde_json::Value would hold it. */
export function portable(v) {
  if (typeof v === "number") return Number.isFinite(v) ? (Object.is(v, -0) ? 0 : v) : null;
  if (typeof v === "string") return v.toWellFormed();
  if (Array.isArray(v)) return v.map(portable);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.toWellFormed(), portable(x)]));
  return v;
}

/** What json5 makes of `text`. */
export function oracle(text) {
  // json5 warns about U+2028/U+2029 in strings with console.warn; the outcome is what matters here.
  const warn = console.warn;
  console.warn = () => {};
  try {
    return { ok: true, value: portable(JSON5.parse(text)) };
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    return { ok: false, line: e.lineNumber, message: e.message };
  } finally {
    console.warn = warn;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const inputs = JSON.parse(readFileSync(0, "utf8"));
  process.stdout.write(JSON.stringify(inputs.map(oracle)));
}
