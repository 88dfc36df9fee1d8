// `vllm-provider explain "<prompt>" [--model REF]`: the request `chat` would send for a one-line
// prompt, key redacted, with a sentence for every way it differs from a native-OpenAI request.
import { pickModel } from "../lib/pick-model.mjs";
import { bold, dim, fail, yellow } from "../lib/ui.mjs";

/** Runs the command; resolves to the exit code. */
export async function explain(provider, opts) {
  const prompt = opts.args.join(" ");
  if (!prompt) {
    fail({ code: "config", message: 'explain needs a prompt, e.g. vllm-provider explain "hi"', hint: "Put the prompt in quotes after the command." }, opts.json);
  }
  const model = await pickModel(provider, opts.model, opts.json, "explain the request for");
  const prepared = provider.buildChatRequest({ model, messages: [{ role: "user", content: prompt }] });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(prepared, null, 2)}\n`);
    return 0;
  }
  const out = [`${bold(prepared.method)} ${prepared.url}`, ""];
  for (const [name, value] of Object.entries(prepared.headers)) out.push(`${dim(`${name}:`)} ${value}`);
  out.push("", JSON.stringify(prepared.body, null, 2), "", bold("Why this differs from a native OpenAI request:"));
  for (const note of prepared.notes) out.push(`  ${yellow("•")} ${note.field} ${dim(`(${note.action})`)}: ${note.reason}`);
  process.stdout.write(`${out.join("\n")}\n`);
  return 0;
}
