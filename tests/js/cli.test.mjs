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

  test("help goes to stdout with exit 0: --help, -h, help, a bare call, help <command>, <command> --help", async () => {
    for (const args of [["--help"], ["-h"], ["help"], []]) {
      const r = await cli(args);
      assert.equal(r.code, 0, args.join(" "));
      assert.match(r.stdout, /^vllm-provider \d+\.\d+\.\d+: /, args.join(" "));
      assert.match(r.stdout, /Usage: vllm-provider <command>/);
      assert.match(r.stdout, /help \[<command>\]/);
      assert.equal(r.stderr, "");
    }
    for (const command of ["doctor", "models", "explain", "chat"]) {
      for (const args of [["help", command], [command, "--help"], [command, "-h"], ["--help", command]]) {
        const r = await cli(args);
        assert.equal(r.code, 0, args.join(" "));
        assert.match(r.stdout, new RegExp(`^Usage: vllm-provider ${command} `), args.join(" "));
        assert.match(r.stdout, /--json/);
        assert.equal(r.stderr, "");
      }
    }
    assert.match((await cli(["help", "chat"])).stdout, /Usage: vllm-provider chat <prompt>/);
    assert.match((await cli(["doctor", "--help"])).stdout, /--probe-chat/);
  });

  test("usage errors exit 2 with the message and the synopsis on stderr, or JSON on stdout with --json", async () => {
    const cases = [
      [["frobnicate"], /unknown command "frobnicate"/, "--help"],
      [["models", "--nope"], /Unknown option '--nope'/, "models --help"],
      [["help", "frobnicate"], /unknown command "frobnicate"/, "--help"],
      [["help", "chat", "models"], /help takes at most one command/, "--help"],
      [["chat"], /chat needs a prompt, e\.g\. vllm-provider chat "hi"/, "chat --help"],
      [["explain"], /explain needs a prompt/, "explain --help"],
      [["models", "extra"], /models takes no argument \(got "extra"\)/, "models --help"],
    ];
    for (const [args, message, see] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.stderr, message, args.join(" "));
      assert.match(r.stderr, /Usage: vllm-provider /);
      assert.ok(r.stderr.includes(`\`vllm-provider ${see}\``), r.stderr);
      assert.equal(r.stdout, "");
      const j = await cli([...args, "--json"]);
      assert.equal(j.code, 2, `${args.join(" ")} --json`);
      const { error } = JSON.parse(j.stdout);
      assert.equal(error.code, "usage");
      assert.match(error.message, message);
      assert.equal(error.hint, `See \`vllm-provider ${see}\`.`);
      assert.equal(j.stderr, "");
    }
  });

  test("colour is decided per stream: off when piped, FORCE_COLOR forces it, NO_COLOR and TERM=dumb turn it off", async () => {
    const port = await closedPort();
    const args = ["models", "--base-url", `http://127.0.0.1:${port}/v1`];
    const plain = await cli(args, { VLLM_API_KEY: "k" });
    assert.equal(plain.code, 1);
    assert.doesNotMatch(plain.stdout + plain.stderr, /\x1b\[/, "piped output has no escape codes");
    const forced = await cli(args, { VLLM_API_KEY: "k", FORCE_COLOR: "1" });
    assert.match(forced.stdout, /\x1b\[1mvLLM\x1b\[0m/);
    assert.match(forced.stderr, /\x1b\[31m✖\x1b\[0m \x1b\[1munreachable\x1b\[0m/);
    for (const env of [{ FORCE_COLOR: "0" }, { FORCE_COLOR: "false" }, { NO_COLOR: "1" }, { TERM: "dumb" }]) {
      const r = await cli(args, { VLLM_API_KEY: "k", ...env });
      assert.doesNotMatch(r.stdout + r.stderr, /\x1b\[/, JSON.stringify(env));
    }
    assert.match((await cli(args, { VLLM_API_KEY: "k", NO_COLOR: "1", FORCE_COLOR: "1" })).stderr, /\x1b\[31m/, "FORCE_COLOR wins, as in Node");
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
