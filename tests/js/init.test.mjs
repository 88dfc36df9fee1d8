// The browser entry before its wasm is ready: every call before init() has finished, or after a failed
// load, throws a VllmProviderError (code "not_initialized") whose hint says what to do; a failed init()
// rejects with it and may be retried. In Node (this file imports the browser entry, dist/index.js, which
// nothing else in this process loads) and in Chromium under a CSP without 'wasm-unsafe-eval'.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";
import { VllmProvider, classifyError, init, isVllmProviderError, parseModelRef } from "../../dist/index.js";
import { promisify } from "node:util";
import { launchChromium } from "./helpers.mjs";

const DIST = new URL("../../dist/", import.meta.url);
const WASM = readFileSync(new URL("wasm/vllm_provider_bg.wasm", DIST));

/** The typed error `fn` throws. */
function thrown(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(isVllmProviderError(e), `not a VllmProviderError: ${e?.stack ?? e}`);
    return e;
  }
  assert.fail("did not throw");
}

function assertNotInitialized(e, message) {
  assert.equal(e.code, "not_initialized");
  assert.match(e.message, message);
  assert.match(e.hint, /await init\(\)/);
  assert.match(e.hint, /init\(new URL\(/, "says how to pass the wasm's URL");
  assert.match(e.hint, /WebAssembly\.Module/, "says a compiled module may be passed");
  assert.match(e.hint, /'wasm-unsafe-eval'/, "names the CSP source a page needs");
}

describe("the browser entry before init()", () => {
  test("every export that reaches the wasm throws not_initialized, and keeps doing so", () => {
    for (const call of [() => VllmProvider.resolve({}), () => VllmProvider.resolve(), () => classifyError(500, ""), () => parseModelRef("vllm/x")]) {
      const e = thrown(call);
      assertNotInitialized(e, /not initialised: init\(\) was not called/);
      assert.equal(e.retryable, false);
      assert.ok(e instanceof Error);
    }
  });

  test("a failed load rejects init() with the typed error and its cause; calls say why; a retry loads", async () => {
    const bad = await init(new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9])).then(() => assert.fail("loaded garbage"), (e) => e);
    assert.ok(isVllmProviderError(bad), `not typed: ${bad}`);
    assertNotInitialized(bad, /could not load its wasm: /);
    assert.equal(bad.retryable, true);
    assert.ok(bad.cause instanceof WebAssembly.CompileError, `cause: ${bad.cause}`);
    assert.equal(thrown(() => VllmProvider.resolve({})), bad, "calls after the failed load throw its error");

    // While a load is running, calls say so; concurrent init() calls share it.
    const first = init(WASM);
    const second = init(WASM);
    assertNotInitialized(thrown(() => parseModelRef("vllm/x")), /init\(\) has not finished/);
    await Promise.all([first, second]);
    assert.equal(VllmProvider.resolve({}).describe().status, "unregistered");
    assert.deepEqual(parseModelRef("vllm/x"), { provider: "vllm", model: "x" });
    await init(new Uint8Array([1, 2, 3])); // loaded: a later argument is ignored
    assert.ok(VllmProvider.resolve({}) instanceof VllmProvider, "instances stay instanceof the exported class");
  });
});

test("the Node entry where wasm cannot load (node --jitless has no WebAssembly): it imports, calls throw the typed reason", async () => {
  const script = `
    const { VllmProvider, init } = require(${JSON.stringify(new URL("node.cjs", DIST).pathname)});
    const typed = (e) => ({ name: e.name, code: e.code, message: e.message, hint: e.hint });
    let call;
    try { VllmProvider.resolve({}); } catch (e) { call = typed(e); }
    init().then(() => console.log("{}"), (e) => console.log(JSON.stringify({ call, init: typed(e) })));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ["--jitless", "-e", script]);
  const out = JSON.parse(stdout);
  assert.equal(out.call.name, "VllmProviderError");
  assertNotInitialized(out.call, /could not load its wasm: WebAssembly is not defined/);
  assert.deepEqual(out.init, out.call);
});

describe("a page under a Content-Security-Policy", () => {
  let server, browser;
  before(async () => {
    // The page's CSP comes from the query: ?csp=strict has no 'wasm-unsafe-eval'.
    const TYPES = { js: "text/javascript", wasm: "application/wasm" };
    server = createServer((req, res) => {
      const url = new URL(req.url, "http://x");
      if (url.pathname === "/") {
        const script = url.searchParams.get("csp") === "strict" ? "script-src 'self'" : "script-src 'self' 'wasm-unsafe-eval'";
        res.writeHead(200, { "content-type": "text/html", "content-security-policy": `${script}; connect-src 'self'` });
        return void res.end(`<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="/page.js"></script>`);
      }
      if (url.pathname === "/page.js") {
        res.writeHead(200, { "content-type": "text/javascript" });
        return void res.end(`
          import { init, VllmProvider } from "/pkg/index.js";
          const typed = (e) => ({ name: e.name, code: e.code, message: e.message, hint: e.hint });
          const out = {};
          try { VllmProvider.resolve({}); } catch (e) { out.before = typed(e); }
          try { await init(); out.status = VllmProvider.resolve({}).describe().status; } catch (e) { out.init = typed(e); }
          try { VllmProvider.resolve({}); } catch (e) { out.after = typed(e); }
          document.body.dataset.result = JSON.stringify(out);
        `);
      }
      const rel = url.pathname.replace(/^\/pkg\//, "");
      try {
        const body = readFileSync(new URL(rel, DIST));
        res.writeHead(200, { "content-type": TYPES[rel.split(".").at(-1)] ?? "application/octet-stream" }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await new Promise((ok) => server?.close(ok));
  });

  async function open(csp) {
    const { page } = await browser.page();
    await page.goto(`http://127.0.0.1:${server.address().port}/?csp=${csp}`);
    await page.waitForFunction(() => document.body?.dataset.result, null, { timeout: 20_000 });
    const result = JSON.parse(await page.evaluate(() => document.body.dataset.result));
    await page.close();
    return result;
  }

  test("without 'wasm-unsafe-eval' init() rejects with not_initialized naming the CSP, and calls throw it", async () => {
    const out = await open("strict");
    assert.equal(out.before.code, "not_initialized");
    assert.equal(out.init.name, "VllmProviderError");
    assert.equal(out.init.code, "not_initialized");
    assert.match(out.init.message, /could not load its wasm: .*(Content Security Policy|unsafe-eval)/);
    assert.match(out.init.hint, /'wasm-unsafe-eval'/);
    assert.deepEqual(out.after, out.init);
    assert.equal(out.status, undefined);
  });

  test("with 'wasm-unsafe-eval' the same page loads and resolves", async () => {
    const out = await open("wasm");
    assert.equal(out.before.code, "not_initialized");
    assert.equal(out.init, undefined, JSON.stringify(out.init));
    assert.equal(out.status, "unregistered");
    assert.equal(out.after, undefined);
  });
});
