// POST /v1/chat/completions: the request pipeline of vLLM's chat handler, in its order
// (v0.32.0 sources, observed on the live server):
//   body decoding → request validation → model check (404) → tool-parser checks → untrusted chat
//   template → token budget / context length → sampling-parameter checks → generation.
// It returns a reply description; server.mjs writes it to the socket.

import {
  autoToolChoiceNotEnabled,
  contextLengthError,
  engineFailureInfo,
  errorBodyText,
  modelNotFound,
  toolChoiceNeedsParser,
  withParameterSuffix,
} from './errors.mjs';
import {
  REASONING_MODEL_RE,
  countTokens,
  exampleArguments,
  contentText,
  planChoice,
  promptLogprobs,
  randomHex,
  renderChatTemplate,
  scriptedChoice,
} from './engine.mjs';
import { chatCompletionBodyText, chatStreamEvents } from './chat-serializer.mjs';
import { coerce, decodeJsonBody, validateChatBody } from './validation.mjs';
import { compareVersions } from './releases.mjs';
import { compactJson, pyFloatRepr } from './pyjson.mjs';

/**
 * @typedef {{kind: 'json', status: number, body: string}} JsonReply
 * @typedef {{kind: 'sse', events: string[]}} SseReply
 * @typedef {JsonReply|SseReply} Reply
 */

/**
 * Scripted engine output / pins for one chat request (respondNext({scenario}) and fixtures).
 * Every field is optional; what is not pinned is generated.
 * @typedef {object} ChatScenario
 * @property {string} [id]              full response id, e.g. "chatcmpl-3c1f9a7be2d04a55"
 * @property {number} [created]
 * @property {string|null} [fingerprint] system_fingerprint
 * @property {string} [model]           response `model` field
 * @property {number} [promptTokens]    exact prompt token count (also used by the context checks)
 * @property {Array<string|import('./engine.mjs').Step>} [steps] choice 0's engine steps (stream form)
 * @property {{content?: string|null, reasoning?: string|null, toolCalls?: Array<{id: string, name: string, arguments: string}>}} [message]
 *                                      choice 0's non-streamed message (derived from steps if absent)
 * @property {string} [finishReason]
 * @property {string|number|null} [stopReason]
 * @property {number} [completionTokens] choice 0's completion tokens (non-streamed usage)
 * @property {number} [reasoningTokens]
 * @property {Array<object>} [choices]  several choices, each {steps, message, finishReason, ...}
 * @property {{completionTokens?: number, reasoningTokens?: number, promptTokens?: number}} [usage]
 *                                      overrides the streamed final usage / non-streamed usage
 * @property {{afterSteps: number, message?: string, type?: string, code?: number}} [streamError]
 *                                      in-band error after that many delta chunks (streams only)
 */

const json = (profile, info) => ({ kind: 'json', status: info.code, body: errorBodyText(profile, info) });

/**
 * Runs the chat pipeline.
 * @param {object} ctx
 * @param {import('./releases.mjs').ReleaseProfile} ctx.profile
 * @param {object} ctx.config      simulator configuration (see server.mjs)
 * @param {{rawBody: Buffer, headers: Record<string, string>}} ctx.request
 * @param {ChatScenario|null} ctx.scenario
 * @returns {Reply}
 */
export function handleChat({ profile, config, request, scenario }) {
  const decoded = decodeJsonBody(profile, request.rawBody, request.headers['content-type']);
  if ('fastapiDetail' in decoded) return { kind: 'json', status: 400, body: compactJson({ detail: decoded.fastapiDetail }) };
  if ('error' in decoded) return json(profile, decoded.error);
  const invalid = validateChatBody(profile, decoded.body);
  if (invalid) return json(profile, invalid);
  const body = coerce(/** @type {Record<string, any>} */ (decoded.body));

  // --- model check -----------------------------------------------------------------------------
  const { models } = config;
  const requested = body.model;
  const lora = models.lora.find((m) => m.id === requested);
  const baseHit = !requested || models.base.some((m) => m.id === requested);
  if (!baseHit && !lora) {
    return json(profile, modelNotFound(profile, requested, models.base.map((m) => m.id)));
  }
  // The response names the first served name for base requests, the adapter for LoRA requests.
  const responseModel = scenario?.model ?? (lora ? lora.id : models.base[0].id);
  const baseModel = lora ? models.base.find((m) => m.id === lora.parent) ?? models.base[0] : models.base.find((m) => m.id === requested) ?? models.base[0];
  const maxModelLen = baseModel.maxModelLen;

  // --- tools -----------------------------------------------------------------------------------
  const tools = Array.isArray(body.tools) ? body.tools : null;
  const toolChoice = 'tool_choice' in body ? body.tool_choice : tools ? 'auto' : 'none';
  const toolMode = toolChoice === 'auto' ? 'auto' : toolChoice === 'required' ? 'required' : toolChoice && typeof toolChoice === 'object' ? 'named' : null;
  if (!config.toolParser && toolMode) {
    if (toolMode === 'auto') return json(profile, autoToolChoiceNotEnabled());
    if (profile.requiredToolChoiceNeedsParser) return json(profile, toolChoiceNeedsParser(toolChoice));
  }

  if (compareVersions(profile.release, '0.11.0') >= 0 && !config.trustRequestChatTemplate) {
    if (body.chat_template != null || body.chat_template_kwargs?.chat_template != null) {
      return json(profile, {
        message: 'Chat template is passed with request, but --trust-request-chat-template is not set. Refused request with untrusted chat template.',
        type: 'BadRequestError',
        param: null,
        code: 400,
      });
    }
  }

  const messages = Array.isArray(body.messages) ? body.messages : [];
  if (messages.length === 0 && profile.contextRules === 'v0.32') {
    // Raised by transformers' apply_chat_template (observed on live 0.32.0).
    return json(profile, {
      message: 'Cannot apply chat template to an empty conversation. Provide at least one message.',
      type: 'BadRequestError',
      param: null,
      code: 400,
    });
  }

  // --- context length / token budget -----------------------------------------------------------
  const promptText = renderChatTemplate(messages, body.add_generation_prompt !== false);
  let promptTokens;
  let atLeast = false;
  if (scenario?.promptTokens != null) {
    promptTokens = scenario.promptTokens;
  } else {
    promptTokens = countTokens(promptText);
    // v0.32+ tokenizes with truncation at max_model_len + 1, so it never counts further.
    if (profile.contextRules === 'v0.32' && promptTokens > maxModelLen) {
      promptTokens = maxModelLen + 1;
      atLeast = true;
    }
  }
  const useCompletionTokens = body.max_completion_tokens != null;
  const maxTokens = useCompletionTokens ? body.max_completion_tokens : body.max_tokens ?? null;
  const ctxError = contextLengthError(profile, {
    maxModelLen,
    promptTokens,
    promptChars: [...promptText].length,
    maxCharsPerToken: config.maxCharsPerToken,
    maxTokens,
    maxTokensParam: useCompletionTokens ? 'max_completion_tokens' : 'max_tokens',
    atLeast,
  });
  if (ctxError) return json(profile, ctxError);

  // --- sampling parameters (SamplingParams._verify_args) -------------------------------------------
  const remaining = maxModelLen - promptTokens;
  const limit = maxTokens == null ? remaining : Math.min(maxTokens, remaining);
  const samplingError = checkSampling(profile, body, limit);
  if (samplingError) return json(profile, samplingError);

  // --- generation --------------------------------------------------------------------------------
  const hex = profile.idHexLength;
  const requestId = request.headers['x-request-id'] ?? (typeof body.request_id === 'string' ? body.request_id : randomHex(hex));
  const plan = {
    id: scenario?.id ?? `chatcmpl-${requestId}`,
    created: scenario?.created ?? config.created ?? Math.floor(Date.now() / 1000),
    model: responseModel,
    fingerprint: scenario && 'fingerprint' in scenario ? scenario.fingerprint : config.systemFingerprint,
    promptTokens,
    choices: [],
    usageOverride: scenario?.usage ?? null,
    streamError: null,
  };

  // Without a generation prompt the reply continues the last message, in its role.
  const lastMessage = messages.at(-1);
  plan.role = body.add_generation_prompt === false && typeof lastMessage?.role === 'string' ? lastMessage.role : 'assistant';
  // echo (which also asks for prompt logprobs) and prompt_logprobs: non-streamed only.
  const promptLp = body.prompt_logprobs ?? (body.echo ? Number(body.top_logprobs ?? 0) : null);
  if (promptLp != null && !body.stream) plan.promptLogprobs = promptLogprobs(promptText, promptLp);

  const n = Number.isInteger(body.n) && body.n > 0 ? body.n : 1;
  const scriptedChoices = scenario?.choices ?? (scenario && (scenario.steps || scenario.message) ? [scenario] : null);
  if (scriptedChoices) {
    plan.choices = scriptedChoices.map((c, i) => scriptedChoice(c, i));
  } else {
    const thinking =
      config.reasoningParser &&
      (REASONING_MODEL_RE.test(baseModel.id) || REASONING_MODEL_RE.test(baseModel.root ?? '')) &&
      body.chat_template_kwargs?.enable_thinking !== false &&
      body.reasoning_effort !== 'none';
    let toolCall = null;
    const forcedTools = toolMode === 'required' || toolMode === 'named';
    if (forcedTools && (config.toolParser || !profile.requiredToolChoiceNeedsParser)) {
      const tool = toolMode === 'named' ? tools.find((t) => t?.function?.name === toolChoice.function.name) : tools[0];
      toolCall = { name: tool.function.name, arguments: exampleArguments(tool), id: `chatcmpl-tool-${randomHex(hex)}` };
    }
    for (let i = 0; i < n; i++) {
      const choice = planChoice({
        index: i,
        limit,
        reasoning: thinking ? config.reasoningText : null,
        includeReasoning: body.include_reasoning !== false,
        reply: typeof config.reply === 'function' ? String(config.reply({ body, index: i })) : config.reply,
        toolCall: toolCall && i > 0 ? { ...toolCall, id: `chatcmpl-tool-${randomHex(hex)}` } : toolCall,
        toolMode,
        lp: { logprobs: body.logprobs === true, topLogprobs: Number(body.top_logprobs ?? 0) },
      });
      // Which tool choices report finish_reason "tool_calls" changed over releases.
      if (choice.finishReason === 'tool_calls' && toolMode === 'required' && !profile.requiredToolChoiceFinishesToolCalls) {
        choice.finishReason = 'stop';
      }
      plan.choices.push(choice);
    }
  }
  if (body.echo && lastMessage?.role === plan.role) {
    const echoed = typeof lastMessage.content === 'string' ? lastMessage.content : contentText(lastMessage.content);
    if (echoed) {
      for (const c of plan.choices) {
        c.message.content = echoed + (c.message.content ?? '');
        c.steps.unshift({ content: echoed, tokens: 0, echo: true });
      }
    }
  }

  // With a parser in the path, an engine step whose text is empty yields no delta at all (a
  // finishing one becomes `"delta":{}`), observed on live 0.32.0 with --tool-call-parser.
  const parserActive = profile.unifiedParser
    ? config.toolParser || config.reasoningParser
    : config.reasoningParser || (config.toolParser && toolMode === 'auto');
  const server = { reasoningParser: config.reasoningParser, parserActive };
  if (!body.stream) {
    return { kind: 'json', status: 200, body: chatCompletionBodyText(profile, plan, server) };
  }
  if (scenario?.streamError) {
    const e = scenario.streamError;
    const base = engineFailureInfo(profile, e.message);
    plan.streamError = { afterSteps: e.afterSteps ?? 0, info: { ...base, ...(e.type ? { type: e.type } : {}), ...(e.code ? { code: e.code } : {}) } };
  }
  const so = body.stream_options && typeof body.stream_options === 'object' ? body.stream_options : null;
  const includeUsage = config.forceIncludeUsage || Boolean(so?.include_usage);
  const continuousUsage = config.forceIncludeUsage || (includeUsage && Boolean(so?.continuous_usage_stats));
  return { kind: 'sse', events: chatStreamEvents(profile, plan, { includeUsage, continuousUsage }, server) };
}

/** SamplingParams checks that reach clients (v0.16+ wording with the parameter suffix). */
function checkSampling(profile, body, maxTokens) {
  const suffix = compareVersions(profile.release, '0.16.0') >= 0;
  const err = (message, parameter, value) => ({
    message: suffix ? withParameterSuffix(message, parameter, value) : message,
    type: 'BadRequestError',
    param: suffix ? parameter : null,
    code: 400,
  });
  const t = body.temperature == null ? null : Number(body.temperature);
  if (t != null) {
    const shown = pyFloatRepr(t);
    if (!Number.isFinite(t)) return err(`temperature must be a finite number, got ${shown}.`, 'temperature', shown);
    if (t < 0) return err(`temperature must be non-negative, got ${shown}.`, 'temperature', shown);
    if (t > 2) return err(`temperature must be in [0, 2], got ${shown}.`, 'temperature', shown);
  }
  if (maxTokens < 1) return err(`max_tokens must be at least 1, got ${maxTokens}.`, 'max_tokens', maxTokens);
  // Greedy sampling (temperature ~0) cannot produce several different choices.
  const n = body.n ?? 1;
  if (t != null && t < 1e-5 && n > 1) return { message: `n must be 1 when using greedy sampling, got ${n}.`, type: 'BadRequestError', param: null, code: 400 };
  return null;
}
