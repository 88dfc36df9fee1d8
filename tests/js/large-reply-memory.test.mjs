// One large reply must not leave the wasm memory far above what the call needs: the wasm memory never
// shrinks, so its peak is what the process keeps. stream() and chat() give a long reply's text out as
// it comes (joined in JS), so a 30 MB reply grows the wasm memory by a small fraction of its size; a
// JSON reply is held whole to be parsed (at most 16 MiB), then its text once. Each scenario runs in a
// fresh process (tests/load/large-reply.mjs: one scenario's peak would hide the next one's). Growth
// is checked, never time; a second identical reply must not grow the memory again.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { promisify } from "node:util";

const MiB = 1024 * 1024;
const mib = (n) => `${(n / MiB).toFixed(1)} MiB`;

async function measure(scenario) {
  const script = new URL("../load/large-reply.mjs", import.meta.url).pathname;
  const { stdout } = await promisify(execFile)(process.execPath, [script, scenario], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout);
}

/** Checks a scenario's figures: the whole reply arrived (joined), growth within `share` of the body. */
function check({ body, grown: [first, second], joined }, share, what) {
  assert.deepEqual(joined, [true, true], "the result carries the whole reply, both times");
  assert.ok(first <= share * body, `${what}: the wasm memory grew by ${mib(first)} for a reply of ${mib(body)}`);
  assert.ok(second <= 1 * MiB, `${what}: a second identical reply grew it again by ${mib(second)}`);
}

test("a 30 MB streamed reply read with stream() grows the wasm memory by under a tenth of its size, a second not again", async () => {
  const figures = await measure("stream");
  assert.deepEqual(figures.text, [30e6, 30e6], "every text delta was handed out");
  check(figures, 1 / 10, "stream()");
});

test("a 30 MB streamed reply read with chat() grows the wasm memory by under a quarter of its size, a second not again", async () => {
  check(await measure("chat"), 1 / 4, "chat()");
});

test("a 15 MB JSON reply grows the wasm memory by at most 3 times its size (held whole to be parsed), a second not again", async () => {
  check(await measure("json"), 3, "chat() of JSON");
});
