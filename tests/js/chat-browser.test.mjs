// stream() and chat() from a page in headless Chromium (the browser build of dist/, loaded with init()),
// against the simulator and live vLLM: streamed replies, errors, abort by signal and by break.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { serve } from "../../scripts/serve.mjs";
import { startSimulator } from "../sim/server.mjs";
import { launchChromium, live } from "./helpers.mjs";

const KEY = "sk-browser-chat-CANARY";

describe("chat from a browser page", () => {
  let site, sim, browser, page, problems;
  before(async () => {
    site = await serve({ port: 0 });
    sim = await startSimulator({ apiKey: KEY, allowedOrigins: ["*"], models: [{ id: "m", maxModelLen: 4096 }] });
    browser = await launchChromium();
    ({ page, problems } = await browser.page());
    await page.goto(site.url);
    await page.waitForSelector("body[data-ready=true]", { state: "attached", timeout: 15_000 });
  });
  after(async () => {
    await browser?.close();
    await sim?.close();
    await site?.close();
  });

  /** Runs `body(lib, provider, arg)` in the page (a function body as text) and returns its JSON-able result. */
  function inPage(baseUrl, apiKey, body, arg) {
    return page.evaluate(
      async ([baseUrl, apiKey, body, arg]) => {
        const lib = await import("/pkg/index.js");
        await lib.init();
        const config = { models: { providers: { vllm: { baseUrl, apiKey, api: "openai-completions", models: [{ id: arg.model, name: arg.model, contextWindow: 512, maxTokens: 16 }] } } } };
        const provider = lib.VllmProvider.resolve({ config });
        const run = new Function("lib", "provider", "arg", `return (async () => { ${body} })();`);
        try {
          return { ok: await run(lib, provider, arg) };
        } catch (e) {
          return { error: { isError: lib.isVllmProviderError(e), code: e.code, message: e.message, hint: e.hint, status: e.status, requestId: e.requestId } };
        }
      },
      [baseUrl, apiKey, body, arg],
    );
  }

  const STREAM = `
    const events = [];
    for await (const ev of provider.stream({ model: arg.model, messages: [{ role: "user", content: "hi" }], params: { maxTokens: 8, temperature: 0 } })) events.push(ev);
    return events;`;

  test("a streamed reply from the simulator: start, text, usage, done", async () => {
    const { ok, error } = await inPage(sim.baseUrl, KEY, STREAM, { model: "m" });
    assert.equal(error, undefined, JSON.stringify(error));
    assert.deepEqual([ok[0].type, ok.at(-2).type, ok.at(-1).type], ["start", "usage", "done"]);
    const text = ok.filter((e) => e.type === "text").map((e) => e.delta).join("");
    assert.equal(ok.at(-1).result.message.content, text);
    assert.equal(ok.at(-1).result.requestId, sim.requests.at(-1).headers["x-request-id"]);
    assert.equal(sim.requests.at(-1).headers.origin, site.url.slice(0, -1));
  });

  test("an error frame and an HTML page are typed errors in the page too", async () => {
    sim.respondNext({ path: "/v1/chat/completions", scenario: { steps: ["a", "b"], streamError: { afterSteps: 1, message: "boom" } } });
    let { error } = await inPage(sim.baseUrl, KEY, STREAM, { model: "m" });
    assert.deepEqual([error.isError, error.code], [true, "stream_error"]);
    assert.match(error.message, /boom/);
    sim.respondNext({ path: "/v1/chat/completions", html: "<html>hi</html>", headers: { "access-control-allow-origin": "*" } });
    ({ error } = await inPage(sim.baseUrl, KEY, STREAM, { model: "m" }));
    assert.equal(error.code, "bad_response");
    assert.match(error.hint, /\/v1/);
  });

  const ABORT = `
    const c = new AbortController();
    let texts = 0;
    try {
      for await (const ev of provider.stream({ model: arg.model, messages: [{ role: "user", content: "hi" }], params: { maxTokens: 200 } }, { signal: c.signal })) {
        if (ev.type === "text" && ++texts === 1) c.abort();
      }
    } catch (e) {
      if (e.code !== "aborted") throw e;
    }
    for await (const ev of provider.stream({ model: arg.model, messages: [{ role: "user", content: "hi" }], params: { maxTokens: 200 } })) if (ev.type === "text") break;
    return texts;`;

  test("abort by signal and by break close the simulator's connections", async () => {
    sim.reset();
    for (let i = 0; i < 2; i++) sim.respondNext({ path: "/v1/chat/completions", sse: [{ id: "x", model: "m", choices: [{ index: 0, delta: { content: "a" } }] }], neverEnd: true });
    const { ok, error } = await inPage(sim.baseUrl, KEY, ABORT, { model: "m" });
    assert.equal(error, undefined, JSON.stringify(error));
    assert.equal(ok, 1);
    const chats = () => sim.requests.filter((r) => r.method === "POST");
    for (let i = 0; i < 100 && !chats().every((r) => r.clientAborted); i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(chats().map((r) => r.clientAborted), [true, true]);
    assert.deepEqual(problems, []);
  });

  test("live vLLM: a streamed reply, a wrong key, and abort", async (t) => {
    const srv = live(t);
    if (!srv) return;
    const { ok, error } = await inPage(srv.baseUrl, srv.apiKey, STREAM, { model: srv.model });
    assert.equal(error, undefined, JSON.stringify(error));
    assert.equal(ok[0].type, "start");
    const done = ok.at(-1).result;
    assert.ok(done.usage.output > 0 && done.usage.output <= 8);
    assert.equal(done.id, `chatcmpl-${done.requestId}`);
    const wrong = await inPage(srv.baseUrl, "sk-browser-wrong-3", STREAM, { model: srv.model });
    assert.equal(wrong.error.code, "auth");
    const aborted = await inPage(srv.baseUrl, srv.apiKey, ABORT, { model: srv.model });
    assert.equal(aborted.error, undefined, JSON.stringify(aborted.error));
    assert.equal(aborted.ok, 1);
  });
});
