import v8 from "node:v8";
import { runInNewContext } from "node:vm";

// Timing and printing shared by the bench's sections. The machine is shared and noisy, so each section
// runs its paths interleaved in one process (a load change hits every path alike) and reports medians,
// the spread (fastest and slowest run) and ratios between paths of the same section.

/** Median (the upper one for an even count), fastest and slowest of `xs`. */
export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s.at(-1) };
}

/**
 * Runs every path of `paths` (name → async function returning one sample, in ms) once per round:
 * `warmups` rounds unrecorded (JIT, caches), then `runs` recorded ones. Name → stats of its samples.
 */
export async function interleave(paths, { runs, warmups = 2 }) {
  const samples = Object.fromEntries(Object.keys(paths).map((name) => [name, []]));
  for (let round = -warmups; round < runs; round++) {
    for (const [name, sample] of Object.entries(paths)) {
      const ms = await sample();
      if (round >= 0) samples[name].push(ms);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, xs]) => [name, stats(xs)]));
}

/**
 * A full garbage collection, run before every sample: each path starts with the heap the paths before it
 * left collected, so no path pays for another's garbage (the AI SDK and openai-node leave hundreds of MB
 * of it on the 20 MB stream, and the path timed after them took the major collection).
 */
const collect = (() => {
  if (typeof globalThis.gc !== "function") v8.setFlagsFromString("--expose-gc");
  const gc = globalThis.gc ?? runInNewContext("gc");
  return () => gc();
})();

/** Resolves once the microtasks queued so far have run (setImmediate runs after the queue drains). */
const settled = () => new Promise((done) => setImmediate(done));

/**
 * A sample: the time of one call of `fn`, up to the end of the work it left queued. A library may settle
 * its promises with its own work still queued (the AI SDK's streamText result does, for seconds on the
 * 20 MB stream), and that work would otherwise be charged to the next path timed: to stream(), whose
 * macrotask yields wait behind it, not to chat(), whose promise chain interleaves with it.
 */
export const once = (fn) => async () => {
  collect();
  const started = performance.now();
  await fn();
  await settled();
  return performance.now() - started;
};

/** A sample for work too quick to time once: `fn` repeated for `budgetMs`, the mean time per call. */
export const perCall = (fn, budgetMs = 150) => async () => {
  collect();
  const started = performance.now();
  let calls = 0;
  do {
    await fn();
    calls++;
  } while (performance.now() - started < budgetMs);
  await settled();
  return (performance.now() - started) / calls;
};

/** `ms` with the digits that mean something at its size; `unit` "µs" shows it in microseconds. */
export function fmt(ms, unit = "ms") {
  const x = unit === "µs" ? ms * 1000 : ms;
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** A median and its spread, as the tables print them: "median" and "min–max". */
export const spread = (s, unit) => [fmt(s.median, unit), `${fmt(s.min, unit)}–${fmt(s.max, unit)}`];

/** A ratio as printed: two decimals and "×". */
export const times = (r) => `${r.toFixed(2)}×`;

/** A Markdown table; `align` marks the right-aligned (numeric) columns with "r". */
export function table(headers, rows, align = headers.map((_, i) => (i ? "r" : "l"))) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(align.map((a) => (a === "r" ? "---:" : "---"))), ...rows.map(line)].join("\n");
}
