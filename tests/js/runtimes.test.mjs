// The packed tarball, installed into a fresh project, in every runtime and bundler a user may pick: the
// same real call (resolve, discovery, buildChatRequest, a streamed chat, a typed error) against the vLLM
// simulator on loopback must give the same answer in each. Also attw and publint on the tarball, and the
// declarations under TypeScript 5.0 and the current one without the DOM lib.
//
// The runtimes (Node 18, Bun, Deno, wrangler with workerd, Jest, TypeScript 5.0, attw, publint) are pinned
// in scripts/runtimes/ and installed once into the cache folder by `bash scripts/setup.sh runtimes`, which
// this file runs first (a no-op when they are there).
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { startSimulator } from "../sim/server.mjs";
import { closedPort } from "./helpers.mjs";

const ROOT = new URL("../..", import.meta.url).pathname;
const KEY = "sk-runtimes-CANARY-5150";
const exec = promisify(execFile);

/** Runs a command without blocking this process (the simulator answers from it); output on failure. */
async function run(cmd, args, opts = {}) {
  try {
    return await exec(cmd, args, { timeout: 120_000, maxBuffer: 64 << 20, ...opts });
  } catch (e) {
    throw new Error(`${[cmd, ...args].join(" ")} failed (${e.code ?? e.signal}):\n${e.stdout}\n${e.stderr}`);
  }
}

/**
 * The call every runtime makes, as source; `load` is how that runtime gets the package, `baseUrl` where it
 * reads the simulator's URL. It prints one JSON line, compared with the same call made in this process.
 */
const callSource = (load, baseUrl) => `${load}
async function call(baseUrl) {
  await init();
  const provider = VllmProvider.resolve({ env: { VLLM_API_KEY: ${JSON.stringify(KEY)} }, baseUrl });
  const models = (await provider.discoverModels()).map((m) => m.id);
  const request = { model: "vllm/" + models[0], messages: [{ role: "user", content: "Say hi" }], params: { maxTokens: 8 } };
  const { url, body } = provider.buildChatRequest(request);
  const events = [];
  let text = "";
  for await (const event of provider.stream(request)) {
    if (!events.includes(event.type)) events.push(event.type);
    if (event.type === "text") text += event.delta;
  }
  let configError;
  try {
    VllmProvider.resolve({ config: "{ models: " });
  } catch (e) {
    configError = isVllmProviderError(e) && e instanceof Error ? e.code : "untyped: " + e;
  }
  return { version, models, url, body, events, text, configError };
}
${baseUrl}`;

const printCall = (baseUrl) => `call(${baseUrl}).then((r) => console.log(JSON.stringify(r)), (e) => { console.error(e); process.exit(1); });`;
const lastJson = (stdout) => JSON.parse(stdout.trim().split("\n").at(-1));

describe("the packed package in each runtime and bundler", { timeout: 600_000 }, () => {
  let runtimes, bin, dir, app, tarball, sim, expected;

  before(async () => {
    const setup = await run("bash", [join(ROOT, "scripts", "setup.sh"), "runtimes"], { cwd: ROOT, timeout: 600_000 });
    runtimes = setup.stdout.trim().split("\n").at(-1);
    bin = (name) => join(runtimes, "node_modules", ".bin", name);
    dir = mkdtempSync(join(tmpdir(), "vllm-provider-runtimes-"));
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: ROOT });
    tarball = join(dir, JSON.parse(stdout)[0].filename);
    // A CommonJS project (no "type"), as Jest's default mode and `require` users have.
    app = join(dir, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true }));
    await run("npm", ["install", "--no-audit", "--no-fund", "--offline", tarball], { cwd: app });
    sim = await startSimulator({ apiKey: KEY, models: [{ id: "qwen3-8b", maxModelLen: 32768 }] });
    // The reference: the same call through the installed package in this process.
    const pkg = await import(join(app, "node_modules", "vllm-provider", "dist", "node.js"));
    const call = new Function("pkg", `const { VllmProvider, init, version, isVllmProviderError } = pkg;\n${callSource("", "return call;")}`)(pkg);
    expected = await call(sim.baseUrl);
    assert.deepEqual(expected.models, ["qwen3-8b"]);
    assert.equal(expected.configError, "config");
    assert.ok(expected.text.length > 0 && expected.events.includes("done"), JSON.stringify(expected));
  });

  after(async () => {
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `file` in a folder holding nothing else, so that it can only work on its own. */
  function alone(file) {
    const lonely = mkdtempSync(join(dir, "alone-"));
    const target = join(lonely, file.split("/").at(-1));
    copyFileSync(file, target);
    return { lonely, target };
  }

  test("attw: types resolve for node10, node16 (CJS and ESM) and bundler, with no problem", async () => {
    const { stdout } = await run(bin("attw"), [tarball, "--format", "ascii"]);
    assert.match(stdout, /No problems found/);
  });

  test("publint --strict: no error, warning or suggestion", async () => {
    const { stdout } = await run(bin("publint"), ["--strict", tarball]);
    assert.match(stdout, /All good!/);
  });

  test("Node 18: require() and import", async () => {
    const node18 = join(runtimes, "node_modules", "node", "bin", "node");
    assert.match((await run(node18, ["--version"])).stdout, /^v18\./);
    const load = 'const { VllmProvider, init, version, isVllmProviderError } = require("vllm-provider");';
    writeFileSync(join(app, "require-check.cjs"), callSource(load, printCall("process.argv[2]")));
    assert.deepEqual(lastJson((await run(node18, ["require-check.cjs", sim.baseUrl], { cwd: app })).stdout), expected);
    const imp = 'import { VllmProvider, init, version, isVllmProviderError } from "vllm-provider";';
    writeFileSync(join(app, "import-check.mjs"), callSource(imp, printCall("process.argv[2]")));
    assert.deepEqual(lastJson((await run(node18, ["import-check.mjs", sim.baseUrl], { cwd: app })).stdout), expected);
  });

  test("esbuild --bundle --platform=node, ESM and CommonJS: one file that runs from any folder", async () => {
    const esbuild = join(ROOT, "node_modules", ".bin", "esbuild");
    const imp = 'import { VllmProvider, init, version, isVllmProviderError } from "vllm-provider";';
    writeFileSync(join(app, "bundle-entry.mjs"), callSource(imp, printCall("process.argv[2]")));
    await run(esbuild, ["bundle-entry.mjs", "--bundle", "--platform=node", "--format=esm", "--log-level=warning", "--outfile=out/app.mjs"], { cwd: app });
    const req = 'const { VllmProvider, init, version, isVllmProviderError } = require("vllm-provider");';
    writeFileSync(join(app, "bundle-entry.cjs"), callSource(req, printCall("process.argv[2]")));
    await run(esbuild, ["bundle-entry.cjs", "--bundle", "--platform=node", "--format=cjs", "--log-level=warning", "--outfile=out/app.cjs"], { cwd: app });
    for (const file of ["app.mjs", "app.cjs"]) {
      const { lonely, target } = alone(join(app, "out", file));
      assert.deepEqual(readdirSync(lonely), [file]);
      assert.deepEqual(lastJson((await run(process.execPath, [target, sim.baseUrl], { cwd: lonely })).stdout), expected, file);
    }
  });

  test("bun build --compile: a binary that runs from any folder", async () => {
    const imp = 'import { VllmProvider, init, version, isVllmProviderError } from "vllm-provider";';
    writeFileSync(join(app, "bun-entry.mjs"), callSource(imp, printCall("process.argv[2]")));
    await run(bin("bun"), ["build", "--compile", "bun-entry.mjs", "--outfile", "out/bun-app"], { cwd: app });
    const { lonely, target } = alone(join(app, "out", "bun-app"));
    chmodSync(target, 0o755);
    assert.deepEqual(lastJson((await run(target, [sim.baseUrl], { cwd: lonely })).stdout), expected);
  });

  test("Deno: npm:vllm-provider with network permission to the server only", async () => {
    const imp = 'import { VllmProvider, init, version, isVllmProviderError } from "npm:vllm-provider";';
    writeFileSync(join(app, "deno-check.ts"), callSource(imp, printCall("Deno.args[0]")));
    const { host } = new URL(sim.baseUrl);
    // --no-prompt: a permission it lacks (read, env) fails the run instead of asking. The package comes
    // from this project's node_modules (the tarball), never from the registry.
    const { stdout } = await run(bin("deno"), ["run", `--allow-net=${host}`, "--no-prompt", "--node-modules-dir=manual", "deno-check.ts", sim.baseUrl], {
      cwd: app,
      env: { ...process.env, DENO_DIR: join(dir, "deno-dir"), NO_COLOR: "1" },
    });
    assert.deepEqual(lastJson(stdout), expected);

    // The env hint asks Deno for the process's variable names only with --allow-env: without it nothing
    // is read (and nothing prompts), with it the warning says to pass env.
    writeFileSync(join(app, "deno-env.ts"), `
      import { VllmProvider } from "npm:vllm-provider";
      const config = { models: { providers: { vllm: { baseUrl: Deno.args[0], apiKey: "\${VLLM_API_KEY}", api: "openai-completions", models: [{ id: "m", name: "m" }] } } } };
      console.log(JSON.stringify(VllmProvider.resolve({ config }).describe().warnings.map((w) => w.message)));
    `);
    const warnings = async (...flags) => {
      const env = { ...process.env, DENO_DIR: join(dir, "deno-dir"), NO_COLOR: "1", VLLM_API_KEY: KEY };
      const out = await run(bin("deno"), ["run", `--allow-net=${host}`, ...flags, "--no-prompt", "--node-modules-dir=manual", "deno-env.ts", sim.baseUrl], { cwd: app, env });
      return lastJson(out.stdout).join("\n");
    };
    const without = await warnings();
    assert.match(without, /VLLM_API_KEY/);
    assert.doesNotMatch(without, /process\.env/);
    assert.match(await warnings("--allow-env"), /VLLM_API_KEY is set in this process .* pass `env: process\.env`/);
  });

  test("Jest, default (CommonJS) mode", async () => {
    mkdirSync(join(app, "jest"));
    writeFileSync(join(app, "jest", "provider.test.js"), `${callSource('const { VllmProvider, init, version, isVllmProviderError } = require("vllm-provider");', "")}
test("the real call", async () => {
  const result = await call(process.env.SIM_BASE_URL);
  require("node:fs").writeFileSync(process.env.RESULT_FILE, JSON.stringify(result));
});
`);
    const resultFile = join(dir, "jest-result.json");
    await run(bin("jest"), ["--rootDir", join(app, "jest"), "--ci", "--watchman=false", "--cacheDirectory", join(dir, "jest-cache")], {
      cwd: app,
      env: { ...process.env, SIM_BASE_URL: sim.baseUrl, RESULT_FILE: resultFile },
    });
    assert.deepEqual(JSON.parse(readFileSync(resultFile, "utf8")), expected);
  });

  test("Cloudflare Workers: wrangler dev --local, no config, the .wasm imported through the workerd condition", async () => {
    const worker = join(app, "worker");
    mkdirSync(worker);
    const imp = 'import { VllmProvider, init, version, isVllmProviderError } from "vllm-provider";';
    writeFileSync(join(worker, "index.js"), `${callSource(imp, "")}
export default {
  async fetch(request) {
    try {
      return Response.json(await call(new URL(request.url).searchParams.get("baseUrl")));
    } catch (e) {
      return Response.json({ error: String(e && e.stack || e) }, { status: 500 });
    }
  },
};
`);
    const [port, inspector] = [await closedPort(), await closedPort()];
    const node22 = join(runtimes, "node_modules", "node22", "bin", "node");
    const wrangler = join(runtimes, "node_modules", "wrangler", "bin", "wrangler.js");
    // No wrangler.toml. Loopback only: no telemetry, no update check, no Request.cf download.
    const child = spawn(node22, [wrangler, "dev", "index.js", "--local", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector), "--compatibility-date", "2025-06-01"], {
      cwd: worker,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false", XDG_CONFIG_HOME: join(dir, "config"), NO_COLOR: "1" },
    });
    let log = "";
    child.stdout.on("data", (d) => (log += d));
    child.stderr.on("data", (d) => (log += d));
    try {
      const deadline = Date.now() + 60_000;
      while (!/Ready on/.test(log)) {
        assert.ok(child.exitCode === null, `wrangler exited:\n${log}`);
        assert.ok(Date.now() < deadline, `wrangler did not start in 60 s:\n${log}`);
        await new Promise((ok) => setTimeout(ok, 200));
      }
      const res = await fetch(`http://127.0.0.1:${port}/?baseUrl=${encodeURIComponent(sim.baseUrl)}`);
      const body = await res.json();
      assert.equal(res.status, 200, `${JSON.stringify(body)}\n${log}`);
      assert.deepEqual(body, expected);
    } finally {
      // Its own process group (workerd is wrangler's child): ended by id, never by name.
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
      await new Promise((ok) => (child.exitCode !== null ? ok() : child.once("exit", ok)));
    }
  });

  describe("TypeScript --strict, skipLibCheck false", () => {
    const usage = (from) => `
import { VllmProvider, VllmProviderError, init, isVllmProviderError, type ErrorCode, type InitInput, type ResolvedProvider } from "${from}";
import wasm from "vllm-provider/vllm_provider_bg.wasm";
export async function main(): Promise<string> {
  await init();
  await init(wasm);
  await init(new URL("https://example.invalid/vllm_provider_bg.wasm"));
  await init(new Uint8Array(8));
  const input: InitInput = "/vllm_provider_bg.wasm";
  const provider = VllmProvider.resolve({ env: process.env });
  const described: ResolvedProvider = provider.describe();
  try {
    VllmProvider.resolve({ config: "{" });
  } catch (e) {
    if (isVllmProviderError(e)) {
      const code: ErrorCode = e.code;
      const hint: string = e.hint;
      return code + hint;
    }
  }
  const err = new VllmProviderError({ code: "not_initialized", message: "m", hint: "h", retryable: false });
  provider.free();
  return described.baseUrl + String(input) + err.code;
}
`;
    const cjsUsage = `
import vp = require("vllm-provider");
export const provider: vp.VllmProvider = vp.VllmProvider.resolve({ env: process.env });
export const ready: Promise<void> = vp.init();
`;

    async function check(tsc, name, compilerOptions, files) {
      const project = join(dir, `ts-${name}`);
      mkdirSync(project);
      for (const [file, text] of Object.entries(files)) writeFileSync(join(project, file), text);
      // The project resolves vllm-provider from the consumer project it sits beside.
      mkdirSync(join(project, "node_modules"));
      symlinkSync(join(app, "node_modules", "vllm-provider"), join(project, "node_modules", "vllm-provider"));
      writeFileSync(join(project, "package.json"), JSON.stringify({ name: `ts-${name}`, private: true, type: "module" }));
      writeFileSync(join(project, "tsconfig.json"), JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, target: "es2022", ...compilerOptions },
        files: Object.keys(files),
      }));
      await run(tsc, ["-p", project], { cwd: project });
    }

    const noDom = () => ({
      lib: ["es2023"], module: "nodenext", moduleResolution: "nodenext",
      types: ["node"], typeRoots: [join(runtimes, "node_modules", "@types")],
    });
    const files = { "usage.mts": usage("vllm-provider"), "usage.cts": cjsUsage };

    test("the current TypeScript, lib es2023 + @types/node (no DOM), import and require", async () => {
      await check(join(ROOT, "node_modules", ".bin", "tsc"), "current-node", noDom(), files);
    });

    test("TypeScript 5.0, lib es2023 + @types/node (no DOM), import and require", async () => {
      await check(bin("tsc"), "ts50-node", noDom(), files);
    });

    test("TypeScript 5.0 and the current one, DOM lib and bundler resolution, no @types/node", async () => {
      const web = usage("vllm-provider").replaceAll("process.env", "{}");
      const opts = { lib: ["es2022", "dom"], module: "esnext", moduleResolution: "bundler", types: [] };
      await check(bin("tsc"), "ts50-web", opts, { "usage.ts": web });
      await check(join(ROOT, "node_modules", ".bin", "tsc"), "current-web", opts, { "usage.ts": web });
    });
  });
});
