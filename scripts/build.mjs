// Builds the npm package into dist/: cargo (wasm32, size-tuned profile) → wasm-bindgen (web target,
// which also runs in Node from bytes) → wasm-opt -Oz → the entries from js/ (see "entries" below).
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

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
// --converge repeats -Oz while it still shrinks (a few hundred bytes, a few seconds). The
// target_features section is only read by wasm-bindgen (already run), so it is dropped here.
// --low-memory-unused lets loads and stores fold constant offsets (about 0.7 KiB gzip): rustc links
// wasm32 with --stack-first, so the low 1 KiB is the far end of the 1 MiB stack and holds no data.
run(join(root, "node_modules", ".bin", "wasm-opt"), [
  "-Oz", "--converge", "--low-memory-unused", "--strip-debug", "--strip-producers", "--strip-target-features",
  join(bindgen, "vllm_provider_bg.wasm"), "-o", join(dist, "wasm", "vllm_provider_bg.wasm"),
]);
// The generated glue is minified (it is a quarter of the download's JS): names of exports and the
// `new URL("vllm_provider_bg.wasm", import.meta.url)` that bundlers look for are kept as they are.
run(join(root, "node_modules", ".bin", "esbuild"), [
  // wasm-bindgen imports a snippet module once per extern block and lists it twice in the imports
  // object, under one key with the same namespace: harmless, so that warning is silenced.
  join(bindgen, "vllm_provider.js"), "--bundle", "--minify", "--format=esm", "--log-level=warning",
  "--log-override:duplicate-object-key=silent", `--outfile=${join(dist, "wasm", "vllm_provider.js")}`,
]);
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
// - node.js: the ESM face of node.cjs, so `import` and `require` share one wasm instance.
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
writeFileSync(join(dist, "node.js"), [
  "// Node's ESM entry: the CommonJS build, so that `import` and `require` share one wasm instance.",
  'import cjs from "./node.cjs";',
  "",
  `export const { ${names.join(", ")} } = cjs;`,
  "",
].join("\n"));

const size = readFileSync(join(dist, "wasm", "vllm_provider_bg.wasm")).length;
console.error(`build: dist/ ready (wasm ${size} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
