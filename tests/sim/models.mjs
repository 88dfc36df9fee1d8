// GET /v1/models: one card per served name, then one per LoRA adapter (vllm-api.md §3).

import { randomHex } from './engine.mjs';

/**
 * @typedef {object} SimModel
 * @property {string} id              served name (or LoRA adapter name)
 * @property {string} [root]          --model argument / adapter path (default: id)
 * @property {string} [parent]        set for LoRA adapters: the base served name
 * @property {number} [maxModelLen]   context length of a base model (LoRA cards always show null)
 * @property {string} [permissionId]  pins the "modelperm-…" id (default: random per request)
 */

/**
 * Normalises the `models` option: base models first keep their given order; a LoRA row is any
 * row with `parent`.
 * @param {SimModel[]|undefined} models
 * @returns {{base: SimModel[], lora: SimModel[], all: SimModel[]}}
 */
export function normalizeModels(models) {
  const rows = (models && models.length ? models : [{ id: 'tiny-model', maxModelLen: 512 }]).map((m) => ({ ...m }));
  const base = rows.filter((m) => m.parent == null);
  if (base.length === 0) throw new Error('vLLM simulator: at least one base model (without `parent`) is required');
  // One engine serves all names, so names without their own length share the first one's.
  for (const m of base) if (m.maxModelLen == null) m.maxModelLen = base[0].maxModelLen ?? 512;
  const lora = rows.filter((m) => m.parent != null);
  return { base, lora, all: [...base, ...lora] };
}

/**
 * The /v1/models body object (model_dump(): every key, nulls included).
 * @param {{base: SimModel[], lora: SimModel[]}} models
 * @param {{created: number, idHexLength: number}} a
 */
export function modelListObject(models, { created, idHexLength }) {
  const card = (m, isLora) => ({
    id: m.id,
    object: 'model',
    created,
    owned_by: 'vllm',
    root: m.root ?? m.id,
    parent: isLora ? m.parent : null,
    max_model_len: isLora ? null : m.maxModelLen,
    permission: [
      {
        id: m.permissionId ?? `modelperm-${randomHex(idHexLength)}`,
        object: 'model_permission',
        created,
        allow_create_engine: false,
        allow_sampling: true,
        allow_logprobs: true,
        allow_search_indices: false,
        allow_view: true,
        allow_fine_tuning: false,
        organization: '*',
        group: null,
        is_blocking: false,
      },
    ],
  });
  return { object: 'list', data: [...models.base.map((m) => card(m, false)), ...models.lora.map((m) => card(m, true))] };
}
