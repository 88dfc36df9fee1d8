// The files a browser user downloads: the browser entry (dist/index.js), every module it imports, and the
// .wasm. The Node, Deno and Workers entries (node.cjs carries the wasm's bytes inside) are not downloaded
// by a page. Shared by the size budget (scripts/size.mjs) and the bench's size section.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** The built package's folder. */
export const dist = new URL("../dist", import.meta.url).pathname;

/** `file` and the relative modules it imports, statically or not, transitively. */
function graph(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const [, spec] of readFileSync(file, "utf8").matchAll(/(?:\bimport|\bfrom)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
    graph(resolve(dirname(file), spec), seen);
  }
  return seen;
}

/** The browser bundle's files, absolute paths, sorted. */
export function browserBundle() {
  return [...graph(join(dist, "index.js")), join(dist, "wasm", "vllm_provider_bg.wasm")].sort();
}
