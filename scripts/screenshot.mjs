// Re-takes docs/tester.png: the config tester after listing a real vLLM server's models.
// Usage: VLLM_LIVE_BASE_URL=http://127.0.0.1:8000/v1 VLLM_LIVE_API_KEY=… node scripts/screenshot.mjs
// (the server must allow the page's origin: --allowed-origins; the build in dist/ is served as /pkg/).
import { serve } from "./serve.mjs";
import { launchChromium } from "../tests/js/helpers.mjs";

const baseUrl = process.env.VLLM_LIVE_BASE_URL;
const model = process.env.VLLM_LIVE_MODEL ?? "tiny-model";
if (!baseUrl) {
  console.error("screenshot: set VLLM_LIVE_BASE_URL (and VLLM_LIVE_API_KEY) to a running vLLM server");
  process.exit(2);
}
const out = new URL("../docs/tester.png", import.meta.url).pathname;
const config = `// openclaw.json: JSON5, comments allowed
{
  models: {
    providers: {
      vllm: {
        baseUrl: "${baseUrl}",
        apiKey: "\${VLLM_API_KEY}",
        api: "openai-completions",
        models: [
          { id: "${model}", name: "Tiny test model",
            maxTokens: 256 },
        ],
      },
    },
  },
  // discover the server's other models too
  agents: {
    defaults: { modelPolicy: { allow: ["vllm/*"] } },
  },
}
`;

const site = await serve({ port: 5173 }).catch(() => serve({ port: 0 }));
const browser = await launchChromium();
try {
  const { page, problems } = await browser.page();
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.goto(site.url);
  await page.waitForSelector("body[data-ready=true]", { state: "attached", timeout: 15_000 });
  await page.fill("#config", config);
  await page.fill("#key", process.env.VLLM_LIVE_API_KEY ?? "");
  await page.click("#discover");
  await page.waitForSelector("#models:not([hidden])", { timeout: 20_000 });
  await page.evaluate(() => document.activeElement?.blur());
  await page.screenshot({ path: out });
  if (problems.length) throw new Error(problems.join("\n"));
  console.log(`screenshot: ${out}`);
} finally {
  await browser.close();
  await site.close();
}
