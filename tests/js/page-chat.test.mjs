// The config tester's request preview (buildChatRequest) and live reply (stream), in Chromium, against
// the simulator and live vLLM.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { serve } from "../../scripts/serve.mjs";
import { startSimulator } from "../sim/server.mjs";
import { launchChromium, live } from "./helpers.mjs";
import { assertKeyNowhere, assertNoHorizontalOverflow, openTester, submitConfig } from "./page.mjs";

const KEY = "sk-page-chat-CANARY-2718";
const config = (baseUrl, rows = []) => `{
  models: { providers: { vllm: { baseUrl: "${baseUrl}", apiKey: "\${VLLM_API_KEY}", models: ${JSON.stringify(rows)} } } },
  agents: { defaults: { modelPolicy: { allow: ["vllm/*"] } } },
}`;

describe("config tester page: request preview and live reply", () => {
  let site, sim, browser;
  before(async () => {
    site = await serve({ port: 0 });
    sim = await startSimulator({
      apiKey: KEY, allowedOrigins: ["*"], reasoningParser: true, toolParser: true, reasoningText: "A greeting, five words, nothing else.",
      models: [{ id: "qwen3-8b", maxModelLen: 32768 }, { id: "plain-model", maxModelLen: 4096 }],
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await sim?.close();
    await site?.close();
  });

  /** Opens the page and lists the models of `baseUrl` with `key`. */
  async function ready(baseUrl, key, { rows, width } = {}) {
    const opened = await openTester(browser, site, { width });
    await submitConfig(opened.page, config(baseUrl, rows), { key });
    await opened.page.waitForSelector("#models:not([hidden])");
    return opened;
  }

  /** Sends the request form and waits for the reply to end (Done, Stopped or an error). */
  async function send(page, { stopAfterFirst = false, stopAtOnce = false } = {}) {
    if (stopAtOnce) {
      // Live vLLM streams hundreds of tokens per second: a click from the test process could come after
      // the end, so the page itself presses Stop the moment the first words appear.
      await page.evaluate(() => {
        const observer = new MutationObserver(() => {
          if (document.querySelector("#live-text")?.textContent) {
            observer.disconnect();
            document.querySelector("#stop").click();
          }
        });
        observer.observe(document.getElementById("live"), { childList: true, subtree: true, characterData: true });
      });
    }
    await page.click("#send");
    if (stopAfterFirst) {
      await page.waitForFunction(() => document.querySelector("#live-text")?.textContent || document.querySelector("#live-reasoning")?.textContent, null, { timeout: 20_000 });
      await page.click("#stop");
    }
    await page.waitForFunction(() => !document.querySelector("#send").disabled && document.querySelector("#live-stats dd"), null, { timeout: 30_000 });
  }

  const stats = (page) => page.$$eval("#live-stats dt", (dts) => Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));

  test("several base URLs: a dead one is skipped, the provider lists the replicas, and the reply names the server that answered", async () => {
    const { closedPort } = await import("./helpers.mjs");
    const dead = `http://127.0.0.1:${await closedPort()}/v1`;
    const { page, problems, messages } = await openTester(browser, site);
    await page.fill("#base-urls", `${sim.baseUrl}\n`);
    await submitConfig(page, config(dead), { key: KEY });
    await page.waitForSelector("#models:not([hidden])");
    await page.fill("#req-model", "vllm/plain-model");
    await page.fill("#max-tokens", "8");
    await send(page);
    assert.equal((await stats(page))["answered by"], sim.baseUrl);
    await submitConfig(page, config(dead), { key: KEY });
    const shown = await page.textContent("#provider");
    assert.ok(shown.includes(`${dead}: unhealthy`) && shown.includes(`${sim.baseUrl}: healthy`), shown);
    await assertKeyNowhere(page, KEY, messages);
    assert.deepEqual(problems.filter((p) => !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(p)), []);
    await page.close();
  });

  test("the preview shows the exact request, key redacted, with its notes as a list, and follows the form", async () => {
    const { page, problems, messages } = await ready(sim.baseUrl, KEY);
    await page.fill("#req-model", "vllm/plain-model");
    await page.fill("#max-tokens", "32");
    await page.waitForFunction(() => document.querySelector("#preview pre.json")?.textContent.includes('"max_completion_tokens": 32'));
    const head = await page.textContent("#preview pre.http");
    assert.match(head, new RegExp(`^POST ${sim.baseUrl.replace(/[.]/g, "\\.")}/chat/completions\\n`));
    assert.match(head, /Authorization: Bearer \[redacted\]/);
    const body = JSON.parse(await page.textContent("#preview pre.json"));
    assert.equal(body.model, "plain-model");
    assert.deepEqual(body.messages, [{ role: "user", content: "Say hello in five words." }]);
    assert.equal(body.stream, true);
    const notes = await page.$$eval("#preview ul.notes li", (lis) => lis.map((li) => li.textContent));
    assert.ok(notes.some((n) => /^store dropped store is not sent/.test(n)), notes.join("\n"));
    assert.match(await page.textContent("#preview h3:nth-of-type(2)"), new RegExp(`\\(${notes.length}\\)`));
    // The Thinking field offers what thinkingProfile() gives: a model not declared as reasoning has only "off".
    assert.deepEqual(await page.$$eval("#thinking option", (os) => os.map((o) => o.textContent)), ["default (off)", "off"]);
    // Offering the tool adds it to the body (and tool_choice), right away.
    await page.check("#with-tool");
    await page.waitForFunction(() => document.querySelector("#preview pre.json").textContent.includes("get_weather"));
    assert.equal(JSON.parse(await page.textContent("#preview pre.json")).tool_choice, "auto");
    await assertKeyNowhere(page, KEY, messages);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("a request the library refuses is explained in the preview (a model of another provider)", async () => {
    const { page } = await ready(sim.baseUrl, KEY);
    await page.fill("#req-model", "openai/gpt-4o");
    await page.waitForSelector("#preview .error-box");
    assert.match(await page.textContent("#preview .error-box"), /^config: .*\(at model\)/);
    await page.close();
  });

  test("simulator: a reasoning model's reply streams with reasoning apart from the answer, usage and speed", async () => {
    // Declared with reasoning: true (vLLM's /v1/models does not say; undeclared, the reasoning is not shown).
    const { page, problems, messages } = await ready(sim.baseUrl, KEY, { rows: [{ id: "qwen3-8b", name: "Qwen3 8B", reasoning: true }] });
    await page.fill("#req-model", "vllm/qwen3-8b");
    await page.waitForFunction(() => document.querySelector("#thinking option").textContent !== "default (off)");
    assert.deepEqual(await page.$$eval("#thinking option", (os) => os.map((o) => o.value)), ["", "off", "minimal", "low", "medium", "high"]);
    await page.selectOption("#thinking", "low");
    await send(page);
    assert.equal(await page.textContent("#live .live-status"), "Done.");
    assert.equal(await page.textContent("#live-reasoning"), "A greeting, five words, nothing else.");
    assert.equal(await page.isVisible("#live-reasoning"), true);
    assert.equal(await page.$("#live-reasoning-hidden"), null);
    const answer = await page.textContent("#live-text");
    assert.ok(answer.length > 0 && !answer.includes(await page.textContent("#live-reasoning")), "answer apart from reasoning");
    const s = await stats(page);
    assert.match(s["time to first token"], /^\d+(\.\d+)? m?s$/);
    assert.match(s["tokens per second"], /^\d+\.\d$|^–$/);
    assert.match(s.usage, /^\d+ in, \d+ out \(\d+ reasoning\)/);
    assert.equal(s["stop reason"], "stop");
    assert.equal(sim.requests.at(-1).headers.authorization, `Bearer ${KEY}`);
    await assertKeyNowhere(page, KEY, messages);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("after List models, the preview uses the server's rows (its window clamps the output cap), as the library does", async () => {
    const { page, problems } = await ready(sim.baseUrl, KEY);
    await page.fill("#req-model", "vllm/plain-model");
    await page.fill("#max-tokens", "");
    await page.waitForFunction(() => document.querySelector("#preview pre.json")?.textContent.includes('"model": "plain-model"'));
    const body = JSON.parse(await page.textContent("#preview pre.json"));
    assert.ok(body.max_completion_tokens > 0 && body.max_completion_tokens < 4096, `clamped to the server's 4096: ${body.max_completion_tokens}`);
    const notes = await page.$$eval("#preview ul.notes li", (lis) => lis.map((li) => li.textContent));
    assert.ok(!notes.some((n) => /not among the provider's models/.test(n)), notes.join("\n"));
    // A changed input resolves a new provider: without discovery it falls back to OpenClaw's row.
    await page.fill("#config", config(sim.baseUrl).replace('allow: ["vllm/*"]', "allow: []"));
    await page.dispatchEvent("#req-model", "input");
    await page.waitForFunction(() => /not among the provider's models/.test(document.querySelector("#preview ul.notes")?.textContent ?? ""));
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("simulator: reasoning the library drops for a row not marked reasoning is explained, not silently missing", async () => {
    const { page, problems } = await ready(sim.baseUrl, KEY, { rows: [{ id: "qwen3-8b", name: "Qwen3 8B" }] });
    await page.fill("#req-model", "vllm/qwen3-8b");
    await send(page);
    assert.equal(await page.textContent("#live .live-status"), "Done.");
    assert.equal(await page.isVisible("#live-reasoning"), false);
    assert.match(await page.textContent("#live-reasoning-hidden"), /^The server counted \d+ reasoning tokens, but no reasoning is shown: .*reasoning: true/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("simulator: a tool call is shown with its name and arguments", async () => {
    const { page, problems } = await ready(sim.baseUrl, KEY);
    await page.fill("#req-model", "vllm/plain-model");
    await page.check("#with-tool");
    sim.respondNext({ path: "/v1/chat/completions", scenario: { steps: [{ toolCalls: [{ index: 0, id: "call_1", name: "get_weather", arguments: '{"city": "Paris"}' }] }], finishReason: "tool_calls" } });
    await send(page);
    assert.match(await page.textContent("#live-tools"), /get_weather\(\{"city":\s?"Paris"\}\)/);
    assert.equal((await stats(page))["stop reason"], "toolUse");
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("simulator: Stop aborts a reply mid-stream (the server sees the client go) and Esc does too", async () => {
    const { page, problems } = await ready(sim.baseUrl, KEY);
    await page.fill("#req-model", "vllm/plain-model");
    sim.respondNext({ path: "/v1/chat/completions", scenario: { steps: ["Hello", " there"] }, stallAfterIndex: 1, stallMs: Infinity });
    await send(page, { stopAfterFirst: true });
    assert.match(await page.textContent("#live .live-status"), /^Stopped/);
    assert.equal((await stats(page))["stop reason"], "aborted");
    assert.equal(await page.isDisabled("#stop"), true);
    await page.waitForFunction(() => true);
    const deadline = Date.now() + 5000;
    while (!sim.requests.at(-1).clientAborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(sim.requests.at(-1).clientAborted, true);

    sim.respondNext({ path: "/v1/chat/completions", scenario: { steps: ["Hi", " again"] }, stallAfterIndex: 1, stallMs: Infinity });
    await page.focus("#prompt");
    await page.keyboard.press("Control+Enter");
    await page.waitForFunction(() => document.querySelector("#live-text")?.textContent);
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => /^Stopped/.test(document.querySelector("#live .live-status").textContent));
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("simulator: an error during the reply is shown with its code and hint (unknown model)", async () => {
    const { page } = await ready(sim.baseUrl, KEY);
    await page.fill("#req-model", "vllm/no-such-model");
    await send(page);
    assert.match(await page.textContent("#live .error-box"), /^model_not_found: /);
    assert.ok((await page.textContent("#live .error-box .hint")).length > 0);
    await page.close();
  });

  test("narrow window: preview and reply fit 380 px", async () => {
    const { page, problems } = await ready(sim.baseUrl, KEY, { width: 380 });
    await page.fill("#req-model", "vllm/qwen3-8b");
    await page.check("#with-tool");
    await send(page);
    await assertNoHorizontalOverflow(page);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("live vLLM: the preview, then a streamed reply from tiny-model with usage", async (t) => {
    const srv = live(t);
    if (!srv) return;
    const { page, problems, messages } = await ready(srv.baseUrl, srv.apiKey);
    assert.equal(await page.inputValue("#req-model"), `vllm/${srv.model}`);
    await page.fill("#max-tokens", "16");
    await page.fill("#temperature", "0"); // the random-weight model may end early otherwise
    await page.waitForFunction(() => document.querySelector("#preview pre.json")?.textContent.includes('"max_completion_tokens": 16'));
    await send(page);
    assert.equal(await page.textContent("#live .live-status"), "Done.");
    assert.ok((await page.textContent("#live-text")).length > 0);
    const s = await stats(page);
    assert.match(s.usage, /^\d+ in, 16 out/);
    assert.equal(s["stop reason"], "length");
    assert.match(s["tokens per second"], /^\d+\.\d$/);
    await assertKeyNowhere(page, srv.apiKey, messages);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("live vLLM: Stop aborts a long reply", async (t) => {
    const srv = live(t);
    if (!srv) return;
    const { page, problems } = await ready(srv.baseUrl, srv.apiKey);
    // At temperature 0 the random-weight model never stops by itself before max tokens.
    await page.fill("#max-tokens", "400");
    await page.fill("#temperature", "0");
    await page.fill("#prompt", "Count to a thousand.");
    await send(page, { stopAtOnce: true });
    assert.match(await page.textContent("#live .live-status"), /^Stopped/);
    const s = await stats(page);
    assert.equal(s["stop reason"], "aborted");
    assert.ok(Number((await page.textContent("#live .live-status")).match(/after (\d+) delta/)[1]) < 400);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
