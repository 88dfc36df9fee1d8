// Size budget: the gzip -9 size of the JS and wasm a browser user downloads must stay under 150 KiB:
// the browser entry (dist/index.js), every module it imports, and the .wasm. The Node, Deno and Workers
// entries (node.cjs carries the wasm's bytes inside) are not downloaded by a page.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET = 150 * 1024;
const dist = new URL("../dist", import.meta.url).pathname;
/** `file` and the relative modules it imports, statically or not, transitively. */
function graph(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const [, spec] of readFileSync(file, "utf8").matchAll(/(?:\bimport|\bfrom)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
    graph(resolve(dirname(file), spec), seen);
  }
  return seen;
}
const shipped = [...graph(join(dist, "index.js")), join(dist, "wasm", "vllm_provider_bg.wasm")].sort();

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
if (gz > BUDGET) {
  console.error(`size: over budget by ${((gz - BUDGET) / 1024).toFixed(1)} KiB`);
  process.exit(1);
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
const names = existsSync(bindgenWasm) ? functionNames(readFileSync(bindgenWasm)) : [];
if (!names.length) console.log("size: no target/bindgen output; heavy-code check skipped");
const found = HEAVY.filter(([prefix]) => names.some((n) => n.includes(prefix)));
for (const [prefix, why] of found) console.error(`size: ${prefix} is linked (${why})`);
if (found.length) process.exit(1);

/** Function names from a wasm module's "name" section. */
function functionNames(bytes) {
  let i = 8;
  const leb = () => {
    let result = 0, shift = 0, b;
    do { b = bytes[i++]; result |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
    return result >>> 0;
  };
  const str = () => { const n = leb(); const s = bytes.subarray(i, i + n).toString("utf8"); i += n; return s; };
  while (i < bytes.length) {
    const id = bytes[i++];
    const end = leb() + i;
    if (id === 0 && str() === "name") {
      while (i < end) {
        const sub = bytes[i++];
        const subEnd = leb() + i;
        if (sub === 1) {
          const out = [];
          // Names from the precompiled std carry a crate hash (`core[c5930c85a12de822]::num`): drop it.
          for (let n = leb(); n > 0; n--) { leb(); out.push(str().replace(/\[[0-9a-f]+\]/g, "")); }
          return out;
        }
        i = subEnd;
      }
    }
    i = end;
  }
  throw new Error("no function names");
}
