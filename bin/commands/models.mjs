// `vllm-provider models`: the merged model catalog as a table, or JSON.
import { fail, out, spin, table } from "../lib/ui.mjs";

/** Runs the command; resolves to the exit code. */
export async function models(provider, opts) {
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
  process.stdout.write(`${out.bold("vLLM")} ${described.baseUrl}  ${out.dim(`(${described.status}, key: ${described.auth.source})`)}\n`);
  if (!discovery.attempted) process.stdout.write(`${out.dim(described.discovery.reason)}\n`);
  if (discovery.ok) process.stdout.write(`${out.green("✔")} discovered in ${discovery.durationMs} ms\n`);
  process.stdout.write(rows.length ? `${table(rows, ["id", "context window", "max tokens", "source", "parent"])}\n` : `${out.dim("(no models)")}\n`);
  for (const w of described.warnings) process.stdout.write(`${out.yellow("!")} ${w.path ? `${w.path}: ` : ""}${w.message}\n`);
  if (discovery.error) fail(discovery.error);
  return 0;
}

models.help = `Usage: vllm-provider models [--config FILE] [--base-url URL] [--json]

Lists the model catalog as OpenClaw builds it: the rows the config declares merged, when OpenClaw would
discover, with what the server's /v1/models lists; each row's context window, output cap, source and
LoRA parent, and a warning where config and server disagree. Exit 1 when discovery failed.

  --json           print the catalog (models, discovery, warnings) as JSON`;
