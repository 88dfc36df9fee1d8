// The config tester page (what `npm start` serves), driven in Debian's Chromium through Playwright,
// against the simulator (CORS on), live vLLM and a port where nothing listens. The request preview and
// the live reply are tested in page-chat.test.mjs.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { serve } from "../../scripts/serve.mjs";
import { startSimulator } from "../sim/server.mjs";
import { closedPort, launchChromium, live } from "./helpers.mjs";
import { assertKeyNowhere, assertNoHorizontalOverflow, caretLine, openTester, readModels, submitConfig } from "./page.mjs";

const KEY = "sk-page-CANARY-1618";
const explicit = (baseUrl) => `{ models: { providers: { vllm: { baseUrl: "${baseUrl}", apiKey: "\${VLLM_API_KEY}" } } } }`;
const merged = (baseUrl, rows) => `{
  models: { providers: { vllm: { baseUrl: "${baseUrl}", apiKey: "\${VLLM_API_KEY}", models: ${JSON.stringify(rows)} } } },
  agents: { defaults: { modelPolicy: { allow: ["vllm/*"] } } },
}`;

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

  /** Opens the page, types a config and a key, and presses a button. */
  async function run(config, { key = KEY, button, profiles, width } = {}) {
    const opened = await openTester(browser, site, { width });
    await submitConfig(opened.page, config, { key, button, profiles });
    return opened;
  }

  test("a valid config lists the server's models with their context windows, and the key shows nowhere", async () => {
    const { page, problems, messages } = await run(explicit(sim.baseUrl));
    const rows = await readModels(page);
    assert.deepEqual(rows.map((r) => [r.id, r.contextWindow, r.source, r.parent]), [["qwen3-8b", "32768", "discovered", ""], ["sql-lora", "32768", "discovered", "qwen3-8b"]]);
    assert.match(await page.textContent("#models h3"), /The server offers \(2\)/);
    const provider = await page.textContent("#provider");
    assert.match(provider, /explicit models\.providers\.vllm is declared/);
    assert.match(provider, /env \(environment variable: VLLM_API_KEY\); sends Authorization/);
    assert.match(provider, /discovery\s*off/);
    assert.equal(sim.requests.at(-1).headers.authorization, `Bearer ${KEY}`);
    // The model fields now offer the served models.
    assert.equal(await page.inputValue("#req-model"), "vllm/qwen3-8b");
    await assertKeyNowhere(page, KEY, messages);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("with discovery on: the merged catalog, where each value came from, and disagreements highlighted", async () => {
    const { page, problems } = await run(merged(sim.baseUrl, [{ id: "qwen3-8b", name: "Qwen", contextWindow: 65536, maxTokens: 256 }, { id: "gone-model", name: "Gone" }]));
    assert.match(await page.textContent("#models h3"), /Models OpenClaw would use \(3\)/);
    const rows = await readModels(page);
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    assert.deepEqual([byId["qwen3-8b"].contextWindow, byId["qwen3-8b"].maxTokens, byId["qwen3-8b"].source], ["65536", "256", "merged"]);
    assert.equal(byId["qwen3-8b"].origins.contextWindow, "config");
    assert.equal(byId["qwen3-8b"].origins.maxTokens, "config");
    assert.equal(byId["sql-lora"].origins.contextWindow, "server");
    // 65536 > the server's max_model_len 32768, and gone-model is not served: both flagged and explained.
    assert.deepEqual(byId["qwen3-8b"].flagged, ["contextWindow"]);
    assert.deepEqual(byId["gone-model"].flagged, ["id"]);
    const warnings = await page.$$eval("#models .warnings li", (lis) => lis.map((li) => li.textContent));
    assert.equal(warnings.length, 2);
    assert.match(warnings.join("\n"), /contextWindow 65536 is larger than the server's max_model_len 32768/);
    assert.match(warnings.join("\n"), /"gone-model" is declared but the server does not serve it/);
    const described = await page.$eval("#models td.disagree", (td) => document.getElementById(td.getAttribute("aria-describedby")).textContent);
    assert.match(described, /contextWindow 65536/);
    // Served models are offered first in the request's model field.
    assert.equal(await page.inputValue("#req-model"), "vllm/qwen3-8b");
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("broken JSON5 is reported at its line and column, the line is marked and the cursor goes there", async () => {
    const { page, problems } = await run("{\n  models: {\n    providers: ]\n  }\n}", { button: "#resolve" });
    const error = await page.textContent("#error");
    assert.match(error, /^config: Invalid JSON5 in the config at line 3/);
    assert.match(error, /\(line 3, column \d+\)/);
    assert.match(await page.textContent("#error pre.excerpt"), /^3 \|     providers: \]\n  \| +\^$/);
    assert.equal(await caretLine(page), 3);
    assert.deepEqual(await page.$$eval("#gutter .bad", (s) => s.map((x) => x.textContent.trim())), ["3"]);
    assert.equal(await page.isHidden("#provider"), true);
    // Typing clears the mark.
    await page.type("#config", " ");
    assert.equal(await page.$$eval("#gutter .bad", (s) => s.length), 0);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("a bad auth-profiles store is reported against that field, and a good one becomes the key source", async () => {
    const { page } = await run(explicit(sim.baseUrl), { key: "", button: "#resolve", profiles: "{\n  profiles: {,\n}" });
    assert.match(await page.textContent("#error"), /^config: .*authProfiles/);
    assert.equal(await page.evaluate(() => document.activeElement.id), "auth-profiles");
    assert.equal(await caretLine(page, "auth-profiles"), 2);
    await page.fill("#auth-profiles", `{ profiles: { "vllm:default": { type: "api_key", provider: "vllm", key: "${KEY}" } } }`);
    await page.click("#discover");
    await page.waitForSelector("#models:not([hidden])");
    assert.match(await page.textContent("#provider"), /profile \(auth profile: vllm:default\)/);
    assert.equal((await readModels(page)).length, 2);
    await page.close();
  });

  test("a syntax error on a line holding a key never copies the key into the page", async () => {
    const written = "sk_live_unquoted_CANARY_31415";
    const { page, problems } = await run(`{ models: { providers: { vllm: {\n  baseUrl: "${sim.baseUrl}",\n  apiKey: ${written}\n} } } }`, { button: "#resolve" });
    assert.match(await page.textContent("#error"), /line 3.*unquoted word of 29 characters/);
    assert.match(await page.textContent("#error pre.excerpt"), /^3 \|   apiKey: •{29}\n/);
    const profileKey = "sk-profile-CANARY-27182";
    await page.fill("#config", explicit(sim.baseUrl));
    await page.evaluate(() => (document.querySelector("#auth-details").open = true));
    await page.fill("#auth-profiles", `{ profiles: { "vllm:default": { key: "${profileKey}" provider: "vllm" } } }`);
    await page.click("#resolve");
    await page.waitForFunction(() => /authProfiles/.test(document.querySelector("#error")?.textContent ?? ""));
    const html = await page.evaluate(() => document.body.innerText + document.documentElement.outerHTML.replace(/<textarea[\s\S]*?<\/textarea>/g, ""));
    for (const secret of [written, profileKey]) assert.ok(!html.includes(secret), `${secret} copied into the page`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("with discovery on, a failed discovery still shows the declared rows, under the error", async () => {
    const { page } = await run(merged(sim.baseUrl, [{ id: "qwen3-8b", name: "Qwen", contextWindow: 8192 }]), { key: "sk-wrong-key-9" });
    assert.match(await page.textContent("#error"), /^auth: /);
    assert.match(await page.textContent("#models h3"), /Declared models \(discovery failed\) \(1\)/);
    assert.deepEqual((await readModels(page)).map((r) => [r.id, r.contextWindow, r.source]), [["qwen3-8b", "8192", "config"]]);
    await page.close();
  });

  test("the page loads nothing from anywhere but itself and the vLLM server (works offline)", async () => {
    const { page } = await openTester(browser, site);
    const urls = [];
    page.on("request", (r) => urls.push(r.url()));
    await page.reload();
    await page.waitForSelector("body[data-ready=true]", { state: "attached" });
    await submitConfig(page, explicit(sim.baseUrl), { key: KEY });
    await page.click("#doctor-run");
    await page.waitForSelector("#doctor .summary");
    assert.ok(urls.some((u) => u.endsWith("/pkg/wasm/vllm_provider_bg.wasm")), "the wasm came from the page's server");
    assert.deepEqual(urls.filter((u) => !u.startsWith(site.url) && !u.startsWith(sim.origin)), []);
    await page.close();
  });

  test("a wrong key shows the auth error and its hint", async () => {
    const { page, messages } = await run(explicit(sim.baseUrl), { key: "sk-wrong-key-9" });
    const text = await page.textContent("#error");
    // A page cannot read vLLM's 401 (sent before CORS headers); the library finds out through /health.
    assert.match(text, /^auth: /);
    assert.match(text, /key was rejected/);
    assert.match(text, /VLLM_API_KEY/);
    await assertKeyNowhere(page, "sk-wrong-key-9", messages);
    await page.close();
  });

  test("nothing listening shows unreachable with the curl hint", async () => {
    const port = await closedPort();
    const { page } = await run(explicit(`http://127.0.0.1:${port}/v1`));
    const text = await page.textContent("#error");
    assert.match(text, /^unreachable: /);
    assert.match(text, new RegExp(`curl http://127\\.0\\.0\\.1:${port}/v1/models`));
    assert.ok((await page.$$eval("#error .hint code", (c) => c.map((x) => x.textContent))).includes(`curl http://127.0.0.1:${port}/v1/models`));
    await page.close();
  });

  test("a server without CORS for this origin is reported as cors with the vLLM flag, in the results and the doctor", async () => {
    const closed = await startSimulator({ apiKey: KEY, allowedOrigins: [] });
    try {
      const { page, problems } = await run(explicit(closed.baseUrl));
      const text = await page.textContent("#error");
      assert.match(text, /^cors: /);
      assert.match(text, /--allowed-origins/);
      const origin = new URL(site.url).origin;
      assert.ok((await page.textContent("#provider")).includes(`--allowed-origins '["${origin}"]'`));
      await page.click("#doctor-run");
      await page.waitForSelector("#doctor .summary");
      const cors = await page.textContent('#doctor [data-check="cors"]');
      assert.match(cors, /fail/);
      assert.ok(cors.includes(`--allowed-origins '["${origin}"]'`), cors);
      // The browser reports the blocked requests itself; the page adds nothing of its own.
      assert.ok(problems.every((p) => /CORS|Failed to load resource/.test(p)), problems.join("\n"));
      await page.close();
    } finally {
      await closed.close();
    }
  });

  test("the doctor shows each check with its status, and a wrong key fails auth with its fix", async () => {
    const { page } = await run(explicit(sim.baseUrl), { key: "sk-wrong-key-9", button: "#resolve" });
    await page.uncheck("#probe-chat");
    await page.click("#doctor-run");
    await page.waitForSelector("#doctor .summary");
    const statuses = Object.fromEntries(await page.$$eval("#doctor [data-check]", (lis) => lis.map((li) => [li.dataset.check, li.className.replace("check-", "")])));
    assert.equal(statuses.reachable, "pass");
    assert.equal(statuses.auth, "fail");
    assert.equal(statuses.chat, "skip");
    assert.equal(statuses.cors, "pass");
    assert.match(await page.textContent('#doctor [data-check="auth"] .hint'), /VLLM_API_KEY/);
    assert.match(await page.textContent("#doctor .summary"), /failed/);
    await page.close();
  });

  test("keyboard: Ctrl+Enter in the editor and Enter in the key field both list the models", async () => {
    const { page } = await openTester(browser, site);
    await page.fill("#config", explicit(sim.baseUrl));
    await page.fill("#key", KEY);
    await page.focus("#config");
    await page.keyboard.press("Control+Enter");
    await page.waitForSelector("#models:not([hidden])");
    assert.equal((await readModels(page)).length, 2);
    await page.evaluate(() => document.getElementById("models").hidden = true);
    await page.focus("#key");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#models:not([hidden])");
    // Every control has a label, and the tab order follows the page: config, key, then the rest.
    const unlabelled = await page.$$eval("input, textarea, select", (els) => els.filter((e) => !e.labels?.length).map((e) => e.id));
    assert.deepEqual(unlabelled, []);
    await page.reload();
    await page.waitForSelector("body[data-ready=true]", { state: "attached" });
    const order = [];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press("Tab");
      order.push(await page.evaluate(() => document.activeElement.id || document.activeElement.tagName));
    }
    assert.deepEqual(order, ["config", "key", "remember-key", "base-url", "base-urls", "SUMMARY", "discover", "resolve"]);
    await page.close();
  });

  test("the key is kept only when asked: 'remember in this tab' puts it in sessionStorage, unticking removes it", async () => {
    const { page } = await openTester(browser, site);
    await page.fill("#key", KEY);
    const stored = () => page.evaluate((k) => JSON.stringify({ ...sessionStorage }).includes(k) || JSON.stringify({ ...localStorage }).includes(k), KEY);
    assert.equal(await stored(), false);
    await page.check("#remember-key");
    assert.equal(await stored(), true);
    await page.reload();
    await page.waitForSelector("body[data-ready=true]", { state: "attached" });
    assert.equal(await page.inputValue("#key"), KEY);
    await page.uncheck("#remember-key");
    assert.equal(await stored(), false);
    await page.close();
  });

  test("a narrow window (380 px) has no horizontal overflow, with results and the doctor shown", async () => {
    const { page, problems } = await run(merged(sim.baseUrl, [{ id: "qwen3-8b", name: "Qwen", contextWindow: 65536 }]), { width: 380 });
    await page.click("#doctor-run");
    await page.waitForSelector("#doctor .summary");
    await assertNoHorizontalOverflow(page);
    await page.fill("#config", "{\n  models: ]\n}");
    await page.click("#resolve");
    await assertNoHorizontalOverflow(page);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("live vLLM: the page lists tiny-model with context window 512 from the server, and the doctor passes", async (t) => {
    const srv = live(t);
    if (!srv) return;
    const { page, problems, messages } = await run(merged(srv.baseUrl, []), { key: srv.apiKey });
    const rows = await readModels(page);
    assert.deepEqual(rows.map((r) => [r.id, r.contextWindow, r.origins.contextWindow]), [[srv.model, "512", "server"]]);
    await page.fill("#doctor-model", `vllm/${srv.model}`);
    await page.click("#doctor-run");
    await page.waitForSelector("#doctor .summary", { timeout: 30_000 });
    const statuses = Object.fromEntries(await page.$$eval("#doctor [data-check]", (lis) => lis.map((li) => [li.dataset.check, li.className.replace("check-", "")])));
    for (const id of ["reachable", "health", "auth", "models", "model", "chat", "cors"]) assert.equal(statuses[id], "pass", id);
    await assertKeyNowhere(page, srv.apiKey, messages);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("live vLLM: a wrong key fails with the auth hint", async (t) => {
    const srv = live(t);
    if (!srv) return;
    const { page } = await run(explicit(srv.baseUrl), { key: "sk-not-the-live-key" });
    const text = await page.textContent("#error");
    assert.match(text, /^auth: /);
    assert.match(text, /VLLM_API_KEY/);
    await page.close();
  });
});

// An https page may not call an http server (mixed content). Loopback addresses are exempt in Chromium,
// so the simulator is reached under a made-up host name that Chromium maps to 127.0.0.1.
describe("config tester page served over https", () => {
  let site, sim, browser, dir;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "vllm-provider-tls-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
      "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
    site = await serve({ port: 0, tls: { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) } });
    sim = await startSimulator({ apiKey: KEY, allowedOrigins: ["*"] });
    browser = await launchChromium({ args: ["--ignore-certificate-errors", "--host-resolver-rules=MAP vllm.test 127.0.0.1"] });
  });
  after(async () => {
    await browser?.close();
    await sim?.close();
    await site?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("an http server is explained as mixed content, in the results, the provider panel and the doctor", async () => {
    const { page } = await openTester(browser, site);
    assert.ok(page.url().startsWith("https://"));
    await submitConfig(page, explicit(`http://vllm.test:${sim.port}/v1`), { key: KEY });
    const error = await page.textContent("#error");
    assert.match(error, /^cors: .*\(mixed content\)/);
    assert.match(error, /open the page over http, or put vLLM behind https/);
    assert.match(await page.textContent("#provider"), /this https page cannot call an http server \(mixed content\)/);
    await page.uncheck("#probe-chat");
    await page.click("#doctor-run");
    await page.waitForSelector("#doctor .summary");
    assert.match(await page.textContent('#doctor [data-check="cors"]'), /fail.*mixed content/s);
    assert.equal(sim.requests.length, 0, "the browser sent nothing to the http server");
    await page.close();
  });
});
