// The built package, imported by its own name as users import it, against real servers on loopback:
// the vLLM simulator and live vLLM 0.32 on CPU. No fetch is mocked anywhere.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import {
  VllmProvider, VllmProviderError, classifyError, init, isVllmProviderError, parseModelRef, version,
} from "vllm-provider";
import { initSync, wasmVersion } from "../../dist/wasm/vllm_provider.js";
import { startSimulator } from "../sim/server.mjs";
import { closedPort, live } from "./helpers.mjs";

const KEY = "sk-test-CANARY-31337";

/** Asserts `promise` rejects with a VllmProviderError of `code` and returns it. */
async function rejectsWith(promise, code) {
  let caught;
  await promise.then(() => assert.fail(`expected a ${code} error`), (e) => (caught = e));
  assert.ok(caught instanceof VllmProviderError, `not a VllmProviderError: ${caught}`);
  assert.ok(caught instanceof Error);
  assert.equal(caught.name, "VllmProviderError");
  assert.equal(caught.code, code, `${caught.code}: ${caught.message}`);
  assert.ok(caught.hint.length > 0);
  assert.ok(!JSON.stringify({ ...caught, message: caught.message }).includes(KEY), "an error leaked the key");
  return caught;
}

describe("package surface", () => {
  test("init() is a harmless no-op on Node and version matches the crate and package.json", async () => {
    await init();
    await init();
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    assert.equal(version, pkg.version);
    // The shipped .wasm file (the browser's; Node's entry carries the same bytes inside node.cjs).
    initSync({ module: readFileSync(new URL("../../dist/wasm/vllm_provider_bg.wasm", import.meta.url)) });
    assert.equal(wasmVersion(), pkg.version);
  });

  test("resolve({}) is unregistered at the default base URL, as the contract says", () => {
    const d = VllmProvider.resolve({}).describe();
    assert.equal(d.status, "unregistered");
    assert.equal(d.baseUrl, "http://127.0.0.1:8000/v1");
    assert.match(d.discovery.reason, /VLLM_API_KEY/);
    assert.deepEqual(VllmProvider.resolve().describe(), d);
  });

  test("VLLM_API_KEY from env makes an implicit provider; JSON.stringify never shows the key", () => {
    const p = VllmProvider.resolve({ env: { VLLM_API_KEY: KEY } });
    assert.equal(p.describe().status, "implicit");
    assert.deepEqual(p.describe().auth, { source: "env", envVar: "VLLM_API_KEY", sendsAuthorization: true });
    assert.ok(!JSON.stringify(p).includes(KEY));
    assert.deepEqual(JSON.parse(JSON.stringify(p)), p.describe());
  });

  test("an explicit models.providers.vllm with baseUrl is used, trailing slashes removed", () => {
    const config = `{ models: { providers: { vllm: { baseUrl: "http://10.0.0.5:9000/v1//", apiKey: "\${VLLM_API_KEY}" } } } }`;
    const d = VllmProvider.resolve({ config, env: { VLLM_API_KEY: KEY } }).describe();
    assert.equal(d.status, "explicit");
    assert.equal(d.baseUrl, "http://10.0.0.5:9000/v1");
    assert.equal(d.discovery.enabled, false);
    assert.ok(!JSON.stringify(d).includes(KEY));
  });

  test("config errors are thrown VllmProviderErrors with a position or a path", () => {
    assert.throws(() => VllmProvider.resolve({ config: "{\n  models: {,\n}" }), (e) => {
      assert.ok(e instanceof VllmProviderError && isVllmProviderError(e));
      assert.equal(e.code, "config");
      assert.equal(e.line, 2);
      return true;
    });
    assert.throws(() => VllmProvider.resolve({ config: { models: { providers: { vllm: { timeoutSeconds: -5 } } } } }), { code: "config", path: "models.providers.vllm.timeoutSeconds" });
  });

  test("classifyError and parseModelRef are plain functions", () => {
    // Only the first segment is the provider: vllm/vllm/foo is model vllm/foo, as OpenClaw 2026.9.6 reads it.
    assert.deepEqual(parseModelRef("VLLM/vllm/foo"), { provider: "vllm", model: "vllm/foo" });
    const info = classifyError(400, '{"error":{"message":"\\"auto\\" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set","type":"BadRequestError","param":null,"code":400}}');
    assert.equal(info.code, "tool_choice_unsupported");
    assert.match(info.hint, /--enable-auto-tool-choice --tool-call-parser/);
    assert.ok(!(info instanceof Error));
  });

  test("isVllmProviderError refuses look-alikes", () => {
    assert.equal(isVllmProviderError({ name: "VllmProviderError", code: "auth" }), false);
    assert.equal(isVllmProviderError(new Error("x")), false);
    assert.equal(isVllmProviderError(new VllmProviderError({ code: "auth", message: "m", hint: "h", retryable: false })), true);
  });
});

describe("discovery against the vLLM simulator", () => {
  let sim;
  before(async () => {
    sim = await startSimulator({
      apiKey: KEY,
      models: [{ id: "qwen3-8b", root: "/models/Qwen3-8B", maxModelLen: 32768 }, { id: "sql-lora", root: "/adapters/sql-lora", parent: "qwen3-8b" }],
    });
  });
  after(() => sim.close());

  const provider = (extra = {}) => VllmProvider.resolve({ env: { VLLM_API_KEY: KEY }, baseUrl: sim.baseUrl, ...extra });

  test("GET {baseUrl}/models with the bearer key and no Accept header; LoRA rows inherit the window", async () => {
    sim.reset();
    const models = await provider().discoverModels();
    assert.deepEqual(models.map((m) => [m.id, m.contextWindow, m.maxTokens, m.source, m.parent]), [
      ["qwen3-8b", 32768, 8192, "discovered", undefined],
      ["sql-lora", 32768, 8192, "discovered", "qwen3-8b"],
    ]);
    const [req] = sim.requests;
    assert.equal(req.method, "GET");
    assert.equal(req.path, "/v1/models");
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
    assert.equal(req.headers.accept ?? "*/*", "*/*", "no Accept header of ours (fetch may add */*)");
  });

  test("discovered rows come whole, their fields in the order serde-wasm-bindgen gives declared rows", async () => {
    const [base, lora] = await provider().discoverModels();
    const thinking = { levels: [{ id: "off" }], defaultLevel: "off", source: "core" };
    const origins = { contextWindow: "server", maxTokens: "default", reasoning: "default", input: "default" };
    const cost = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
    const row = { id: "sql-lora", name: "sql-lora", reasoning: false, input: ["text"], cost, contextWindow: 32768, maxTokens: 8192, source: "discovered", parent: "qwen3-8b", origins, thinking };
    assert.equal(JSON.stringify(lora), JSON.stringify(row));
    const vllm = { baseUrl: sim.baseUrl, apiKey: KEY, models: [{ id: "x", name: "X", maxTokens: 100 }] };
    const declared = VllmProvider.resolve({ config: { models: { providers: { vllm } } } }).describe().models[0];
    assert.deepEqual(Object.keys(base), Object.keys(declared));
    assert.ok(base.thinking !== lora.thinking && base.thinking.levels[0] !== lora.thinking.levels[0], "each row its own objects");
  });

  test("the caller's fetch is used instead of the global one", async () => {
    const calls = [];
    const fetch = (url, init) => (calls.push(url), globalThis.fetch(url, init));
    await provider({ fetch }).discoverModels();
    assert.deepEqual(calls, [`${sim.baseUrl}/models`]);
  });

  test("listModels merges declared rows first and reports discovery", async () => {
    const config = {
      models: { providers: { vllm: { baseUrl: sim.baseUrl, apiKey: KEY, models: [{ id: "qwen3-8b", name: "Qwen3", contextWindow: 65536 }] } } },
      agents: { defaults: { modelPolicy: { allow: ["vllm/*"] } } },
    };
    const catalog = await VllmProvider.resolve({ config }).listModels();
    assert.equal(catalog.discovery.attempted, true);
    assert.equal(catalog.discovery.ok, true);
    assert.equal(typeof catalog.discovery.durationMs, "number");
    assert.deepEqual(catalog.models.map((m) => [m.id, m.contextWindow, m.source]), [["qwen3-8b", 65536, "merged"], ["sql-lora", 32768, "discovered"]]);
    assert.deepEqual(Object.keys(catalog), ["models", "discovery", "warnings"]);
    const [lora] = (await VllmProvider.resolve({ config }).discoverModels()).slice(1);
    assert.equal(JSON.stringify(catalog.models[1]), JSON.stringify(lora), "a discovered-only row as discoverModels() gives it");
  });

  test("listModels says where each value came from and warns where config and server disagree", async () => {
    const config = {
      models: { providers: { vllm: { baseUrl: sim.baseUrl, apiKey: KEY, models: [{ id: "qwen3-8b", name: "Qwen3", contextWindow: 65536 }, { id: "gone", name: "Gone" }] } } },
      agents: { defaults: { modelPolicy: { allow: ["vllm/*"] } } },
    };
    const catalog = await VllmProvider.resolve({ config }).listModels();
    const origins = Object.fromEntries(catalog.models.map((m) => [m.id, m.origins.contextWindow]));
    assert.deepEqual(origins, { "qwen3-8b": "config", gone: "default", "sql-lora": "server" });
    const paths = catalog.warnings.map((w) => w.path);
    assert.ok(paths.includes("models.providers.vllm.models[0].contextWindow"), JSON.stringify(catalog.warnings));
    assert.ok(paths.includes("models.providers.vllm.models[1].id"), JSON.stringify(catalog.warnings));
    assert.ok(!JSON.stringify(catalog).includes(KEY));
  });

  test("a wrong key is an auth error with the key hint, and the key never shows", async () => {
    const e = await rejectsWith(VllmProvider.resolve({ env: { VLLM_API_KEY: "sk-wrong-key-123" }, baseUrl: sim.baseUrl }).discoverModels(), "auth");
    assert.equal(e.status, 401);
    assert.equal(e.message, "401 Unauthorized");
    assert.match(e.hint, /VLLM_API_KEY/);
    assert.ok(!JSON.stringify({ ...e }).includes("sk-wrong-key-123"));
  });

  test("listModels keeps going when discovery fails and reports the error", async () => {
    const config = { models: { providers: { vllm: { baseUrl: sim.baseUrl, apiKey: "sk-wrong-key-123" } } }, agents: { defaults: { modelPolicy: { allow: ["vllm/*"] } } } };
    const catalog = await VllmProvider.resolve({ config }).listModels();
    assert.equal(catalog.discovery.ok, false);
    assert.equal(catalog.discovery.error.code, "auth");
  });

  test("a base URL without /v1 is a bad_response that names the /v1 prefix", async () => {
    const e = await rejectsWith(VllmProvider.resolve({ env: { VLLM_API_KEY: KEY }, baseUrl: sim.origin }).discoverModels(), "bad_response");
    assert.equal(e.status, 404);
    assert.match(e.hint, /\/v1/);
  });

  test("an HTML page where the model list should be is a bad_response", async () => {
    sim.respondNext({ status: 200, headers: { "content-type": "text/html" }, body: "<html><body>proxy login</body></html>" });
    await rejectsWith(provider().discoverModels(), "bad_response");
  });

  test("a server that never answers times out with its own code", async () => {
    sim.respondNext({ stallBeforeFirstMs: 5_000, sse: [] });
    const e = await rejectsWith(provider().discoverModels({ timeoutMs: 200 }), "timeout");
    assert.match(e.message, /200 ms/);
  });

  test("aborting the caller's signal rejects at once with aborted", async () => {
    sim.respondNext({ stallBeforeFirstMs: 5_000, sse: [] });
    const controller = new AbortController();
    const pending = provider().discoverModels({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await rejectsWith(pending, "aborted");
  });
});

describe("nothing listening", () => {
  test("discoverModels rejects with unreachable and the curl check in the hint", async () => {
    const port = await closedPort();
    const e = await rejectsWith(VllmProvider.resolve({ baseUrl: `http://127.0.0.1:${port}/v1` }).discoverModels(), "unreachable");
    assert.match(e.message, /connection refused/);
    assert.match(e.hint, new RegExp(`curl http://127\\.0\\.0\\.1:${port}/v1/models`));
    assert.equal(e.retryable, true);
  });
});

describe("live vLLM 0.32 on CPU", () => {
  test("discovers the served model with its max_model_len as the context window", async (t) => {
    const srv = live(t);
    if (!srv) return;
    const models = await VllmProvider.resolve({ env: { VLLM_API_KEY: srv.apiKey }, baseUrl: srv.baseUrl }).discoverModels();
    assert.deepEqual(models.map((m) => [m.id, m.contextWindow, m.maxTokens, m.reasoning, m.source]), [[srv.model, 512, 8192, false, "discovered"]]);
  });

  test("no key and a wrong key are auth errors with vLLM's string 401", async (t) => {
    const srv = live(t);
    if (!srv) return;
    for (const env of [{}, { VLLM_API_KEY: "sk-wrong-key-123" }]) {
      const e = await rejectsWith(VllmProvider.resolve({ env, baseUrl: srv.baseUrl }).discoverModels(), "auth");
      assert.equal(e.body, '{"error":"Unauthorized"}');
    }
  });

  test("an implicit provider's listModels discovers from the live server", async (t) => {
    const srv = live(t);
    if (!srv) return;
    const config = `{ models: { providers: { vllm: { baseUrl: "${srv.baseUrl}", apiKey: "\${VLLM_API_KEY}", models: [{ id: "${srv.model}", name: "Tiny" }] } } }, agents: { defaults: { modelPolicy: { allow: ["vllm/*"] } } } }`;
    const catalog = await VllmProvider.resolve({ config, env: { VLLM_API_KEY: srv.apiKey } }).listModels();
    assert.equal(catalog.discovery.ok, true);
    assert.deepEqual(catalog.models.map((m) => [m.id, m.name, m.source]), [[srv.model, "Tiny", "merged"]]);
  });
});
