// `resolve()` reads only the `env` it is given. When the config wants a variable the process has but
// `env` lacks, the Node entry (which passes the names in process.env, never a value) makes the warning and
// the 401 hint say "pass `env: process.env`" instead of "set VLLM_API_KEY", which the user already did.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { VllmProvider } from "vllm-provider";
import { startSimulator } from "../sim/server.mjs";
import { rejection } from "./helpers.mjs";

const CANARY = "sk-env-hint-CANARY-2718";
const PASS = "pass `env: process.env`";

describe("a variable exported in the process but not passed in env", () => {
  let sim;
  before(async () => {
    sim = await startSimulator({ apiKey: CANARY, models: [{ id: "m", maxModelLen: 4096 }] });
    process.env.VLLM_API_KEY = CANARY;
  });
  after(async () => {
    delete process.env.VLLM_API_KEY;
    await sim.close();
  });

  const config = () => ({ models: { providers: { vllm: { baseUrl: sim.baseUrl, apiKey: "${VLLM_API_KEY}", api: "openai-completions", models: [{ id: "m", name: "m" }] } } } });

  test("resolve({ config }): the warning and the 401 hint say to pass env: process.env, and never hold the value", async () => {
    const p = VllmProvider.resolve({ config: config() });
    const warning = p.describe().warnings.find((w) => w.message.includes("VLLM_API_KEY"));
    assert.ok(warning, JSON.stringify(p.describe().warnings));
    assert.ok(warning.message.includes(PASS), warning.message);
    const e = await rejection(() => p.discoverModels());
    assert.equal(e.code, "auth");
    assert.match(e.hint, /^VLLM_API_KEY is set in this process but not in the `env` given to VllmProvider\.resolve\(\)/);
    assert.ok(e.hint.includes(PASS));
    // chat() refuses to send without a key (OpenClaw's "No API key found"), with the same advice first.
    const chat = await rejection(() => p.chat({ model: "vllm/m", messages: [{ role: "user", content: "hi" }] }));
    assert.equal(chat.code, "config");
    assert.ok(chat.hint.startsWith("VLLM_API_KEY is set in this process"), chat.hint);
    const all = JSON.stringify([p.describe(), { ...e, message: e.message, hint: e.hint }, { ...chat, message: chat.message, hint: chat.hint }]);
    assert.ok(!all.includes(CANARY), "a value was read into a message");
  });

  test("resolve() with no input: unregistered, with a warning and an error hint that say to pass env", async () => {
    const p = VllmProvider.resolve();
    assert.equal(p.describe().status, "unregistered");
    assert.ok(p.describe().warnings.some((w) => w.message.includes(PASS)), JSON.stringify(p.describe().warnings));
    const e = await rejection(() => p.chat({ model: "vllm/m", messages: [{ role: "user", content: "hi" }] }));
    assert.equal(e.code, "unregistered");
    assert.ok(e.hint.startsWith("VLLM_API_KEY is set in this process"), e.hint);
  });

  test("env: process.env passed: no such sentence, and the call succeeds", async () => {
    const p = VllmProvider.resolve({ config: config(), env: process.env });
    assert.ok(!JSON.stringify(p.describe()).includes("process.env"));
    assert.deepEqual((await p.discoverModels()).map((m) => m.id), ["m"]);
  });
});
