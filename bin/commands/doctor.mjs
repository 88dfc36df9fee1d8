// `vllm-provider doctor`: runs diagnose() and prints each check with its fix, or the report as JSON.
// Exit 0 when no check failed, 1 otherwise.
import { existsSync } from "node:fs";
import { out, spin } from "../lib/ui.mjs";

const MARK = { pass: out.green("✔"), warn: out.yellow("!"), fail: out.red("✖"), skip: out.dim("-") };

/** Containers where `localhost` is not the host running vLLM. */
function inContainer() {
  return existsSync("/.dockerenv") || existsSync("/run/.containerenv");
}

function print(report, described) {
  const lines = [];
  if (described) lines.push(`${out.bold("vLLM doctor")} ${described.baseUrl}  ${out.dim(`(${described.status}, key: ${described.auth.source})`)}`);
  const width = Math.max(...report.checks.map((c) => c.id.length));
  for (const c of report.checks) {
    const took = c.durationMs !== undefined ? out.dim(` (${c.durationMs} ms)`) : "";
    const detail = c.status === "skip" ? out.dim(`skipped: ${c.detail}`) : c.detail;
    lines.push(`${MARK[c.status] ?? "?"} ${c.id.padEnd(width)}  ${out.bold(c.title)}: ${detail}${took}`);
    if (c.hint && c.status !== "pass" && c.status !== "skip") lines.push(`  ${" ".repeat(width)}  ${out.yellow("→")} ${c.hint}`);
  }
  const failed = report.checks.filter((c) => c.status === "fail").map((c) => c.id);
  const warned = report.checks.filter((c) => c.status === "warn").map((c) => c.id);
  if (failed.length) lines.push(`${out.red("✖")} ${failed.length} check${failed.length > 1 ? "s" : ""} failed: ${failed.join(", ")}`);
  else lines.push(`${out.green("✔")} all checks passed${warned.length ? ` (warnings: ${warned.join(", ")})` : ""}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

function emit(report, opts, described) {
  if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else print(report, described);
  return report.ok ? 0 : 1;
}

/** Runs the command; resolves to the exit code. */
export async function doctor(provider, opts) {
  const described = provider.describe();
  const report = await spin(
    `Checking ${described.baseUrl}`,
    provider.diagnose({ model: opts.model, probeChat: opts.probeChat, inContainer: inContainer() }),
  );
  return emit(report, opts, described);
}

/** When the config itself does not resolve, the report is that one failing check. */
doctor.configFailed = (err, opts) =>
  emit({ ok: false, checks: [{ id: "config", status: "fail", title: "Provider config", detail: err.message + (err.path ? ` (at ${err.path})` : ""), hint: err.hint }] }, opts);

doctor.help = `Usage: vllm-provider doctor [--model REF] [--probe-chat] [--config FILE] [--base-url URL] [--json]

Checks the config, the base URL, whether the server answers (/health without the key, /v1/models with
it), its models and version, and that the chosen model is served; prints each check with its fix. Exit 0
when no check failed, 1 otherwise.

  --model REF      the model to check (default: the first declared)
  --probe-chat     also send a one-token chat request to the model
  --json           print the report as JSON`;
