// The reduced load test (tests/load/load.mjs): 200 concurrent streams, 2 000 sequential chats and 200
// aborts in flight against the simulator; latencies, RSS and wasm memory must stay flat. `npm run load`
// runs the full size (10 000 sequential chats).
import { test } from "node:test";
import { runLoad } from "../load/load.mjs";

test("200 concurrent streams, 2 000 sequential chats, 200 aborts: all served, memory and latency flat", { timeout: 300_000 }, async (t) => {
  await runLoad({ sequential: 2_000, log: (line) => t.diagnostic(line) });
});
