// The config tester page never shows a key: one typed in the key field and used in the base URL's
// query, one in the URL's credentials, one in a secret-named header, while the simulator echoes every
// request's secrets back in every form (tests/sim/echo.mjs) to the model list, the preview, the live
// reply and the doctor.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { serve } from "../../scripts/serve.mjs";
import { echoForms } from "../sim/echo.mjs";
import { startSimulator } from "../sim/server.mjs";
import { launchChromium } from "./helpers.mjs";
import { openTester, settled, submitConfig } from "./page.mjs";

const CANARY = 'Can4ry+k3y/Qx=9"Zt';
const ENCODED = encodeURIComponent(CANARY);
const FORMS = [...echoForms(CANARY), ...echoForms(`user:${CANARY}`).slice(5), ENCODED.toLowerCase()];

/** Everything the page shows or keeps, but the fields the user typed the key (or the config) into. */
async function assertClean(page, messages, what) {
  const seen = await page.evaluate(() => ({
    text: document.body.innerText,
    html: document.body.outerHTML,
    fields: [...document.querySelectorAll("input, textarea, select")].filter((e) => e.id !== "key" && e.id !== "config").map((e) => e.value).join("\n"),
    storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    url: location.href,
  }));
  for (const [where, value] of Object.entries({ ...seen, console: messages.join("\n") })) {
    assert.ok(!value.toLowerCase().includes("can4ry"), `${what}: the key shows in ${where}: ${value.slice(0, 1500)}`);
    for (const form of FORMS) assert.ok(!value.includes(form), `${what}: ${form} shows in ${where}`);
  }
}

describe("config tester page: keys in URLs, headers and echoes stay hidden", () => {
  let site, sim, browser;
  before(async () => {
    site = await serve({ port: 0 });
    sim = await startSimulator({ allowedOrigins: ["*"], models: [{ id: "m", maxModelLen: 512 }] });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await sim?.close();
    await site?.close();
  });

  const configs = {
    "the key field, in the query": (u) => ({ key: CANARY, config: `{ models: { providers: { vllm: { baseUrl: "${u}?api_key=\${VLLM_API_KEY}", apiKey: "\${VLLM_API_KEY}", models: [{ id: "m", name: "m" }] } } }, agents: { defaults: { modelPolicy: { allow: ["vllm/*"] } } } }` }),
    "URL credentials": (u) => ({ key: "k", config: `{ models: { providers: { vllm: { baseUrl: "${u.replace("://", `://user:${ENCODED}@`)}", models: [{ id: "m", name: "m" }] } } }, agents: { defaults: { modelPolicy: { allow: ["vllm/*"] } } } }` }),
    "an X-Other-Key header": (u) => ({ key: "k", config: `{ models: { providers: { vllm: { baseUrl: "${u}", apiKey: "\${VLLM_API_KEY}", headers: { "X-Other-Key": ${JSON.stringify(CANARY)} }, models: [{ id: "m", name: "m" }] } } }, agents: { defaults: { modelPolicy: { allow: ["vllm/*"] } } } }` }),
  };

  for (const [name, make] of Object.entries(configs)) {
    test(name, async () => {
      const { page, problems, messages } = await openTester(browser, site);
      const { key, config } = make(sim.baseUrl);
      for (const kind of ["models", "error", "headers"]) {
        sim.reset();
        sim.respondNext({ echo: kind, path: "/v1/models" });
        await submitConfig(page, config, { key });
        await assertClean(page, messages, `list models, echo ${kind}`);
      }
      assert.match(await page.textContent("#provider"), /\[redacted\]/, "the base URL or the header is shown redacted");
      await page.fill("#req-model", "vllm/m");
      await page.waitForSelector("#preview pre.http");
      await assertClean(page, messages, "preview");
      for (const kind of ["stream", "error", "headers"]) {
        sim.reset();
        sim.respondNext({ echo: kind, path: "/v1/chat/completions" });
        await page.click("#send");
        await page.waitForFunction(() => !document.querySelector("#send").disabled && document.querySelector("#live-stats dd, #live .error"), null, { timeout: 20_000 });
        await assertClean(page, messages, `live reply, echo ${kind}`);
      }
      for (const kind of ["error", "text", "models"]) {
        sim.reset();
        for (const path of ["/version", "/v1/models", "/v1/chat/completions"]) sim.respondNext({ echo: kind, path });
        await page.click("#doctor-run");
        await page.waitForSelector("#doctor .summary");
        await assertClean(page, messages, `doctor, echo ${kind}`);
      }
      // A JSON5 error on a line with URL credentials: the excerpt hides the values.
      await submitConfig(page, `{ models: { providers: { vllm: { baseUrl: "http://user:${ENCODED}@h/v1" oops } } } }`, { key });
      await settled(page);
      assert.match(await page.textContent("#error"), /line 1/);
      await assertClean(page, messages, "JSON5 excerpt");
      // The browser logs each error answer as a failed resource; nothing else may go wrong.
      assert.deepEqual(problems.filter((p) => !p.includes("Failed to load resource")), []);
    });
  }
});
