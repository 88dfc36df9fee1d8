// stream() and chat() from a page in headless Chromium (the browser build of dist/, loaded with init()),
// against the simulator and live vLLM: streamed replies, reasoning, tool calls, the exact body sent, the
// timers, cut streams, HTTP and stream errors, abort by signal and by break.
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
    sim = await startSimulator({ apiKey: KEY, allowedOrigins: ["*"], toolParser: true, models: [{ id: "m", maxModelLen: 4096 }] });
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
        const row = { id: arg.model, name: arg.model, contextWindow: 512, maxTokens: 16, ...arg.row };
        const config = { models: { providers: { vllm: { baseUrl, apiKey, api: "openai-completions", models: [row] } } } };
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

  const chunk = (delta, extra = {}) => ({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, logprobs: null, finish_reason: null, ...extra }] });
  // Runs the request and reports events (text deltas as text) and the error, as stream() gives them.
  const EVENTS = `
    const seen = [];
    try {
      for await (const ev of provider.stream(arg.request, arg.options)) seen.push(ev.type === "text" ? ev.delta : ev.type === "done" ? ev.result : ev);
      return { seen };
    } catch (e) {
      return { seen, error: { isError: lib.isVllmProviderError(e), code: e.code, message: e.message, hint: e.hint, status: e.status, requestId: e.requestId, retryable: e.retryable } };
    }`;
  const events = async (arg) => (await inPage(sim.baseUrl, arg.apiKey ?? KEY, EVENTS, { model: "m", ...arg })).ok;
  const hi = [{ role: "user", content: "hi" }];
  const closed = async () => {
    for (let i = 0; i < 100 && !sim.requests.at(-1)?.clientAborted; i++) await new Promise((r) => setTimeout(r, 20));
    return sim.requests.at(-1)?.clientAborted;
  };

  test("the Node stream tests' cases hold in the page: reasoning, tool calls, the exact body, timers, cut streams, HTTP errors", async () => {
    sim.reset();
    // Reasoning apart from the text, for a reasoning row.
    sim.respondNext({ path: "/v1/chat/completions", sse: [chunk({ role: "assistant", content: "" }), chunk({ reasoning: "think" }), chunk({ content: "ok" }, { finish_reason: "stop" })] });
    let r = await events({ row: { reasoning: true }, request: { model: "m", messages: hi } });
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.deepEqual(r.seen.find((e) => e.type === "reasoning"), { type: "reasoning", delta: "think", field: "reasoning" });
    assert.deepEqual([r.seen.at(-1).message.content, r.seen.at(-1).message.reasoning], ["ok", "think"]);

    // Tool-call deltas merged by index into parsed calls.
    sim.respondNext({ path: "/v1/chat/completions", sse: [
      chunk({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "get_weather", arguments: '{"city": ' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      chunk({}, { finish_reason: "tool_calls" }),
    ] });
    const tools = [{ name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } }];
    r = await events({ request: { model: "m", messages: hi, tools } });
    assert.deepEqual([r.seen.at(-1).stopReason, r.seen.at(-1).message.toolCalls], ["toolUse", [{ id: "call_a", name: "get_weather", arguments: { city: "Paris" } }]]);

    // What the page sends is byte for byte what buildChatRequest says.
    const request = { model: "vllm/m", messages: [{ role: "user", content: "Grüße \"q\" 😀" }], tools, params: { temperature: 0.25, stop: "END" } };
    const { ok, error } = await inPage(sim.baseUrl, KEY, "const prepared = provider.buildChatRequest(arg.request); await provider.chat(arg.request); return prepared;", { model: "m", request });
    assert.equal(error, undefined, JSON.stringify(error));
    assert.equal(sim.requests.at(-1).bodyText, JSON.stringify(ok.body));

    // First-event, idle and whole-request timeouts, each closing the connection.
    sim.respondNext({ path: "/v1/chat/completions", sse: [": keep-alive\n\n", chunk({ content: "late" })], stallAfterIndex: 0, stallMs: 10_000 });
    r = await events({ request: { model: "m", messages: hi }, options: { firstEventTimeoutMs: 200 } });
    assert.equal(r.error.code, "timeout");
    assert.match(r.error.message, /first-event timeout/);
    assert.ok(await closed());
    sim.respondNext({ path: "/v1/chat/completions", sse: [chunk({ content: "a" }), chunk({ content: "b" })], stallAfterIndex: 0, stallMs: 10_000 });
    r = await events({ request: { model: "m", messages: hi }, options: { idleTimeoutMs: 250 } });
    assert.deepEqual([r.seen.at(-1), r.error.code, r.error.message], ["a", "timeout", "LLM idle timeout (250ms): no response from model"]);
    assert.ok(await closed());
    sim.respondNext({ path: "/v1/chat/completions", sse: [chunk({ content: "a" }), chunk({ content: "b" })], delayMs: 150, neverEnd: true });
    r = await events({ request: { model: "m", messages: hi }, options: { timeoutMs: 400 } });
    assert.deepEqual([r.error.code, r.error.message], ["timeout", "vllm/m: the reply did not finish within 400 ms (whole-request timeout)"]);
    assert.ok(await closed());

    // A connection cut mid-reply. Chromium may fail the body read as soon as the connection breaks,
    // dropping bytes it had received (Node delivers them first): the events seen are a prefix.
    sim.respondNext({ path: "/v1/chat/completions", sse: [chunk({ content: "a" }), chunk({ content: "b" }), chunk({ content: "c" })], hangUp: true, hangUpAfterIndex: 1 });
    r = await events({ request: { model: "m", messages: hi } });
    assert.deepEqual([r.error.code, r.error.retryable], ["stream_error", true]);
    const names = r.seen.map((e) => (typeof e === "string" ? e : e.type));
    assert.deepEqual(names, ["start", "a", "b"].slice(0, names.length), JSON.stringify(r.seen));

    // HTTP errors with status and request id; the key never shows. (vLLM sends its 401 without CORS
    // headers, so the page learns it through the library's /health probe, recorded after the POST.)
    r = await events({ apiKey: "sk-browser-wrong-9", request: { model: "m", messages: hi } });
    const post = sim.requests.filter((q) => q.method === "POST").at(-1);
    assert.deepEqual([r.error.code, r.error.status, r.error.requestId], ["auth", 401, post.headers["x-request-id"]]);
    assert.ok(!JSON.stringify(r).includes("sk-browser-wrong-9"));
    r = await events({ request: { model: "vllm/nope", messages: hi } });
    assert.deepEqual([r.error.code, r.error.status], ["model_not_found", 404]);
    // The only console lines are the browser's own reports of the failed requests provoked here.
    const unexpected = problems.filter((m) => !/Failed to load resource|blocked by CORS policy/.test(m));
    assert.deepEqual(unexpected, []);
    problems.length = 0;
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
    for (let i = 0; i < 250 && !chats().every((r) => r.clientAborted); i++) await new Promise((r) => setTimeout(r, 20));
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
