// Size budget: the gzip -9 size of the JS and wasm a user downloads must stay under 150 KiB.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET = 150 * 1024;
const dist = new URL("../dist", import.meta.url).pathname;
const files = (dir) => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
const shipped = files(dist).filter((f) => /\.(js|wasm)$/.test(f)).sort();

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
