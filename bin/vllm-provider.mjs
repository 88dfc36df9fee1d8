#!/usr/bin/env node
// The `vllm-provider` command: the library for terminals and scripts.
// Human output on a terminal, `--json` for scripts. Exit codes: 0 ok, 1 failed, 2 usage.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { VllmProvider, isVllmProviderError, version } from "../dist/node.js";
import { chat } from "./commands/chat.mjs";
import { doctor } from "./commands/doctor.mjs";
import { explain } from "./commands/explain.mjs";
import { models } from "./commands/models.mjs";
import { fail, red } from "./lib/ui.mjs";

const USAGE = `vllm-provider ${version}: OpenClaw's vLLM provider from the command line

Usage: vllm-provider <command> [--config FILE] [--base-url URL] [--model REF] [--json]

Commands:
  doctor            checks config, base URL, server, key, models and the chosen model; prints each fix
  models            the merged model catalog: declared rows and what the server lists
  explain <prompt>  the request chat would send for <prompt> (key redacted), and why it differs
                    from a native OpenAI request
  chat <prompt>     streams a reply: the text to stdout; reasoning (dimmed), tool calls and usage to
                    stderr; --json prints the whole result; Ctrl-C aborts

Options:
  --config FILE    an openclaw.json (default: $OPENCLAW_CONFIG_PATH, then ~/.openclaw/openclaw.json)
  --base-url URL   use this base URL instead of the config's (e.g. http://127.0.0.1:8000/v1)
  --model REF      the model, as vllm/<id> or a bare id (default: the first declared or listed)
  --probe-chat     doctor: also send a one-token chat request to the model
  --json           print JSON for scripts instead of a table
  -h, --help       this text
  -v, --version    the version

The environment (VLLM_API_KEY, ...) is read from this process, and OpenClaw's auth profiles from
~/.openclaw/agents/main/agent/auth-profiles.json when present. Exit codes: 0 ok, 1 failed, 2 usage.`;

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
        model: { type: "string" },
        "probe-chat": { type: "boolean", default: false },
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

/** OpenClaw's auth-profile store of the main agent, as text, if present (never parsed here). */
function readAuthProfiles() {
  const path = join(homedir(), ".openclaw", "agents", "main", "agent", "auth-profiles.json");
  try {
    return existsSync(path) ? readFileSync(path, "utf8") : undefined;
  } catch {
    return undefined;
  }
}

// One module per command (bin/commands/<name>.mjs); each exports a function (provider, opts) → exit code.
const COMMANDS = { doctor, models, explain, chat };

async function main() {
  const { values, positionals } = parse(process.argv.slice(2));
  if (values.version) return void process.stdout.write(`${version}\n`);
  if (values.help || positionals.length === 0) usage();
  const [command] = positionals;
  const run = COMMANDS[command];
  if (!run) usage(`unknown command "${command}"`);
  const { text } = readConfig(values.config);
  const opts = { json: values.json, args: positionals.slice(1), model: values.model, probeChat: values["probe-chat"] };
  let provider;
  try {
    provider = VllmProvider.resolve({ config: text, env: process.env, authProfiles: readAuthProfiles(), baseUrl: values["base-url"] });
  } catch (err) {
    if (isVllmProviderError(err) && run.configFailed) return void (process.exitCode = run.configFailed(err, opts));
    if (isVllmProviderError(err)) fail(err, values.json);
    throw err;
  }
  try {
    process.exitCode = await run(provider, opts);
  } catch (err) {
    if (isVllmProviderError(err)) fail(err, values.json);
    throw err;
  }
}

await main();
