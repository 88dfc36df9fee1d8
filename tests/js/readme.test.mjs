// The README's Node and CLI snippets, run as written except for the base URL (pointed at the simulator).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startSimulator } from "../sim/server.mjs";

const ROOT = new URL("../..", import.meta.url).pathname;
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const blocks = (lang) => [...README.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]);
const DEFAULT_URL = "http://127.0.0.1:8000/v1";
// Async on purpose: the simulator answers from this process, so a synchronous child would starve it.
const run = async (...args) => (await promisify(execFile)(...args)).stdout;

let sim;
before(async () => (sim = await startSimulator({ apiKey: "vllm-local", models: [{ id: "qwen3-8b", maxModelLen: 32768 }] })));
after(() => sim.close());

test("the two commands open the README", () => {
  const first = blocks("sh")[0];
  assert.match(first, /^npm start\b/m);
  assert.match(first, /^npm test\b/m);
});

test("the Node snippet runs, prints the discovered models and streams a reply", async () => {
  const [node] = blocks("js");
  assert.ok(node.includes(DEFAULT_URL));
  // Inside the repo the package resolves to itself by name, exactly as for an installed copy.
  const file = join(ROOT, "tests", ".readme-snippet.mjs");
  writeFileSync(file, node.replaceAll(DEFAULT_URL, sim.baseUrl));
  const out = await run(process.execPath, [file], { env: { PATH: process.env.PATH, VLLM_API_KEY: "vllm-local" } });
  assert.match(out, /status: 'explicit'/);
  assert.match(out, /qwen3-8b 32768/);
  assert.match(out, /^(stop|length) \{/m, "the streamed reply ends with its stop reason and usage");
  assert.ok(!out.includes("vllm-local"), "describe() printed the key");
});

test("the CLI snippet runs", async () => {
  const line = blocks("sh")[1].split("\n").find((l) => l.includes("--base-url"));
  const [envPart, , , ...args] = line.replace(DEFAULT_URL, sim.baseUrl).split(" ");
  const [k, v] = envPart.split("=");
  const home = mkdtempSync(join(tmpdir(), "vllm-provider-home-"));
  const out = await run(process.execPath, [join(ROOT, "bin", "vllm-provider.mjs"), ...args], { env: { PATH: process.env.PATH, HOME: home, [k]: v } });
  assert.match(out, /qwen3-8b\s+32768/);
});
