// Start-up: importing the package and resolving a provider, against importing openai-node and making its
// client; each run in a fresh Node process (a module graph is compiled once per process), timed inside
// that process from before the import to after the first call. Node's own start is left out: it is the
// same for both.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { CONFIG, BASE_URL } from "./inputs.mjs";
import { interleave, spread, table, times } from "./measure.mjs";

const run = promisify(execFile);

/** A sample: a fresh `node` running `setup` (ESM source that defines `work`), timed around `work`. */
const child = (setup) => async () => {
  const source = `const started = performance.now(); ${setup}; process.stdout.write(String(performance.now() - started));`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", source]);
  return Number(stdout);
};

export async function startupSection({ dist, runs }) {
  const openai = import.meta.resolve("openai");
  const s = await interleave(
    {
      "import + first `VllmProvider.resolve()`": child(`const { VllmProvider } = await import(${JSON.stringify(dist)}); VllmProvider.resolve({ config: ${JSON.stringify(CONFIG)} })`),
      "openai-node: import + `new OpenAI()`": child(`const { default: OpenAI } = await import(${JSON.stringify(openai)}); new OpenAI({ apiKey: "k", baseURL: ${JSON.stringify(BASE_URL)} })`),
    },
    { runs, warmups: 1 },
  );
  const [pkg, anchor] = Object.values(s);
  const ratio = pkg.median / anchor.median;
  return {
    title: "Start-up",
    notes: [`A fresh Node process per run, timed inside it from before the import to after the first call; ${runs} runs each, interleaved, after one warm-up (the files in the page cache).`],
    table: table(
      ["path", "median ms", "min–max ms", "time vs. openai-node"],
      Object.entries(s).map(([name, st]) => [name, ...spread(st), times(st.median / anchor.median)]),
    ),
    figures: { runs, paths: s, ratio },
    targets: [{ what: "cold import + first resolve() vs. openai-node's import + new OpenAI()", figure: times(ratio), target: "≤ 0.50×", met: ratio <= 0.5 }],
  };
}
