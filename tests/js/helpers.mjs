// Shared pieces of the JS test layer: the live vLLM server's coordinates, closed ports, Chromium.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isVllmProviderError } from "../../dist/node.js";

/** The `VllmProviderError` that `fn` (an async function) rejects with; fails if it resolves. */
export async function rejection(fn) {
  try {
    await fn();
  } catch (e) {
    assert.ok(isVllmProviderError(e), `not a VllmProviderError: ${e?.stack ?? e}`);
    return e;
  }
  assert.fail("did not reject");
}

/** Where real vLLM 0.32 runs (started by scripts/test.sh through tests/vllm/live.mjs). */
export function live(t) {
  const baseUrl = process.env.VLLM_LIVE_BASE_URL;
  if (baseUrl) {
    return { baseUrl, apiKey: process.env.VLLM_LIVE_API_KEY, model: process.env.VLLM_LIVE_MODEL ?? "tiny-model", origin: new URL(baseUrl).origin };
  }
  if (process.env.VLLM_PROVIDER_SKIP_LIVE === "1") {
    t.skip("VLLM_PROVIDER_SKIP_LIVE=1: live vLLM tests skipped on purpose");
    return undefined;
  }
  throw new Error("VLLM_LIVE_BASE_URL is not set: run through `npm test` (which starts real vLLM), or set VLLM_PROVIDER_SKIP_LIVE=1 to skip live tests on purpose");
}

/** A loopback port nothing listens on (bound, then closed: never a fetch "bad port"). */
export async function closedPort() {
  const server = net.createServer();
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

/** Flags for Debian's Chromium on this machine kind (root, no GPU, closed network). */
export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** Launches Chromium with a fresh profile (and extra command-line `args`); `close()` also removes the profile. */
export async function launchChromium({ args = [] } = {}) {
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(join(tmpdir(), "vllm-provider-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [...CHROMIUM_ARGS, ...args],
    viewport: { width: 1200, height: 820 },
  });
  return {
    context,
    async page() {
      const page = await context.newPage();
      const problems = [];
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
      return { page, problems };
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
