// The config's JSON5 reader against the `json5` npm package (OpenClaw's parser), through the built
// package: thousands of generated configs and mutations of them, each accepted by both or refused by
// both (`VllmProvider.resolve` refuses JSON5 syntax with a `config` error carrying `line`/`column`;
// a schema error means the JSON5 was read). Texts here can hold what only JavaScript strings can: lone
// surrogates. The parsed values themselves are compared natively (src/config/json5_oracle.rs).
import assert from "node:assert/strict";
import { test } from "node:test";
import { VllmProvider, isVllmProviderError } from "vllm-provider";
import { oracle } from "../json5/oracle.mjs";

/** Whether our reader took the text: resolve() succeeded, or refused it for its schema, not its syntax. */
function ours(text) {
  try {
    VllmProvider.resolve({ config: text, env: {} });
    return true;
  } catch (e) {
    assert.ok(isVllmProviderError(e), `not a VllmProviderError: ${e?.stack ?? e}`);
    assert.equal(e.code, "config", e.message);
    return e.line === undefined;
  }
}

let seed = 0x2545f491;
const below = (n) => {
  seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
  return (seed >>> 0) % n;
};
const pick = (list) => {
  const split = list.indexOf(null);
  if (split < 0) return list[below(list.length)];
  return below(12) === 0 ? list[split + 1 + below(list.length - split - 1)] : list[below(split)];
};

// Each list: pieces both readers take, then (after null) pieces that are only sometimes right; the
// latter are picked one time in twelve, so that most documents stay valid and each refusal has one cause.
const BLANK = [" ", "\t", "\n", "\r\n", "\u000b", "\f", "\u00a0", "\ufeff", "\u2028", "\u2029", "\u3000", "\u1680", "// c\n", "/* c */", null, "\u0085", "\u180e", "\u200b"];
const NAMES = ["a", "$", "_", "é", "中", "ℵ", "\u0301", "\u200c", "\\u0061", "\\u00e9", "a1", "\u{10000}", null, "😀", "\ufffd", "\u0001", "\u00ad", "℘", "·", "\\uD800", "\ud800", "\udc00", "\u{1F600}", "1"];
const STRING_PIECES = ["a", "é", "😀", "\\uD800", "\\uDC00", "\\uD83D\\uDE00", "\ud800", "\\x41", "\\0", "\\u2028", "\u2028", "\\\n", "\\q", "\\\\", "\\'", "\u0000", null, "\\01", "\\u{41}", "\n", "\\x4"];
const NUMBERS = ["0", "-0", "+1", ".5", "5.", "1e3", "1E-2", "0x1F", "-0x10", `0x${"F".repeat(40)}`, `-0x${"1".repeat(300)}`, "Infinity", "-NaN", "123456789012345678901234567890", null, "007", "1e", ".", "0x", "1_0", "+null"];

function value(depth) {
  switch (below(depth > 3 ? 4 : 6)) {
    case 0: return pick(["null", "true", "false", null, "nul", "True"]);
    case 1: return pick(NUMBERS);
    case 2: case 3: {
      const q = pick(["'", '"']);
      let s = q;
      for (let i = below(4); i > 0; i--) s += pick(STRING_PIECES);
      return s + q;
    }
    case 4: return `[${Array.from({ length: below(4) }, () => value(depth + 1)).join(",")}${pick(["", ","])}]`;
    default: return object(depth + 1);
  }
}

function object(depth) {
  const members = Array.from({ length: below(4) }, () => {
    const key = below(4) === 0 ? `'${pick(NAMES)}'` : Array.from({ length: 1 + below(3) }, () => pick(NAMES)).join("");
    return `${pick(BLANK)}${key}${pick(["", " "])}:${value(depth)}`;
  });
  return `{${members.join(",")}${pick(["", ","])}${pick(BLANK)}}`;
}

function mutate(text) {
  const chars = [...text];
  const at = below(chars.length + 1);
  switch (below(4)) {
    case 0: chars.splice(at, 1); break;
    case 1: chars.length = at; break;
    default: chars.splice(at, 0, pick([",", "}", "]", '"', "'", "\\", "/", ":", "\n", ".", "0x", "\ud800", "😀", "\u0000"]));
  }
  return chars.join("");
}

test("generated configs: accepted or refused exactly as the json5 npm package does", () => {
  const inputs = ["", " ", "// only a comment", "{}", "{\ud800:1}", "{'\ud800':1}", "{a:'\\uD800'}", `{a:0x${"f".repeat(33)}}`];
  for (let i = 0; i < 3000; i++) {
    const doc = `${pick(["", " ", "\ufeff", "// c\n"])}${object(0)}${pick(["", "\n", " /* end */"])}`;
    inputs.push(doc, mutate(doc), mutate(mutate(doc)));
  }
  const failures = [];
  let accepted = 0;
  for (const text of inputs) {
    const theirs = oracle(text).ok;
    const mine = ours(text);
    accepted += mine ? 1 : 0;
    if (mine !== theirs) failures.push(`${JSON.stringify(text)}: ours ${mine ? "accepts" : "refuses"}, json5 ${theirs ? "accepts" : "refuses"}`);
  }
  console.log(`${inputs.length} configs: ${accepted} accepted, ${inputs.length - accepted} refused, ${failures.length} disagreements`);
  assert.ok(accepted > inputs.length / 10 && accepted < inputs.length * 0.9, `the generator should make both kinds: ${accepted} of ${inputs.length}`);
  assert.deepEqual(failures.slice(0, 20), []);
});

test("the one deliberate difference: nesting deeper than 64 levels is a config error json5 would take", () => {
  const deep = (n) => `{a:${"[".repeat(n - 1)}1${"]".repeat(n - 1)}}`;
  assert.equal(ours(deep(64)), true);
  assert.equal(oracle(deep(65)).ok, true);
  let error;
  try {
    VllmProvider.resolve({ config: deep(65) });
  } catch (e) {
    error = e;
  }
  assert.equal(error?.code, "config");
  assert.match(error.message, /^The config nests deeper than 64 levels at line 1, column 67$/);
  assert.equal(error.line, 1);
  assert.equal(error.column, 67);
  // The same instance goes on serving.
  assert.equal(VllmProvider.resolve({ config: "{}", env: { VLLM_API_KEY: "k" } }).describe().status, "implicit");
});
