// Size budget: the gzip -9 size of the JS and wasm a browser user downloads (scripts/browser-bundle.mjs
// says which files) must stay under 150 KiB.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { browserBundle, dist } from "./browser-bundle.mjs";
import { readModule } from "./wasm-module.mjs";

const BUDGET = 150 * 1024;
const shipped = browserBundle();

let raw = 0;
let gz = 0;
for (const f of shipped) {
  const bytes = readFileSync(f);
  const z = gzipSync(bytes, { level: 9 }).length;
  raw += bytes.length;
  gz += z;
  console.log(`${relative(dist, f).padEnd(32)} ${String(bytes.length).padStart(8)} B  ${String(z).padStart(7)} B gzip`);
}
const pct = ((gz / BUDGET) * 100).toFixed(1);
console.log(`${"total".padEnd(32)} ${String(raw).padStart(8)} B  ${String(gz).padStart(7)} B gzip = ${(gz / 1024).toFixed(1)} KiB of ${BUDGET / 1024} KiB (${pct} %)`);
// Over budget fails the run, after the breakdown below is printed.
if (gz > BUDGET) {
  console.error(`size: over budget by ${((gz - BUDGET) / 1024).toFixed(1)} KiB`);
  process.exitCode = 1;
}

// The boundary stays thin (issue 13): src/wasm/ holds conversion and I/O only, in at most 600 lines of Rust,
// every line counted (comments and blank lines too); the lines of code (as tokei and cloc count them) are
// printed beside.
const wasmDir = new URL("../src/wasm/", import.meta.url).pathname;
const rust = readdirSync(wasmDir).filter((f) => f.endsWith(".rs")).map((f) => readFileSync(join(wasmDir, f), "utf8").split("\n").slice(0, -1));
const [lines, code] = [rust.flat().length, rust.flat().filter((l) => l.trim() && !l.trim().startsWith("//")).length];
console.log(`src/wasm/ Rust: ${lines} lines of 600 (${code} of them code)`);
if (lines > 600) {
  console.error(`size: src/wasm/ has ${lines - 600} lines of Rust too many`);
  process.exitCode = 1;
}

// Code that one innocent-looking line links, each measured on this crate. The function names come
// from wasm-bindgen's output (before wasm-opt strips them). To take one on purpose, remove its
// entry here and say why in the commit.
const HEAVY = [
  ["core::num::flt2dec", "12 KB gzip: an f64 printed with {} or {:?}, or serde_json/json5 deserializing into a typed target (serde's 'invalid type' message prints floats); read a serde_json::Value via crate::json instead"],
  ["serde_json::value::Value as core::fmt::Display", "1 KB gzip: a Value printed with {} or .to_string() (io adapter and pretty printer); use crate::json::to_string"],
  ["core::num::dec2flt", "11 KB gzip: str::parse::<f64> (core's float parser and its power-of-five table); write the number as JSON text and let crate::json::parse read it, as src/config/json5_reader.rs does"],
  ["ucd_trie", "Unicode category tries (the json5 crate, 25 KB gzip in all): config text is read by src/config/json5_reader.rs; json5 is only the test oracle"],
  ["core::slice::sort::stable", "4 KB gzip: a stable sort, e.g. collect() into a BTreeMap; insert one by one instead"],
];
const bindgenWasm = new URL("../target/bindgen/vllm_provider_bg.wasm", import.meta.url).pathname;
const functions = existsSync(bindgenWasm) ? functionsOf(readFileSync(bindgenWasm)) : [];
const names = functions.map((f) => f.name);
if (!names.length) console.log("size: no target/bindgen output; heavy-code check and crate costs skipped");

// What the boundary's two crates cost: the code of the functions named for them in wasm-bindgen's
// output (before wasm-opt, which also inlines some of it elsewhere), and that code alone gzipped.
// serde-wasm-bindgen's serializer is generic: the `Serialize` impls of our types it drives carry our
// names, so they are listed apart (with JSON text they would be compiled for serde_json instead).
if (functions.length) {
  const cost = (label, test) => {
    const picked = functions.filter((f) => test(f.name));
    const bytes = picked.reduce((n, f) => n + f.body.length, 0);
    const gz = gzipSync(Buffer.concat(picked.map((f) => f.body)), { level: 9 }).length;
    console.log(`${label.padEnd(44)} ${String(bytes).padStart(7)} B code ${String(gz).padStart(6)} B gzip alone, ${picked.length} functions`);
  };
  cost("gloo-net", (n) => n.includes("gloo_net::") || n.includes("gloo_utils::"));
  cost("serde-wasm-bindgen", (n) => n.includes("serde_wasm_bindgen::"));
  cost("  + Serialize impls it drives (our types)", (n) => /^vllm_provider::.*impl serde_core::ser::Serialize for vllm_provider::/.test(n));
}
const found = HEAVY.filter(([prefix]) => names.some((n) => n.includes(prefix)));
for (const [prefix, why] of found) console.error(`size: ${prefix} is linked (${why})`);
if (found.length) process.exitCode = 1;

/** A wasm module's functions: `name` (from its "name" section, crate hashes dropped) and code `body`. */
function functionsOf(bytes) {
  const { imported, bodies, names } = readModule(bytes);
  if (!names.size) throw new Error("no function names");
  // Names from the precompiled std carry a crate hash (`core[c5930c85a12de822]::num`): dropped.
  return bodies.map((body, k) => ({ name: (names.get(k + imported) ?? "").replace(/\[[0-9a-f]+\]/g, ""), body }));
}
