// Sends the same requests to a live vLLM 0.32 server and to the simulator (release "0.32.0",
// same model id, max_model_len and API key) and compares what must not differ: status codes,
// response header names, content types, SSE framing, and the *shapes* of the JSON bodies (key
// paths in order with their JSON types). Values (ids, text, token counts, timestamps) are not
// compared, except the fixed parts of error bodies (type/param/code) and the 401 body.
//
// Needs VLLM_LIVE_BASE_URL (e.g. http://127.0.0.1:PORT/v1), VLLM_LIVE_API_KEY, VLLM_LIVE_MODEL
// (`node tests/vllm/live.mjs start|wait` prints them). Without them this test FAILS, unless
// VLLM_PROVIDER_SKIP_LIVE=1 says that a run without live vLLM is intended.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startSimulator } from '../sim/server.mjs';
import { rawRequest } from '../sim/raw-http.mjs';

const BASE = process.env.VLLM_LIVE_BASE_URL;
const KEY = process.env.VLLM_LIVE_API_KEY;
const MODEL = process.env.VLLM_LIVE_MODEL;
const SKIP = process.env.VLLM_PROVIDER_SKIP_LIVE === '1';
const configured = Boolean(BASE && KEY && MODEL);

// Live generation on a 2-core CPU is slow; every request is still bounded.
const TIMEOUT = { timeoutMs: 120_000 };

/**
 * The shape of a JSON value: every key path in document order with its JSON type. Array elements
 * are written as `[]`; identical element shapes are listed once.
 * @returns {string[]}
 */
function shapeOf(value, path = '$') {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  const out = [`${path}:${type}`];
  if (type === 'array') {
    const seen = new Set();
    for (const item of value) {
      const s = shapeOf(item, `${path}[]`);
      const key = s.join('|');
      if (!seen.has(key)) {
        seen.add(key);
        out.push(...s);
      }
    }
  } else if (type === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...shapeOf(v, `${path}.${k}`));
  }
  return out;
}

/** Splits an SSE body into events, checking vLLM's framing: only `data: …\n\n` events. */
function sseEvents(text) {
  assert.ok(text.endsWith('data: [DONE]\n\n'), 'the stream ends with data: [DONE]');
  const events = text.slice(0, -2).split('\n\n');
  for (const e of events) assert.match(e, /^data: [^\n]+$/, `event framing: ${JSON.stringify(e.slice(0, 80))}`);
  return events.map((e) => e.slice(6));
}

/**
 * The structural summary of a chat stream: the role chunk, the distinct shapes of the delta
 * chunks in between, the finish chunk, the usage chunk, and the terminator.
 */
function streamStructure(text) {
  const data = sseEvents(text);
  const done = data.pop();
  const chunks = data.map((d) => JSON.parse(d));
  const usageChunk = chunks.at(-1)?.choices?.length === 0 ? chunks.pop() : null;
  const [role, ...rest] = chunks;
  const finish = rest.pop();
  const middle = [...new Set(rest.map((c) => shapeOf(c).join('\n')))];
  return {
    role: shapeOf(role),
    middle,
    finish: finish ? shapeOf(finish) : null,
    usage: usageChunk ? shapeOf(usageChunk) : null,
    done,
  };
}

const headerNames = (res) => res.headers.map(([k]) => k).filter((k) => k !== 'date');
const contentType = (res) => res.headers.find(([k]) => k === 'content-type')?.[1] ?? null;

if (!configured) {
  if (SKIP) {
    test('sim vs live vLLM 0.32', { skip: 'VLLM_PROVIDER_SKIP_LIVE=1: live comparison skipped on purpose' }, () => {});
  } else {
    test('sim vs live vLLM 0.32', () => {
      assert.fail(
        'live vLLM is not configured: set VLLM_LIVE_BASE_URL (e.g. http://127.0.0.1:PORT/v1), VLLM_LIVE_API_KEY and ' +
          'VLLM_LIVE_MODEL (see `node tests/vllm/live.mjs start` / `wait`), or set VLLM_PROVIDER_SKIP_LIVE=1 to skip ' +
          'this comparison deliberately.',
      );
    });
  }
} else {
  describe('sim vs live vLLM 0.32: same requests, same shapes', () => {
    const liveOrigin = BASE.replace(/\/v1\/?$/, '');
    let sim;
    const LONG_REPLY = 'Hello there, this is long enough to run into any small max_tokens limit.';
    // What the simulated model answers next, per choice index (set from the live answer).
    let nextReplies = [LONG_REPLY];
    const replyLike = (finishReason) => (finishReason === 'stop' ? 'Hi.' : LONG_REPLY);
    const auth = { authorization: `Bearer ${KEY}` };
    const jsonHeaders = { ...auth, 'content-type': 'application/json' };

    before(async () => {
      const models = await rawRequest(liveOrigin, { path: '/v1/models', headers: auth }, TIMEOUT);
      assert.equal(models.status, 200, `live GET /v1/models: ${models.body}`);
      const card = JSON.parse(models.body.toString()).data.find((m) => m.id === MODEL);
      assert.ok(card, `live server does not serve ${MODEL}`);
      // Whether live runs with --enable-auto-tool-choice --tool-call-parser changes stream deltas
      // (a parser turns an empty EOS delta into {}), so configure the simulator the same way.
      const probe = await rawRequest(
        liveOrigin,
        {
          method: 'POST',
          path: '/v1/chat/completions',
          headers: jsonHeaders,
          body: {
            model: MODEL,
            messages: [{ role: 'user', content: 'hi' }],
            max_tokens: 1,
            tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }],
          },
        },
        TIMEOUT,
      );
      const toolParser = probe.status === 200;
      sim = await startSimulator({
        release: '0.32.0',
        apiKey: KEY,
        models: [{ id: MODEL, root: card.root, maxModelLen: card.max_model_len }],
        toolParser,
        // The simulated model finishes the way the live one did for the same request (see below).
        reply: ({ index }) => nextReplies[index] ?? nextReplies[0],
      });
    });
    after(async () => {
      await sim?.close();
    });

    /** Sends the request to both servers. */
    async function both(req) {
      const live = await rawRequest(liveOrigin, req, TIMEOUT);
      const simulated = await rawRequest(sim.origin, req, TIMEOUT);
      return { live, simulated };
    }

    function sameHead(live, simulated, what) {
      assert.equal(simulated.status, live.status, `${what}: status`);
      assert.equal(contentType(simulated), contentType(live), `${what}: content-type`);
      assert.deepEqual(headerNames(simulated), headerNames(live), `${what}: response header names`);
    }

    function sameJson(live, simulated, what) {
      sameHead(live, simulated, what);
      const l = JSON.parse(live.body.toString());
      const s = JSON.parse(simulated.body.toString());
      assert.deepEqual(shapeOf(s), shapeOf(l), `${what}: body shape`);
      const err = (b) => (b && typeof b.error === 'object' && b.error ? { type: b.error.type, param: b.error.param, code: b.error.code } : null);
      assert.deepEqual(err(s), err(l), `${what}: error type/param/code`);
      return { l, s };
    }

    const chat = (body, headers = jsonHeaders) => ({ method: 'POST', path: '/v1/chat/completions', headers, body: { model: MODEL, ...body } });

    test('GET /v1/models', async () => {
      const { live, simulated } = await both({ path: '/v1/models', headers: auth });
      sameJson(live, simulated, 'models');
    });

    test('401 without a key and with a wrong key', async () => {
      for (const headers of [{}, { authorization: 'Bearer wrong-key' }]) {
        const { live, simulated } = await both({ path: '/v1/models', headers });
        sameJson(live, simulated, '401');
        assert.equal(simulated.body.toString(), live.body.toString(), '401 body');
      }
      const { live, simulated } = await both(chat({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 }, { authorization: 'Bearer wrong-key', 'content-type': 'application/json' }));
      sameJson(live, simulated, '401 on chat');
    });

    test('non-streamed chat (max_tokens 8, temperature 0)', async () => {
      const req = chat({ messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 8, temperature: 0 });
      const live = await rawRequest(liveOrigin, req, TIMEOUT);
      const l = JSON.parse(live.body.toString());
      nextReplies = [replyLike(l.choices[0].finish_reason)];
      const simulated = await rawRequest(sim.origin, req, TIMEOUT);
      const { s } = sameJson(live, simulated, 'chat');
      assert.equal(s.choices[0].finish_reason, l.choices[0].finish_reason);
    });

    /** Streams the same request from both and compares head, framing and chunk shapes. */
    async function compareStream(body, what) {
      const req = chat({ messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 5, temperature: 0, stream: true, ...body });
      const live = await rawRequest(liveOrigin, req, TIMEOUT);
      const liveText = live.body.toString();
      const finishReason = sseEvents(liveText)
        .filter((d) => d !== '[DONE]')
        .map((d) => JSON.parse(d))
        .findLast((c) => c.choices.length).choices[0].finish_reason;
      // The random-weight live model may stop early (EOS) or run into max_tokens; make the
      // simulated model end the same way so the finish chunks are comparable.
      nextReplies = [replyLike(finishReason)];
      const simulated = await rawRequest(sim.origin, req, TIMEOUT);
      sameHead(live, simulated, what);
      const l = streamStructure(liveText);
      const s = streamStructure(simulated.body.toString());
      assert.deepEqual(s.role, l.role, `${what}: role chunk shape`);
      assert.deepEqual(s.middle, l.middle, `${what}: delta chunk shapes`);
      assert.deepEqual(s.finish, l.finish, `${what}: finish chunk shape`);
      assert.deepEqual(s.usage, l.usage, `${what}: usage chunk shape`);
      assert.equal(s.done, l.done);
    }

    test('streamed chat with include_usage (temperature 0)', async () => {
      await compareStream({ stream_options: { include_usage: true } }, 'stream with usage');
    });

    test('more streams: no stream_options; continuous usage stats', async () => {
      await compareStream({}, 'stream without usage');
      await compareStream({ stream_options: { include_usage: true, continuous_usage_stats: true } }, 'continuous usage');
    });

    // The shapes OpenClaw 2026.9.6 sends that the package now builds too (spec §0.1 errata): a
    // tool-call-only turn with content null and strict ids, reasoning_content in history, and the
    // params from agents and snake_case (top_k from extra_body). Both servers must stream them alike.
    test('errata bodies: tool-call-only turn, reasoning_content in history, agents and snake_case params', async () => {
      const strict = ['calla1', 'call9itemx', 'chatcmpltool4f2a9c81b3d04e6f'];
      const toolTurn = [
        { role: 'user', content: 'Weather in Paris, Rome and Oslo?' },
        { role: 'assistant', content: null, tool_calls: strict.map((id) => ({ id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } })) },
        ...strict.map((id) => ({ role: 'tool', content: 'sunny', tool_call_id: id })),
      ];
      const reasoning = [
        { role: 'user', content: 'Hi?' },
        { role: 'assistant', content: 'Hello.', reasoning_content: 'A greeting.' },
        { role: 'user', content: 'Say hello' },
      ];
      await compareStream({ messages: toolTurn, stream_options: { include_usage: true } }, 'tool-call-only turn, strict ids');
      await compareStream({ messages: reasoning, stream_options: { include_usage: true } }, 'reasoning_content in history');
      await compareStream({ temperature: 0.6, top_p: 0.9, frequency_penalty: 0.5, seed: 11, stop: ['END'], top_k: 5, stream_options: { include_usage: true } }, 'agents and snake_case params');
    });

    test('unknown model → 404', async () => {
      const { live, simulated } = await both(chat({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 }));
      sameJson(live, simulated, 'unknown model');
    });

    test('over-long prompt → 400 (also with stream: true)', async () => {
      const long = Array(500).fill('hello world').join(' ');
      for (const stream of [false, true]) {
        const { live, simulated } = await both(chat({ messages: [{ role: 'user', content: long }], max_tokens: 4, stream }));
        sameJson(live, simulated, `over-long prompt stream=${stream}`);
      }
    });

    test('max_tokens > max_model_len → 400', async () => {
      const { live, simulated } = await both(chat({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 1_000_000 }));
      sameJson(live, simulated, 'max_tokens too large');
    });

    test('unknown route → 404 {"detail":"Not Found"}', async () => {
      for (const req of [
        { method: 'POST', path: '/chat/completions', headers: jsonHeaders, body: { model: MODEL, messages: [] } },
        { path: '/v1/nope', headers: auth },
      ]) {
        const { live, simulated } = await both(req);
        sameJson(live, simulated, `unknown route ${req.path}`);
      }
    });

    test('missing messages → 400 validation error', async () => {
      const { live, simulated } = await both(chat({}));
      sameJson(live, simulated, 'missing messages');
    });

    test('more 400s: parameter types, content type, malformed JSON, stream_options without stream', async () => {
      const hi = [{ role: 'user', content: 'hi' }];
      const cases = [
        chat({ messages: hi, temperature: 'hot', max_tokens: 'x' }),
        chat({ messages: hi, stream_options: { include_usage: true } }),
        chat({ messages: hi, top_logprobs: 2 }),
        { method: 'POST', path: '/v1/chat/completions', headers: { ...auth, 'content-type': 'text/plain' }, body: { model: MODEL, messages: hi } },
        { method: 'POST', path: '/v1/chat/completions', headers: jsonHeaders, body: '{"model":"x","messages":' },
        { method: 'POST', path: '/v1/chat/completions', headers: jsonHeaders, body: '' },
      ];
      for (const req of cases) {
        const { live, simulated } = await both(req);
        sameJson(live, simulated, `400 for ${JSON.stringify(req.body).slice(0, 80)}`);
        // These texts hold no generated values, so they must match exactly.
        assert.equal(JSON.parse(simulated.body.toString()).error.message, JSON.parse(live.body.toString()).error.message);
      }
    });

    test('n=2 with logprobs (non-streamed)', async () => {
      const req = chat({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 3, n: 2, logprobs: true, top_logprobs: 2 });
      const live = await rawRequest(liveOrigin, req, TIMEOUT);
      const l = JSON.parse(live.body.toString());
      // Each simulated choice ends the way the live one with the same index did.
      nextReplies = l.choices.map((c) => replyLike(c.finish_reason));
      const simulated = await rawRequest(sim.origin, req, TIMEOUT);
      sameJson(live, simulated, 'n=2 logprobs');
    });

    test('trailing slash → 307 redirect', async () => {
      const { live, simulated } = await both({ path: '/v1/models/', headers: auth });
      sameHead(live, simulated, 'redirect');
    });

    test('GET /health', async () => {
      const { live, simulated } = await both({ path: '/health' });
      sameHead(live, simulated, 'health');
      assert.equal(simulated.body.length, live.body.length, 'empty body');
    });
  });
}
