// The simulated "model": a deterministic tokenizer, the chat template, and the generator that
// turns a validated chat request into a completion plan (the engine outputs the serializers
// render). Nothing here depends on the release; release differences live in the serializers.

import { createHash, randomBytes } from 'node:crypto';
import { pyFloat, pythonStyleJson } from './pyjson.mjs';

/**
 * Splits text into "tokens" deterministically: runs of up to 12 letters (with one leading space
 * attached, like a byte-level BPE), single digits, single punctuation characters, newlines.
 * Not a real tokenizer; it only has to be stable and plausible.
 * @param {string} text
 * @returns {string[]}
 */
export function tokenize(text) {
  const out = [];
  const re = / ?[A-Za-z]{1,12}| ?\d| ?[^\sA-Za-z\d]|\n|[ \t\r\f\v]+/gu;
  for (const m of text.matchAll(re)) out.push(m[0]);
  return out;
}

/** @param {string} text */
export const countTokens = (text) => tokenize(text).length;

/**
 * Flattens OpenAI message content (string or content parts) to text the way vLLM's "string"
 * content format does: text parts joined by newlines, other parts dropped.
 */
export function contentText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .filter((p) => p && typeof p === 'object' && typeof p.text === 'string')
      .map((p) => p.text)
      .join('\n');
  }
  return '';
}

/**
 * Renders messages with the chat template of the project's tiny test model
 * (tests/vllm/make_tiny_hf.py): "<|role|>\n" + content + "\n" per message, then
 * "<|assistant|>\n" when add_generation_prompt is true. The tiny template ignores tools.
 * @param {Array<{role?: string, content?: unknown}>} messages
 * @param {boolean} addGenerationPrompt
 */
export function renderChatTemplate(messages, addGenerationPrompt = true) {
  let text = '';
  for (const m of messages) {
    const role = m && typeof m === 'object' && typeof m.role === 'string' ? m.role : 'user';
    const content = m && typeof m === 'object' && typeof m.content === 'string' ? m.content : contentText(m?.content);
    text += `<|${role}|>\n${content}\n`;
  }
  if (addGenerationPrompt) text += '<|assistant|>\n';
  return text;
}

/** Lower-case hex of `length` random characters (vLLM's random_uuid()). */
export function randomHex(length) {
  return randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length);
}

/** Deterministic 8-hex "config hash" for system_fingerprint. */
export function configHash(seed) {
  return createHash('sha256').update(seed).digest('hex').slice(0, 8);
}

/** The reply the simulated model writes unless the simulator was given another one. */
export const DEFAULT_REPLY = 'Hello! This is a simulated reply from the vLLM wire simulator.';
/** The reasoning a simulated reasoning model writes before its reply. */
export const DEFAULT_REASONING = 'The user sent a message. I should answer briefly.';

/** Model ids that the simulated reasoning parser treats as thinking models. */
export const REASONING_MODEL_RE = /qwen3|r1|reason|think/i;

/**
 * @typedef {object} ToolCallDelta
 * @property {number} index
 * @property {string} [id]
 * @property {'function'} [type]
 * @property {string} [name]
 * @property {string} [arguments]
 */

/**
 * One engine output step. A step becomes one SSE chunk when it produces a delta; a `silent` step
 * (a marker token such as </think>) produces none unless it finishes the choice.
 * @typedef {object} Step
 * @property {string} [content]
 * @property {string} [reasoning]
 * @property {ToolCallDelta[]} [toolCalls]
 * @property {boolean} [silent]
 * @property {number} [tokens]           tokens consumed by this step (default 1)
 * @property {number} [reasoningTokens]  reasoning tokens among them (default: tokens if reasoning)
 * @property {object[]} [logprobs]       logprob entries of this step's tokens
 */

/**
 * @typedef {object} ChoicePlan
 * @property {number} index
 * @property {Step[]} steps                   streamed form; the finish rides on the last step
 * @property {string} finishReason
 * @property {string|number|null} stopReason
 * @property {{content: string|null, reasoning: string|null, toolCalls: Array<{id: string, name: string, arguments: string}>}} message
 * @property {object[]|null} logprobs         non-streamed logprob entries (null when not requested)
 * @property {number} completionTokens
 * @property {number} reasoningTokens
 */

/**
 * @typedef {object} CompletionPlan
 * @property {string} id
 * @property {number} created
 * @property {string} model
 * @property {string|null} fingerprint
 * @property {number} promptTokens
 * @property {string} [role]                 response role (the last message's role without a generation prompt)
 * @property {Array<object|null>|null} [promptLogprobs]
 * @property {ChoicePlan[]} choices
 * @property {{completionTokens?: number, reasoningTokens?: number, promptTokens?: number}|null} usageOverride
 * @property {{afterSteps: number, info: import('./errors.mjs').ErrorInfo}|null} streamError
 */

function logprobEntry(token, k, topN) {
  const bytes = [...Buffer.from(token, 'utf8')];
  const logprob = pyFloat(-0.125 * ((k % 7) + 1));
  const top = [];
  if (topN !== 0) {
    const alts = [token, ' the', ' a', '.', ','];
    const count = topN === -1 ? alts.length : Math.min(topN, alts.length);
    for (let i = 0; i < count; i++) {
      const t = alts[i];
      top.push({ token: t, logprob: i === 0 ? logprob : pyFloat(-1.5 - i), bytes: [...Buffer.from(t, 'utf8')] });
    }
  }
  return { token, logprob, bytes, top_logprobs: top };
}

/** A stable fake vocabulary id for a token string (the simulator has no real vocabulary). */
export function tokenId(token) {
  const h = createHash('sha256').update(token).digest();
  return 3 + (h.readUInt16BE(0) % 509);
}

/**
 * `prompt_logprobs` of a non-streamed response: null for the first prompt token, then per token a
 * dict keyed by token id (as a string) of {logprob, rank, decoded_token}: the prompt token itself
 * followed by the `k` most likely alternatives (ranks 1..k).
 * @param {string} promptText
 * @param {number} k
 */
export function promptLogprobs(promptText, k) {
  const alts = [' the', '</s>', ']', '6', ' a'];
  return tokenize(promptText).map((token, i) => {
    if (i === 0) return null;
    const entry = { [String(tokenId(token))]: { logprob: pyFloat(-8 - (i % 5)), rank: 40 + (i % 7), decoded_token: token } };
    const count = k === -1 ? alts.length : Math.min(k, alts.length);
    for (let r = 0; r < count; r++) {
      const alt = alts[(i + r) % alts.length];
      const id = String(tokenId(alt));
      if (!(id in entry)) entry[id] = { logprob: pyFloat(-0.5 - r), rank: r + 1, decoded_token: alt };
    }
    return entry;
  });
}

/** Builds argument JSON for a tool from its JSON-schema parameters, as a model would print it. */
export function exampleArguments(tool) {
  const params = tool?.function?.parameters;
  const props = params && typeof params === 'object' && params.properties && typeof params.properties === 'object' ? params.properties : {};
  const required = Array.isArray(params?.required) ? params.required : Object.keys(props);
  const args = {};
  for (const name of required) {
    const schema = props[name] ?? {};
    if (Array.isArray(schema.enum) && schema.enum.length) args[name] = schema.enum[0];
    else if (schema.type === 'integer') args[name] = 1;
    else if (schema.type === 'number') args[name] = 1.5;
    else if (schema.type === 'boolean') args[name] = true;
    else if (schema.type === 'array') args[name] = [];
    else if (schema.type === 'object') args[name] = {};
    else args[name] = name === 'city' ? 'Paris' : 'example';
  }
  // Models print JSON with Python's default separators.
  return pythonStyleJson(args);
}

/**
 * Plans the generation for one choice from pieces of model output.
 * @param {object} a
 * @param {number} a.index
 * @param {number} a.limit          max tokens for this choice
 * @param {string|null} a.reasoning  reasoning text (null: not a reasoning turn)
 * @param {boolean} a.includeReasoning
 * @param {string} a.reply           answer text
 * @param {{name: string, arguments: string, id: string}|null} a.toolCall
 * @param {'auto'|'required'|'named'|null} a.toolMode
 * @param {{logprobs: boolean, topLogprobs: number}} a.lp
 */
export function planChoice({ index, limit, reasoning, includeReasoning, reply, toolCall, toolMode, lp }) {
  /** @type {Step[]} */
  const steps = [];
  const lpEntries = [];
  let used = 0;
  let reasoningTokens = 0;
  let reasoningText = null;
  let contentText = null;
  // Consumes one token of the budget; returns its logprob entry list (undefined when not asked).
  const consume = (token) => {
    const entry = lp.logprobs ? logprobEntry(token, used, lp.topLogprobs) : null;
    used += 1;
    if (entry) lpEntries.push(entry);
    return entry ? [entry] : undefined;
  };
  const full = () => used >= limit;
  const emitContent = (text) => {
    for (const piece of tokenize(text)) {
      if (full()) return;
      contentText = (contentText ?? '') + piece;
      steps.push({ content: piece, tokens: 1, logprobs: consume(piece) });
    }
  };

  if (reasoning !== null) {
    for (const piece of tokenize(reasoning)) {
      if (full()) break;
      const logprobs = consume(piece);
      reasoningTokens += 1;
      reasoningText = (reasoningText ?? '') + piece;
      steps.push(
        includeReasoning
          ? { reasoning: piece, tokens: 1, reasoningTokens: 1, logprobs }
          : { silent: true, tokens: 1, reasoningTokens: 1, logprobs },
      );
    }
    // The </think> marker: one token, no delta.
    if (!full()) steps.push({ silent: true, tokens: 1, logprobs: consume('</think>') });
  }

  let toolCalls = [];
  let finishReason = 'stop';
  if (toolCall) {
    const callText = `<tool_call>\n{"name": "${toolCall.name}", "arguments": ${toolCall.arguments}}\n</tool_call>`;
    const argPieces = tokenize(toolCall.arguments);
    const needed = countTokens(callText);
    if (limit - used >= needed) {
      // Hermes-style streaming: markers and JSON scaffolding are silent, then one delta with the
      // name, then the argument text in fragments.
      const overhead = needed - argPieces.length - 1;
      const silentLp = [];
      for (let i = 0; i < overhead; i++) silentLp.push(...(consume('<tool_call>') ?? []));
      steps.push({ silent: true, tokens: overhead, logprobs: lp.logprobs ? silentLp : undefined });
      steps.push({ toolCalls: [{ index: 0, id: toolCall.id, type: 'function', name: toolCall.name }], tokens: 1, logprobs: consume(toolCall.name) });
      for (const piece of argPieces) {
        steps.push({ toolCalls: [{ index: 0, arguments: piece }], tokens: 1, logprobs: consume(piece) });
      }
      toolCalls = [{ id: toolCall.id, name: toolCall.name, arguments: toolCall.arguments }];
      if (toolMode !== 'named') finishReason = 'tool_calls';
    } else {
      // Not enough budget to finish the call: no complete call is parsed and the raw text stays
      // in content, cut at the limit (what live vLLM shows with a random-weight model).
      emitContent(callText);
    }
  } else if (!full()) {
    emitContent(reasoning !== null ? '\n\n' + reply : reply);
  }

  if (full()) {
    // The budget ran out before the model could emit EOS.
    finishReason = 'length';
  } else {
    // EOS: one more token whose (empty) text delta carries the finish reason.
    steps.push({ content: '', tokens: 1, logprobs: consume('</s>') });
  }

  let content;
  if (toolCalls.length) content = toolMode === 'auto' ? null : contentText ?? '';
  else if (contentText !== null) content = contentText;
  else content = reasoning !== null ? null : '';

  return {
    index,
    steps,
    finishReason,
    stopReason: null,
    message: { content, reasoning: includeReasoning ? reasoningText : null, toolCalls },
    logprobs: lp.logprobs ? lpEntries : null,
    completionTokens: used,
    reasoningTokens,
  };
}

/**
 * Normalises a scripted step (from respondNext scenarios / fixtures) to a Step.
 * A string is a content piece.
 * @param {string|Step} s
 * @returns {Step}
 */
export function normalizeStep(s) {
  if (typeof s === 'string') return { content: s };
  return { ...s };
}

/**
 * Turns a scripted choice (steps and/or message) into a ChoicePlan; missing parts are derived.
 * @param {object} c scripted choice
 * @param {number} index
 */
export function scriptedChoice(c, index) {
  const steps = (c.steps ?? []).map(normalizeStep);
  const toolCallsFromSteps = [];
  let content = null;
  let reasoning = null;
  for (const s of steps) {
    if (typeof s.content === 'string') content = (content ?? '') + s.content;
    if (typeof s.reasoning === 'string') reasoning = (reasoning ?? '') + s.reasoning;
    for (const tc of s.toolCalls ?? []) {
      let call = toolCallsFromSteps[tc.index];
      if (!call) call = toolCallsFromSteps[tc.index] = { id: tc.id, name: '', arguments: '' };
      if (tc.id) call.id = tc.id;
      if (tc.name) call.name += tc.name;
      if (tc.arguments) call.arguments += tc.arguments;
    }
  }
  const toolCalls = (c.message?.toolCalls ?? toolCallsFromSteps.filter(Boolean)).map((t) => ({ ...t }));
  const message = {
    content: c.message && 'content' in c.message ? c.message.content : toolCalls.length ? null : content ?? '',
    reasoning: c.message && 'reasoning' in c.message ? c.message.reasoning : reasoning,
    toolCalls,
  };
  const completionTokens = c.completionTokens ?? steps.reduce((n, s) => n + (s.tokens ?? 1), 0);
  const reasoningTokens =
    c.reasoningTokens ?? steps.reduce((n, s) => n + (s.reasoningTokens ?? (typeof s.reasoning === 'string' ? s.tokens ?? 1 : 0)), 0);
  return {
    index,
    steps: steps.length ? steps : [{ content: message.content ?? '' }],
    finishReason: c.finishReason ?? (toolCalls.length ? 'tool_calls' : 'stop'),
    stopReason: c.stopReason ?? null,
    message,
    logprobs: c.logprobs ?? null,
    completionTokens,
    reasoningTokens,
  };
}
