// Discovery: discoverModels() of 1 000 model cards against the floor of any JS client, Response.json()
// and a map to the same fields. Both read the same body from a caller's fetch, in 64 KiB reads.
import assert from "node:assert/strict";
import { CONFIG, modelsBody, responseOver } from "./inputs.mjs";
import { interleave, perCall, spread, table, times } from "./measure.mjs";

const CARDS = 1000;
// OpenClaw's reading of a discovered row (src/models.rs): its defaults and its reasoning guess by id.
const DEFAULT_CONTEXT_WINDOW = 128_000;
const DEFAULT_MAX_TOKENS = 8192;
const LOOKS_LIKE_REASONING = /r1|reasoning|think|reason/i;
// The generated ids look like no reasoning model, so every row offers only "off" (the check sees to it).
const OFF_ONLY = { levels: [{ id: "off" }], defaultLevel: "off", source: "core" };

/** The JS floor: the body parsed by Response.json(), each card mapped to the package's row. */
async function jsFloor(fetch) {
  const { data } = await (await fetch()).json();
  const byId = new Map();
  for (const card of data) if (!byId.has(card.id)) byId.set(card.id, card);
  return data.map((card) => {
    const stated = card.max_model_len ?? (card.parent && card.parent !== card.id ? byId.get(card.parent)?.max_model_len : undefined);
    return {
      id: card.id,
      name: card.id,
      reasoning: LOOKS_LIKE_REASONING.test(card.id),
      input: ["text"],
      cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
      contextWindow: stated ?? DEFAULT_CONTEXT_WINDOW,
      maxTokens: DEFAULT_MAX_TOKENS,
      source: "discovered",
      ...(card.parent ? { parent: card.parent } : {}),
      origins: { contextWindow: stated ? "server" : "default", maxTokens: "default", reasoning: "default", input: "default" },
      thinking: OFF_ONLY,
    };
  });
}

export async function discoverySection({ VllmProvider, runs }) {
  const body = modelsBody(CARDS);
  const fetch = async () => responseOver(body, "application/json");
  const provider = VllmProvider.resolve({ config: CONFIG, fetch });
  const found = await provider.discoverModels();
  assert.equal(found.length, CARDS);
  assert.deepStrictEqual(await jsFloor(fetch), found, "the JS floor maps the cards to the package's rows");
  const s = await interleave(
    {
      "discoverModels()": perCall(() => provider.discoverModels()),
      "`Response.json()` + JS map (floor)": perCall(() => jsFloor(fetch)),
    },
    { runs },
  );
  const [discover, floor] = Object.values(s);
  const ratio = discover.median / floor.median;
  return {
    title: "Discovery",
    notes: [`${CARDS} vLLM 0.33 model cards (every fourth a LoRA adapter), ${(body.length / 1000).toFixed(0)} KB; each run calls repeatedly for 150 ms; ${runs} runs each, interleaved; per call; the floor's rows equal the package's.`],
    table: table(
      ["path", "median ms", "min–max ms", "time vs. floor"],
      Object.entries(s).map(([name, st]) => [name, ...spread(st), times(st.median / floor.median)]),
    ),
    figures: { runs, bytes: body.length, paths: s, ratio },
    targets: [{ what: "discoverModels() time vs. Response.json() + map", figure: times(ratio), target: "≤ 2.00×", met: ratio <= 2 }],
  };
}
