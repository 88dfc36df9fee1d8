// For every recorded fixture under tests/fixtures/vllm/, the simulator configuration, the
// scripted pins and the request that make the simulator produce that fixture.
//
// Pins are only what a random run cannot reproduce: ids, `created`, system_fingerprint, token
// counts and the model's text. Everything else (key order, null keys, spacing, error texts,
// envelopes, headers) comes from the release serializers. Chat ids are pinned the way the
// fixtures were made: through the request id (X-Request-Id header).

/**
 * @typedef {object} FixtureScenario
 * @property {string} release
 * @property {object} sim            startSimulator options (release is added from `release`)
 * @property {object} [script]       respondNext behaviour queued before the request
 * @property {{method: string, path: string, headers?: Record<string, string>, body?: unknown}} request
 */

const CREATED_33 = 1795526400;
const CREATED_11 = 1759700000;
const FP_33 = 'vllm-0.33.0-5f3c9a1e';
const JSON_HEADERS = { 'content-type': 'application/json' };

const QWEN_SERVED_33 = [
  { id: 'qwen3-8b', root: '/models/Qwen3-8B', maxModelLen: 32768 },
  { id: 'qwen3', root: '/models/Qwen3-8B' },
];

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city'],
    },
  },
};
const TIME_TOOL = {
  type: 'function',
  function: { name: 'get_time', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

/** A chat request for the fixtures' "qwen3-8b" model. */
function chat(body, requestId, extraHeaders = {}) {
  return {
    method: 'POST',
    path: '/v1/chat/completions',
    headers: { ...JSON_HEADERS, ...(requestId ? { 'x-request-id': requestId } : {}), ...extraHeaders },
    body: { model: 'qwen3-8b', ...body },
  };
}

const hello = [{ role: 'user', content: 'Hello!' }];
const capital = [{ role: 'user', content: 'What is the capital of France?' }];
const weather = [{ role: 'user', content: 'What is the weather in Paris?' }];

/** @type {Record<string, FixtureScenario>} keyed by path relative to tests/fixtures/vllm/ */
export const FIXTURE_SCENARIOS = {
  // ------------------------------------------------------------------------------ v0.33.0
  'v0.33.0/models_list_single.json': {
    release: '0.33.0',
    sim: { created: CREATED_33, models: [{ id: 'Qwen/Qwen3-8B', maxModelLen: 40960, permissionId: 'modelperm-80e9f7110ddf9705' }] },
    request: { method: 'GET', path: '/v1/models' },
  },
  'v0.33.0/models_list_two_served_names.json': {
    release: '0.33.0',
    sim: {
      created: CREATED_33,
      models: [
        { ...QWEN_SERVED_33[0], permissionId: 'modelperm-b19bbadb92a1337a' },
        { ...QWEN_SERVED_33[1], permissionId: 'modelperm-80dc796781527f4f' },
      ],
    },
    request: { method: 'GET', path: '/v1/models' },
  },
  'v0.33.0/models_list_with_lora.json': {
    release: '0.33.0',
    sim: {
      created: CREATED_33,
      models: [
        { ...QWEN_SERVED_33[0], permissionId: 'modelperm-85b424fec2bcfc19' },
        { id: 'sql-lora', root: '/adapters/sql-lora', parent: 'qwen3-8b', permissionId: 'modelperm-871930261dc16a6d' },
      ],
    },
    request: { method: 'GET', path: '/v1/models' },
  },
  'v0.33.0/chat_completion_plain.json': {
    release: '0.33.0',
    sim: { created: CREATED_33, systemFingerprint: FP_33, models: QWEN_SERVED_33 },
    script: { scenario: { promptTokens: 17, message: { content: "Hello! It's nice to meet you." }, completionTokens: 6 } },
    request: chat({ messages: hello }, '3c1f9a7be2d04a55'),
  },
  'v0.33.0/chat_completion_reasoning.json': {
    release: '0.33.0',
    sim: { created: CREATED_33, systemFingerprint: FP_33, models: QWEN_SERVED_33, reasoningParser: true },
    script: {
      scenario: {
        promptTokens: 15,
        message: { reasoning: 'The user asks for the capital of France. That is Paris.', content: '\n\nThe capital of France is Paris.' },
        completionTokens: 20,
        reasoningTokens: 8,
      },
    },
    request: chat({ messages: capital }, '8a2d6e0f4b7c1935'),
  },
  'v0.33.0/chat_completion_tool_calls.json': {
    release: '0.33.0',
    sim: { created: CREATED_33, systemFingerprint: FP_33, models: QWEN_SERVED_33, toolParser: true },
    script: {
      scenario: {
        promptTokens: 212,
        message: {
          content: null,
          toolCalls: [{ id: 'chatcmpl-tool-812a4bb0a6e2b9c7', name: 'get_weather', arguments: '{"city": "Paris", "unit": "celsius"}' }],
        },
        finishReason: 'tool_calls',
        completionTokens: 9,
      },
    },
    request: chat({ messages: weather, tools: [WEATHER_TOOL] }, 'd41e7b2c90a35f68'),
  },
  'v0.33.0/chat_stream_response_head.http': {
    release: '0.33.0',
    sim: { models: QWEN_SERVED_33 },
    request: chat({ messages: hello, stream: true }),
  },
  'v0.33.0/chat_stream_plain_with_usage.sse': {
    release: '0.33.0',
    sim: { created: CREATED_33, systemFingerprint: FP_33, models: QWEN_SERVED_33 },
    script: { scenario: { promptTokens: 17, steps: ['Hello', '!', ' It', "'s", ' nice', ' to', ' meet', ' you', '.'] } },
    request: chat({ messages: hello, stream: true, stream_options: { include_usage: true } }, '3c1f9a7be2d04a55'),
  },
  'v0.33.0/chat_stream_plain_no_usage.sse': {
    release: '0.33.0',
    sim: { created: CREATED_33, systemFingerprint: FP_33, models: QWEN_SERVED_33 },
    script: { scenario: { promptTokens: 17, steps: ['Hello', '!', ' Nice', ' to', ' meet', ' you', '.'] } },
    request: chat({ messages: hello, stream: true }, '3c1f9a7be2d04a55'),
  },
  'v0.33.0/chat_stream_continuous_usage.sse': {
    release: '0.33.0',
    sim: { created: CREATED_33, systemFingerprint: FP_33, models: QWEN_SERVED_33 },
    script: { scenario: { promptTokens: 17, steps: ['Hello', '!', ' Nice', ' to', ' meet', ' you', '.'] } },
    request: chat(
      { messages: hello, stream: true, stream_options: { include_usage: true, continuous_usage_stats: true } },
      '3c1f9a7be2d04a55',
    ),
  },
  'v0.33.0/chat_stream_reasoning_then_content.sse': {
    release: '0.33.0',
    sim: { created: CREATED_33, systemFingerprint: FP_33, models: QWEN_SERVED_33, reasoningParser: true },
    script: {
      scenario: {
        promptTokens: 15,
        steps: [
          ...['The', ' user', ' asks', ' for', ' the', ' capital', ' of', ' France', '.', ' That'].map((reasoning) => ({ reasoning })),
          // The qwen3 parser of this release left the end of the reasoning, the </think> marker and
          // the answer in one reasoning delta when they arrived in one engine step.
          { reasoning: ' is Paris.</think>\n\nThe capital of France is Paris.' },
        ],
        usage: { completionTokens: 23, reasoningTokens: 21 },
      },
    },
    request: chat({ messages: capital, stream: true, stream_options: { include_usage: true } }, '8a2d6e0f4b7c1935'),
  },
  'v0.33.0/chat_stream_tool_call_deltas.sse': {
    release: '0.33.0',
    sim: { created: CREATED_33, systemFingerprint: FP_33, models: QWEN_SERVED_33, toolParser: true },
    script: {
      scenario: {
        promptTokens: 212,
        steps: [
          { toolCalls: [{ index: 0, id: 'chatcmpl-tool-a55ee2f69fcf0bbd', type: 'function', name: 'get_weather' }] },
          { toolCalls: [{ index: 0, arguments: '{"city":' }] },
          { toolCalls: [{ index: 0, arguments: ' "Paris"' }] },
          { toolCalls: [{ index: 0, arguments: ', "unit": "celsius"' }] },
          { toolCalls: [{ index: 0, arguments: '}' }] },
          {},
        ],
        finishReason: 'tool_calls',
        usage: { completionTokens: 14 },
      },
    },
    request: chat({ messages: weather, tools: [WEATHER_TOOL], stream: true, stream_options: { include_usage: true } }, 'd41e7b2c90a35f68'),
  },
  'v0.33.0/chat_stream_parallel_tool_calls.sse': {
    release: '0.33.0',
    sim: { created: CREATED_33, systemFingerprint: FP_33, models: QWEN_SERVED_33, toolParser: true },
    script: {
      scenario: {
        promptTokens: 268,
        steps: [
          {
            toolCalls: [
              { index: 0, id: 'chatcmpl-tool-9e08e74621fe1f64', type: 'function', name: 'get_weather' },
              { index: 0, arguments: '{"city": "Paris"' },
            ],
          },
          { toolCalls: [{ index: 0, arguments: '}' }] },
          { toolCalls: [{ index: 1, id: 'chatcmpl-tool-a984b160ce0232a7', type: 'function', name: 'get_time' }] },
          { toolCalls: [{ index: 1, arguments: '{"city": "Paris"}' }] },
          {},
        ],
        finishReason: 'tool_calls',
        usage: { completionTokens: 21 },
      },
    },
    request: chat(
      { messages: weather, tools: [WEATHER_TOOL, TIME_TOOL], stream: true, stream_options: { include_usage: true } },
      'e5f8a1c3b7d24906',
    ),
  },
  'v0.33.0/chat_stream_error_midstream.sse': {
    release: '0.33.0',
    sim: { created: CREATED_33, systemFingerprint: FP_33, models: QWEN_SERVED_33 },
    script: {
      scenario: {
        promptTokens: 17,
        steps: ['Hello', '!', ' Nice', ' to', ' meet', ' you', '.'],
        // The engine reports finish_reason "error" for the request after three tokens.
        streamError: { afterSteps: 3 },
      },
    },
    request: chat({ messages: hello, stream: true }, '3c1f9a7be2d04a55'),
  },
  'v0.33.0/error_401_unauthorized.json': {
    release: '0.33.0',
    sim: { apiKey: 'secret-key', models: QWEN_SERVED_33 },
    request: { method: 'GET', path: '/v1/models', headers: { authorization: 'Bearer wrong-key' } },
  },
  'v0.33.0/error_401_unauthorized.http': {
    release: '0.33.0',
    sim: { apiKey: 'secret-key', models: QWEN_SERVED_33 },
    request: { method: 'GET', path: '/v1/models' },
  },
  'v0.33.0/error_404_model_not_found.json': {
    release: '0.33.0',
    sim: { models: QWEN_SERVED_33 },
    request: { ...chat({ messages: hello }), body: { model: 'Qwen/Qwen3-8B', messages: hello } },
  },
  'v0.33.0/error_404_unknown_route.json': {
    release: '0.33.0',
    sim: { models: QWEN_SERVED_33 },
    request: { method: 'POST', path: '/chat/completions', headers: JSON_HEADERS, body: { model: 'qwen3-8b', messages: hello } },
  },
  'v0.33.0/error_400_context_length.json': {
    release: '0.33.0',
    sim: { models: QWEN_SERVED_33 },
    // The fixture's prompt was 33792 tokens long; pin the count instead of sending ~130 kB.
    script: { scenario: { promptTokens: 33792 } },
    request: chat({ messages: hello }),
  },
  'v0.33.0/error_400_max_tokens_exceeds_max_model_len.json': {
    release: '0.33.0',
    sim: { models: QWEN_SERVED_33 },
    request: chat({ messages: hello, max_tokens: 40000 }),
  },
  'v0.33.0/error_400_bad_param_type.json': {
    release: '0.33.0',
    sim: { models: QWEN_SERVED_33 },
    request: chat({ messages: hello, temperature: 'hot' }),
  },
  'v0.33.0/error_400_stream_options_without_stream.json': {
    release: '0.33.0',
    sim: { models: QWEN_SERVED_33 },
    request: chat({ messages: hello, stream_options: { include_usage: true } }),
  },
  'v0.33.0/error_400_auto_tool_choice_not_enabled.json': {
    release: '0.33.0',
    sim: { models: QWEN_SERVED_33 },
    request: chat({ messages: weather, tools: [WEATHER_TOOL] }),
  },
  'v0.33.0/error_503_queue_full.json': {
    release: '0.33.0',
    sim: { models: QWEN_SERVED_33 },
    script: { path: '/v1/chat/completions', error: 'queue_full' },
    request: chat({ messages: hello }),
  },

  // ------------------------------------------------------------------------------ v0.11.0
  'v0.11.0/models_list_single.json': {
    release: '0.11.0',
    sim: { created: CREATED_11, models: [{ id: 'Qwen/Qwen3-8B', maxModelLen: 40960, permissionId: 'modelperm-cee9e6ee87584fd587ee9832f76f4e61' }] },
    request: { method: 'GET', path: '/v1/models' },
  },
  'v0.11.0/chat_completion_reasoning.json': {
    release: '0.11.0',
    sim: { created: CREATED_11, models: QWEN_SERVED_33, reasoningParser: true },
    script: {
      scenario: {
        promptTokens: 15,
        message: { reasoning: 'The user asks for the capital of France. That is Paris.', content: '\n\nThe capital of France is Paris.' },
        completionTokens: 20,
      },
    },
    request: chat({ messages: capital }, '0c8e5b1d7a4f42e6a9b3d2c1e0f97a85'),
  },
  'v0.11.0/chat_completion_tool_calls.json': {
    release: '0.11.0',
    sim: { created: CREATED_11, models: QWEN_SERVED_33, toolParser: true },
    script: {
      scenario: {
        promptTokens: 212,
        message: {
          content: null,
          toolCalls: [{ id: 'chatcmpl-tool-1e500f91d0f94e8d8b9f1073d52c9fbc', name: 'get_weather', arguments: '{"city": "Paris", "unit": "celsius"}' }],
        },
        finishReason: 'tool_calls',
        completionTokens: 9,
      },
    },
    request: chat({ messages: weather, tools: [WEATHER_TOOL] }, '6f1d2e3c4b5a49788796a5b4c3d2e1f0'),
  },
  'v0.11.0/chat_stream_reasoning.sse': {
    release: '0.11.0',
    sim: { created: CREATED_11, models: QWEN_SERVED_33, reasoningParser: true },
    script: {
      scenario: {
        promptTokens: 15,
        steps: [
          ...['The', ' user', ' asks', ' for', ' the', ' capital', '.'].map((reasoning) => ({ reasoning })),
          ...['\n\n', 'The', ' capital', ' of', ' France', ' is', ' Paris', '.'],
        ],
        usage: { completionTokens: 17 },
      },
    },
    request: chat({ messages: capital, stream: true, stream_options: { include_usage: true } }, '0c8e5b1d7a4f42e6a9b3d2c1e0f97a85'),
  },
  'v0.11.0/chat_stream_tool_call_deltas.sse': {
    release: '0.11.0',
    sim: { created: CREATED_11, models: QWEN_SERVED_33, toolParser: true },
    script: {
      scenario: {
        promptTokens: 212,
        steps: [
          { toolCalls: [{ index: 0, id: 'chatcmpl-tool-35893c8474d248c4a8235080640ac0ac', type: 'function', name: 'get_weather' }] },
          { toolCalls: [{ index: 0, arguments: '{"city": "Paris"' }] },
          { toolCalls: [{ index: 0, arguments: ', "unit": "celsius"' }] },
          { toolCalls: [{ index: 0, arguments: '}' }] },
          // This era's hermes parser flushed the newline before </tool_call> as an arguments fragment.
          { toolCalls: [{ index: 0, arguments: '\n' }] },
          {},
        ],
        finishReason: 'tool_calls',
      },
    },
    request: chat({ messages: weather, tools: [WEATHER_TOOL], stream: true }, '6f1d2e3c4b5a49788796a5b4c3d2e1f0'),
  },
  'v0.11.0/chat_stream_error_midstream.sse': {
    release: '0.11.0',
    sim: { created: CREATED_11, models: QWEN_SERVED_33 },
    script: {
      scenario: {
        promptTokens: 17,
        steps: ['Hello', '!', ' Nice', ' to', ' meet', ' you', '.'],
        // An exception inside the stream generator; this era reports any exception as a 400.
        streamError: { afterSteps: 3, message: 'boom' },
      },
    },
    request: chat({ messages: hello, stream: true }, 'b2a1c9d8e7f64a5b8c7d6e5f4a3b2c1d'),
  },
  'v0.11.0/error_404_model_not_found.json': {
    release: '0.11.0',
    sim: { models: QWEN_SERVED_33 },
    request: { ...chat({ messages: hello }), body: { model: 'Qwen/Qwen3-8B', messages: hello } },
  },
  'v0.11.0/error_400_context_length_prompt_too_long.json': {
    release: '0.11.0',
    sim: { models: QWEN_SERVED_33 },
    script: { scenario: { promptTokens: 33792 } },
    request: chat({ messages: hello }),
  },
  'v0.11.0/error_400_context_length_max_tokens_too_large.json': {
    release: '0.11.0',
    sim: { models: QWEN_SERVED_33 },
    script: { scenario: { promptTokens: 32000 } },
    request: chat({ messages: hello, max_tokens: 1024 }),
  },
};
