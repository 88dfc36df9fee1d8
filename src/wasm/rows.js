// Model rows made back from how they crossed (see src/models/crossing.rs): per row `1`, the next of
// `rest`, made whole by the wasm; or `0` and its numbers, its strings taken from `text` in turn. The
// properties are set in the order serde-wasm-bindgen sets them, so JSON.stringify writes the same.

const KINDS = ["text", "image", "video", "audio"];
const SOURCES = ["config", "discovered", "merged"];
const ORIGINS = ["config", "server", "default"];

export function rows(text, codes, profiles, rest) {
  const out = [];
  for (let i = 0, t = 0, r = 0; i < codes.length; ) {
    if (codes[i++] === 1) {
      out.push(rest[r++]);
      continue;
    }
    const id = text.slice(t, (t += codes[i++]));
    const n = codes[i++];
    const name = n < 0 ? id : text.slice(t, (t += n));
    const p = codes[i++];
    const parent = p < 0 ? undefined : text.slice(t, (t += p));
    const row = { id, name, reasoning: codes[i++] === 1, input: [], cost: { input: codes[i + 1], output: codes[i + 2], cacheRead: codes[i + 3], cacheWrite: codes[i + 4] } };
    for (let k = codes[i]; k > 0; k = Math.floor(k / 5)) row.input.push(KINDS[(k % 5) - 1]);
    row.contextWindow = codes[(i += 5)];
    if (codes[++i] >= 0) row.maxTokens = codes[i];
    row.source = SOURCES[codes[++i]];
    if (parent !== undefined) row.parent = parent;
    const o = codes[++i];
    row.origins = { contextWindow: ORIGINS[Math.floor(o / 27)], maxTokens: ORIGINS[Math.floor(o / 9) % 3], reasoning: ORIGINS[Math.floor(o / 3) % 3], input: ORIGINS[o % 3] };
    const k = codes[++i];
    if (k >= 0) row.thinking = { ...profiles[k], levels: profiles[k].levels.map((l) => ({ ...l })) };
    i++;
    out.push(row);
  }
  return out;
}
