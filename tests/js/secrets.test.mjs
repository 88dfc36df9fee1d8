// Secrets stay secret, through the built package: a canary key through every key source (env, config
// literal, ${VAR}, env-var name, SecretRef, auth profiles, request.auth, secret headers, the base URL's
// query and credentials) never shows on any surface (describe, toJSON, buildChatRequest, errors of
// every kind, listModels/discoverModels, chat and stream, diagnose, the CLI), whatever form the
// simulator echoes it back in (tests/sim/echo.mjs: as is, URL-encoded, JSON-escaped once and twice,
// base64), and it still reaches the server.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { VllmProvider, isVllmProviderError } from "vllm-provider";
import { ECHO_KINDS, echoForms } from "../sim/echo.mjs";
import { startSimulator } from "../sim/server.mjs";
import { closedPort } from "./helpers.mjs";

/** With `+ / = "` so that every echo form differs from the key itself. */
const CANARY = 'Can4ry+k3y/Qx=9"Zt';
const ENCODED = encodeURIComponent(CANARY);

/** Every form of the canary a test looks for: the simulator's, and a few more a server may use. */
const FORMS = [
  ...echoForms(CANARY),
  ...echoForms(`user:${CANARY}`).slice(5),
  ...echoForms(`Bearer ${CANARY}`).slice(5),
  CANARY.replace("+", " "),
  ENCODED.toLowerCase(),
  JSON.stringify(CANARY).slice(1, -1).replaceAll("/", "\\/"),
];

/** Fails if `text` holds the canary in any form (or its distinctive start in any case). */
function assertClean(what, text) {
  assert.ok(!text.toLowerCase().includes("can4ry"), `${what}: ${text.slice(0, 2000)}`);
  for (const form of FORMS) assert.ok(!text.includes(form), `${what}: ${form} in ${text.slice(0, 2000)}`);
}

/** Everything a value or an error shows: its fields, and an error's message and stack. */
function shown(value) {
  return JSON.stringify(value, (k, v) => (v instanceof Error ? { ...v, message: v.message, stack: v.stack } : v));
}

/** What `fn` resolves to, or the error it throws (which must be the library's), as text. */
async function outcome(fn) {
  try {
    return shown(await fn());
  } catch (e) {
    assert.ok(isVllmProviderError(e), `not a VllmProviderError: ${e?.stack ?? e}`);
    return shown(e);
  }
}

/**
 * The key sources: each gives the provider's config for a base URL (`u`: origin + "/v1", to which a
 * source may add credentials or a query), its env and auth profiles.
 */
const at = (u, inner) => `{
  models: { providers: { vllm: { baseUrl: ${JSON.stringify(u)}, models: [{ id: "m", name: "m" }], ${inner} } } },
  agents: { defaults: { modelPolicy: { allow: ["vllm/*"] } } },
}`;
const K = JSON.stringify(CANARY);
const withUrl = (u, f) => u.replace("://", `://${f}@`);
const SOURCES = [
  ["env VLLM_API_KEY", (u) => at(u, ""), { VLLM_API_KEY: CANARY }],
  ["config apiKey literal", (u) => at(u, `apiKey: ${K}`), {}],
  ["config apiKey ${VAR}", (u) => at(u, "apiKey: '${MY_KEY}'"), { MY_KEY: CANARY }],
  ["config apiKey env-var name", (u) => at(u, "apiKey: 'VLLM_API_KEY'"), { VLLM_API_KEY: CANARY }],
  ["config apiKey SecretRef", (u) => at(u, "apiKey: { source: 'env', provider: 'default', id: 'MY_KEY' }"), { MY_KEY: CANARY }],
  ["auth profile api_key", (u) => at(u, ""), {}, { profiles: { "vllm:default": { type: "api_key", provider: "vllm", key: CANARY } } }],
  ["auth profile token", (u) => at(u, ""), {}, { profiles: { "vllm:t": { type: "token", provider: "vllm", token: CANARY } } }],
  ["auth profile keyRef", (u) => at(u, ""), { PK: CANARY }, { profiles: { "vllm:default": { type: "api_key", provider: "vllm", keyRef: { source: "env", provider: "default", id: "PK" } } } }],
  ["request.auth header", (u) => at(u, `apiKey: 'k', request: { auth: { mode: 'header', headerName: 'X-Gate', value: ${K} } }`), {}],
  ["request.auth bearer", (u) => at(u, `apiKey: 'k', request: { auth: { mode: 'authorization-bearer', token: ${K} } }`), {}],
  ["headers X-Api-Key", (u) => at(u, `apiKey: 'k', headers: { 'X-Api-Key': ${K} }`), {}],
  ["headers X-Other-Key literal", (u) => at(u, `apiKey: 'k', headers: { 'X-Other-Key': ${K} }`), {}],
  ["request.headers X-Session-Token", (u) => at(u, `apiKey: 'k', request: { headers: { 'X-Session-Token': ${K} } }`), {}],
  ["SecretRef header", (u) => at(u, "apiKey: 'k', headers: { 'X-Custom': { source: 'env', provider: 'default', id: 'H' } }"), { H: CANARY }],
  ["baseUrl query ${VAR}", (u) => at(`${u}?api_key=\${MY_KEY}`, "apiKey: 'k'"), { MY_KEY: CANARY }],
  ["baseUrl query literal", (u) => at(`${u}?token=${ENCODED}`, "apiKey: 'k'"), {}],
  ["baseUrl userinfo ${VAR}", (u) => at(withUrl(u, "user:${MY_KEY}"), "apiKey: 'k'"), { MY_KEY: ENCODED }],
  ["baseUrl userinfo literal", (u) => at(withUrl(u, ENCODED), "apiKey: 'k'"), {}],
];

const REQUEST = { model: "vllm/m", messages: [{ role: "user", content: "hi" }], params: { maxTokens: 4 } };

/** Whether a recorded request carried the canary: a header, a Basic credential, the query. */
function carried(r) {
  const values = Object.values(r.headers).flat();
  for (const v of values.filter((v) => /^basic /i.test(v))) values.push(Buffer.from(v.slice(6), "base64").toString("utf8"));
  values.push(decodeURIComponent(r.search));
  return values.some((v) => v.includes(CANARY));
}

describe("a canary key through every key source", () => {
  let sim;
  before(async () => {
    sim = await startSimulator({ models: [{ id: "m", maxModelLen: 512 }] });
  });
  after(() => sim.close());

  for (const [name, config, env, authProfiles] of SOURCES) {
    test(name, async () => {
      const provider = VllmProvider.resolve({ config: config(sim.baseUrl), env, authProfiles });
      assertClean("describe", shown(provider.describe()));
      assertClean("JSON.stringify", JSON.stringify(provider));
      assertClean("buildChatRequest", shown(provider.buildChatRequest(REQUEST)));
      assertClean("a bad request", await outcome(() => provider.buildChatRequest({ ...REQUEST, messages: "hi" })));

      // It still reaches the server.
      sim.reset();
      assertClean("discoverModels", shown(await provider.discoverModels()));
      assert.ok(carried(sim.requests[0]), `${name}: the key was not sent: ${shown(sim.requests[0])}`);
      sim.reset();
      await provider.chat(REQUEST);
      assert.ok(carried(sim.requests[0]), `${name}: the key was not sent with the chat`);

      const echo = (kind, ...paths) => {
        sim.reset();
        for (const path of paths) sim.respondNext({ echo: kind, path });
      };
      for (const kind of ECHO_KINDS) {
        echo(kind, "/v1/models");
        assertClean(`discoverModels, echo ${kind}`, await outcome(() => provider.discoverModels()));
        echo(kind, "/v1/models");
        assertClean(`listModels, echo ${kind}`, await outcome(() => provider.listModels()));
        echo(kind, "/v1/chat/completions");
        assertClean(`chat, echo ${kind}`, await outcome(() => provider.chat(REQUEST)));
        echo(kind, "/v1/chat/completions");
        assertClean(`stream, echo ${kind}`, await outcome(async () => {
          const events = [];
          for await (const event of provider.stream(REQUEST)) events.push(event);
          return events;
        }));
        echo(kind, "/version", "/v1/models", "/v1/chat/completions");
        assertClean(`diagnose, echo ${kind}`, await outcome(() => provider.diagnose({ model: "vllm/m", probeChat: true })));
      }

      // A timeout, and a server that is not there.
      sim.reset();
      sim.respondNext({ path: "/v1/models", headersDelayMs: 2000, body: "{}" });
      const timeout = await outcome(() => provider.discoverModels({ timeoutMs: 50 }));
      assert.match(timeout, /"code":"timeout"/);
      assertClean("timeout", timeout);
      const down = VllmProvider.resolve({ config: config(`http://127.0.0.1:${await closedPort()}/v1`), env, authProfiles });
      const unreachable = await outcome(() => down.discoverModels());
      assert.match(unreachable, /"code":"unreachable"/);
      assertClean("unreachable", unreachable);
      assertClean("unreachable diagnose", await outcome(() => down.diagnose({ probeChat: true })));
    });
  }
});

describe("a caller's fetch that fails with the key in its words, with a second server", () => {
  let sim;
  before(async () => {
    sim = await startSimulator({ models: [{ id: "m", maxModelLen: 512 }] });
  });
  after(() => sim.close());

  test("the key is in neither the error's list of tries nor the servers' health", async () => {
    const dead = `http://127.0.0.1:${await closedPort()}/v1`;
    // A hand-written wrapper that puts the request's headers in its error (a logging fetch does).
    const fetch = (url, init) =>
      String(url).startsWith(dead) ? Promise.reject(new TypeError(`fetch failed: ${JSON.stringify(init.headers)}`)) : globalThis.fetch(url, init);
    const calls = [
      ["discoverModels", "/v1/models", (p) => p.discoverModels()],
      ["listModels", "/v1/models", async (p) => { throw (await p.listModels()).discovery.error; }],
      ["chat", "/v1/chat/completions", (p) => p.chat(REQUEST)],
      ["stream", "/v1/chat/completions", async (p) => { for await (const _ of p.stream(REQUEST)); }],
    ];
    for (const [name, path, call] of calls) {
      const provider = VllmProvider.resolve({ config: at(dead, `apiKey: ${K}`), baseUrls: [sim.baseUrl], fetch });
      sim.reset();
      sim.respondNext({ path, status: 401, body: "unauthorized" });
      const e = await call(provider).then(() => assert.fail(`${name} resolved`), (e) => e);
      assert.match(e.message, /2 attempts/, name);
      assert.equal(e.attempts.length, 2, name);
      assertClean(`${name}: the error`, shown(e));
      assertClean(`${name}: describe()`, shown(provider.describe()));
    }
  });
});

describe("config errors name a secret's source instead of quoting it", () => {
  const cases = [
    ["{ models: { providers: { vllm: { baseUrl: '${VLLM_API_KEY}' } } } }", 'baseUrl "$VLLM_API_KEY" is not an absolute http(s) URL'],
    ["{ models: { providers: { vllm: { api: '${VLLM_API_KEY}' } } } }", 'unknown api "$VLLM_API_KEY"'],
    ["{ models: { providers: { vllm: { auth: '${VLLM_API_KEY}' } } } }", 'got "$VLLM_API_KEY"'],
    ["{ models: { providers: { vllm: { request: { auth: { mode: '${VLLM_API_KEY}' } } } } } }", 'got "$VLLM_API_KEY"'],
    ["{ models: { providers: { vllm: { headers: { 'X-A': { source: '${VLLM_API_KEY}', id: 'X' } } } } } }", 'got "$VLLM_API_KEY"'],
    [`{ models: { providers: { vllm: { apiKey: ${K}, api: ${K} } } } }`, 'unknown api "[redacted]"', {}],
    [`{ models: { providers: { vllm: { baseUrl: 'http://h h/v1?api_key=${ENCODED}' } } } }`, "api_key=[redacted]"],
  ];
  for (const [config, says, env = { VLLM_API_KEY: CANARY }] of cases) {
    test(config, async () => {
      const e = await outcome(() => VllmProvider.resolve({ config, env }));
      assertClean(config, e);
      assert.ok(e.includes(JSON.stringify(says).slice(1, -1)), e);
      assert.match(e, /"code":"config"/);
    });
  }

  test("a baseUrl override (the CLI's --base-url, the page's field) is shown redacted", () => {
    const p = VllmProvider.resolve({ env: { VLLM_API_KEY: "k" }, baseUrl: `http://me:${ENCODED}@127.0.0.1:1/v1?api_key=${ENCODED}` });
    assert.equal(p.describe().baseUrl, "http://me:[redacted]@127.0.0.1:1/v1?api_key=[redacted]");
    assert.equal(p.buildChatRequest(REQUEST).url, "http://127.0.0.1:1/v1/chat/completions?api_key=[redacted]");
    assert.equal(p.buildChatRequest(REQUEST).headers.Authorization, "Basic [redacted]");
  });
});

describe("the CLI never prints the key", () => {
  const BIN = new URL("../../bin/vllm-provider.mjs", import.meta.url).pathname;
  let sim;
  before(async () => {
    sim = await startSimulator({ models: [{ id: "m", maxModelLen: 512 }] });
  });
  after(() => sim.close());

  /** Runs the CLI with an empty HOME holding `authProfiles` (if any) as OpenClaw's store. */
  function cli(args, env, authProfiles) {
    const home = mkdtempSync(join(tmpdir(), "vllm-provider-secrets-"));
    if (authProfiles) {
      const dir = join(home, ".openclaw", "agents", "main", "agent");
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "auth-profiles.json"), JSON.stringify(authProfiles));
    }
    return new Promise((resolve) => {
      execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, HOME: home, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? err.code : 0, out: stdout + stderr });
      });
    });
  }

  for (const [name, config, env, authProfiles] of SOURCES) {
    test(name, async () => {
      const file = join(mkdtempSync(join(tmpdir(), "vllm-provider-cfg-")), "openclaw.json");
      writeFileSync(file, config(sim.baseUrl));
      const all = ["/version", "/v1/models", "/v1/chat/completions"];
      // Each command with an echo on the routes it calls (every echo kind comes up).
      const runs = [
        [["models"], "models", ["/v1/models"]],
        [["models", "--json"], "error", ["/v1/models"]],
        [["explain", "hi", "--model", "vllm/m"], null, []],
        [["explain", "hi", "--model", "vllm/m", "--json"], null, []],
        [["chat", "hi", "--model", "vllm/m"], "stream", ["/v1/chat/completions"]],
        [["chat", "hi", "--model", "vllm/m", "--json"], "headers", ["/v1/chat/completions"]],
        [["doctor", "--model", "vllm/m", "--probe-chat"], "error", all],
        [["doctor", "--model", "vllm/m", "--probe-chat", "--json"], "text", all],
      ];
      for (const [args, kind, paths] of runs) {
        sim.reset();
        for (const path of paths) sim.respondNext({ echo: kind, path });
        const r = await cli([...args, "--config", file], env, authProfiles);
        assertClean(`${args.join(" ")} (echo ${kind}), exit ${r.code}`, r.out);
        assert.ok(r.code === 0 || r.code === 1, r.out);
      }
      // A config error quoting the key (from --base-url).
      const r = await cli(["models", "--base-url", `http://h h/v1?api_key=${ENCODED}`], { VLLM_API_KEY: CANARY });
      assert.equal(r.code, 1);
      assertClean("--base-url", r.out);
    });
  }
});
