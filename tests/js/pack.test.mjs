// `npm pack`, installed into a throwaway project as a user would: a Node ESM import, a TypeScript
// consumer type-checked under --strict, and an esbuild browser bundle run in Chromium.
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startSimulator } from "../sim/server.mjs";
import { launchChromium, live } from "./helpers.mjs";

const ROOT = new URL("../..", import.meta.url).pathname;
const BIN = join(ROOT, "node_modules", ".bin");
const KEY = "sk-pack-CANARY-4669";

describe("the packed package in a fresh project", () => {
  let dir, sim, tarball;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "vllm-provider-pack-"));
    const [packed] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
    tarball = packed;
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", join(dir, packed.filename)], { cwd: dir, stdio: "ignore" });
    sim = await startSimulator({ apiKey: KEY, allowedOrigins: ["*"], models: [{ id: "qwen3-8b", maxModelLen: 32768 }] });
  });
  after(async () => {
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the tarball holds the package and nothing else", () => {
    const files = tarball.files.map((f) => f.path).sort();
    for (const must of ["dist/index.js", "dist/node.js", "dist/index.d.ts", "dist/error.js", "dist/version.js", "dist/wasm/vllm_provider.js", "dist/wasm/vllm_provider.d.ts", "dist/wasm/vllm_provider_bg.wasm", "bin/vllm-provider.mjs", "README.md", "package.json",
      "LICENSE", "dist/node.cjs", "dist/node-face.cjs", "dist/node.d.cts", "dist/workerd.js", "dist/ready.js", "dist/wasm/vllm_provider.d.cts", "dist/wasm/vllm_provider_bg.wasm.d.ts"]) {
      assert.ok(files.includes(must), `missing ${must}`);
    }
    assert.deepEqual(files.filter((f) => /^(src|tests|target|www|scripts)\//.test(f)), []);
  });

  test("Node ESM: import, resolve and discover", async () => {
    writeFileSync(join(dir, "node-check.mjs"), `
      import { VllmProvider, version, init } from "vllm-provider";
      await init();
      const models = await VllmProvider.resolve({ env: { VLLM_API_KEY: ${JSON.stringify(KEY)} }, baseUrl: ${JSON.stringify(sim.baseUrl)} }).discoverModels();
      console.log(JSON.stringify({ version, models: models.map((m) => [m.id, m.contextWindow]) }));
    `);
    // Async: the simulator answers from this process, so a synchronous child would starve it.
    const { stdout } = await promisify(execFile)(process.execPath, ["node-check.mjs"], { cwd: dir });
    const out = JSON.parse(stdout);
    assert.deepEqual(out.models, [["qwen3-8b", 32768]]);
    assert.equal(out.version, JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
  });

  test("the CLI installed as a bin runs", () => {
    const out = execFileSync(join(dir, "node_modules", ".bin", "vllm-provider"), ["--version"], { encoding: "utf8" });
    assert.match(out, /^\d+\.\d+\.\d+\n$/);
  });

  test("TypeScript consumers type-check under --strict, and public declarations have no `any`", () => {
    writeFileSync(join(dir, "usage.ts"), `
      import { VllmProvider, VllmProviderError, isVllmProviderError, classifyError, parseModelRef, init, version,
        type ResolvedProvider, type ModelDefinition, type ErrorInfo, type ModelCatalog } from "vllm-provider";
      await init(new URL("https://example.invalid/x.wasm"));
      const p: VllmProvider = VllmProvider.resolve({ config: "{}", env: { A: undefined }, fetch: globalThis.fetch });
      const d: ResolvedProvider = p.describe();
      const s: "explicit" | "implicit" | "unregistered" = d.status;
      const m: ModelDefinition[] = await p.discoverModels({ timeoutMs: 5, signal: new AbortController().signal });
      const c: ModelCatalog = await p.listModels();
      const w: string[] = c.warnings.map((x) => x.path);
      const info: ErrorInfo = classifyError(null, "");
      const ref: { provider: string; model: string } = parseModelRef("vllm/x");
      try { p.describe(); } catch (e) { if (isVllmProviderError(e)) { const code: string = e.code; const h: string = e.hint; void code; void h; } }
      const err = new VllmProviderError(info);
      const v: string = version;
      // @ts-expect-error status is a closed union
      const bad: typeof d.status = "maybe";
      void s; void m; void c; void w; void ref; void err; void v; void bad;
    `);
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext", lib: ["es2022", "dom"], skipLibCheck: false }, files: ["usage.ts"] }));
    execFileSync(join(BIN, "tsc"), ["-p", dir], { cwd: dir, stdio: "inherit" });
    // Declarations only: doc comments may say "any" in prose.
    const code = (file) => readFileSync(join(dir, "node_modules/vllm-provider/dist", file), "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    const generated = code("wasm/vllm_provider.d.ts");
    const publicPart = generated.slice(0, generated.indexOf("export type InitInput"));
    assert.ok(publicPart.includes("discoverModels(opts?: CallOptions"), "the public part of the declarations was found");
    assert.doesNotMatch(publicPart, /\bany\b/, "a public signature uses `any`");
    assert.doesNotMatch(code("index.d.ts"), /\bany\b/);
  });

  /** Bundles a page with esbuild, serves it with the wasm beside it, and opens it in Chromium. */
  async function bundledPage() {
    // The target comes from an init script, so one bundle serves the simulator and live vLLM.
    writeFileSync(join(dir, "entry.js"), `
      import { init, VllmProvider, version } from "vllm-provider";
      try {
        await init(new URL("./vllm_provider_bg.wasm", location.href));
        const { baseUrl, key } = globalThis.__TARGET__;
        const models = await VllmProvider.resolve({ env: { VLLM_API_KEY: key }, baseUrl }).discoverModels();
        document.body.dataset.result = JSON.stringify({ version, models: models.map((m) => [m.id, m.contextWindow]) });
      } catch (e) {
        document.body.dataset.result = JSON.stringify({ error: String(e && e.message || e), code: e && e.code });
      }
    `);
    execFileSync(join(BIN, "esbuild"), ["entry.js", "--bundle", "--format=esm", "--platform=browser", "--outfile=out/bundle.js"], { cwd: dir, stdio: "inherit" });
    // esbuild does not copy the wasm asset: the consumer serves it, found through the package's export.
    copyFileSync(join(dir, "node_modules/vllm-provider/dist/wasm/vllm_provider_bg.wasm"), join(dir, "out", "vllm_provider_bg.wasm"));
    writeFileSync(join(dir, "out", "index.html"), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="bundle.js"></script>`);
    const files = { "/": ["index.html", "text/html"], "/bundle.js": ["bundle.js", "text/javascript"], "/vllm_provider_bg.wasm": ["vllm_provider_bg.wasm", "application/wasm"] };
    const server = createServer((req, res) => {
      const f = files[req.url];
      if (!f) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": f[1] }).end(readFileSync(join(dir, "out", f[0])));
    });
    await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
    const browser = await launchChromium();
    return {
      async run(target) {
        const { page, problems } = await browser.page();
        await page.addInitScript((t) => (globalThis.__TARGET__ = t), target);
        await page.goto(`http://127.0.0.1:${server.address().port}/`);
        await page.waitForFunction(() => document.body?.dataset.result, null, { timeout: 20_000 });
        const result = JSON.parse(await page.evaluate(() => document.body.dataset.result));
        await page.close();
        return { result, problems };
      },
      async close() {
        await browser.close();
        await new Promise((ok) => server.close(ok));
      },
    };
  }

  test("esbuild browser bundle: init(url) loads the wasm and discovery works in Chromium", async (t) => {
    const page = await bundledPage();
    try {
      const { result, problems } = await page.run({ baseUrl: sim.baseUrl, key: KEY });
      assert.deepEqual(result.models, [["qwen3-8b", 32768]], JSON.stringify(result));
      assert.deepEqual(problems, []);
      await t.test("against live vLLM 0.32", async (t2) => {
        const srv = live(t2);
        if (!srv) return;
        const { result: liveResult } = await page.run({ baseUrl: srv.baseUrl, key: srv.apiKey });
        assert.deepEqual(liveResult.models, [[srv.model, 512]], JSON.stringify(liveResult));
      });
    } finally {
      await page.close();
    }
  });
});
