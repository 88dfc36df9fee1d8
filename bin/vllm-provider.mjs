#!/usr/bin/env node
// The `vllm-provider` command: the library for terminals and scripts.
// Human output on a terminal, `--json` for scripts. Exit codes: 0 ok (help included), 1 failed, 2 usage.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { VllmProvider, isVllmProviderError, version } from "../dist/node.js";
import { chat } from "./commands/chat.mjs";
import { doctor } from "./commands/doctor.mjs";
import { explain } from "./commands/explain.mjs";
import { models } from "./commands/models.mjs";
import { err, fail } from "./lib/ui.mjs";

// One module per command (bin/commands/<name>.mjs); each exports a function (provider, opts) → exit code,
// with its `help` text and, for those that need one, the positional argument it `takes`.
const COMMANDS = { doctor, models, explain, chat };

const OPTIONS = `Options:
  --config FILE    an openclaw.json (default: $OPENCLAW_CONFIG_PATH, then ~/.openclaw/openclaw.json)
  --base-url URL   use this base URL instead of the config's (e.g. http://127.0.0.1:8000/v1);
                   repeated: replicas of one deployment, each call to a healthy one
  --session ID     chat: keep the conversation on one server (sent as X-Session-ID)
  --model REF      the model, as vllm/<id> or a bare id (default: the first declared or listed)
  --probe-chat     doctor: also send a one-token chat request to the model
  --json           print JSON for scripts instead of text (errors too)
  -h, --help       this text; \`vllm-provider <command> --help\` for a command's
  -v, --version    the version`;

const USAGE = `vllm-provider ${version}: OpenClaw's vLLM provider from the command line

Usage: vllm-provider <command> [--config FILE] [--base-url URL] [--model REF] [--json]
       vllm-provider help [<command>]

Commands:
  doctor            checks config, base URL, server, key, models and the chosen model; prints each fix
  models            the merged model catalog: declared rows and what the server lists
  explain <prompt>  the request chat would send for <prompt> (key redacted), and why it differs
                    from a native OpenAI request
  chat <prompt>     streams a reply: the text to stdout; reasoning (dimmed), tool calls and usage to
                    stderr; --json prints the whole result; Ctrl-C aborts
  help [<command>]  this text, or a command's

${OPTIONS}

The environment (VLLM_API_KEY, ...) is read from this process, and OpenClaw's auth profiles from
~/.openclaw/agents/main/agent/auth-profiles.json when present. Colour goes to a terminal only;
NO_COLOR turns it off, FORCE_COLOR on. Exit codes: 0 ok, 1 failed, 2 usage.`;

/** The help of `command` (or the general one), on stdout: asked for, so exit 0. */
function help(command) {
  const text = command ? `${COMMANDS[command].help}\n\n${OPTIONS}\n\nExit codes: 0 ok, 1 failed, 2 usage.` : USAGE;
  process.stdout.write(`${text}\n`);
  process.exit(0);
}

/**
 * A usage error: exit 2, with the message and the usage (of `command`, when known) on stderr, or with
 * `--json` the error as JSON on stdout, as every other failure is printed for scripts.
 */
function usage(message, command) {
  const see = command ? `vllm-provider ${command} --help` : "vllm-provider --help";
  if (process.argv.includes("--json")) {
    process.stdout.write(`${JSON.stringify({ error: { code: "usage", message, hint: `See \`${see}\`.`, retryable: false } }, null, 2)}\n`);
  } else {
    const synopsis = (command ? COMMANDS[command].help : USAGE).split("\n").find((l) => l.startsWith("Usage:"));
    process.stderr.write(`${err.red("error:")} ${message}\n\n${synopsis}\nSee \`${see}\` for more.\n`);
  }
  process.exit(2);
}

function parse(argv) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: "string" },
        "base-url": { type: "string", multiple: true },
        session: { type: "string" },
        model: { type: "string" },
        "probe-chat": { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", short: "v", default: false },
      },
    });
  } catch (e) {
    const command = argv.find((a) => Object.hasOwn(COMMANDS, a));
    usage(e.message, command);
  }
}

/** The config text: --config, then OPENCLAW_CONFIG_PATH, then ~/.openclaw/openclaw.json if present. */
function readConfig(flag, json) {
  const path = flag ?? process.env.OPENCLAW_CONFIG_PATH ?? join(homedir(), ".openclaw", "openclaw.json");
  const explicit = flag !== undefined || process.env.OPENCLAW_CONFIG_PATH !== undefined;
  if (!explicit && !existsSync(path)) return { path: undefined, text: undefined };
  try {
    return { path, text: readFileSync(path, "utf8") };
  } catch (e) {
    fail({ code: "config", message: `Cannot read the config ${path}: ${e.message}`, hint: "Pass an existing openclaw.json with --config." }, json);
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

async function main() {
  const { values, positionals } = parse(process.argv.slice(2));
  if (values.version) return void process.stdout.write(`${version}\n`);
  const [command, ...args] = positionals;
  const known = (name) => Object.hasOwn(COMMANDS, name);
  if (command === "help") {
    if (args.length > 1) usage(`help takes at most one command (got ${args.length})`);
    if (args.length && !known(args[0])) usage(`unknown command "${args[0]}"`);
    help(args[0]);
  }
  if (command !== undefined && !known(command)) usage(`unknown command "${command}"`);
  // A bare call shows the help: there is nothing else it could mean.
  if (values.help || command === undefined) help(command);
  const run = COMMANDS[command];
  if (run.takes && args.length === 0) usage(`${command} needs a ${run.takes.slice(1, -1)}, e.g. vllm-provider ${command} "hi"`, command);
  if (!run.takes && args.length) usage(`${command} takes no ${args.length > 1 ? "arguments" : "argument"} (got "${args.join(" ")}")`, command);
  const { text } = readConfig(values.config, values.json);
  const opts = { json: values.json, args, model: values.model, probeChat: values["probe-chat"], sessionId: values.session };
  let provider;
  try {
    provider = VllmProvider.resolve({ config: text, env: process.env, authProfiles: readAuthProfiles(), baseUrl: values["base-url"]?.[0], baseUrls: values["base-url"]?.slice(1) });
  } catch (e) {
    if (isVllmProviderError(e) && run.configFailed) return void (process.exitCode = run.configFailed(e, opts));
    if (isVllmProviderError(e)) fail(e, values.json);
    throw e;
  }
  try {
    process.exitCode = await run(provider, opts);
  } catch (e) {
    if (isVllmProviderError(e)) fail(e, values.json);
    throw e;
  }
}

await main();
