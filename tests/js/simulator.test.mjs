// Tests of the vLLM wire simulator (tests/sim/): it must reproduce every recorded fixture byte for
// byte over real HTTP, and model vLLM's release differences, auth, CORS and the scripted failure
// behaviours tests rely on. Run: node --test tests/js/simulator.test.mjs

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startSimulator } from '../sim/server.mjs';
import { FIXTURE_SCENARIOS } from '../sim/fixture-scenarios.mjs';
import { rawRequest } from '../sim/raw-http.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(HERE, '../fixtures/vllm');

/** Every fixture file, as a path relative to tests/fixtures/vllm/ (README.md excluded). */
function listFixtures(dir = FIXTURES, prefix = '') {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFixtures(path.join(dir, entry.name), rel));
    else if (rel !== 'README.md') out.push(rel);
  }
  return out.sort();
}

/** Starts a simulator, runs fn, always closes it. */
async function withSim(options, fn) {
  const sim = await startSimulator(options);
  try {
    return await fn(sim);
  } finally {
    await sim.close();
  }
}

/** Plain JSON request helper (fetch), bounded. */
async function call(sim, method, p, { body, headers = {}, key } = {}) {
  const h = { ...headers };
  if (key) h.authorization = `Bearer ${key}`;
  if (body !== undefined && !('content-type' in h)) h['content-type'] = 'application/json';
  const res = await fetch(sim.origin + p, {
    method,
    headers: h,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Parses an SSE body into its data payloads (JSON where possible). */
function sseData(text) {
  return text
    .split('\n\n')
    .filter((e) => e.startsWith('data: '))
    .map((e) => e.slice(6))
    .map((d) => (d === '[DONE]' ? d : JSON.parse(d)));
}

// ------------------------------------------------------------------------------------------------

describe('fixtures: the simulator reproduces every recorded file', () => {
  const files = listFixtures();

  test('the fixture directory is not empty and every scenario has a fixture', () => {
    assert.ok(files.length >= 30, `expected the recorded fixtures, found ${files.length}`);
    const stale = Object.keys(FIXTURE_SCENARIOS).filter((k) => !files.includes(k));
    assert.deepEqual(stale, [], 'scenarios without a fixture file');
  });

  for (const rel of files) {
    test(rel, async () => {
      const scenario = FIXTURE_SCENARIOS[rel];
      assert.ok(scenario, `no simulator scenario for fixture ${rel}: add one to tests/sim/fixture-scenarios.mjs`);
      const fixture = fs.readFileSync(path.join(FIXTURES, rel));
      await withSim({ ...scenario.sim, release: scenario.release }, async (sim) => {
        if (scenario.script) sim.respondNext(scenario.script);
        const res = await rawRequest(sim.origin, scenario.request);
        const name = path.basename(rel);

        if (rel.endsWith('.sse')) {
          assert.equal(res.status, 200);
          assert.equal(res.body.toString('utf8'), fixture.toString('utf8'));
          assert.ok(res.body.equals(fixture), 'byte-for-byte');
        } else if (rel.endsWith('.http')) {
          // Raw heads: compare the status line and every header line except `date` (its value is
          // the time of the recording), in order; a body recorded after the head must match too.
          const text = fixture.toString('latin1');
          const headEnd = text.indexOf('\r\n\r\n');
          assert.ok(headEnd > 0, 'fixture head ends with CRLF CRLF');
          const [statusLine, ...headerLines] = text.slice(0, headEnd).split('\r\n');
          const recordedBody = text.slice(headEnd + 4).replace(/\n$/, '');
          assert.equal(res.statusLine, statusLine);
          const strip = (lines) => lines.filter((l) => !/^date:/i.test(l));
          assert.deepEqual(strip(res.headerLines), strip(headerLines));
          if (recordedBody) assert.equal(res.body.toString('latin1'), recordedBody);
          const cl = headerLines.find((l) => /^content-length:/i.test(l));
          if (cl) assert.equal(String(res.body.length), cl.split(':')[1].trim(), 'content-length matches the body');
        } else if (name.startsWith('error_')) {
          // Error bodies are stored byte-exact plus one POSIX end-of-file newline, which is not
          // on the wire (error_401_unauthorized.http records content-length 24 for the 25-byte
          // .json file).
          const s = fixture.toString('utf8');
          assert.ok(s.endsWith('\n') && !s.endsWith('\n\n'), 'error fixture ends with exactly one newline');
          assert.equal(res.body.toString('utf8'), s.slice(0, -1));
          assert.equal(res.headers.find(([k]) => k === 'content-type')?.[1], 'application/json');
        } else {
          // Success bodies are pretty-printed copies of compact wire bodies. Prove the compact
          // form is recovered losslessly (re-pretty-printing it gives the file back), then compare
          // the simulator's bytes with it.
          const s = fixture.toString('utf8');
          const compact = JSON.stringify(JSON.parse(s));
          assert.equal(JSON.stringify(JSON.parse(compact), null, 2) + '\n', s, 'round trip of the pretty-printed fixture is lossless');
          assert.equal(res.body.toString('utf8'), compact);
        }
      });
    });
  }
});

// ------------------------------------------------------------------------------------------------

describe('auth', () => {
  test('guarded /v1 paths need the key; 401 is the string error with exact bytes', async () => {
    await withSim({ apiKey: 'k1' }, async (sim) => {
      for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: 'k1' }, { authorization: 'Bearer  k1' }]) {
        const res = await rawRequest(sim.origin, { path: '/v1/models', headers });
        assert.equal(res.status, 401);
        assert.equal(res.body.toString(), '{"error":"Unauthorized"}');
        assert.deepEqual(res.headers.filter(([k]) => k !== 'date'), [
          ['server', 'uvicorn'],
          ['content-length', '24'],
          ['content-type', 'application/json'],
        ]);
      }
      assert.equal((await call(sim, 'GET', '/v1/models', { key: 'k1' })).status, 200);
      // Unknown /v1 routes are authenticated first, then 404.
      assert.equal((await call(sim, 'GET', '/v1/nothing')).status, 401);
      assert.deepEqual((await call(sim, 'GET', '/v1/nothing', { key: 'k1' })).json, { detail: 'Not Found' });
      // Unguarded paths.
      assert.equal((await call(sim, 'GET', '/health')).status, 200);
      assert.deepEqual((await call(sim, 'GET', '/version')).json, { version: '0.33.0' });
    });
  });

  test('scheme is case-insensitive from 0.11 but must be exactly "Bearer" in 0.9.2; several keys', async () => {
    await withSim({ apiKey: ['a', 'b'] }, async (sim) => {
      assert.equal((await call(sim, 'GET', '/v1/models', { headers: { authorization: 'bearer b' } })).status, 200);
    });
    await withSim({ release: '0.9.2', apiKey: 'a' }, async (sim) => {
      assert.equal((await call(sim, 'GET', '/v1/models', { headers: { authorization: 'bearer a' } })).status, 401);
      assert.equal((await call(sim, 'GET', '/v1/models', { headers: { authorization: 'Bearer a' } })).status, 200);
    });
  });

  test('no apiKey option means no auth middleware', async () => {
    await withSim({}, async (sim) => {
      assert.equal((await call(sim, 'GET', '/v1/models')).status, 200);
      assert.equal((await call(sim, 'GET', '/v1/models', { key: 'anything' })).status, 200);
    });
  });
});

describe('release differences', () => {
  const unknownModel = { model: 'nope', messages: [{ role: 'user', content: 'hi' }] };

  test('error envelopes: flat before 0.10.1, nested after; alias list from 0.32; param from 0.14', async () => {
    const expected = {
      '0.9.2': { object: 'error', message: 'The model `nope` does not exist.', type: 'NotFoundError', param: null, code: 404 },
      '0.11.0': { error: { message: 'The model `nope` does not exist.', type: 'NotFoundError', param: null, code: 404 } },
      '0.13.0': { error: { message: 'The model `nope` does not exist.', type: 'NotFoundError', param: null, code: 404 } },
      '0.32.0': { error: { message: 'The model `nope` does not exist. Valid aliases: tiny-model.', type: 'NotFoundError', param: 'model', code: 404 } },
      '0.33.0': { error: { message: 'The model `nope` does not exist. Valid aliases: tiny-model.', type: 'NotFoundError', param: 'model', code: 404 } },
    };
    for (const [release, body] of Object.entries(expected)) {
      await withSim({ release, apiKey: 'k' }, async (sim) => {
        const res = await call(sim, 'POST', '/v1/chat/completions', { key: 'k', body: unknownModel });
        assert.equal(res.status, 404, release);
        assert.deepEqual(res.json, body, release);
        // The 401 body is a string in every release, unknown routes are FastAPI's.
        assert.equal((await call(sim, 'GET', '/v1/models')).text, '{"error":"Unauthorized"}', release);
        assert.equal((await call(sim, 'GET', '/nope')).text, '{"detail":"Not Found"}', release);
        assert.equal((await call(sim, 'DELETE', '/v1/models', { key: 'k' })).text, '{"detail":"Method Not Allowed"}', release);
      });
    }
  });

  test('reasoning field eras: reasoning_content (≤0.11), both (0.12–0.15), reasoning (≥0.16)', async () => {
    const models = [{ id: 'qwen3-tiny', maxModelLen: 512 }];
    const req = { messages: [{ role: 'user', content: 'hi' }], max_tokens: 64 };
    const cases = {
      '0.11.0': { keys: ['reasoning_content'], absent: ['reasoning'] },
      '0.13.0': { keys: ['reasoning', 'reasoning_content'], absent: [] },
      '0.33.0': { keys: ['reasoning'], absent: ['reasoning_content'] },
    };
    for (const [release, { keys, absent }] of Object.entries(cases)) {
      await withSim({ release, models, reasoningParser: true }, async (sim) => {
        const full = (await call(sim, 'POST', '/v1/chat/completions', { body: req })).json;
        const msg = full.choices[0].message;
        for (const k of keys) assert.equal(msg[k], 'The user sent a message. I should answer briefly.', `${release} ${k}`);
        for (const k of absent) assert.ok(!(k in msg), `${release} has no ${k}`);
        assert.ok(msg.content.startsWith('\n\n'), 'content after reasoning starts with a blank line');

        const events = sseData((await call(sim, 'POST', '/v1/chat/completions', { body: { ...req, stream: true } })).text);
        const deltas = events.filter((e) => e !== '[DONE]').map((e) => e.choices[0].delta);
        const reasoningText = deltas.map((d) => d[keys[0]] ?? '').join('');
        assert.equal(reasoningText, 'The user sent a message. I should answer briefly.', release);
        if (release === '0.13.0') {
          // The v0.12–v0.15 validator copies the field into every delta, null included.
          assert.ok(deltas.every((d) => 'reasoning_content' in d), 'reasoning_content on every delta');
        }
      });
    }
  });

  test('0.11 always sends "tool_calls": [] and 32-hex ids; 0.33 omits the empty list and uses 16 hex', async () => {
    const req = { messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 };
    await withSim({ release: '0.11.0' }, async (sim) => {
      const body = (await call(sim, 'POST', '/v1/chat/completions', { body: req })).json;
      assert.deepEqual(body.choices[0].message.tool_calls, []);
      assert.match(body.id, /^chatcmpl-[0-9a-f]{32}$/);
      assert.equal(body.system_fingerprint, null);
      const models = (await call(sim, 'GET', '/v1/models')).json;
      assert.match(models.data[0].permission[0].id, /^modelperm-[0-9a-f]{32}$/);
    });
    await withSim({ release: '0.33.0' }, async (sim) => {
      const body = (await call(sim, 'POST', '/v1/chat/completions', { body: req })).json;
      assert.ok(!('tool_calls' in body.choices[0].message));
      assert.match(body.id, /^chatcmpl-[0-9a-f]{16}$/);
      assert.match(body.system_fingerprint, /^vllm-0\.33\.0-[0-9a-f]{8}$/);
      assert.deepEqual(Object.keys(body.usage), ['prompt_tokens', 'total_tokens', 'completion_tokens', 'prompt_tokens_details', 'completion_tokens_details']);
    });
  });

  test('context-length messages per release (" None" suffix in 0.11; clamping in 0.32+)', async () => {
    const models = [{ id: 'm', maxModelLen: 64 }];
    const long = { messages: [{ role: 'user', content: 'word '.repeat(100) }] };
    await withSim({ release: '0.11.0', models }, async (sim) => {
      const res = await call(sim, 'POST', '/v1/chat/completions', { body: long });
      assert.equal(res.status, 400);
      assert.match(res.json.error.message, /^This model's maximum context length is 64 tokens\. However, your request has \d+ input tokens\. Please reduce the length of the input messages\. None$/);
      const tooMany = await call(sim, 'POST', '/v1/chat/completions', { body: { messages: [{ role: 'user', content: 'hi' }], max_tokens: 60 } });
      assert.match(tooMany.json.error.message, /^'max_tokens' or 'max_completion_tokens' is too large: 60\. .* None$/);
    });
    await withSim({ release: '0.32.0', models }, async (sim) => {
      const res = await call(sim, 'POST', '/v1/chat/completions', { body: long });
      assert.equal(res.json.error.message, "This model's maximum context length is 64 tokens. However, your prompt contains at least 65 input tokens, which exceeds this limit even without any output tokens. Please reduce the length of the input prompt. (parameter=input_tokens, value=65)");
      // prompt + max_tokens > max_model_len is clamped, not rejected, from 0.32.
      const clamped = await call(sim, 'POST', '/v1/chat/completions', { body: { messages: [{ role: 'user', content: 'hi' }], max_tokens: 60 } });
      assert.equal(clamped.status, 200);
      assert.ok(clamped.json.usage.total_tokens <= 64);
      const tooBig = await call(sim, 'POST', '/v1/chat/completions', { body: { messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 65 } });
      assert.equal(tooBig.json.error.param, 'max_completion_tokens');
      // Prompt text longer than max_model_len × the longest token → the character check.
      const huge = await call(sim, 'POST', '/v1/chat/completions', { body: { messages: [{ role: 'user', content: 'x'.repeat(2000) }] } });
      assert.equal(huge.json.error.param, 'input_text');
    });
  });

  test('mid-stream errors: python json.dumps before 0.33, compact in 0.33; 400 before 0.16', async () => {
    const script = { scenario: { steps: ['a', 'b', 'c'], streamError: { afterSteps: 1 } } };
    const req = { messages: [{ role: 'user', content: 'hi' }], stream: true };
    await withSim({ release: '0.32.0' }, async (sim) => {
      sim.respondNext(script);
      const text = (await call(sim, 'POST', '/v1/chat/completions', { body: req })).text;
      assert.ok(text.includes('data: {"error": {"message": "Internal server error", "type": "InternalServerError", "param": null, "code": 500}}\n\ndata: [DONE]\n\n'));
    });
    await withSim({ release: '0.9.2' }, async (sim) => {
      sim.respondNext(script);
      const text = (await call(sim, 'POST', '/v1/chat/completions', { body: req })).text;
      assert.ok(text.includes('data: {"error": {"object": "error", "message": "Internal server error", "type": "BadRequestError", "param": null, "code": 400}}'));
    });
  });
});

describe('chat completions (default behaviour)', () => {
  const hi = [{ role: 'user', content: 'Say hello' }];

  test('non-streamed: max_tokens gives "length", otherwise "stop"; usage adds up; X-Request-Id → id', async () => {
    await withSim({ release: '0.32.0' }, async (sim) => {
      const short = (await call(sim, 'POST', '/v1/chat/completions', { body: { messages: hi, max_tokens: 3 }, headers: { 'x-request-id': 'req-1' } })).json;
      assert.equal(short.id, 'chatcmpl-req-1');
      assert.equal(short.choices[0].finish_reason, 'length');
      assert.equal(short.usage.completion_tokens, 3);
      assert.equal(short.usage.total_tokens, short.usage.prompt_tokens + 3);
      const full = (await call(sim, 'POST', '/v1/chat/completions', { body: { messages: hi, max_completion_tokens: 100, request_id: 'body-id' } })).json;
      assert.equal(full.id, 'chatcmpl-body-id');
      assert.equal(full.choices[0].finish_reason, 'stop');
      assert.equal(full.choices[0].message.content, 'Hello! This is a simulated reply from the vLLM wire simulator.');
      assert.equal(full.model, 'tiny-model');
    });
  });

  test('streamed with include_usage and continuous_usage_stats; n=2 interleaves choices', async () => {
    await withSim({ release: '0.33.0' }, async (sim) => {
      const res = await call(sim, 'POST', '/v1/chat/completions', {
        body: { messages: hi, max_tokens: 4, n: 2, stream: true, stream_options: { include_usage: true, continuous_usage_stats: true } },
      });
      assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
      const events = sseData(res.text);
      assert.equal(events.at(-1), '[DONE]');
      const chunks = events.slice(0, -1);
      assert.deepEqual(chunks.slice(0, 2).map((c) => c.choices[0].delta), [{ role: 'assistant', content: '' }, { role: 'assistant', content: '' }]);
      assert.deepEqual(chunks.slice(2, 4).map((c) => c.choices[0].index), [0, 1]);
      assert.ok(chunks.slice(0, -1).every((c) => c.usage && 'completion_tokens_details' in c.usage));
      const last = chunks.at(-1);
      assert.deepEqual(last.choices, []);
      assert.deepEqual(last.usage, { prompt_tokens: last.usage.prompt_tokens, total_tokens: last.usage.prompt_tokens + 8, completion_tokens: 8 });
    });
  });

  test('tools: 400 without the parser; a finished tool call for "required" and named choices with it', async () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
    await withSim({ release: '0.32.0' }, async (sim) => {
      const auto = await call(sim, 'POST', '/v1/chat/completions', { body: { messages: hi, tools } });
      assert.equal(auto.json.error.message, '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set');
      const req = await call(sim, 'POST', '/v1/chat/completions', { body: { messages: hi, tools, tool_choice: 'required' } });
      assert.equal(req.json.error.message, 'tool_choice="required" requires --tool-call-parser to be set');
    });
    await withSim({ release: '0.33.0', toolParser: true }, async (sim) => {
      const required = (await call(sim, 'POST', '/v1/chat/completions', { body: { messages: hi, tools, tool_choice: 'required' } })).json;
      const tc = required.choices[0].message.tool_calls[0];
      assert.match(tc.id, /^chatcmpl-tool-[0-9a-f]{16}$/);
      assert.deepEqual(tc.function, { name: 'get_weather', arguments: '{"city": "Paris"}' });
      assert.equal(required.choices[0].message.content, '');
      assert.equal(required.choices[0].finish_reason, 'tool_calls');
      const named = await call(sim, 'POST', '/v1/chat/completions', {
        body: { messages: hi, tools, tool_choice: { type: 'function', function: { name: 'get_weather' } }, stream: true },
      });
      const chunks = sseData(named.text).slice(0, -1);
      const toolDeltas = chunks.map((c) => c.choices[0]?.delta?.tool_calls).filter(Boolean).flat();
      assert.equal(toolDeltas[0].function.name, 'get_weather');
      assert.equal(toolDeltas.map((d) => d.function.arguments ?? '').join(''), '{"city": "Paris"}');
      assert.equal(chunks.at(-1).choices[0].finish_reason, 'stop', 'a named tool choice finishes with "stop"');
    });
  });

  test('validation: missing messages, malformed JSON, wrong content type, stream_options without stream', async () => {
    await withSim({ release: '0.32.0' }, async (sim) => {
      const missing = await call(sim, 'POST', '/v1/chat/completions', { body: { model: 'tiny-model' } });
      assert.deepEqual(missing.json, {
        error: {
          message: "1 validation error:\n  {'type': 'missing', 'loc': 'body.messages', 'msg': 'Field required', 'input': '<dict of 1 items>'}",
          type: 'Bad Request',
          param: 'body.messages',
          code: 400,
        },
      });
      const malformed = await call(sim, 'POST', '/v1/chat/completions', { body: '{"model":"tiny-model","messages":' });
      assert.equal(malformed.json.error.param, 'body.33');
      assert.match(malformed.json.error.message, /'ctx': \{'error': 'Expecting value'\}/);
      const wrongType = await call(sim, 'POST', '/v1/chat/completions', { body: '{}', headers: { 'content-type': 'text/plain' } });
      assert.equal(wrongType.json.error.message, "1 validation error:\n  Unsupported Media Type: Only 'application/json' is allowed");
      const so = await call(sim, 'POST', '/v1/chat/completions', { body: { messages: hi, stream_options: { include_usage: true } } });
      assert.equal(so.json.error.message, 'Stream options can only be defined when `stream=True`. (parameter=stream_options)');
    });
  });

  test('models: LoRA cards follow base cards; a LoRA request answers with the adapter name', async () => {
    const models = [{ id: 'base', root: '/m/base', maxModelLen: 256 }, { id: 'alias' }, { id: 'lora-a', root: '/a', parent: 'base' }];
    await withSim({ models }, async (sim) => {
      const list = (await call(sim, 'GET', '/v1/models')).json;
      assert.deepEqual(list.data.map((m) => [m.id, m.root, m.parent, m.max_model_len]), [
        ['base', '/m/base', null, 256],
        ['alias', 'alias', null, 256],
        ['lora-a', '/a', 'base', null],
      ]);
      const viaAlias = (await call(sim, 'POST', '/v1/chat/completions', { body: { model: 'alias', messages: hi, max_tokens: 2 } })).json;
      assert.equal(viaAlias.model, 'base', 'the response names the first served name');
      const viaLora = (await call(sim, 'POST', '/v1/chat/completions', { body: { model: 'lora-a', messages: hi, max_tokens: 2 } })).json;
      assert.equal(viaLora.model, 'lora-a');
    });
  });
});

describe('CORS (Starlette CORSMiddleware as configured by vLLM)', () => {
  const preflight = {
    method: 'OPTIONS',
    path: '/v1/chat/completions',
    headers: { origin: 'http://app.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  };

  test('0.32 default (no allowed origins): preflight refused without an allow-origin header', async () => {
    await withSim({ release: '0.32.0', apiKey: 'k' }, async (sim) => {
      const res = await rawRequest(sim.origin, preflight);
      assert.equal(res.status, 400);
      assert.equal(res.body.toString(), 'Disallowed CORS origin');
      assert.ok(!res.headers.some(([k]) => k === 'access-control-allow-origin'));
      const simple = await rawRequest(sim.origin, { path: '/health', headers: { origin: 'http://app.test' } });
      assert.ok(!simple.headers.some(([k]) => k === 'access-control-allow-origin'));
      assert.deepEqual(simple.headers.filter(([k]) => k === 'vary'), [['vary', 'Origin']]);
    });
  });

  test('allowedOrigins ["*"]: preflight OK without auth; responses carry access-control-allow-origin; 401 does not', async () => {
    await withSim({ release: '0.32.0', apiKey: 'k', allowedOrigins: ['*'] }, async (sim) => {
      const res = await rawRequest(sim.origin, preflight);
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), 'OK');
      const h = Object.fromEntries(res.headers);
      assert.equal(h['access-control-allow-origin'], '*');
      assert.equal(h['access-control-allow-headers'], 'authorization,content-type');
      assert.equal(h['access-control-allow-methods'], 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, QUERY');
      const ok = await rawRequest(sim.origin, { path: '/v1/models', headers: { origin: 'http://app.test', authorization: 'Bearer k' } });
      assert.equal(Object.fromEntries(ok.headers)['access-control-allow-origin'], '*');
      // The auth middleware wraps the CORS middleware: a browser sees the 401 as a CORS failure.
      const denied = await rawRequest(sim.origin, { path: '/v1/models', headers: { origin: 'http://app.test' } });
      assert.equal(denied.status, 401);
      assert.ok(!denied.headers.some(([k]) => k.startsWith('access-control-')));
    });
  });

  test('a specific allowed origin is mirrored; others are refused', async () => {
    await withSim({ release: '0.33.0', allowedOrigins: ['http://app.test'] }, async (sim) => {
      const ok = await rawRequest(sim.origin, preflight);
      assert.equal(ok.status, 200);
      assert.equal(Object.fromEntries(ok.headers)['access-control-allow-origin'], 'http://app.test');
      const other = await rawRequest(sim.origin, { ...preflight, headers: { ...preflight.headers, origin: 'http://evil.test' } });
      assert.equal(other.status, 400);
      const simple = await rawRequest(sim.origin, { path: '/v1/models', headers: { origin: 'http://app.test' } });
      assert.equal(Object.fromEntries(simple.headers)['access-control-allow-origin'], 'http://app.test');
    });
  });
});

describe('request recording', () => {
  test('records method, path, query, lower-case headers, body text, parsed body and arrival time', async () => {
    await withSim({}, async (sim) => {
      const before = Date.now();
      await call(sim, 'POST', '/v1/chat/completions?x=1', { body: { messages: [{ role: 'user', content: 'hi' }], max_tokens: 1 }, headers: { 'X-Custom': 'v' } });
      await call(sim, 'GET', '/health');
      assert.equal(sim.requests.length, 2);
      const [r] = sim.requests;
      assert.equal(r.method, 'POST');
      assert.equal(r.path, '/v1/chat/completions');
      assert.deepEqual(r.query, { x: '1' });
      assert.equal(r.headers['x-custom'], 'v');
      assert.equal(r.headers['content-type'], 'application/json');
      assert.deepEqual(r.body, { messages: [{ role: 'user', content: 'hi' }], max_tokens: 1 });
      assert.equal(r.bodyText, JSON.stringify(r.body));
      assert.ok(r.at >= before && r.at <= Date.now());
      assert.equal(sim.requests[1].body, undefined);
      const same = sim.requests;
      sim.reset();
      assert.equal(same.length, 0, 'reset empties the same array');
    });
  });
});

describe('respondNext: scripted answers', () => {
  const chatReq = { messages: [{ role: 'user', content: 'hi' }], stream: true };

  test('raw bodies, HTML pages, error presets, path filters, FIFO order', async () => {
    await withSim({ release: '0.9.2' }, async (sim) => {
      sim.respondNext({ path: '/v1/chat/completions', error: 'queue_full' });
      sim.respondNext({ status: 502, html: '<html><body>Bad gateway</body></html>' });
      // The models request does not match the chat script, so it consumes the HTML one.
      const models = await call(sim, 'GET', '/v1/models');
      assert.equal(models.status, 502);
      assert.equal(models.headers.get('content-type'), 'text/html; charset=utf-8');
      const busy = await call(sim, 'POST', '/v1/chat/completions', { body: chatReq });
      assert.equal(busy.status, 503);
      // 0.9.2 renders the preset in its flat envelope.
      assert.equal(busy.json.object, 'error');
      assert.equal(busy.json.type, 'Service Unavailable');
      sim.respondNext({ status: 200, body: { anything: [1, 2] }, headers: { 'x-extra': 'yes' } });
      const raw = await call(sim, 'GET', '/whatever');
      assert.equal(raw.text, '{"anything":[1,2]}');
      assert.equal(raw.headers.get('x-extra'), 'yes');
      assert.throws(() => sim.respondNext({ error: 'no-such-preset' }), /unknown error preset/);
    });
  });

  test('scripted SSE items: objects framed as data lines, strings verbatim, [DONE] appended', async () => {
    await withSim({}, async (sim) => {
      sim.respondNext({ sse: [{ a: 1 }, ': keep-alive\n\n', 'data: {"b":2}\n\n'] });
      const res = await call(sim, 'POST', '/v1/chat/completions', { body: chatReq });
      assert.equal(res.text, 'data: {"a":1}\n\n: keep-alive\n\ndata: {"b":2}\n\ndata: [DONE]\n\n');
    });
  });

  test('slow trickle: the body arrives in several pieces and is complete', async () => {
    await withSim({}, async (sim) => {
      sim.respondNext({ body: { message: 'x'.repeat(40) }, chunkBytes: 10, delayMs: 5 });
      const res = await rawRequest(sim.origin, { path: '/v1/models' });
      assert.equal(JSON.parse(res.body.toString()).message.length, 40);
      sim.respondNext({ scenario: { steps: ['a', 'b', 'c'] }, delayMs: 5 });
      const stream = await rawRequest(sim.origin, { method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: chatReq });
      assert.equal(stream.chunks.length, 5, 'role + three deltas + [DONE], one HTTP chunk each');
    });
  });

  test('stall after the first event: the client sees the first event, then nothing until it gives up', async () => {
    await withSim({}, async (sim) => {
      sim.respondNext({ scenario: { steps: ['a', 'b'] }, stallAfterIndex: 0, stallMs: Infinity });
      const ctrl = new AbortController();
      const res = await fetch(sim.origin + '/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(chatReq),
        signal: ctrl.signal,
      });
      const reader = res.body.getReader();
      const first = await reader.read();
      assert.match(Buffer.from(first.value).toString(), /"role":"assistant"/);
      // Nothing more arrives; give up after a bounded wait instead of asserting on timing.
      const next = await Promise.race([reader.read().then(() => 'data'), new Promise((r) => setTimeout(() => r('idle'), 150))]);
      assert.equal(next, 'idle');
      ctrl.abort();
      await assert.rejects(reader.read());
      await waitFor(() => sim.requests[0].clientAborted, 'the simulator notices the client went away');
    });
  });

  test('hang-up mid-stream: the connection is cut after the given event', async () => {
    await withSim({}, async (sim) => {
      sim.respondNext({ scenario: { steps: ['a', 'b', 'c'] }, hangUp: true, hangUpAfterIndex: 1 });
      const err = await rawRequest(sim.origin, { method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: chatReq }).catch((e) => e);
      assert.match(String(err.message), /connection closed after \d+ bytes without a complete response/);
      sim.respondNext({ hangUp: true });
      await assert.rejects(call(sim, 'GET', '/v1/models'));
    });
  });

  test('headers delayed: a client with a short timeout gives up; the request is still recorded', async () => {
    await withSim({}, async (sim) => {
      sim.respondNext({ headersDelayMs: 60_000, status: 200, body: 'late' });
      await assert.rejects(fetch(sim.origin + '/v1/models', { signal: AbortSignal.timeout(100) }));
      assert.equal(sim.requests.length, 1);
    });
  });

  test('close() ends a never-ending response', async () => {
    const sim = await startSimulator({});
    sim.respondNext({ sse: [{ first: true }], neverEnd: true });
    const body = await new Promise((resolve, reject) => {
      const req = http.request(sim.origin + '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
          if (text.includes('"first"')) sim.close();
        });
        res.on('error', () => resolve(text));
        res.on('close', () => resolve(text));
      });
      req.on('error', reject);
      req.setTimeout(5000, () => reject(new Error('the response did not end after close()')));
      req.end(JSON.stringify(chatReq));
    });
    assert.equal(body, 'data: {"first":true}\n\n');
    await sim.close();
  });
});

/** Polls a condition for at most 2 s. */
async function waitFor(cond, what) {
  const until = Date.now() + 2000;
  while (!cond()) {
    if (Date.now() > until) assert.fail(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('details measured on live vLLM 0.32.0', () => {
  const hi = [{ role: 'user', content: 'hi' }];

  test('validation texts of union and literal fields, greedy n, empty conversation, untrusted template', async () => {
    await withSim({ release: '0.32.0' }, async (sim) => {
      const msg = async (body) => (await call(sim, 'POST', '/v1/chat/completions', { body })).json.error;
      assert.deepEqual(await msg({ messages: hi, stop: 5 }), {
        message:
          "2 validation errors:\n  {'type': 'string_type', 'loc': 'body.stop', 'msg': 'Input should be a valid string', 'input': '5'}\n  {'type': 'list_type', 'loc': 'body.stop', 'msg': 'Input should be a valid list', 'input': '5'}",
        type: 'Bad Request',
        param: 'body.stop',
        code: 400,
      });
      assert.equal(
        (await msg({ messages: hi, reasoning_effort: 'bogus' })).message,
        "1 validation error:\n  {'type': 'literal_error', 'loc': 'body.reasoning_effort', 'msg': \"Input should be 'none', 'minimal', 'low', 'medium', 'high', 'xhigh' or 'max'\", 'input': 'bogus', 'ctx': {'expected': \"'none', 'minimal', 'low', 'medium', 'high', 'xhigh' or 'max'\"}}",
      );
      assert.deepEqual(await msg({ messages: hi, n: 2, temperature: 0 }), {
        message: 'n must be 1 when using greedy sampling, got 2.',
        type: 'BadRequestError',
        param: null,
        code: 400,
      });
      assert.equal((await msg({ messages: [] })).message, 'Cannot apply chat template to an empty conversation. Provide at least one message.');
      assert.equal(
        (await msg({ messages: hi, chat_template: '{{ x }}' })).message,
        'Chat template is passed with request, but --trust-request-chat-template is not set. Refused request with untrusted chat template.',
      );
      assert.equal((await msg({ messages: hi, temperature: 3 })).message, 'temperature must be in [0, 2], got 3.0. (parameter=temperature, value=3.0)');
      assert.equal((await msg({ messages: hi, max_tokens: 0 })).message, 'max_tokens must be at least 1, got 0. (parameter=max_tokens, value=0)');
      const nullBody = await call(sim, 'POST', '/v1/chat/completions', { body: 'null' });
      assert.equal(nullBody.json.error.param, 'body');
      const badBytes = await rawRequest(sim.origin, { method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: Buffer.from([0x7b, 0xff, 0x7d]) });
      assert.equal(badBytes.body.toString(), '{"detail":"There was an error parsing the body"}');
    });
  });

  test('FastAPI routing answers: 307 for a trailing slash, 405 for HEAD, /ping', async () => {
    await withSim({ release: '0.32.0' }, async (sim) => {
      const redirect = await rawRequest(sim.origin, { path: '/v1/models/?a=1' });
      assert.equal(redirect.status, 307);
      assert.deepEqual(redirect.headers.filter(([k]) => k !== 'date'), [
        ['server', 'uvicorn'],
        ['content-length', '0'],
        ['location', `${sim.origin}/v1/models?a=1`],
        ['vary', 'Origin'],
      ]);
      const head = await rawRequest(sim.origin, { method: 'HEAD', path: '/health' });
      assert.equal(head.status, 405);
      assert.deepEqual(head.headers.find(([k]) => k === 'allow'), ['allow', 'GET']);
      assert.equal((await call(sim, 'POST', '/ping')).status, 200);
    });
  });

  test('echo, prompt_logprobs and logprobs have vLLM\'s shapes', async () => {
    await withSim({ release: '0.32.0' }, async (sim) => {
      const body = (
        await call(sim, 'POST', '/v1/chat/completions', {
          body: { messages: [...hi, { role: 'assistant', content: 'Sure' }], add_generation_prompt: false, echo: true, max_tokens: 2, logprobs: true, top_logprobs: 1 },
        })
      ).json;
      assert.equal(body.choices[0].message.role, 'assistant');
      assert.ok(body.choices[0].message.content.startsWith('Sure'));
      assert.equal(body.prompt_logprobs[0], null);
      const [first] = Object.values(body.prompt_logprobs[1]);
      assert.deepEqual(Object.keys(first), ['logprob', 'rank', 'decoded_token']);
      const lp = body.choices[0].logprobs.content[0];
      assert.deepEqual(Object.keys(lp), ['token', 'logprob', 'bytes', 'top_logprobs']);
      assert.equal(lp.top_logprobs.length, 1);
      assert.deepEqual(lp.bytes, [...Buffer.from(lp.token)]);
    });
  });

  test('with a tool parser configured the EOS finish delta is {} (no empty content)', async () => {
    const req = { messages: hi, max_tokens: 100, stream: true };
    await withSim({ release: '0.32.0' }, async (sim) => {
      const last = sseData((await call(sim, 'POST', '/v1/chat/completions', { body: req })).text).at(-2);
      assert.deepEqual(last.choices[0].delta, { content: '' });
    });
    await withSim({ release: '0.32.0', toolParser: true }, async (sim) => {
      const last = sseData((await call(sim, 'POST', '/v1/chat/completions', { body: req })).text).at(-2);
      assert.deepEqual(last.choices[0].delta, {});
      assert.equal(last.choices[0].finish_reason, 'stop');
    });
  });

  test('requestIdHeaders echoes X-Request-Id on responses', async () => {
    await withSim({ requestIdHeaders: true }, async (sim) => {
      const res = await call(sim, 'GET', '/health', { headers: { 'x-request-id': 'abc' } });
      assert.equal(res.headers.get('x-request-id'), 'abc');
    });
  });
});
