// What differs between vLLM releases on the wire, as data. Everything release-specific in the
// simulator reads these flags; nothing else compares version strings.
//
// Sources: shared/spec/vllm-api.md (per-release wire description), the recorded fixtures in
// tests/fixtures/vllm/ (v0.33.0, v0.11.0), and the v0.32.0 sources of the live test server. A flag
// is derived from a version boundary only where the spec names that boundary; releases that are
// not listed in SUPPORTED_RELEASES are rejected rather than guessed.

/** Releases the simulator can imitate. */
export const SUPPORTED_RELEASES = Object.freeze(['0.9.2', '0.11.0', '0.13.0', '0.32.0', '0.33.0']);

/** @param {string} v @returns {number[]} */
const parts = (v) => v.split('.').map(Number);

/** -1, 0, 1 like a comparator. */
export function compareVersions(a, b) {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < 3; i++) {
    if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) < (pb[i] ?? 0) ? -1 : 1;
  }
  return 0;
}

/**
 * @typedef {object} ReleaseProfile
 * @property {string} release
 * @property {number} idHexLength            random_uuid(): 32 hex up to 0.11.x, 16 from 0.12.0
 * @property {'flat'|'nested'} errorEnvelope  flat {"object":"error",...} up to 0.10.0
 * @property {'python'|'compact'} streamErrorJson  json.dumps spacing before 0.33, compact in 0.33
 * @property {boolean} streamErrorsAlways400  up to 0.15 every in-band error was BadRequestError/400
 * @property {boolean} bearerCaseSensitive    up to 0.9.2 the header had to equal "Bearer <key>"
 * @property {string[]} authPrefixes         request paths guarded by --api-key
 * @property {string[]} defaultAllowedOrigins --allowed-origins default (["*"] up to 0.31, [] after)
 * @property {'starlette-1'|'starlette-0'} corsStyle Starlette generation of the CORS middleware (see http-layer.mjs)
 * @property {'reasoning_content'|'both'|'reasoning'} reasoningField
 * @property {boolean} legacyMessageShape     0.9.2: message = role, reasoning_content, content, tool_calls
 * @property {boolean} toolCallsAlwaysPresent `"tool_calls": []` in every message before 0.24
 * @property {boolean} completionTokensDetails usage.completion_tokens_details exists
 * @property {boolean} systemFingerprint      system_fingerprint populated (0.22+)
 * @property {boolean} responseMeta           service_tier/system_fingerprint keys in bodies (0.10+)
 * @property {string[]} choiceTail            non-streamed choice keys after finish_reason
 * @property {string[]} responseTail          non-streamed body keys after usage
 * @property {boolean} streamPromptTokenIds   role chunk carries "prompt_token_ids": null (seen in 0.11; assumed from 0.10)
 * @property {boolean} streamPromptText       role chunk carries "prompt_text": null (0.32+)
 * @property {boolean} streamKvTransferNull   content/finish chunks carry "kv_transfer_params": null (0.33)
 * @property {boolean} streamFinishWeightVersions finish choice carries "weight_versions": null (0.33)
 * @property {boolean} toolDeltaContentNull   hermes tool deltas carry "content": null (0.32+ parser)
 * @property {boolean} finishChunkFingerprint finish chunk carries system_fingerprint when usage is off
 * @property {boolean} requiredToolChoiceFinishesToolCalls finish_reason "tool_calls" for tool_choice "required"
 * @property {boolean} modelNotFoundParam     param:"model" on 404 (0.14+)
 * @property {boolean} modelNotFoundAliases   "Valid aliases: …" suffix (0.32+)
 * @property {'v0.9'|'v0.10.1'|'v0.32'} contextRules which context-length checks and texts apply
 * @property {boolean} noneSuffix             " None" appended to chat preprocessing errors (0.9 – 0.14)
 * @property {boolean} vllmValidationErrors   semantic checks → BadRequestError with param (0.30+)
 * @property {boolean} modernValidationMessages validation text built from exc.errors() with dotted loc (0.30+)
 * @property {boolean} requiredToolChoiceNeedsParser "required"/named tool_choice need --tool-call-parser (0.14+)
 * @property {boolean} sanitizeMessages       error messages have paths replaced by <path> (0.14+)
 * @property {boolean} unifiedParser          one parser object (tool + reasoning) handles every request when
 *                                            either parser is configured (0.32 sources); before, the tool
 *                                            parser only ran for tool_choice "auto" requests
 * @property {boolean} rejectsEmptyTools      `tools: []` → 400 (checked in 0.32/0.33 sources)
 */

/**
 * The wire profile of a release.
 * @param {string} release one of SUPPORTED_RELEASES
 * @returns {Readonly<ReleaseProfile>}
 */
export function releaseProfile(release) {
  if (!SUPPORTED_RELEASES.includes(release)) {
    throw new Error(`vLLM simulator: unsupported release "${release}" (supported: ${SUPPORTED_RELEASES.join(', ')})`);
  }
  const atLeast = (v) => compareVersions(release, v) >= 0;

  let choiceTail;
  let responseTail;
  if (atLeast('0.33.0')) {
    choiceTail = ['stop_reason', 'token_ids', 'routed_experts', 'weight_versions'];
    responseTail = ['prompt_logprobs', 'prompt_token_ids', 'prompt_text', 'kv_transfer_params', 'ec_transfer_params', 'metrics'];
  } else if (atLeast('0.32.0')) {
    // ChatCompletionResponseChoice / ChatCompletionResponse in the v0.32.0 sources.
    choiceTail = ['stop_reason', 'token_ids', 'routed_experts'];
    responseTail = ['prompt_logprobs', 'prompt_token_ids', 'prompt_text', 'kv_transfer_params', 'ec_transfer_params', 'metrics'];
  } else if (atLeast('0.10.0')) {
    // Observed in the v0.11.0 fixtures; v0.13.0 is assumed to match (not recorded).
    choiceTail = ['stop_reason', 'token_ids'];
    responseTail = ['prompt_logprobs', 'prompt_token_ids', 'kv_transfer_params'];
  } else {
    choiceTail = ['stop_reason'];
    responseTail = ['prompt_logprobs', 'kv_transfer_params'];
  }

  return Object.freeze({
    release,
    idHexLength: atLeast('0.12.0') ? 16 : 32,
    errorEnvelope: atLeast('0.10.1') ? 'nested' : 'flat',
    streamErrorJson: atLeast('0.33.0') ? 'compact' : 'python',
    streamErrorsAlways400: !atLeast('0.16.0'),
    bearerCaseSensitive: !atLeast('0.10.1'),
    authPrefixes: atLeast('0.30.0')
      ? ['/v1', '/v2', '/inference', '/cohere']
      : atLeast('0.22.0')
        ? ['/v1', '/v2', '/inference']
        : ['/v1'],
    defaultAllowedOrigins: atLeast('0.32.0') ? [] : ['*'],
    // Starlette 1.x (pinned with the live 0.32.0 server) appends "vary: Origin" to every response
    // passing its CORS middleware; the v0.33.0 fixture heads were recorded without it, as older
    // Starlette releases behaved. (A property of the installed Starlette, not of vLLM itself.)
    corsStyle: compareVersions(release, '0.32.0') === 0 ? 'starlette-1' : 'starlette-0',
    reasoningField: atLeast('0.16.0') ? 'reasoning' : atLeast('0.12.0') ? 'both' : 'reasoning_content',
    legacyMessageShape: !atLeast('0.10.0'),
    toolCallsAlwaysPresent: !atLeast('0.24.0'),
    completionTokensDetails: atLeast('0.32.0'),
    systemFingerprint: atLeast('0.22.0'),
    responseMeta: atLeast('0.10.0'),
    choiceTail,
    responseTail,
    streamPromptTokenIds: atLeast('0.10.0'),
    streamPromptText: atLeast('0.32.0'),
    streamKvTransferNull: atLeast('0.33.0'),
    streamFinishWeightVersions: atLeast('0.33.0'),
    toolDeltaContentNull: atLeast('0.32.0'),
    finishChunkFingerprint: atLeast('0.32.0'),
    requiredToolChoiceFinishesToolCalls: atLeast('0.32.0'),
    modelNotFoundParam: atLeast('0.14.0'),
    modelNotFoundAliases: atLeast('0.32.0'),
    contextRules: atLeast('0.32.0') ? 'v0.32' : atLeast('0.10.1') ? 'v0.10.1' : 'v0.9',
    noneSuffix: atLeast('0.9.0') && !atLeast('0.15.0'),
    vllmValidationErrors: atLeast('0.30.0'),
    modernValidationMessages: atLeast('0.30.0'),
    requiredToolChoiceNeedsParser: atLeast('0.14.0'),
    sanitizeMessages: atLeast('0.14.0'),
    rejectsEmptyTools: atLeast('0.32.0'),
    unifiedParser: atLeast('0.32.0'),
  });
}
