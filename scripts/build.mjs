// Builds the npm package into dist/: cargo (wasm32, size-tuned profile) → wasm-bindgen (web target,
// which also runs in Node from bytes) → wasm-opt -Oz → the entry files from js/.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync } from "node:fs";
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
  join(bindgen, "vllm_provider.js"), "--minify", "--format=esm", "--log-level=warning", `--outfile=${join(dist, "wasm", "vllm_provider.js")}`,
]);
copyFileSync(join(bindgen, "vllm_provider.d.ts"), join(dist, "wasm", "vllm_provider.d.ts"));
for (const f of readdirSync(join(root, "js"))) copyFileSync(join(root, "js", f), join(dist, f));
writeFileSync(join(dist, "version.js"), `/** The package's (and the crate's) version. */\nexport const version = ${JSON.stringify(cargoVersion)};\n`);

const size = readFileSync(join(dist, "wasm", "vllm_provider_bg.wasm")).length;
console.error(`build: dist/ ready (wasm ${size} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
