// Which model a one-prompt command (explain, chat) uses, and the catalog it runs against.
import { fail, spin } from "./ui.mjs";

/**
 * --model, else the first declared row, else the first model the server lists. When OpenClaw would
 * discover (describe().discovery.enabled), the catalog is listed first, so the request runs against the
 * server's rows (its context window clamps the output cap), as it does in OpenClaw.
 */
export async function pickModel(provider, flag, json, purpose) {
  const described = provider.describe();
  const catalog = described.discovery.enabled ? await spin(`Querying ${described.baseUrl}/models`, provider.listModels()) : undefined;
  if (flag) return flag;
  if (described.models.length) return `vllm/${described.models[0].id}`;
  if (catalog?.models.length) return `vllm/${catalog.models[0].id}`;
  if (catalog?.discovery.error) fail(catalog.discovery.error, json);
  fail({ code: "config", message: `No model to ${purpose}: the config declares none and the server listed none`, hint: "Pass --model vllm/<id>, or declare models under models.providers.vllm.models." }, json);
}
