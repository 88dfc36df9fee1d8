// `vllm-provider chat "<prompt>" [--model REF] [--json]`: one turn, streamed. The reply goes to stdout;
// reasoning (dimmed), tool calls and the usage line go to stderr, so `> reply.txt` keeps only the reply.
// Ctrl-C aborts the request (exit 130); a second Ctrl-C exits at once.
import { pickModel } from "../lib/pick-model.mjs";
import { err, spin } from "../lib/ui.mjs";

/** Exit code of a run ended by Ctrl-C (128 + SIGINT), as shells report it. */
const INTERRUPTED = 130;

/** Runs the command; resolves to the exit code. */
export async function chat(provider, opts) {
  const prompt = opts.args.join(" ");
  const model = await pickModel(provider, opts.model, opts.json, "chat with");
  const request = { model, messages: [{ role: "user", content: prompt }] };
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(INTERRUPTED);
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  try {
    if (opts.json) {
      const result = await provider.chat(request, { signal: controller.signal, sessionId: opts.sessionId });
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    return await stream(provider, request, { signal: controller.signal, sessionId: opts.sessionId });
  } catch (e) {
    if (e?.code === "aborted" && controller.signal.aborted) {
      process.stderr.write(`\n${err.dim("aborted")}\n`);
      return INTERRUPTED;
    }
    throw e;
  } finally {
    process.off("SIGINT", onSigint);
  }
}

async function stream(provider, request, options) {
  const events = provider.stream(request, options);
  // What was printed last, so reasoning and text each start on their own line.
  let last = "none";
  let step = await spin(`Waiting for ${request.model}`, events.next());
  for (; !step.done; step = await events.next()) {
    const event = step.value;
    if (event.type === "reasoning" && event.delta) {
      if (last === "text") process.stdout.write("\n");
      process.stderr.write(err.dim(event.delta));
      last = "reasoning";
    } else if (event.type === "text" && event.delta) {
      if (last === "reasoning") process.stderr.write("\n");
      process.stdout.write(event.delta);
      last = "text";
    } else if (event.type === "done") {
      const { message, usage, stopReason } = event.result;
      if (last !== "none") process.stdout.write("\n");
      for (const call of message.toolCalls) process.stderr.write(`${err.yellow("→")} ${call.name}(${JSON.stringify(call.arguments)})\n`);
      process.stderr.write(`${err.dim(summary(stopReason, usage))}\n`);
      // OpenClaw keeps reasoning only for rows marked as reasoning models: say why none was shown.
      if (usage?.reasoningTokens && !message.reasoning) {
        process.stderr.write(`${err.dim("(reasoning not shown: OpenClaw keeps it only for models declared with reasoning: true)")}\n`);
      }
    }
  }
  return 0;
}

/** `stop · 12 in, 30 out (8 reasoning), 42 total`. */
function summary(stopReason, usage) {
  if (!usage) return `${stopReason} · no usage reported`;
  const reasoning = usage.reasoningTokens ? ` (${usage.reasoningTokens} reasoning)` : "";
  const cached = usage.cacheRead ? `, ${usage.cacheRead} cached` : "";
  return `${stopReason} · ${usage.input} in${cached}, ${usage.output} out${reasoning}, ${usage.totalTokens} total`;
}

chat.takes = "<prompt>";
chat.help = `Usage: vllm-provider chat <prompt> [--model REF] [--config FILE] [--base-url URL] [--json]

Sends <prompt> as one user message and streams the reply: the text to stdout; reasoning (dimmed), tool
calls and the usage line to stderr, so \`> reply.txt\` keeps only the reply. Ctrl-C aborts the request
(exit 130).

  --model REF      the model, as vllm/<id> or a bare id (default: the first declared or listed)
  --json           print the whole ChatResult as JSON instead of streaming`;
