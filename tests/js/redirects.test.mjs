// Redirects, against real loopback servers: the simulator answers 301/302/303/307/308 (its `redirect`
// behaviour), and a second simulator on another port is "the other origin", recording whatever reaches
// it. Same-origin redirects are followed with the same headers and body; a redirect to another origin
// (another port, or https on the same host) ends the call with a typed error and sends it nothing: no
// key, no secret header, no prompt. Over the platform's fetch and a caller's fetch, for discovery,
// listModels, chat, stream and diagnose; and in Chromium, where a manual redirect is opaque.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { serve } from "../../scripts/serve.mjs";
import { VllmProvider } from "../../dist/node.js";
import { startSimulator } from "../sim/server.mjs";
import { launchChromium, rejection } from "./helpers.mjs";

const KEY = "sk-redirect-CANARY-7301";
const SECRET = "x-secret-CANARY-7302";
const PROMPT = "prompt-CANARY-7303";
const CODES = [301, 302, 303, 307, 308];
let sim, other;

before(async () => {
  sim = await startSimulator({ apiKey: KEY, models: [{ id: "m", maxModelLen: 4096 }] });
  other = await startSimulator({ models: [{ id: "m", maxModelLen: 4096 }] });
});
after(async () => {
  await sim.close();
  await other.close();
});
beforeEach(() => {
  sim.reset();
  other.reset();
});

// The platform's fetch, and a caller's fetch that passes init on as openai-node's and the AI SDK's do.
const FETCHES = { "the platform's fetch": undefined, "a caller's fetch": (url, init) => globalThis.fetch(url, init) };

function provider(fetch) {
  const vllm = { baseUrl: sim.baseUrl, apiKey: KEY, api: "openai-completions", headers: { "X-Api-Key": SECRET }, models: [{ id: "m", name: "m", maxTokens: 8 }] };
  return VllmProvider.resolve({ config: { models: { providers: { vllm } } }, fetch });
}
const request = { model: "m", messages: [{ role: "user", content: PROMPT }] };
const drain = async (it) => {
  for await (const _ of it);
};
// Each way a call reaches the server, and the path its first request takes.
const CALLS = {
  discoverModels: ["/v1/models", (p) => p.discoverModels()],
  chat: ["/v1/chat/completions", (p) => p.chat(request)],
  stream: ["/v1/chat/completions", (p) => drain(p.stream(request))],
};

/** Asserts the other origin received nothing at all, so no key, header or prompt. */
function otherSawNothing() {
  assert.deepEqual(other.requests, [], "a request reached the other origin");
}

for (const [fetchName, fetch] of Object.entries(FETCHES)) {
  describe(`redirects over ${fetchName}`, () => {
    for (const [callName, [path, call]] of Object.entries(CALLS)) {
      test(`${callName}: every redirect code to another origin ends the call, naming both origins, and sends it nothing`, async () => {
        for (const status of CODES) {
          sim.respondNext({ path, redirect: `${other.origin}${path}`, status });
          const e = await rejection(() => call(provider(fetch)));
          assert.equal(e.code, "bad_response", `${status}`);
          assert.equal(e.status, status);
          assert.ok(e.message.includes(sim.origin) && e.message.includes(other.origin), e.message);
          assert.equal(e.hint, `Set baseUrl to the final URL, ${other.origin}/v1, so requests go there directly.`);
          assert.ok(!JSON.stringify(e).includes(KEY) && !e.message.includes(SECRET));
          otherSawNothing();
        }
      });

      test(`${callName}: https on the same host and port is another origin too`, async () => {
        sim.respondNext({ path, redirect: `https://127.0.0.1:${sim.port}${path}`, status: 308 });
        const e = await rejection(() => call(provider(fetch)));
        assert.match(e.message, new RegExp(`https://127\\.0\\.0\\.1:${sim.port}`));
        assert.equal(sim.requests.length, 1, "nothing was followed");
      });

      test(`${callName}: every redirect code within the origin is followed with the same headers and body`, async () => {
        for (const status of CODES) {
          sim.reset();
          sim.respondNext({ path, redirect: `${path}?hop=${status}`, status });
          const outcome = await call(provider(fetch)).then(() => "ok", (e) => e);
          const [first, second] = sim.requests;
          assert.equal(sim.requests.length, 2, `${status}`);
          assert.deepEqual(second.query, { hop: String(status) });
          for (const h of ["authorization", "x-api-key", "x-request-id"]) assert.equal(second.headers[h], first.headers[h], `${status} ${h}`);
          if (first.method === "POST" && status === 303) {
            // See Other asks for a GET: the prompt is not posted again, and vLLM answers that route 405.
            assert.deepEqual([second.method, second.bodyText], ["GET", ""]);
            assert.deepEqual([outcome.name, outcome.status], ["VllmProviderError", 405]);
          } else {
            assert.deepEqual([second.method, second.bodyText], [first.method, first.bodyText]);
            assert.equal(outcome, "ok", `${status}: ${outcome?.message}`);
          }
          otherSawNothing();
        }
      });
    }

    test("vLLM's own trailing-slash 307 is followed (two hops within the origin)", async () => {
      sim.respondNext({ path: "/v1/models", redirect: "/v1/models/", status: 301 });
      const models = await provider(fetch).discoverModels();
      assert.deepEqual(models.map((m) => m.id), ["m"]);
      assert.deepEqual(sim.requests.map((r) => r.path), ["/v1/models", "/v1/models/", "/v1/models"]);
    });

    test("a redirect loop within the origin stops after five hops with a typed error", async () => {
      for (let i = 0; i < 8; i++) sim.respondNext({ path: "/v1/models", redirect: `/v1/models?loop=${i}`, status: 302 });
      const e = await rejection(() => provider(fetch).discoverModels());
      assert.equal(e.code, "bad_response");
      assert.match(e.message, /more than 5 times/);
      assert.equal(sim.requests.length, 6);
    });

    test("listModels reports a cross-origin redirect in discovery.error and sends the other origin nothing", async () => {
      sim.respondNext({ path: "/v1/models", redirect: `${other.origin}/v1/models`, status: 302 });
      const p = VllmProvider.resolve({ env: { VLLM_API_KEY: KEY }, baseUrl: sim.baseUrl, fetch });
      const catalog = await p.listModels();
      assert.ok(catalog.discovery.attempted, JSON.stringify(p.describe().discovery));
      assert.equal(catalog.discovery.error?.code, "bad_response");
      assert.ok(catalog.discovery.error.message.includes(other.origin));
      otherSawNothing();
    });

    test("every diagnose probe refuses a cross-origin redirect and reports it as a failed check", async () => {
      for (const path of ["/health", "/version", "/v1/models"]) {
        sim.reset();
        other.reset();
        sim.respondNext({ path, redirect: `${other.origin}${path}`, status: 307 });
        const report = await provider(fetch).diagnose({ model: "vllm/m" });
        const failed = report.checks.filter((c) => c.status === "fail" || c.status === "warn");
        assert.ok(failed.some((c) => c.detail.includes(other.origin) || (c.hint ?? "").includes(other.origin)), `${path}: ${JSON.stringify(report.checks)}`);
        otherSawNothing();
      }
      sim.reset();
      sim.respondNext({ path: "/v1/chat/completions", redirect: `${other.origin}/v1/chat/completions`, status: 307 });
      const report = await provider(fetch).diagnose({ model: "vllm/m", probeChat: true });
      const chat = report.checks.find((c) => c.id === "chat");
      assert.equal(chat.status, "fail");
      assert.ok(chat.detail.includes(other.origin), chat.detail);
      otherSawNothing();
    });
  });
}

describe("redirects in a browser page", () => {
  let site, browser, page;
  before(async () => {
    site = await serve({ port: 0 });
    browser = await launchChromium();
    ({ page } = await browser.page());
    await page.goto(site.url);
    await page.waitForSelector("body[data-ready=true]", { state: "attached", timeout: 15_000 });
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });

  test("a manual redirect is opaque there: the error says a redirect happened, and nothing is followed", async () => {
    const cors = await startSimulator({ apiKey: KEY, allowedOrigins: ["*"], models: [{ id: "m", maxModelLen: 4096 }] });
    try {
      for (const status of [302, 307]) {
        cors.respondNext({ path: "/v1/models", redirect: `${other.origin}/v1/models`, status });
        const error = await page.evaluate(async ([baseUrl, key]) => {
          const lib = await import("/pkg/index.js");
          await lib.init();
          const p = lib.VllmProvider.resolve({ config: { models: { providers: { vllm: { baseUrl, apiKey: key, api: "openai-completions" } } } } });
          return p.discoverModels().then(() => null, (e) => ({ code: e.code, message: e.message, hint: e.hint, typed: lib.isVllmProviderError(e) }));
        }, [cors.baseUrl, KEY]);
        assert.deepEqual([error?.typed, error?.code], [true, "bad_response"], JSON.stringify(error));
        assert.match(error.message, /redirect/);
        assert.match(error.hint, /baseUrl/);
      }
      otherSawNothing();
    } finally {
      await cors.close();
    }
  });
});
