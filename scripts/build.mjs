// Builds the npm package into dist/: cargo (wasm32, size-tuned profile) → wasm-bindgen (web target,
// which also runs in Node from bytes) → wasm-opt -Oz → the entries from js/ (see "entries" below).
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { readModule } from "./wasm-module.mjs";

const root = new URL("..", import.meta.url).pathname;
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
const started = Date.now();

const cargoVersion = readFileSync(join(root, "Cargo.toml"), "utf8").match(/^version = "([^"]+)"/m)[1];
const pkgVersion = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
if (cargoVersion !== pkgVersion) {
  console.error(`build: Cargo.toml version ${cargoVersion} differs from package.json ${pkgVersion}`);
  process.exit(1);
}

// std is rebuilt with the crate (nightly `-Zbuild-std`) so that it is optimised for size and panics abort
// at once without formatting a message: about 11 KiB less gzip than stable's prebuilt std. Its own target
// directory keeps stable's (`cargo test`) builds from being invalidated by the toolchain switch.
// std's `optimize_for_size` picks its smaller algorithms (0.7 KiB gzip; chat(), buildChatRequest and
// discovery measured no slower), and `-Zlocation-detail=none` drops the source locations panics would
// print, which an aborting panic never prints (0.3 KiB).
const shipped = join(root, "target", "shipped");
execFileSync("cargo", [
  "+nightly", "build", "--release", "--target", "wasm32-unknown-unknown", "--target-dir", shipped,
  "-Zbuild-std=std,panic_abort", "-Zbuild-std-features=optimize_for_size",
], {
  cwd: root, stdio: ["ignore", "inherit", "inherit"],
  env: { ...process.env, RUSTFLAGS: "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" },
});
const bindgen = join(root, "target", "bindgen");
rmSync(bindgen, { recursive: true, force: true });
run("wasm-bindgen", [
  "--target", "web", "--out-dir", bindgen, "--out-name", "vllm_provider",
  join(shipped, "wasm32-unknown-unknown", "release", "vllm_provider.wasm"),
]);

const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "wasm"), { recursive: true });
// wasm-opt in two runs, with the order of the functions chosen in between (gzip finds repeats only
// within 32 KiB, so what sits next to what matters):
// - `--flatten --rereloop` then -Oz, twice, then -Oz once more: binaryen rebuilds the control flow with
//   its own relooper, which later passes fold better (about 2 KiB gzip less than -Oz alone; the second
//   round and the last -Oz still shrink it). --converge repeats the list while it still shrinks. Names are kept (-g) for the
//   ordering. --low-memory-unused lets loads and stores fold constant offsets (about 0.7 KiB gzip):
//   rustc links wasm32 with --stack-first, so the low 1 KiB is the far end of the 1 MiB stack and
//   holds no data.
// - The functions are laid out so that each is followed by the one most like it (see `layout`): about
//   2.7 KiB gzip less than name order, 3.4 KiB less than binaryen's own. Then names, producers and the
//   target_features section (only read by wasm-bindgen, already run) are dropped.
const wasmOpt = join(root, "node_modules", ".bin", "wasm-opt");
const optimized = join(bindgen, "optimized.wasm");
run(wasmOpt, [
  "--flatten", "--rereloop", "-Oz", "--flatten", "--rereloop", "-Oz", "-Oz", "--converge", "--low-memory-unused", "-g", "--strip-producers",
  join(bindgen, "vllm_provider_bg.wasm"), "-o", optimized,
]);
writeFileSync(optimized, namedInLayout(readFileSync(optimized)));
run(wasmOpt, [
  "--reorder-functions-by-name", "--strip-debug", "--strip-producers", "--strip-target-features",
  optimized, "-o", join(dist, "wasm", "vllm_provider_bg.wasm"),
]);
rmSync(optimized);
// The generated glue is minified (it is a quarter of the download's JS): names of exports and the
// `new URL("vllm_provider_bg.wasm", import.meta.url)` that bundlers look for are kept as they are.
run(join(root, "node_modules", ".bin", "esbuild"), [
  // wasm-bindgen imports a snippet module once per extern block and lists it twice in the imports
  // object, under one key with the same namespace: harmless, so that warning is silenced.
  join(bindgen, "vllm_provider.js"), "--bundle", "--minify", "--format=esm", "--log-level=warning",
  "--log-override:duplicate-object-key=silent", `--outfile=${join(dist, "wasm", "vllm_provider.js")}`,
]);
// wasm-bindgen names each import of its glue `__wbg_<name>_<16 hex digits>` and two exported closure
// trampolines by their full Rust types (250 characters each). The hex digits do not compress, and
// every name is written twice (wasm and glue): short names instead (import modules and the other
// exports too) save 3.7 KiB of gzip.
shortenGlueNames(join(dist, "wasm", "vllm_provider_bg.wasm"), join(dist, "wasm", "vllm_provider.js"));
// JS the glue imports from wasm-bindgen's `module = "/js/…"` snippets, if any.
if (existsSync(join(bindgen, "snippets"))) cpSync(join(bindgen, "snippets"), join(dist, "wasm", "snippets"), { recursive: true });

// Declarations: the generated file's public part. Its tail (InitInput, InitOutput, initSync and the
// default init) names DOM types (RequestInfo, BufferSource, WebAssembly.*) that a consumer without the
// DOM lib does not have; none of it is exported by the package, whose init() is typed in index.d.ts.
const generated = readFileSync(join(bindgen, "vllm_provider.d.ts"), "utf8");
const tail = generated.indexOf("export type InitInput");
if (tail < 0) throw new Error("build: the generated declarations changed shape (no `export type InitInput`)");
const publicTypes = `${generated.slice(0, tail).trimEnd()}\n`;
// The same declarations as CommonJS (.d.cts) for `require`, so that TypeScript under node16/nodenext sees
// each entry's real module format (what attw checks).
const indexTypes = readFileSync(join(root, "js", "index.d.ts"), "utf8");
const wasmModuleTypes = readFileSync(join(root, "js", "wasm-module.d.ts"), "utf8");
for (const [file, text] of [
  ["wasm/vllm_provider.d.ts", publicTypes],
  ["wasm/vllm_provider.d.cts", publicTypes],
  ["index.d.ts", indexTypes],
  ["node.d.cts", indexTypes.replaceAll('"./wasm/vllm_provider.js"', '"./wasm/vllm_provider.cjs"')],
  ["wasm/vllm_provider_bg.wasm.d.ts", wasmModuleTypes],
  ["wasm/vllm_provider_bg.wasm.d.cts", wasmModuleTypes.replaceAll('"../index.js"', '"../node.cjs"')],
]) writeFileSync(join(dist, file), text);
writeFileSync(join(dist, "version.js"), `/** The package's (and the crate's) version. */\nexport const version = ${JSON.stringify(cargoVersion)};\n`);

// The entries (package.json "exports" says which runtime gets which):
// - index.js: browsers and bundlers; init() fetches the .wasm beside the glue (or what it is given).
// - workerd.js: Cloudflare Workers; imports the .wasm as a compiled module.
// - node.cjs: Node, Deno, Bun, Jest, `require`: one CommonJS file carrying the wasm's bytes (esbuild's
//   base64 loader), compiled synchronously at load; runs from any folder and inside single-file bundles.
// - node.js: the ESM face of node.cjs (through node-face.cjs), so `import` and `require` share one wasm
//   instance.
// Minified one by one (whitespace and syntax: names, imports and exports stay as they are; the comments are
// for the sources in js/): a browser downloads index.js, ready.js, error.js and version.js.
const entries = readdirSync(join(root, "js")).filter((f) => f.endsWith(".js"));
run(join(root, "node_modules", ".bin", "esbuild"), [
  ...entries.map((f) => join(root, "js", f)), "--minify-whitespace", "--minify-syntax", "--format=esm", "--log-level=warning", `--outdir=${dist}`,
]);
run(join(root, "node_modules", ".bin", "esbuild"), [
  join(dist, "node.js"), "--bundle", "--format=cjs", "--platform=neutral", "--target=es2022", "--loader:.wasm=base64",
  "--log-level=warning", "--log-override:empty-import-meta=silent", "--log-override:duplicate-object-key=silent", `--outfile=${join(dist, "node.cjs")}`,
]);
rmSync(join(dist, "node.js"));
rmSync(join(dist, "host-env.js")); // only the Node build uses it, and it is inside node.cjs
const names = Object.keys(createRequire(import.meta.url)(join(dist, "node.cjs"))).sort();
if (!names.includes("VllmProvider") || !names.includes("init")) throw new Error(`build: node.cjs exports ${names.join(", ")}`);
// node.js reaches node.cjs through node-face.cjs, which `require`s it: Node's ESM loader then translates
// only that two-line file, and the CommonJS loader loads node.cjs. Imported directly, node.cjs cost about
// 20 ms more at start-up on Node 20 (measured: 39-43 ms against 18-22 ms to the first resolve()). The
// face hides its `require` from Node's export scanner on purpose (`module.exports = require(...)` would
// be followed into node.cjs); node.js names the exports itself.
writeFileSync(join(dist, "node-face.cjs"), 'const cjs = require("./node.cjs");\nmodule.exports = cjs;\n');
writeFileSync(join(dist, "node.js"), [
  "// Node's ESM entry: the CommonJS build, so that `import` and `require` share one wasm instance.",
  'import cjs from "./node-face.cjs";',
  "",
  `export const { ${names.join(", ")} } = cjs;`,
  "",
].join("\n"));

const size = readFileSync(join(dist, "wasm", "vllm_provider_bg.wasm")).length;
console.error(`build: dist/ ready (wasm ${size} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s`);

/** `n` as an unsigned LEB128 (how wasm writes sizes, counts and indices). */
function uleb(n) {
  const out = [];
  do { let b = n & 0x7f; n = Math.floor(n / 128); if (n) b |= 0x80; out.push(b); } while (n);
  return Buffer.from(out);
}

/**
 * Renames, in the wasm at `wasmPath` and in the minified glue at `gluePath`, the imports the glue
 * itself provides (`__wbg_…`, `__wbindgen_…`, module `./vllm_provider_bg.js`), the exports the glue
 * calls (all but `memory` and `__wbindgen_externrefs`, which tests read; an export the glue never
 * names keeps its name too) and every import module to short names. The names imported from
 * snippet modules stay as they are. Each old name must occur in the glue exactly once as a whole
 * word for an import (its key in the imports object), at least once as a member for an export,
 * and quoted for a module, or the build stops.
 */
function shortenGlueNames(wasmPath, gluePath) {
  // What the tests read from the instance's exports (`initSync()` returns them).
  const KEPT_EXPORTS = new Set(["memory", "__wbindgen_externrefs"]);
  // The glue reads an export as a member of the exports object (`c.vllmprovider_resolve(…)`); the
  // same word elsewhere (its own `classifyError`, say) is not the export.
  const memberOf = (name) => new RegExp(`(?<=\\.)${name}(?![\\w$])`, "g");
  const bytes = readFileSync(wasmPath);
  let glue = readFileSync(gluePath, "utf8");
  let i = 8;
  const leb = () => {
    let result = 0, scale = 1, b;
    do { b = bytes[i++]; result += (b & 0x7f) * scale; scale *= 128; } while (b & 0x80);
    return result;
  };
  const str = () => { const n = leb(); const s = bytes.subarray(i, i + n).toString("utf8"); i += n; return s; };
  const name = (s) => { const b = Buffer.from(s); return Buffer.concat([uleb(b.length), b]); };
  const renamed = new Map();
  const fresh = (prefix) => `${prefix}${renamed.size.toString(36)}`;
  const exported = new Set();
  // Import modules (the glue's own, and one per snippet: `./snippets/<crate>-<hash>/src/wasm/x.js`)
  // become "$0", "$1", …: each is a key of the glue's imports object, written out in full.
  const modules = new Map();
  const parts = [bytes.subarray(0, 8)];
  while (i < bytes.length) {
    const start = i;
    const id = bytes[i++];
    const end = leb() + i;
    if (id !== 2 && id !== 7) { parts.push(bytes.subarray(start, end)); i = end; continue; }
    const entries = [];
    const count = leb();
    for (let n = 0; n < count; n++) {
      const module = id === 2 ? str() : null;
      let field = str();
      const descStart = i;
      if (id === 7) { i++; leb(); }
      else {
        const kind = bytes[i++];
        if (kind === 0) leb();
        else if (kind === 1) { i++; const flags = leb(); leb(); if (flags & 1) leb(); }
        else if (kind === 2) { const flags = leb(); leb(); if (flags & 1) leb(); }
        else if (kind === 3) i += 2;
        else leb();
      }
      const desc = bytes.subarray(descStart, i);
      const ours = id === 2
        ? module === "./vllm_provider_bg.js" && /^__wb(g|indgen)_/.test(field)
        : !KEPT_EXPORTS.has(field) && memberOf(field).test(glue);
      if (ours) {
        const short = fresh(id === 2 ? "$" : "$$");
        renamed.set(field, short);
        if (id === 7) exported.add(field);
        field = short;
      }
      if (module !== null && !modules.has(module)) modules.set(module, `$${modules.size.toString(36)}`);
      entries.push(Buffer.concat([...(module === null ? [] : [name(modules.get(module))]), name(field), desc]));
    }
    const body = Buffer.concat([uleb(count), ...entries]);
    parts.push(Buffer.from([id]), uleb(body.length), body);
    i = end;
  }
  for (const [old, short] of renamed) {
    const word = exported.has(old) ? memberOf(old) : new RegExp(`(?<![\\w$.])${old}(?![\\w$])`, "g");
    const found = glue.match(word)?.length ?? 0;
    if (found === 0 || (!exported.has(old) && found !== 1)) throw new Error(`build: ${old} occurs ${found} times in the glue`);
    if (glue.includes(short)) throw new Error(`build: the glue already has ${short}`);
    glue = glue.replace(word, () => short);
  }
  for (const [old, short] of modules) {
    const quoted = JSON.stringify(old);
    if (!glue.includes(quoted)) throw new Error(`build: import module ${old} is not in the glue`);
    if (glue.includes(JSON.stringify(short))) throw new Error(`build: the glue already has "${short}"`);
    glue = glue.replaceAll(quoted, JSON.stringify(short));
  }
  writeFileSync(wasmPath, Buffer.concat(parts));
  writeFileSync(gluePath, glue);
}

/**
 * `bytes` (a wasm module) with its function names replaced by their rank in [`layout`]'s order,
 * zero-padded so that binaryen's --reorder-functions-by-name lays them out in that order. Only the
 * name section changes; it is dropped right after.
 */
function namedInLayout(bytes) {
  const { sections, imported, bodies, names } = readModule(bytes);
  const parts = [bytes.subarray(0, 8), ...sections.filter((s) => !s.isName).map((s) => bytes.subarray(s.start, s.end))];
  if (!names.size) throw new Error("build: wasm-opt kept no function names (-g)");
  const order = layout(bodies.map((body, k) => ({ body, name: names.get(k + imported) ?? "" })));
  const width = String(order.length).length;
  const rank = new Array(bodies.length);
  order.forEach((k, r) => { rank[k] = r; });
  const entries = [uleb(bodies.length)];
  for (let k = 0; k < bodies.length; k++) {
    const name = Buffer.from(String(rank[k]).padStart(width, "0"));
    entries.push(uleb(k + imported), uleb(name.length), name);
  }
  const functionNames = Buffer.concat(entries);
  const section = Buffer.concat([uleb(4), Buffer.from("name"), Buffer.from([1]), uleb(functionNames.length), functionNames]);
  parts.push(Buffer.from([0]), uleb(section.length), section);
  return Buffer.concat(parts);
}

/**
 * An order of `functions` ({body, name}) that gzip compresses well: a chain that starts at the
 * smallest function and goes on each time to the unplaced function sharing the most 3-byte sequences
 * with the last one placed, each sequence weighted 1 / log2(1 + the number of functions it is found
 * in), so that rare ones tell more (with nothing shared, the smallest unplaced function comes next).
 * Measured against a plain count that ignored sequences found in more than 300 functions: 0.27 KiB
 * gzip less. Deterministic: ties go to the lower index.
 */
function layout(functions) {
  const grams = functions.map(({ body }) => {
    const set = new Set();
    for (let j = 0; j + 3 <= body.length; j++) set.add(body[j] | (body[j + 1] << 8) | (body[j + 2] << 16));
    return set;
  });
  const seenIn = new Map();
  for (const set of grams) for (const g of set) seenIn.set(g, (seenIn.get(g) ?? 0) + 1);
  const holders = new Map();
  grams.forEach((set, k) => {
    for (const g of set) {
      if (seenIn.get(g) > 1) {
        let list = holders.get(g);
        if (!list) holders.set(g, (list = []));
        list.push(k);
      }
    }
  });
  const bySize = functions.map((_, k) => k).sort((a, b) => {
    const [x, y] = [functions[a], functions[b]];
    return x.body.length - y.body.length || (x.name < y.name ? -1 : x.name > y.name ? 1 : a - b);
  });
  const placed = new Uint8Array(functions.length);
  const order = [];
  let next = 0;
  let current = bySize[0];
  while (current !== undefined) {
    placed[current] = 1;
    order.push(current);
    const shared = new Map();
    for (const g of grams[current]) {
      const weight = 1 / Math.log2(1 + seenIn.get(g));
      for (const k of holders.get(g) ?? []) if (!placed[k]) shared.set(k, (shared.get(k) ?? 0) + weight);
    }
    let best, most = 0;
    for (const [k, n] of shared) if (n > most || (n === most && k < best)) { most = n; best = k; }
    if (best === undefined) {
      while (next < bySize.length && placed[bySize[next]]) next++;
      best = bySize[next];
    }
    current = best;
  }
  return order;
}
