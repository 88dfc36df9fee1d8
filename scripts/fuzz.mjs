#!/usr/bin/env node
// Runs the fuzz targets of fuzz/ (cargo fuzz, nightly libFuzzer) one after the other and prints runs
// and crashes per target.
//   node scripts/fuzz.mjs                 every target for 60 s (npm run fuzz)
//   node scripts/fuzz.mjs --seconds 7     every target for 7 s (npm test: about a minute in all)
//   node scripts/fuzz.mjs --target sse --seconds 600
// Each target starts from its seeds (fuzz/seeds/<target>/, kept in the repo) and from the corpus its
// earlier runs grew on this machine (~/.cache/vllm-provider/fuzz/corpus/<target>/, outside the repo),
// so runs add up. A crash's input is copied to ~/.cache/vllm-provider/fuzz/crashes/<target>/ and the
// target restarts until its time is spent; the exit code is 1 when any target crashed. Totals of runs
// per target over all runs on this machine are kept in ~/.cache/vllm-provider/fuzz/totals.json.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const fuzzDir = join(root, "fuzz");
const cache = join(process.env.VLLM_PROVIDER_CACHE ?? join(homedir(), ".cache", "vllm-provider"), "fuzz");
const args = process.argv.slice(2);
const option = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const seconds = Number(option("--seconds", process.env.FUZZ_SECONDS ?? 60));
const targets = option("--target", readdirSync(join(fuzzDir, "fuzz_targets")).map((f) => basename(f, ".rs")).sort().join(",")).split(",");
if (!(seconds > 0)) throw new Error(`--seconds must be a positive number, got ${option("--seconds")}`);

// Release build with debug assertions (integer overflow is a crash too), no sanitizer: the native crate
// has no unsafe code (the only unsafe is the wasm build's heap, src/heap.rs), so AddressSanitizer would
// only slow the search.
const flags = ["--sanitizer", "none", "--release", "--debug-assertions"];
console.log(`fuzz: building ${targets.length} targets (cargo +nightly fuzz build)`);
const build = spawnSync("cargo", ["+nightly", "fuzz", "build", ...flags], { cwd: fuzzDir, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

// Longest input per target: a stream or a config needs room; a text cut into deltas one character
// each, tool-call records or a classified body do not need more than this to reach every branch,
// and shorter inputs mean more runs.
const MAX_LEN = { think: 4096, tools: 8192, classify: 16384, call: 16384 };

const totalsFile = join(cache, "totals.json");
mkdirSync(cache, { recursive: true });
const rows = [];
for (const target of targets) {
  const corpus = join(cache, "corpus", target);
  const crashes = join(cache, "crashes", target);
  const scratch = join(tmpdir(), `vllm-provider-fuzz-${process.pid}-${target}`);
  mkdirSync(corpus, { recursive: true });
  mkdirSync(scratch, { recursive: true });
  const row = { target, runs: 0, crashes: 0, seconds: 0, found: [] };
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until - 500) {
    const left = Math.max(1, Math.round((until - Date.now()) / 1000));
    const started = Date.now();
    const run = spawnSync(
      "cargo",
      ["+nightly", "fuzz", "run", ...flags, target, corpus, join(fuzzDir, "seeds", target), "--",
        `-max_total_time=${left}`, "-print_final_stats=1", `-artifact_prefix=${scratch}/`, `-dict=${join(fuzzDir, "dict", `${target}.dict`)}`,
        `-max_len=${MAX_LEN[target] ?? 65536}`, "-timeout=10", "-rss_limit_mb=2048", "-close_fd_mask=1"],
      { cwd: fuzzDir, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
    );
    row.seconds += (Date.now() - started) / 1000;
    const log = `${run.stdout}\n${run.stderr}`;
    const runs = [...log.matchAll(/stat::number_of_executed_units:\s*(\d+)/g)].pop();
    // Without final stats (a crash), the last status line says how far it got.
    const status = [...log.matchAll(/#(\d+)\s+(?:INITED|NEW|REDUCE|pulse|DONE|RELOAD)/g)].pop();
    row.runs += Number(runs?.[1] ?? status?.[1] ?? 0);
    if (run.status === 0) break;
    row.crashes += 1;
    mkdirSync(crashes, { recursive: true });
    for (const f of readdirSync(scratch)) {
      copyFileSync(join(scratch, f), join(crashes, f));
      row.found.push(join(crashes, f));
    }
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch, { recursive: true });
    const panic = log.match(/panicked at [^\n]*\n[^\n]*/)?.[0] ?? log.split("\n").filter((l) => /ERROR|panicked/.test(l)).slice(0, 3).join("\n");
    console.log(`fuzz: ${target} crashed:\n${panic}\n  input: ${row.found.at(-1) ?? "(none written)"}`);
    if (row.crashes >= 5) break; // the same bug again and again: stop and report it
  }
  rmSync(scratch, { recursive: true, force: true });
  // Written after every target, so that an interrupted run keeps what it did.
  const saved = existsSync(totalsFile) ? JSON.parse(readFileSync(totalsFile, "utf8")) : {};
  saved[target] = (saved[target] ?? 0) + row.runs;
  writeFileSync(totalsFile, `${JSON.stringify(saved, null, 2)}\n`);
  row.total = saved[target];
  rows.push(row);
  console.log(`fuzz: ${target}: ${row.runs} runs in ${row.seconds.toFixed(0)} s, ${row.crashes} crashes`);
}

const pad = (s, n) => String(s).padStart(n);
console.log(`\n${"target".padEnd(10)} ${pad("runs", 12)} ${pad("runs/s", 8)} ${pad("crashes", 8)} ${pad("total runs here", 16)}`);
for (const r of rows) {
  console.log(`${r.target.padEnd(10)} ${pad(r.runs, 12)} ${pad(Math.round(r.runs / Math.max(r.seconds, 1)), 8)} ${pad(r.crashes, 8)} ${pad(r.total, 16)}`);
}
const crashed = rows.filter((r) => r.crashes > 0);
if (crashed.length) {
  console.log(`\nfuzz: crashes in ${crashed.map((r) => r.target).join(", ")}; replay one with\n  cd fuzz && cargo +nightly fuzz run ${flags.join(" ")} <target> <input>`);
  process.exit(1);
}
console.log(`\nfuzz: ${rows.length} targets, ${rows.reduce((n, r) => n + r.runs, 0)} runs, 0 crashes`);
