// `vllm-provider models`: the merged model catalog as a table, or JSON.
import { bold, dim, fail, green, spin, table, yellow } from "../lib/ui.mjs";

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
  process.stdout.write(`${bold("vLLM")} ${described.baseUrl}  ${dim(`(${described.status}, key: ${described.auth.source})`)}\n`);
  if (!discovery.attempted) process.stdout.write(`${dim(described.discovery.reason)}\n`);
  if (discovery.ok) process.stdout.write(`${green("✔")} discovered in ${discovery.durationMs} ms\n`);
  process.stdout.write(rows.length ? `${table(rows, ["id", "context window", "max tokens", "source", "parent"])}\n` : `${dim("(no models)")}\n`);
  for (const w of described.warnings) process.stdout.write(`${yellow("!")} ${w.path ? `${w.path}: ` : ""}${w.message}\n`);
  if (discovery.error) fail(discovery.error);
  return 0;
}
