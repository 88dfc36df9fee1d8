// Errors and diagnose() through the built package, against the simulator, live vLLM and nothing, in
// Node and in a Chromium page (where the cors check runs):
// every recorded error body classified, transport failures told apart, and a canary key that never
// shows in an error, a hint, a body or a report.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { VllmProvider, classifyError, isVllmProviderError } from "vllm-provider";
import { startSimulator } from "../sim/server.mjs";
import { serve } from "../../scripts/serve.mjs";
import { closedPort, launchChromium, live } from "./helpers.mjs";

const CANARY = "sk-errors-CANARY-40e7b2";
const FIXTURES = new URL("../fixtures/vllm/", import.meta.url);

/** The error a promise rejects with (fails if it resolves). */
async function rejection(promise) {
  return promise.then(() => assert.fail("expected a rejection"), (e) => e);
}

function noCanary(value) {
  const text = JSON.stringify(value, (k, v) => (v instanceof Error ? { ...v, message: v.message } : v));
  assert.ok(!text.includes(CANARY), `leaked: ${text}`);
}

describe("classifyError over every recorded vLLM error body", () => {
  const expected = {
    error_400_context_length_max_tokens_too_large: "context_overflow",
    error_400_context_length_prompt_too_long: "context_overflow",
    error_404_model_not_found: "model_not_found",
    error_400_auto_tool_choice_not_enabled: "tool_choice_unsupported",
    error_400_bad_param_type: "bad_request",
    error_400_context_length: "context_overflow",
    error_400_max_tokens_exceeds_max_model_len: "context_overflow",
    error_400_stream_options_without_stream: "bad_request",
    error_401_unauthorized: "auth",
    error_404_unknown_route: "bad_response",
    error_503_queue_full: "overloaded",
  };
  for (const release of readdirSync(FIXTURES).filter((d) => d.startsWith("v"))) {
    for (const file of readdirSync(new URL(`${release}/`, FIXTURES)).filter((f) => f.startsWith("error_") && f.endsWith(".json"))) {
      test(`${release}/${file}`, () => {
        const body = readFileSync(new URL(`${release}/${file}`, FIXTURES), "utf8");
        const status = Number(file.split("_")[1]);
        const info = classifyError(status, body);
        assert.equal(info.code, expected[file.replace(".json", "")], info.message);
        assert.equal(info.status, status);
        assert.ok(info.message.startsWith(`${status} `), info.message);
        assert.ok(info.hint.length > 20);
        assert.ok(info.body.length <= 500);
      });
    }
  }

  test("Retry-After, non-JSON bodies and a long body with a key in it", () => {
    const limited = classifyError(429, "{}", { "retry-after": "3" });
    assert.equal(limited.code, "rate_limit");
    assert.equal(limited.retryAfterMs, 3000);
    assert.equal(classifyError(502, "<html><h1>Bad Gateway</h1></html>").message, "502 status code (non-JSON body)");
    assert.equal(classifyError(500, "").message, "500 status code (no body)");
    const long = classifyError(400, `{"error":{"message":"echo Bearer ${CANARY} ${"x".repeat(800)}"}}`);
    assert.ok(long.body.length <= 500);
    noCanary(long);
  });
});

describe("transport failures through the package", () => {
  test("connection refused, DNS failure and TLS against plain http are told apart", async () => {
    const port = await closedPort();
    const refused = await rejection(VllmProvider.resolve({ env: { VLLM_API_KEY: CANARY }, baseUrl: `http://127.0.0.1:${port}/v1` }).discoverModels());
    assert.equal(refused.code, "unreachable");
    assert.match(refused.message, /connection refused/);
    const dns = await rejection(VllmProvider.resolve({ env: { VLLM_API_KEY: CANARY }, baseUrl: "http://vllm-does-not-exist.invalid:8000/v1" }).discoverModels());
    assert.equal(dns.code, "unreachable");
    assert.match(dns.message, /DNS/);
    noCanary([refused, dns]);
  });

  describe("against the simulator", () => {
    let sim;
    before(async () => {
      sim = await startSimulator({ apiKey: CANARY, models: [{ id: "qwen3-8b", maxModelLen: 32768 }] });
    });
    after(() => sim.close());

    test("https to a plain http server is a TLS failure that says so", async () => {
      const base = sim.baseUrl.replace("http:", "https:");
      const e = await rejection(VllmProvider.resolve({ env: { VLLM_API_KEY: CANARY }, baseUrl: base }).discoverModels());
      assert.equal(e.code, "unreachable");
      assert.match(e.message, /TLS failure/);
      noCanary(e);
    });

    test("a key in the config, a header and the env never shows in errors the server echoes", async () => {
      const config = { models: { providers: { vllm: { baseUrl: sim.baseUrl, apiKey: "${VLLM_API_KEY}", headers: { "X-Api-Key": CANARY }, models: [{ id: "qwen3-8b", name: "Q" }] } } } };
      const p = VllmProvider.resolve({ config, env: { VLLM_API_KEY: CANARY } });
      sim.respondNext({ path: "/v1/models", status: 500, body: `{"error":{"message":"upstream saw Authorization: Bearer ${CANARY} and X-Api-Key ${CANARY}"}}` });
      const e = await rejection(p.discoverModels());
      assert.ok(isVllmProviderError(e));
      assert.equal(e.code, "server_error");
      assert.match(e.message, /\[redacted\]/);
      noCanary(e);
    });

    test("diagnose() resolves to a report whose checks carry the contract's ids", async () => {
      const p = VllmProvider.resolve({ env: { VLLM_API_KEY: CANARY }, baseUrl: sim.baseUrl });
      const report = await p.diagnose({ model: "vllm/qwen3-8b", probeChat: true });
      assert.equal(report.ok, true, JSON.stringify(report, null, 2));
      assert.deepEqual(report.checks.map((c) => c.id), ["config", "base-url", "reachable", "health", "auth", "models", "version", "model", "chat", "cors"]);
      assert.equal(report.checks.find((c) => c.id === "cors").status, "skip");
      assert.deepEqual(report.server.models, ["qwen3-8b"]);
      assert.equal(report.server.maxModelLen["qwen3-8b"], 32768);
      const chat = sim.requests.find((r) => r.path === "/v1/chat/completions");
      assert.deepEqual(chat.body, { model: "qwen3-8b", messages: [{ role: "user", content: "hi" }], max_tokens: 1 });
      assert.equal(sim.requests.find((r) => r.path === "/health").headers.authorization, undefined);
      noCanary(report);
    });

    test("diagnose() refuses bad options and honours an aborted signal", async () => {
      const p = VllmProvider.resolve({ env: { VLLM_API_KEY: CANARY }, baseUrl: sim.baseUrl });
      const bad = await rejection(p.diagnose({ model: 5 }));
      assert.equal(bad.code, "config");
      const aborted = await rejection(p.diagnose({ signal: AbortSignal.abort() }));
      assert.equal(aborted.code, "aborted");
    });
  });

  test("diagnose() against live vLLM passes with its key", async (t) => {
    const l = live(t);
    if (!l) return;
    const report = await VllmProvider.resolve({ env: { VLLM_API_KEY: l.apiKey }, baseUrl: l.baseUrl }).diagnose({ model: l.model });
    assert.equal(report.ok, true, JSON.stringify(report, null, 2));
    assert.ok(!JSON.stringify(report).includes(l.apiKey));
  });
});

describe("diagnose() in a browser page on another origin", () => {
  let site, open, closed, browser;
  before(async () => {
    site = await serve({ port: 0 });
    open = await startSimulator({ apiKey: CANARY, allowedOrigins: ["*"], models: [{ id: "qwen3-8b", maxModelLen: 32768 }] });
    closed = await startSimulator({ apiKey: CANARY, models: [{ id: "qwen3-8b", maxModelLen: 32768 }] });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await open?.close();
    await closed?.close();
    await site?.close();
  });

  /** Runs diagnose() in a page served from another origin than the server; returns the report. */
  async function diagnoseInPage(baseUrl, key) {
    const { page, problems } = await browser.page();
    await page.goto(site.url);
    const report = await page.evaluate(async ({ baseUrl, key }) => {
      const m = await import("/pkg/index.js");
      await m.init();
      return m.VllmProvider.resolve({ env: { VLLM_API_KEY: key }, baseUrl }).diagnose({ model: "qwen3-8b" });
    }, { baseUrl, key });
    await page.close();
    const check = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    return { report, check, problems };
  }

  test("a server that allows the page's origin passes the cors check", async () => {
    const { report, check } = await diagnoseInPage(open.baseUrl, CANARY);
    assert.equal(report.ok, true, JSON.stringify(report, null, 2));
    assert.equal(check.cors.status, "pass");
    noCanary(report);
  });

  test("a server without --allowed-origins for the page fails cors with the flag, but is reachable", async () => {
    const { report, check } = await diagnoseInPage(closed.baseUrl, CANARY);
    assert.equal(report.ok, false);
    assert.equal(check.reachable.status, "pass");
    assert.equal(check.cors.status, "fail");
    assert.match(check.cors.hint, /--allowed-origins/);
    noCanary(report);
  });

  test("an answer that arrived is never read as CORS: a body that breaks, or Response.error() from a caller's fetch", async () => {
    const { page } = await browser.page();
    await page.goto(site.url);
    const codes = await page.evaluate(async (baseUrl) => {
      const m = await import("/pkg/index.js");
      await m.init();
      const breaking = async () => new Response(new ReadableStream({ pull(c) { c.enqueue(new TextEncoder().encode('{"data":[')); c.error(new TypeError("network error")); } }), { headers: { "content-type": "application/json" } });
      const fetches = { breaking, "Response.error()": async () => Response.error() };
      const out = {};
      for (const [name, fetch] of Object.entries(fetches)) {
        out[name] = await m.VllmProvider.resolve({ env: { VLLM_API_KEY: "k" }, baseUrl, fetch }).discoverModels({ retries: 0 }).then(() => "ok", (e) => e.code);
      }
      return out;
    }, closed.baseUrl);
    await page.close();
    assert.deepEqual(codes, { breaking: "unreachable", "Response.error()": "unreachable" });
  });

  test("a wrong key hidden by the browser is still an auth failure", async () => {
    const { check } = await diagnoseInPage(open.baseUrl, "sk-wrong-page-key-1");
    assert.equal(check.health.status, "pass");
    assert.equal(check.auth.status, "fail", JSON.stringify(check.auth));
    assert.match(check.auth.hint, /VLLM_API_KEY/);
  });
});
