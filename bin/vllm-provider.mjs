#!/usr/bin/env node
// The `vllm-provider` command: the library for terminals and scripts.
// Human output on a terminal, `--json` for scripts. Exit codes: 0 ok, 1 failed, 2 usage.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { VllmProvider, isVllmProviderError, version } from "../dist/node.js";

const USAGE = `vllm-provider ${version}: OpenClaw's vLLM provider from the command line

Usage: vllm-provider <command> [--config FILE] [--base-url URL] [--json]

Commands:
  models    the merged model catalog: declared rows and what the server lists

Options:
  --config FILE    an openclaw.json (default: $OPENCLAW_CONFIG_PATH, then ~/.openclaw/openclaw.json)
  --base-url URL   use this base URL instead of the config's (e.g. http://127.0.0.1:8000/v1)
  --json           print JSON for scripts instead of a table
  -h, --help       this text
  -v, --version    the version

The environment (VLLM_API_KEY, ...) is read from this process.`;

const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code) => (s) => (tty ? `\x1b[${code}m${s}\x1b[0m` : String(s));
const [bold, dim, red, green, yellow] = [paint(1), paint(2), paint(31), paint(32), paint(33)];

function usage(message) {
  if (message) process.stderr.write(`${red("error:")} ${message}\n\n`);
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

function parse(argv) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: "string" },
        "base-url": { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", short: "v", default: false },
      },
    });
  } catch (err) {
    usage(err.message);
  }
}

/** The config text: --config, then OPENCLAW_CONFIG_PATH, then ~/.openclaw/openclaw.json if present. */
function readConfig(flag) {
  const path = flag ?? process.env.OPENCLAW_CONFIG_PATH ?? join(homedir(), ".openclaw", "openclaw.json");
  const explicit = flag !== undefined || process.env.OPENCLAW_CONFIG_PATH !== undefined;
  if (!explicit && !existsSync(path)) return { path: undefined, text: undefined };
  try {
    return { path, text: readFileSync(path, "utf8") };
  } catch (err) {
    fail({ code: "config", message: `Cannot read the config ${path}: ${err.message}`, hint: "Pass an existing openclaw.json with --config." });
  }
}

/** Shows a spinner on stderr while `promise` runs, if that takes longer than a moment. */
async function spin(label, promise) {
  if (!process.stderr.isTTY) return promise;
  const frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
  let i = 0;
  let shown = false;
  const timer = setInterval(() => {
    shown = true;
    process.stderr.write(`\r${frames[i++ % frames.length]} ${label}`);
  }, 120);
  try {
    return await promise;
  } finally {
    clearInterval(timer);
    if (shown) process.stderr.write("\r\x1b[2K");
  }
}

function fail(err, json = false) {
  if (json) {
    process.stdout.write(`${JSON.stringify({ error: errorInfo(err) }, null, 2)}\n`);
  } else {
    process.stderr.write(`${red("✖")} ${bold(err.code ?? "error")}: ${err.message}\n`);
    if (err.path) process.stderr.write(`  ${dim("at")} ${err.path}\n`);
    if (err.hint) process.stderr.write(`  ${yellow("→")} ${err.hint}\n`);
  }
  process.exit(1);
}

function errorInfo(err) {
  const { code, message, hint, status, retryable, path, line, column, body, requestId } = err;
  return { code, message, hint, status, retryable, path, line, column, body, requestId };
}

function table(rows, columns) {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? "").length)));
  const line = (cells) => cells.map((c, i) => String(c ?? "").padEnd(widths[i])).join("  ").trimEnd();
  return [bold(line(columns)), ...rows.map((r) => line(columns.map((c) => r[c])))].join("\n");
}

async function models(provider, opts) {
  const described = provider.describe();
  const catalog = await spin(`Querying ${described.baseUrl}/models`, provider.listModels());
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(catalog, null, 2)}\n`);
    return catalog.discovery.error ? 1 : 0;
  }
  const rows = catalog.models.map((m) => ({
    id: m.id,
    "context window": m.contextWindow,
    "max tokens": m.maxTokens ?? "-",
    source: m.source,
    parent: m.parent ?? "",
  }));
  const { discovery } = catalog;
  process.stdout.write(`${bold("vLLM")} ${described.baseUrl}  ${dim(`(${described.status}, key: ${described.auth.source})`)}\n`);
  if (!discovery.attempted) process.stdout.write(`${dim(described.discovery.reason)}\n`);
  if (discovery.ok) process.stdout.write(`${green("✔")} discovered in ${discovery.durationMs} ms\n`);
  process.stdout.write(rows.length ? `${table(rows, ["id", "context window", "max tokens", "source", "parent"])}\n` : `${dim("(no models)")}\n`);
  for (const w of described.warnings) process.stdout.write(`${yellow("!")} ${w.path ? `${w.path}: ` : ""}${w.message}\n`);
  if (discovery.error) fail(discovery.error);
  return 0;
}

const COMMANDS = { models };

async function main() {
  const { values, positionals } = parse(process.argv.slice(2));
  if (values.version) return void process.stdout.write(`${version}\n`);
  if (values.help || positionals.length === 0) usage();
  const [command] = positionals;
  const run = COMMANDS[command];
  if (!run) usage(`unknown command "${command}"`);
  const { text } = readConfig(values.config);
  let provider;
  try {
    provider = VllmProvider.resolve({ config: text, env: process.env, baseUrl: values["base-url"] });
  } catch (err) {
    if (isVllmProviderError(err)) fail(err, values.json);
    throw err;
  }
  try {
    process.exitCode = await run(provider, { json: values.json, args: positionals.slice(1) });
  } catch (err) {
    if (isVllmProviderError(err)) fail(err, values.json);
    throw err;
  }
}

await main();
