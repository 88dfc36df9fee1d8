// Release serializers for chat completions: a CompletionPlan (engine output) becomes the exact
// JSON body or SSE events a given vLLM release sends.
//
// Non-streamed bodies come from pydantic model_dump() (every declared key, nulls included) and are
// written by Starlette's JSONResponse (compact). Stream chunks come from
// model_dump_json(exclude_unset=True): a key appears only when vLLM's code set it, even to null,
// which is why the key sets below differ chunk by chunk. Key order is pydantic's declaration
// order, reproduced by building objects in that order.

import { compactJson } from './pyjson.mjs';
import { streamErrorPayload } from './errors.mjs';

/** Name(s) of the reasoning field a release writes. */
function reasoningKeys(profile) {
  if (profile.reasoningField === 'both') return ['reasoning', 'reasoning_content'];
  return [profile.reasoningField];
}

/** Usage object of a non-streamed body (model_dump: all keys). */
function fullUsage(profile, prompt, completion, reasoning, reasoningParser) {
  const usage = { prompt_tokens: prompt, total_tokens: prompt + completion, completion_tokens: completion, prompt_tokens_details: null };
  if (profile.completionTokensDetails) {
    usage.completion_tokens_details = reasoningParser ? { reasoning_tokens: reasoning } : null;
  }
  return usage;
}

/** Usage object of a stream chunk (exclude_unset; the final chunk also excludes None). */
function streamUsage(profile, prompt, completion, reasoning, reasoningParser, { final }) {
  const usage = { prompt_tokens: prompt, total_tokens: prompt + completion, completion_tokens: completion };
  if (profile.completionTokensDetails) {
    const details = reasoningParser ? { reasoning_tokens: reasoning } : null;
    if (!(final && details === null)) usage.completion_tokens_details = details;
  }
  return usage;
}

/** Non-streamed `message` object. */
function messageObject(profile, choice, role) {
  const m = choice.message;
  const toolCalls = m.toolCalls.map((tc) => ({ id: tc.id, type: 'function', function: { name: tc.name, arguments: tc.arguments } }));
  if (profile.legacyMessageShape) {
    return { role, reasoning_content: m.reasoning ?? null, content: m.content, tool_calls: toolCalls };
  }
  const out = { role, content: m.content, refusal: null, annotations: null, audio: null, function_call: null };
  // Before v0.24 the empty list was always serialized; from v0.24 the key is dropped when empty.
  if (profile.toolCallsAlwaysPresent || toolCalls.length) out.tool_calls = toolCalls;
  for (const k of reasoningKeys(profile)) out[k] = m.reasoning ?? null;
  return out;
}

/**
 * The non-streamed chat completion body object.
 * @param {import('./releases.mjs').ReleaseProfile} profile
 * @param {import('./engine.mjs').CompletionPlan} plan
 * @param {{reasoningParser: boolean}} server
 */
export function chatCompletionObject(profile, plan, server) {
  const choices = plan.choices.map((c) => {
    const out = {
      index: c.index,
      message: messageObject(profile, c, plan.role ?? 'assistant'),
      logprobs: c.logprobs ? { content: c.logprobs } : null,
      finish_reason: c.finishReason,
    };
    for (const k of profile.choiceTail) out[k] = k === 'stop_reason' ? c.stopReason : null;
    return out;
  });
  const completion = plan.usageOverride?.completionTokens ?? plan.choices.reduce((n, c) => n + c.completionTokens, 0);
  const reasoning = plan.usageOverride?.reasoningTokens ?? plan.choices.reduce((n, c) => n + c.reasoningTokens, 0);
  const prompt = plan.usageOverride?.promptTokens ?? plan.promptTokens;
  const body = { id: plan.id, object: 'chat.completion', created: plan.created, model: plan.model, choices };
  if (profile.responseMeta) {
    body.service_tier = null;
    body.system_fingerprint = plan.fingerprint;
  }
  body.usage = fullUsage(profile, prompt, completion, reasoning, server.reasoningParser);
  for (const k of profile.responseTail) body[k] = k === 'prompt_logprobs' ? plan.promptLogprobs ?? null : null;
  return body;
}

/** Serialized non-streamed body. */
export function chatCompletionBodyText(profile, plan, server) {
  return compactJson(chatCompletionObject(profile, plan, server));
}

/** A step that only carries empty text (e.g. the EOS token). */
const isEmptyText = (s) => s.content === '' && s.reasoning === undefined && !s.toolCalls?.length;

/** A stream delta object for one step (DeltaMessage with exclude_unset). */
function deltaObject(profile, step) {
  const d = {};
  const both = profile.reasoningField === 'both';
  if (step.role) d.role = step.role;
  if (typeof step.content === 'string') d.content = step.content;
  else if (step.toolCalls?.length && profile.toolDeltaContentNull) d.content = null; // hermes passes content=None explicitly
  if (typeof step.reasoning === 'string') {
    if (profile.reasoningField === 'reasoning_content') d.reasoning_content = step.reasoning;
    else d.reasoning = step.reasoning;
  }
  // v0.12–v0.15: a validator copies `reasoning` into `reasoning_content` on every delta.
  if (both) d.reasoning_content = typeof step.reasoning === 'string' ? step.reasoning : null;
  if (step.toolCalls?.length) {
    d.tool_calls = step.toolCalls.map((tc) => {
      const e = {};
      if (tc.id !== undefined) e.id = tc.id;
      if (tc.type !== undefined || tc.id !== undefined) e.type = tc.type ?? 'function';
      e.index = tc.index ?? 0;
      const fn = {};
      if (tc.name !== undefined) fn.name = tc.name;
      if (tc.arguments !== undefined) fn.arguments = tc.arguments;
      e.function = fn;
      return e;
    });
  }
  return d;
}

/**
 * The SSE events (each "data: …\n\n") of a streamed chat completion, ending with [DONE].
 * @param {import('./releases.mjs').ReleaseProfile} profile
 * @param {import('./engine.mjs').CompletionPlan} plan
 * @param {{includeUsage: boolean, continuousUsage: boolean}} opts from stream_options
 * @param {{reasoningParser: boolean, parserActive?: boolean}} server
 * @returns {string[]}
 */
export function chatStreamEvents(profile, plan, opts, server) {
  const events = [];
  const head = () => ({ id: plan.id, object: 'chat.completion.chunk', created: plan.created, model: plan.model });
  const hasTokenIds = profile.choiceTail.includes('token_ids');
  const prompt = plan.usageOverride?.promptTokens ?? plan.promptTokens;
  const continuous = opts.includeUsage && opts.continuousUsage;
  const emit = (obj) => events.push(`data: ${compactJson(obj)}\n\n`);

  // 1. One role chunk per choice.
  for (const c of plan.choices) {
    const chunk = head();
    chunk.choices = [{ index: c.index, delta: deltaObject(profile, { role: plan.role ?? 'assistant', content: '' }), logprobs: null, finish_reason: null }];
    if (continuous) chunk.usage = streamUsage(profile, prompt, 0, 0, server.reasoningParser, { final: false });
    if (profile.streamPromptTokenIds) chunk.prompt_token_ids = null;
    if (profile.streamPromptText) chunk.prompt_text = null;
    emit(chunk);
  }

  // 2. Engine steps, round-robin over choices (each engine iteration yields every choice's delta).
  const cumulative = plan.choices.map(() => ({ tokens: 0, reasoning: 0 }));
  const rounds = Math.max(...plan.choices.map((c) => c.steps.length));
  let emitted = 0;
  for (let r = 0; r < rounds; r++) {
    for (const [ci, c] of plan.choices.entries()) {
      const step = c.steps[r];
      if (!step) continue;
      const isLast = r === c.steps.length - 1;
      cumulative[ci].tokens += step.tokens ?? 1;
      cumulative[ci].reasoning += step.reasoningTokens ?? (typeof step.reasoning === 'string' ? step.tokens ?? 1 : 0);
      if (plan.streamError && emitted === plan.streamError.afterSteps) {
        events.push(`data: ${streamErrorPayload(profile, plan.streamError.info)}\n\n`, 'data: [DONE]\n\n');
        return events;
      }
      // A token without a delta (marker, hidden reasoning; with a parser also empty text such as
      // EOS) is not sent unless it ends the choice or logprobs must still be reported for it.
      const silent = step.silent || (server.parserActive && isEmptyText(step));
      if (silent && !isLast && !step.logprobs?.length) continue;
      const delta = silent ? deltaObject(profile, {}) : deltaObject(profile, step);
      const choice = { index: c.index, delta, logprobs: step.logprobs?.length ? { content: step.logprobs } : null };
      if (!isLast) {
        choice.finish_reason = null;
        // The echo chunk is built without token_ids; engine deltas set it (to null).
        if (hasTokenIds && !step.echo) choice.token_ids = null;
      } else {
        choice.finish_reason = c.finishReason;
        choice.stop_reason = c.stopReason;
        if (hasTokenIds) choice.token_ids = null;
        if (profile.streamFinishWeightVersions) choice.weight_versions = null;
      }
      const chunk = head();
      chunk.choices = [choice];
      if (continuous) {
        chunk.usage = streamUsage(profile, prompt, cumulative[ci].tokens, cumulative[ci].reasoning, server.reasoningParser, { final: false });
      }
      if (isLast && !opts.includeUsage && profile.finishChunkFingerprint && plan.fingerprint != null) {
        chunk.system_fingerprint = plan.fingerprint;
      }
      if (profile.streamKvTransferNull) chunk.kv_transfer_params = null;
      emit(chunk);
      emitted += 1;
    }
  }
  if (plan.streamError && emitted <= plan.streamError.afterSteps) {
    events.push(`data: ${streamErrorPayload(profile, plan.streamError.info)}\n\n`, 'data: [DONE]\n\n');
    return events;
  }

  // 3. Final usage chunk (exclude_none: no null details, no null fingerprint).
  if (opts.includeUsage) {
    const completion = plan.usageOverride?.completionTokens ?? cumulative.reduce((n, x) => n + x.tokens, 0);
    const reasoning = plan.usageOverride?.reasoningTokens ?? cumulative.reduce((n, x) => n + x.reasoning, 0);
    const chunk = head();
    chunk.choices = [];
    chunk.usage = streamUsage(profile, prompt, completion, reasoning, server.reasoningParser, { final: true });
    if (plan.fingerprint != null) chunk.system_fingerprint = plan.fingerprint;
    emit(chunk);
  }
  events.push('data: [DONE]\n\n');
  return events;
}
