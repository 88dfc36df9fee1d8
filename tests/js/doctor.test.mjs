// `vllm-provider doctor`, run as a user runs it: against nothing, live vLLM (right key, wrong key,
// base URL without /v1, unknown model) and the simulator; asserts on `--json` and on the exit code,
// and that a canary key given through env, config, auth profile or header never shows.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startSimulator } from "../sim/server.mjs";
import { closedPort, live } from "./helpers.mjs";

const BIN = new URL("../../bin/vllm-provider.mjs", import.meta.url).pathname;
const CANARY = "sk-doctor-CANARY-8d21f0";
// An empty HOME keeps a developer's own ~/.openclaw out of the tests.
const HOME = mkdtempSync(join(tmpdir(), "vllm-provider-doctor-home-"));

/** Runs the CLI; resolves to { code, stdout, stderr } (never rejects on a non-zero exit). */
function cli(args, env = {}, home = HOME) {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, HOME: home, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

/** `doctor --json`: the parsed report, the exit code, and each check by id. */
async function doctor(args, env, home) {
  const r = await cli(["doctor", "--json", ...args], env, home);
  const report = JSON.parse(r.stdout);
  const check = Object.fromEntries(report.checks.map((c) => [c.id, c]));
  return { ...r, report, check };
}

function noCanary(r, secret = CANARY) {
  assert.ok(!r.stdout.includes(secret), `stdout leaks the key:\n${r.stdout}`);
  assert.ok(!r.stderr.includes(secret), `stderr leaks the key:\n${r.stderr}`);
}

describe("vllm-provider doctor against live vLLM", () => {
  test("with the right key every check passes and the server's models are listed", async (t) => {
    const l = live(t);
    if (!l) return;
    const r = await doctor(["--base-url", l.baseUrl, "--model", `vllm/${l.model}`, "--probe-chat"], { VLLM_API_KEY: l.apiKey });
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.report.ok, true);
    for (const id of ["config", "base-url", "reachable", "health", "auth", "models", "version", "model", "chat"]) {
      assert.equal(r.check[id].status, "pass", `${id}: ${JSON.stringify(r.check[id])}`);
    }
    assert.equal(r.check.cors.status, "skip");
    assert.ok(r.report.server.models.includes(l.model));
    assert.equal(r.report.server.maxModelLen[l.model], 512);
    assert.match(r.report.server.version, /^0\.\d+/);
    assert.ok(r.check.reachable.durationMs >= 0);
    noCanary(r, l.apiKey);
  });

  test("with a wrong key: health passes, auth fails with the key hint", async (t) => {
    const l = live(t);
    if (!l) return;
    const r = await doctor(["--base-url", l.baseUrl], { VLLM_API_KEY: CANARY });
    assert.equal(r.code, 1);
    assert.equal(r.check.health.status, "pass");
    assert.equal(r.check.auth.status, "fail");
    assert.match(r.check.auth.detail, /^401 Unauthorized: the server refused the key sent/);
    assert.match(r.check.auth.hint, /VLLM_API_KEY/);
    assert.equal(r.check.models.status, "skip");
    noCanary(r);
    const human = await cli(["doctor", "--base-url", l.baseUrl], { VLLM_API_KEY: CANARY });
    assert.equal(human.code, 1);
    assert.match(human.stdout, /✖ auth/);
    noCanary(human);
  });

  test("with a base URL missing /v1: base-url and models fail and name the URL with /v1", async (t) => {
    const l = live(t);
    if (!l) return;
    const origin = new URL(l.baseUrl).origin;
    const r = await doctor(["--base-url", origin], { VLLM_API_KEY: l.apiKey });
    assert.equal(r.code, 1);
    assert.equal(r.check.health.status, "pass", "/health is found at the root anyway");
    assert.equal(r.check["base-url"].status, "fail");
    assert.equal(r.check.models.status, "fail");
    assert.equal(r.check.models.detail, "404 Not Found");
    assert.ok(r.check.models.hint.includes(`${origin}/v1`), r.check.models.hint);
  });

  test("with an unknown model: model fails with the closest served name", async (t) => {
    const l = live(t);
    if (!l) return;
    const r = await doctor(["--base-url", l.baseUrl, "--model", "vllm/tiny-modle"], { VLLM_API_KEY: l.apiKey });
    assert.equal(r.code, 1);
    assert.equal(r.check.model.status, "fail");
    assert.ok(r.check.model.hint.includes(`did you mean \`${l.model}\``), r.check.model.hint);
    assert.equal(r.check.models.status, "pass");
  });
});

describe("vllm-provider doctor without a server", () => {
  test("nothing listening: reachable fails with the curl check, the rest is skipped", async () => {
    const base = `http://127.0.0.1:${await closedPort()}/v1`;
    const r = await doctor(["--base-url", base], { VLLM_API_KEY: CANARY });
    assert.equal(r.code, 1);
    assert.equal(r.check.reachable.status, "fail");
    assert.match(r.check.reachable.detail, /connection refused/);
    assert.ok(r.check.reachable.hint.includes(`curl ${base}/models`));
    for (const id of ["health", "auth", "models", "version"]) assert.equal(r.check[id].status, "skip", id);
    noCanary(r);
  });

  test("a config that does not parse is one failing config check", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vllm-provider-doctor-"));
    const file = join(dir, "openclaw.json");
    writeFileSync(file, "{ models: { providers: { vllm: { baseUrl: 5 } } } }");
    const r = await doctor(["--config", file], {});
    assert.equal(r.code, 1);
    assert.equal(r.report.ok, false);
    assert.equal(r.check.config.status, "fail");
    assert.ok(r.check.config.hint);
  });
});

describe("vllm-provider doctor keeps a canary key out of every path", () => {
  let sim;
  before(async () => {
    sim = await startSimulator({ apiKey: CANARY, models: [{ id: "qwen3-8b", maxModelLen: 32768 }] });
  });
  after(() => sim.close());

  test("key from the environment", async () => {
    const r = await doctor(["--base-url", sim.baseUrl, "--model", "qwen3-8b", "--probe-chat"], { VLLM_API_KEY: CANARY });
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.check.chat.status, "pass");
    noCanary(r);
    noCanary(await cli(["doctor", "--base-url", sim.baseUrl, "--probe-chat", "--model", "qwen3-8b"], { VLLM_API_KEY: CANARY }));
  });

  test("key from the config, also in a header, with the server echoing it back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vllm-provider-doctor-"));
    const file = join(dir, "openclaw.json");
    writeFileSync(file, `{ models: { providers: { vllm: { baseUrl: "${sim.baseUrl}", apiKey: "${CANARY}", headers: { "X-Api-Key": "${CANARY}" }, models: [{ id: "qwen3-8b", name: "Q" }] } } } }`);
    sim.respondNext({ path: "/v1/chat/completions", error: { message: `bad request from key ${CANARY}`, code: 400 } });
    const r = await doctor(["--config", file, "--probe-chat"], {});
    assert.equal(r.check.auth.status, "pass");
    assert.equal(r.check.chat.status, "fail");
    assert.match(r.check.chat.detail, /\[redacted\]/);
    noCanary(r);
  });

  test("key from an auth profile store in ~/.openclaw (read when the config resolver supports it)", async () => {
    const home = mkdtempSync(join(tmpdir(), "vllm-provider-doctor-home-"));
    mkdirSync(join(home, ".openclaw", "agents", "main", "agent"), { recursive: true });
    writeFileSync(join(home, ".openclaw", "agents", "main", "agent", "auth-profiles.json"),
      JSON.stringify({ version: 1, profiles: { "vllm:default": { type: "api_key", provider: "vllm", key: CANARY } } }));
    const r = await doctor(["--base-url", sim.baseUrl], {}, home);
    noCanary(r);
    noCanary(await cli(["doctor", "--base-url", sim.baseUrl], {}, home));
  });
});
