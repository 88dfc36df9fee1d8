// Writes the seed corpora of the fuzz targets (fuzz/seeds/<target>/) from the recorded vLLM fixtures
// and hand-written cases. Run it again after changing it: `node fuzz/seeds.mjs`. Seeds are inputs
// in each target's own layout (see fuzz/src/<target>.rs); libFuzzer mutates them.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, "..", "tests", "fixtures", "vllm");
const fixture = (release, name) => readFileSync(join(fixtures, release, name));
const allFixtures = readdirSync(fixtures, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(join(fixtures, d.name)).map((name) => ({ release: d.name, name, bytes: fixture(d.name, name) })));
const bytes = (...parts) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Array.isArray(p) ? Buffer.from(p) : p)));
const httpBody = (b) => { const at = b.indexOf("\r\n\r\n") >= 0 ? b.indexOf("\r\n\r\n") + 4 : b.indexOf("\n\n") + 2; return b.subarray(at); };

const seeds = {};
function add(target, name, data) {
  (seeds[target] ??= []).push({ name, data: Buffer.isBuffer(data) ? data : Array.isArray(data) ? bytes(...data) : bytes(data) });
}

// json5 and config: configs as OpenClaw users write them, and the reader's corners.
const configs = [
  `{ models: { providers: { vllm: { baseUrl: "http://127.0.0.1:8000/v1", apiKey: "\${VLLM_API_KEY}" } } } }`,
  `// openclaw.json\n{\n  models: {\n    mode: "merge",\n    providers: {\n      vllm: {\n        baseUrl: 'http://gpu:8000/v1', // remote\n        apiKey: "VLLM_API_KEY",\n        api: "openai-completions",\n        timeoutSeconds: 120,\n        headers: { "X-Api-Key": { source: "env", provider: "default", id: "OTHER_KEY" }, 'X-Team': "a" },\n        models: [\n          { id: "qwen3-8b", name: "Qwen3 8B", reasoning: true, input: ["text"], contextWindow: 32768, maxTokens: 8192,\n            cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, compat: { thinkingFormat: "qwen-chat-template" } },\n          { id: "m", contextWindow: 4096, maxTokens: 512, params: { temperature: 0.2, maxTokens: 100, top_p: .9 } },\n        ],\n      },\n    },\n  },\n  agents: { defaults: { model: { primary: "vllm/qwen3-8b", fallbacks: ["vllm/m"] }, models: { "vllm/m": { alias: "em" } },\n    modelPolicy: { allow: ["vllm/*"] } }, list: [{ id: "main", model: "vllm/m" }] },\n}`,
  `{ models: { providers: { VLLM: { baseUrl: "http://user:\${VLLM_API_KEY}@h:8000/v1?api_key=\${VLLM_API_KEY}", models: [] } } } }`,
  `{ models: { providers: { vllm: { baseUrl: "http://localhost:8000/v1", api: "openai-completions", models: [{ id: "local" }] } } } }`,
  `{ models: { providers: { vllm: { apiKey: { source: "env", provider: "default", id: "VLLM_API_KEY" }, authHeader: true, request: { auth: { mode: "header", headerName: "X-Key", value: "\${OTHER_KEY}" }, allowPrivateNetwork: true } } } } }`,
  `{ auth: { profiles: { "vllm:default": { provider: "vllm", mode: "api_key" } }, order: { vllm: ["vllm:default"] } }, models: { providers: { vllm: { baseUrl: "http://h/v1", apiKey: "vllm:default" } } } }`,
  `[1, 2.5e3, -0x1F, +Infinity, NaN, .5, 5., 'a\\x41\\u00e9\\uD83D\\uDE00', "\\\n", null, true, {a: {}, $b_: [], 'c d': -0}]`,
  `{\\u0061b: 1, é: 2, 中文: 3, a\u200Cb: 4}`, `/* c */ { a: 1, } // end`, `{a:1,}`, `'\\uD800'`, `0x${"f".repeat(40)}`,
  `${"[".repeat(70)}${"]".repeat(70)}`, ``, `{ "a": "\u2028" }`,
];
configs.forEach((c, i) => {
  add("json5", `config-${i}`, c);
  add("config", `text-${i}`, [[0x01], c]);
  add("config", `value-${i}`, [[0x11], c]);
});
const store = `{ version: 1, profiles: { "vllm:default": { type: "api_key", provider: "vllm", key: "\${VLLM_API_KEY}" }, "vllm:o": { type: "oauth", provider: "vllm", access: "x" }, "vllm:t": { type: "token", provider: "vllm", token: "t" } }, order: { vllm: ["vllm:t", "vllm:default"] } }`;
add("config", "store", [[0x05], configs[5], [0xfe], store]);
add("config", "store-no-env", [[0x04], configs[5], [0xfe], store]);
add("config", "base-url", [[0x09], configs[0], [0xfe], "", [0xfe], "http://[::1]:8000/v1/chat/completions"]);
add("config", "agent", [[0x21], configs[1]]);
// Found by this target: request.auth.headerName took any text, a substituted key included, and
// describe() showed it.
add("config", "key-in-header-name", [[0x01], `{ models: { providers: { vllm: { apiKey: "\${VLLM_API_KEY}", request: { auth: { mode: "header", headerName: "X-\${VLLM_API_KEY}", value: "\${OTHER_KEY}" } } } } } }`]);
add("config", "control-chars-in-header-name", [[0x01], `{ models: { providers: { vllm: { apiKey: "k", request: { auth: { mode: "header", headerName: "Q\u0000\ufffd", value: "v" } } } } } }`]);

// models: every recorded /v1/models answer, errors, and rows of odd shapes.
for (const f of allFixtures.filter((f) => f.name.startsWith("models_list"))) add("models", `${f.release}-${f.name}`, [[0, 0], f.bytes]);
for (const f of allFixtures.filter((f) => f.name.startsWith("error_"))) add("models", `${f.release}-${f.name}`, [[5, 0], f.name.endsWith(".http") ? httpBody(f.bytes) : f.bytes]);
add("models", "odd-rows", [[0, 0], `{"data":[{"id":" "},{"id":"a","max_model_len":-1},{"id":"b","max_model_len":1e300,"root":null,"parent":"a"},{"id":7},{"id":"c","max_model_len":"4096"},"x",null]}`]);
// A form feed escape before text that spells the key (not the key: the rows hold "\fzk-…").
add("models", "escape-before-key-text", [[0, 0], '{"data":[{"id":"a\\\\\\fzk-Q7x9Lm2Vb8Rt4Wc"}]}']);
add("models", "html", [[0, 0], `<!doctype html><html><body>Not vLLM</body></html>`]);
add("models", "truncated", [[16, 0], `{"data":[`]);

// classify: every recorded error body, under several statuses, with Retry-After and Date.
for (const f of allFixtures.filter((f) => f.name.startsWith("error_") || f.name.endsWith("midstream.sse"))) {
  const body = f.name.endsWith(".http") ? httpBody(f.bytes) : f.bytes;
  const status = Number(f.name.split("_")[1]) || 500;
  add("classify", `${f.release}-${f.name}`, [[5, status & 255, status >> 8], body]);
  add("classify", `${f.release}-${f.name}-inband`, [[0, 0, 0], body]);
}
add("classify", "retry-after-date", [[0x45, 173, 1], `H:Wed, 21 Oct 2026 07:28:00 GMT|Wed, 21 Oct 2026 07:27:00 GMT\n{"error":{"message":"busy","type":"Service Unavailable"}}`]);
add("classify", "retry-after-secs", [[0x05, 173, 1], `H:7.5|\n{"error":"rate limited"}`]);
add("classify", "html-404", [[2, 0, 0], `<html><body><h1>404 Not Found</h1></body></html>`]);
add("classify", "secret-echo", [[0x0a, 0, 128], `{"error":{"message":"The model \`x\` does not exist. Valid aliases: a, b.","type":"NotFoundError"}}`]);
// Found by this target: the hint quoted the model and the aliases the server listed, unredacted.
add("classify", "model-echo-hint", [[2, 0, 0], '{"error":{"message":"The model `fzk-Q7x9Lm2Vb8Rt4Wc` does not exist. Valid aliases: fzk-Q7x9Lm2Vb8Rt4Wd, b.","type":"NotFoundError"}}']);
// Found by this target: a Retry-After date with a 20-digit day overflowed the date arithmetic.
add("classify", "retry-after-date-overflow", [[0x45, 173, 1], "H:Wed, 27777777777777777717 Oct 2026 07:28:00 GMT|Wed, 21 Oct 2026 07:28:00 GMT\n{}"]);
add("classify", "pydantic", [[1, 0, 0], `{"object":"error","message":"[{'type': 'int_parsing', 'loc': ('body', 'max_tokens'), 'msg': 'Input should be a valid integer', 'input': 'x'}]","type":"BadRequestError","param":null,"code":400}`]);

// sse: every recorded stream and JSON reply, under the content types the reader meets.
for (const f of allFixtures.filter((f) => f.name.startsWith("chat_"))) {
  const body = f.name.endsWith(".http") ? httpBody(f.bytes) : f.bytes;
  const json = f.name.endsWith(".json");
  add("sse", `${f.release}-${f.name}`, [[json ? 2 : 0, 1, 2, 3, 4, 5, 6, 7], body]);
  add("sse", `${f.release}-${f.name}-sniffed`, [[3 | 8, 9, 9, 9, 9, 9, 9, 9], body]);
}
add("sse", "crlf-comments", [[0, 0, 0, 0, 0, 0, 0, 0], `: ping\r\n\r\ndata: {"id":"a","choices":[{"delta":{"content":"<think>x</think>hi"},"finish_reason":"stop"}]}\r\n\r\ndata: [DONE]\r\n\r\n`]);
add("sse", "done-first", [[0, 0, 0, 0, 0, 0, 0, 0], `data: [DONE]\n\n`]);
add("sse", "error-event", [[0, 0, 0, 0, 0, 0, 0, 0], `event: error\ndata: {"message":"engine dead","type":"InternalServerError","code":500}\n\n`]);

// think: the partitioning vectors of OpenClaw's tests.
const texts = [
  "<think>a é</think>Answer <thinking>x</thinking>done </THINK> `<think>`", "<thi", "Answer. <reasoning>unfinished\n\nreasoning",
  "Use <think> in prose", "Answer </think> remains visible.", "<thinking>x</thinking>y<mm:thought>z", "Before <thi\u00e9nk>",
  "``<think>`</think>`", "<internal>\u{1F600}</internal><antthinking>", "<THINKING>A</thinking>B<think>C",
];
texts.forEach((t, i) => [0, 1, 2, 4, 8, 16, 20].forEach((flags) => add("think", `text-${i}-${flags}`, [[flags, i * 7], t])));

// tools: the recorded parallel calls, as records (see fuzz/src/tools.rs), and broken ones.
const record = (index, { id, name, chunk } = {}, args = "") => bytes([(index ?? 5) | (id !== undefined ? 8 | (id << 5) : 0) | (name !== undefined ? 16 | (name << 6) : 0) | (chunk ? 128 : 0)], args);
const records = (...rs) => Buffer.concat(rs.flatMap((r, i) => (i ? [Buffer.from([0xff]), r] : [r])));
add("tools", "parallel", [[0], records(record(0, { id: 0, name: 0 }), record(0, {}, '{"city": "Paris"'), record(0, { chunk: true }, "}"), record(1, { id: 1, name: 1, chunk: true }), record(1, {}, '{"path": "/tmp/a", "n": 18446744073709551617}'))]);
add("tools", "stop-promoted", [[1 | 16], records(record(0, { id: 0, name: 0 }, '{"a":'), record(0, { chunk: true }, "[1,2]}"))]);
add("tools", "no-index", [[0], records(record(undefined, { id: 1, name: 1 }, "{}"), record(undefined, { id: 1 }, ""))]);
add("tools", "broken", [[0], records(record(0, { name: 2 }, '{"a"'), record(2, { id: 3, name: 0 }, "[]"))]);
add("tools", "text-first", [[8 | 1], records(record(0, { id: 0, name: 0 }, "{}"))]);

// request: requests of every shape, against each provider.
const requests = [
  { model: "vllm/m", messages: [{ role: "system", content: "s" }, { role: "user", content: "hi" }], params: { maxTokens: 16, temperature: 0.5, stop: ["x"] } },
  { model: "vllm/qwen3-8b", thinking: "high", messages: [{ role: "user", content: [{ type: "text", text: "a" }, { type: "image", data: "aGk=", mimeType: "image/png" }] }] },
  { model: "vllm/deepseek-v4-flash", thinking: "off", priority: "high", messages: [{ role: "user", content: "x" }, { role: "assistant", content: null, reasoning: "r", reasoningField: "reasoning_content", toolCalls: [{ id: "call_9|item/x", name: "read", arguments: { path: "/a" } }] }, { role: "tool", toolCallId: "call_9|item/x", toolName: "read", content: "ok" }] },
  { model: "vllm/nemotron-3-super", thinking: "medium", tools: [{ name: "read", description: "d", parameters: { type: "object", properties: { path: { type: "string" } } } }], toolChoice: { type: "function", function: { name: "read" } }, messages: [{ role: "user", content: "\ud800x" }] },
  { model: "vllm/tiny", messages: [{ role: "user", content: "y".repeat(400) }], tools: [], toolChoice: "required", params: { response_format: { type: "json_object" }, priorityScheduling: true } },
  { model: "em", messages: [{ role: "developer", content: "d" }] },
  { model: "vllm/vllm/unknown", messages: [], params: { max_tokens: 1e30, frequency_penalty: "x" } },
  { model: "vllm/local", messages: [{ role: "user", content: "hi" }], thinking: "xhigh" },
];
requests.forEach((r, i) => [0, 1, 2].forEach((p) => add("request", `request-${i}-${p}`, [[p], JSON.stringify(r)])));
add("request", "not-json", [[1], `{"model": "vllm/m", "messages": [`]);

// call: the recorded streams and replies cut into reads (records split at 0xFF, see fuzz/src/call.rs),
// with a caller's abort or cancel, failed reads of each kind, answers without a usable body.
const reads = (pieces) => Buffer.concat(pieces.flatMap((p, i) => (i ? [Buffer.from([0xff]), p] : [p])));
const cut = (b, n) => Array.from({ length: Math.ceil(b.length / n) }, (_, i) => b.subarray(i * n, i * n + n));
for (const f of allFixtures.filter((f) => f.name.startsWith("chat_stream_") && f.name.endsWith(".sse"))) {
  const pieces = cut(f.bytes, 97).map((p) => bytes([0], p));
  add("call", `${f.release}-${f.name}`, [[0, 0], reads(pieces)]);
  if (pieces.length > 2) add("call", `${f.release}-${f.name}-abort`, [[0, 3], reads([...pieces.slice(0, 2), Buffer.from([0xf7]), pieces[2]])]);
  add("call", `${f.release}-${f.name}-cancel`, [[0, 0], reads([pieces[0], Buffer.from([0xf6])])]);
}
for (const f of allFixtures.filter((f) => f.name.startsWith("chat_completion_"))) add("call", `${f.release}-${f.name}`, [[0x10, 0], [0], f.bytes]);
const statusIndex = { 400: 7, 401: 8, 404: 9, 503: 12 };
for (const f of allFixtures.filter((f) => f.name.startsWith("error_") && f.name.endsWith(".json"))) {
  add("call", `${f.release}-${f.name}`, [[0x10 | (statusIndex[f.name.split("_")[1]] ?? 11), 0], [0], f.bytes]);
}
for (let op = 0xf0; op < 0xf6; op++) add("call", `failed-read-${op.toString(16)}`, [[0, 0x37], [0], 'data: {"choices":[{"delta":{"content":"a"}}]}\n\n', [0xff, op]]);
add("call", "open-fails", [[0x01, 0x0b]]);
add("call", "not-a-stream", [[0xc0, 0]]);
add("call", "no-body", [[0x80, 0]]);
add("call", "status-65535", [[0x0f, 0], [0], "data: [DONE]\n\n"]);

// exchange: a discovery's answers as records (see fuzz/src/exchange.rs): the recorded model lists read
// in pieces, then the same after a redirect within the origin, after a refused first replica, and after
// a browser's failure whose probe found nothing there (so the next replica is tried); and a redirect to
// another origin, which is refused.
const listBody = (f) => cut(f.bytes, 61).map((p) => (p[0] >= 0xf0 ? bytes([0x20], p) : p));
for (const f of allFixtures.filter((f) => f.name.startsWith("models_list"))) {
  add("exchange", `${f.release}-${f.name}`, [[0], reads([Buffer.from([0, 0]), ...listBody(f)])]);
  add("exchange", `${f.release}-${f.name}-redirect`, [[0], reads([Buffer.from([2, 3]), Buffer.from([0, 0]), ...listBody(f)])]);
  add("exchange", `${f.release}-${f.name}-refused-first`, [[1], reads([Buffer.from([4, 1]), Buffer.from([0]), Buffer.from([0, 0]), ...listBody(f)])]);
  add("exchange", `${f.release}-${f.name}-probed`, [[0x09], reads([Buffer.from([4, 0]), Buffer.from([1]), Buffer.from([0]), Buffer.from([0, 0]), ...listBody(f)])]);
}
// exchange, a chat (head bit 0x10; 0x40: read as stream() reads it): the recorded streams in reads,
// alone, after a redirect within the origin, and after a refused first replica.
for (const f of allFixtures.filter((f) => f.name.startsWith("chat_stream_") && f.name.endsWith(".sse")).slice(0, 4)) {
  const pieces = cut(f.bytes, 97);
  add("exchange", `chat-${f.release}-${f.name}`, [[0x50], reads([Buffer.from([0, 1]), ...pieces])]);
  add("exchange", `chat-${f.release}-${f.name}-redirect`, [[0x10], reads([Buffer.from([2, 3]), Buffer.from([0, 1]), ...pieces])]);
  add("exchange", `chat-${f.release}-${f.name}-refused-first`, [[0x71], reads([Buffer.from([4, 1]), Buffer.from([0, 1]), ...pieces])]);
}
add("exchange", "cross-origin-redirect", [[1], reads([Buffer.from([0x0a, 0])])]);
add("exchange", "redirect-loop", [[0], reads(Array.from({ length: 8 }, () => Buffer.from([2, 3])))]);
add("exchange", "aborted", [[3], reads([Buffer.from([6, 0])])]);
add("exchange", "error-answer-then-wait-cut", [[7], reads([Buffer.from([0, 6]), Buffer.from("busy"), Buffer.from([0xf0]), Buffer.from([0xf1])])]);

for (const [target, list] of Object.entries(seeds)) {
  const dir = join(here, "seeds", target);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const { name, data } of list) {
    const hash = createHash("sha1").update(data).digest("hex").slice(0, 8);
    writeFileSync(join(dir, `${name.replace(/[^\w.-]/g, "_")}-${hash}`), data);
  }
  console.log(`${target}: ${list.length} seeds`);
}
