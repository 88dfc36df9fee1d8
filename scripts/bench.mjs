// Speed and size of the built package, each figure beside its anchors (npm run bench; build first).
// One Node process; within a section every path reads the same bytes, runs interleaved with the others,
// and is reported as its median, its spread (fastest–slowest run) and its ratio to the anchor: on a
// shared, noisy machine the ratios are what count. Sections (scripts/bench/):
//   stream      chat() and stream() on a ~20 MB vLLM stream, against eventsource-parser + JSON.parse,
//               openai-node, the AI SDK's streamText and the raw read
//   build       buildChatRequest() of 20 messages and 5 tools, against a JSON round trip
//   discovery   discoverModels() of 1 000 cards, against Response.json() + a JS map
//   startup     import + first resolve() in a fresh process, against openai-node's import + new OpenAI()
//   size        gzip and brotli of the browser bundle
//   conversions each value's way across the boundary (only when asked: it builds the crate)
// At the end, issue 15's targets with the figures; the run fails only if stream() takes more than 1.5×
// chat()'s time.
//
//   node scripts/bench.mjs [--only stream,build,...] [--runs N] [--mb N] [--json] [--conversions]
import { buildSection } from "./bench/build.mjs";
import { conversionsSection } from "./bench/conversions.mjs";
import { discoverySection } from "./bench/discovery.mjs";
import { table } from "./bench/measure.mjs";
import { sizeSection } from "./bench/size.mjs";
import { startupSection } from "./bench/startup.mjs";
import { streamSection } from "./bench/stream.mjs";

const SECTIONS = { stream: streamSection, build: buildSection, discovery: discoverySection, startup: startupSection, size: sizeSection, conversions: conversionsSection };

/** The value after `--name`, if given. */
const option = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const chosen = option("only")?.split(",") ?? [...Object.keys(SECTIONS).filter((s) => s !== "conversions"), ...(process.argv.includes("--conversions") ? ["conversions"] : [])];
const unknown = chosen.filter((s) => !SECTIONS[s]);
if (unknown.length) {
  console.error(`bench: no section ${unknown.join(", ")} (there are ${Object.keys(SECTIONS).join(", ")})`);
  process.exit(2);
}
const json = process.argv.includes("--json");
const dist = new URL(process.env.VLLM_PROVIDER_DIST ?? "../dist/node.js", import.meta.url).href;
const context = { VllmProvider: (await import(dist)).VllmProvider, dist, runs: Number(option("runs") ?? 7), mb: Number(option("mb") ?? 20) };

const results = {};
if (!json) console.log(`Node ${process.version}, ${process.platform}/${process.arch}; medians of ${context.runs} runs`);
for (const name of chosen) {
  const r = (results[name] = await SECTIONS[name](context));
  if (!json) console.log(`\n## ${r.title}\n\n${r.notes.join("\n")}\n\n${r.table}`);
}

const targets = Object.values(results).flatMap((r) => r.targets);
if (json) {
  console.log(JSON.stringify({ node: process.version, sections: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, { figures: r.figures, targets: r.targets }])) }, null, 2));
} else if (targets.length) {
  console.log(`\n## Targets\n\n${table(["what", "figure", "target", "met"], targets.map((t) => [t.what, t.figure, t.target, t.met ? "yes" : "**no**"]), ["l", "r", "l", "l"])}`);
}
for (const t of targets.filter((t) => t.enforced && !t.met)) {
  console.error(`bench: ${t.what} is ${t.figure}, against ${t.target}`);
  process.exitCode = 1;
}
