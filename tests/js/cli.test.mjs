// The `vllm-provider` command, run as a user runs it, against the simulator, live vLLM and nothing.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startSimulator } from "../sim/server.mjs";
import { closedPort, live } from "./helpers.mjs";

const BIN = new URL("../../bin/vllm-provider.mjs", import.meta.url).pathname;
const KEY = "sk-cli-CANARY-2718";
// An empty HOME keeps a developer's own ~/.openclaw out of the tests.
const HOME = mkdtempSync(join(tmpdir(), "vllm-provider-home-"));

/** Runs the CLI; resolves to { code, stdout, stderr } (never rejects on a non-zero exit). */
function cli(args, env = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, HOME, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

describe("vllm-provider models", () => {
  let sim;
  before(async () => {
    sim = await startSimulator({ apiKey: KEY, models: [{ id: "qwen3-8b", maxModelLen: 32768 }, { id: "sql-lora", parent: "qwen3-8b" }] });
  });
  after(() => sim.close());

  test("prints the discovered catalog as a table", async () => {
    const r = await cli(["models", "--base-url", sim.baseUrl], { VLLM_API_KEY: KEY });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /qwen3-8b\s+32768\s+8192\s+discovered/);
    assert.match(r.stdout, /sql-lora\s+32768\s+8192\s+discovered\s+qwen3-8b/);
    assert.ok(!r.stdout.includes(KEY) && !r.stderr.includes(KEY));
  });

  test("--json prints the catalog for scripts", async () => {
    const r = await cli(["models", "--json", "--base-url", sim.baseUrl], { VLLM_API_KEY: KEY });
    assert.equal(r.code, 0, r.stderr);
    const catalog = JSON.parse(r.stdout);
    assert.deepEqual(catalog.models.map((m) => m.id), ["qwen3-8b", "sql-lora"]);
    assert.equal(catalog.discovery.ok, true);
  });

  test("reads the config from --config and from OPENCLAW_CONFIG_PATH", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vllm-provider-cfg-"));
    const file = join(dir, "openclaw.json");
    writeFileSync(file, `// JSON5\n{ models: { providers: { vllm: { baseUrl: "${sim.baseUrl}", apiKey: "\${VLLM_API_KEY}", models: [{ id: "qwen3-8b", name: "Qwen" }] } } }, agents: { defaults: { modelPolicy: { allow: ["vllm/*"] } } } }\n`);
    for (const [args, env] of [[["models", "--json", "--config", file], {}], [["models", "--json"], { OPENCLAW_CONFIG_PATH: file }]]) {
      const r = await cli(args, { VLLM_API_KEY: KEY, ...env });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout).models.map((m) => [m.id, m.source]), [["qwen3-8b", "merged"], ["sql-lora", "discovered"]]);
    }
  });

  test("a wrong key fails with exit 1, the code and the hint", async () => {
    const r = await cli(["models", "--base-url", sim.baseUrl], { VLLM_API_KEY: "sk-wrong-key-1" });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /auth: 401 Unauthorized/);
    assert.match(r.stderr, /VLLM_API_KEY/);
  });

  test("a broken config fails with its line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vllm-provider-cfg-"));
    const file = join(dir, "openclaw.json");
    writeFileSync(file, "{\n  models: {\n    providers: ]\n}\n");
    const r = await cli(["models", "--config", file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /config: Invalid JSON5 in the config at line 3/);
  });
});

describe("vllm-provider with nothing listening and bad usage", () => {
  test("unreachable server: exit 1 with the curl hint", async () => {
    const port = await closedPort();
    const r = await cli(["models", "--base-url", `http://127.0.0.1:${port}/v1`], { VLLM_API_KEY: "x-key" });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unreachable: Cannot reach/);
    assert.match(r.stderr, new RegExp(`curl http://127\\.0\\.0\\.1:${port}/v1/models`));
  });

  test("unknown commands and flags are usage errors (exit 2)", async () => {
    assert.equal((await cli(["frobnicate"])).code, 2);
    assert.equal((await cli(["models", "--nope"])).code, 2);
    const help = await cli([]);
    assert.equal(help.code, 2);
    assert.match(help.stderr, /Usage: vllm-provider <command>/);
  });

  test("--version prints the package version", async () => {
    const r = await cli(["--version"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
  });
});

describe("vllm-provider against live vLLM", () => {
  test("models lists the live model with context window 512", async (t) => {
    const srv = live(t);
    if (!srv) return;
    const r = await cli(["models", "--json", "--base-url", srv.baseUrl], { VLLM_API_KEY: srv.apiKey });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).models.map((m) => [m.id, m.contextWindow]), [[srv.model, 512]]);
  });
});
