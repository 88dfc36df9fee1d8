// `vllm-provider explain "<prompt>" [--model REF]`: the request `chat` would send for a one-line
// prompt, key redacted, with a sentence for every way it differs from a native-OpenAI request.
import { pickModel } from "../lib/pick-model.mjs";
import { out } from "../lib/ui.mjs";

/** Runs the command; resolves to the exit code. */
export async function explain(provider, opts) {
  const prompt = opts.args.join(" ");
  const model = await pickModel(provider, opts.model, opts.json, "explain the request for");
  const prepared = provider.buildChatRequest({ model, messages: [{ role: "user", content: prompt }] });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(prepared, null, 2)}\n`);
    return 0;
  }
  const lines = [`${out.bold(prepared.method)} ${prepared.url}`, ""];
  for (const [name, value] of Object.entries(prepared.headers)) lines.push(`${out.dim(`${name}:`)} ${value}`);
  lines.push("", JSON.stringify(prepared.body, null, 2), "", out.bold("Why this differs from a native OpenAI request:"));
  for (const note of prepared.notes) lines.push(`  ${out.yellow("•")} ${note.field} ${out.dim(`(${note.action})`)}: ${note.reason}`);
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

explain.takes = "<prompt>";
explain.help = `Usage: vllm-provider explain <prompt> [--model REF] [--config FILE] [--base-url URL] [--json]

Prints the request \`chat\` would send for <prompt> (method, URL, headers with the key redacted, the
JSON body) and a note for each way it differs from what a native-OpenAI client would send. Sends nothing
but the model listing, when OpenClaw would discover.

  --model REF      the model, as vllm/<id> or a bare id (default: the first declared or listed)
  --json           print the prepared request and its notes as JSON`;
