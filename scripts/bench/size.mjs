// Size: what a browser user downloads (the files scripts/size.mjs budgets), each file compressed alone at
// the highest level of gzip and of brotli, as a server or CDN would send it.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { browserBundle, dist } from "../browser-bundle.mjs";
import { table } from "./measure.mjs";

const BUDGET = 150 * 1024;
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

/** `bytes` gzipped at level 9 and brotli'd at quality 11 (text mode for the JS). */
function compressed(file, bytes) {
  const mode = file.endsWith(".wasm") ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT;
  const brotli = brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_MODE]: mode, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  }).length;
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, brotli };
}

export async function sizeSection() {
  const files = browserBundle().map((file) => ({ file: relative(dist, file), ...compressed(file, readFileSync(file)) }));
  const total = { file: "total", raw: 0, gzip: 0, brotli: 0 };
  for (const f of files) for (const k of ["raw", "gzip", "brotli"]) total[k] += f[k];
  return {
    title: "Size",
    notes: ["The browser bundle: dist/index.js, the modules it imports and the .wasm (scripts/browser-bundle.mjs), each file compressed alone."],
    table: table(["file", "bytes", "gzip -9", "brotli q11"], [
      ...files.map((f) => [f.file, f.raw, f.gzip, f.brotli]),
      ["**total**", ...[total.raw, total.gzip, total.brotli].map((b) => `${b} (${kib(b)})`)],
    ]),
    figures: { files, total, budget: BUDGET },
    targets: [{ what: "browser bundle, gzip", figure: `${kib(total.gzip)} (${total.gzip} B)`, target: "≤ 150 KiB", met: total.gzip <= BUDGET }],
  };
}
