// `vllm-provider explain "<prompt>" [--model REF]`: the request `chat` would send for a one-line
// prompt, key redacted, with a sentence for every way it differs from a native-OpenAI request.
import { bold, dim, fail, spin, yellow } from "../lib/ui.mjs";

/** The model to explain for: --model, else the first declared row, else the first the server lists. */
async function pickModel(provider, flag, json) {
  if (flag) return flag;
  const described = provider.describe();
  if (described.models.length) return `vllm/${described.models[0].id}`;
  if (described.discovery.enabled) {
    const catalog = await spin(`Querying ${described.baseUrl}/models`, provider.listModels());
    if (catalog.models.length) return `vllm/${catalog.models[0].id}`;
    if (catalog.discovery.error) fail(catalog.discovery.error, json);
  }
  fail({ code: "config", message: "No model to explain the request for: the config declares none and the server listed none", hint: "Pass --model vllm/<id>, or declare models under models.providers.vllm.models." }, json);
}

/** Runs the command; resolves to the exit code. */
export async function explain(provider, opts) {
  const prompt = opts.args.join(" ");
  if (!prompt) {
    fail({ code: "config", message: 'explain needs a prompt, e.g. vllm-provider explain "hi"', hint: "Put the prompt in quotes after the command." }, opts.json);
  }
  const model = await pickModel(provider, opts.model, opts.json);
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
