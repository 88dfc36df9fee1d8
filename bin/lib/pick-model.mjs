// Which model a one-prompt command (explain, chat) uses when --model is not given.
import { fail, spin } from "./ui.mjs";

/** --model, else the first declared row, else the first model the server lists. */
export async function pickModel(provider, flag, json, purpose) {
  if (flag) return flag;
  const described = provider.describe();
  if (described.models.length) return `vllm/${described.models[0].id}`;
  if (described.discovery.enabled) {
    const catalog = await spin(`Querying ${described.baseUrl}/models`, provider.listModels());
    if (catalog.models.length) return `vllm/${catalog.models[0].id}`;
    if (catalog.discovery.error) fail(catalog.discovery.error, json);
  }
  fail({ code: "config", message: `No model to ${purpose}: the config declares none and the server listed none`, hint: "Pass --model vllm/<id>, or declare models under models.providers.vllm.models." }, json);
}
