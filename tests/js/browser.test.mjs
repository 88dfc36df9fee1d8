// The config tester page (what `npm start` serves), driven in Debian's Chromium through Playwright,
// against the simulator (CORS on), live vLLM and a port where nothing listens.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { serve } from "../../scripts/serve.mjs";
import { startSimulator } from "../sim/server.mjs";
import { closedPort, launchChromium, live } from "./helpers.mjs";

const KEY = "sk-page-CANARY-1618";

describe("config tester page", () => {
  let site, sim, browser;
  before(async () => {
    site = await serve({ port: 0 });
    sim = await startSimulator({ apiKey: KEY, allowedOrigins: ["*"], models: [{ id: "qwen3-8b", maxModelLen: 32768 }, { id: "sql-lora", parent: "qwen3-8b" }] });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await sim?.close();
    await site?.close();
  });

  /** Opens the page, types a config and a key, and clicks a button. */
  async function run(config, { key = KEY, button = "#discover" } = {}) {
    const { page, problems } = await browser.page();
    await page.goto(site.url);
    await page.waitForSelector("body[data-ready=true]", { state: "attached", timeout: 15_000 });
    await page.fill("#config", config);
    await page.fill("#key", key);
    await page.click(button);
    await page.waitForFunction(() => !document.querySelector("button#discover").disabled && (document.querySelector("#models:not([hidden])") || document.querySelector("#error:not([hidden])") || document.querySelector("#provider:not([hidden])")), null, { timeout: 20_000 });
    return { page, problems };
  }

  const explicit = (baseUrl) => `{ models: { providers: { vllm: { baseUrl: "${baseUrl}", apiKey: "\${VLLM_API_KEY}" } } } }`;

  test("a valid config lists the server's models with their context windows", async () => {
    const { page, problems } = await run(explicit(sim.baseUrl));
    const rows = await page.$$eval("#models tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    assert.deepEqual(rows.map((r) => [r[0], r[1], r[4], r[5]]), [["qwen3-8b", "32768", "discovered", ""], ["sql-lora", "32768", "discovered", "qwen3-8b"]]);
    assert.match(await page.textContent("#provider"), /explicit/);
    assert.equal(sim.requests.at(-1).headers.authorization, `Bearer ${KEY}`);
    // The key typed in the field appears nowhere else.
    const text = await page.evaluate(() => document.body.innerText + document.documentElement.outerHTML.replace(/value="[^"]*"/g, ""));
    assert.ok(!text.includes(KEY));
    assert.ok(!page.url().includes(KEY));
    assert.equal(await page.evaluate((k) => JSON.stringify({ ...localStorage }).includes(k) || JSON.stringify({ ...sessionStorage }).includes(k), KEY), false);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("with discovery on, the page shows the merged catalog: config values win, the server fills the rest", async () => {
    const config = `{ models: { providers: { vllm: { baseUrl: "${sim.baseUrl}", apiKey: "\${VLLM_API_KEY}", models: [{ id: "qwen3-8b", name: "Qwen", maxTokens: 256 }] } } }, agents: { defaults: { modelPolicy: { allow: ["vllm/*"] } } } }`;
    const { page, problems } = await run(config);
    assert.match(await page.textContent("#models h3"), /Models OpenClaw would use \(2\)/);
    const rows = await page.$$eval("#models tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    assert.deepEqual(rows.map((r) => [r[0], r[1], r[2], r[4]]), [["qwen3-8b", "32768", "256", "merged"], ["sql-lora", "32768", "8192", "discovered"]]);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("broken JSON5 is reported at its line and the cursor goes there", async () => {
    const { page } = await run("{\n  models: {\n    providers: ]\n  }\n}", { button: "#resolve" });
    assert.match(await page.textContent("#error"), /config: Invalid JSON5 in the config at line 3/);
    const caretLine = await page.evaluate(() => {
      const a = document.getElementById("config");
      return a.value.slice(0, a.selectionStart).split("\n").length;
    });
    assert.equal(caretLine, 3);
    await page.close();
  });

  test("a wrong key shows the auth error and its hint", async () => {
    const { page } = await run(explicit(sim.baseUrl), { key: "sk-wrong-key-9" });
    const text = await page.textContent("#error");
    // A page cannot read vLLM's 401 (sent before CORS headers); the library finds out through /health.
    assert.match(text, /^auth: /);
    assert.match(text, /key was rejected/);
    assert.match(text, /VLLM_API_KEY/);
    await page.close();
  });

  test("nothing listening shows unreachable with the curl hint", async () => {
    const port = await closedPort();
    const { page } = await run(explicit(`http://127.0.0.1:${port}/v1`));
    const text = await page.textContent("#error");
    assert.match(text, /^unreachable: /);
    assert.match(text, new RegExp(`curl http://127\\.0\\.0\\.1:${port}/v1/models`));
    await page.close();
  });

  test("a server without CORS for this origin is reported as cors with the vLLM flag", async () => {
    const closed = await startSimulator({ apiKey: KEY, allowedOrigins: [] });
    try {
      const { page } = await run(explicit(closed.baseUrl));
      const text = await page.textContent("#error");
      assert.match(text, /^cors: /);
      assert.match(text, /--allowed-origins/);
      await page.close();
    } finally {
      await closed.close();
    }
  });

  test("live vLLM: the page lists tiny-model with context window 512", async (t) => {
    const srv = live(t);
    if (!srv) return;
    const { page } = await run(explicit(srv.baseUrl), { key: srv.apiKey });
    const rows = await page.$$eval("#models tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    assert.deepEqual(rows.map((r) => [r[0], r[1]]), [[srv.model, "512"]]);
    await page.close();
  });
});
