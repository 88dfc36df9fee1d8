// Request building: buildChatRequest() of 20 messages and 5 tools against a JSON round trip of the same
// request, the least any library does that copies a request into a body it owns.
import { CONFIG, chatRequest } from "./inputs.mjs";
import { interleave, perCall, spread, table, times } from "./measure.mjs";

export async function buildSection({ VllmProvider, runs }) {
  const provider = VllmProvider.resolve({ config: CONFIG });
  const request = chatRequest();
  const sent = JSON.stringify(provider.buildChatRequest(request).body).length;
  const s = await interleave(
    {
      "buildChatRequest()": perCall(() => provider.buildChatRequest(request)),
      "`JSON.parse(JSON.stringify(request))`": perCall(() => JSON.parse(JSON.stringify(request))),
    },
    { runs },
  );
  const [build, roundTrip] = Object.values(s);
  const ratio = build.median / roundTrip.median;
  return {
    title: "Request building",
    notes: [`20 messages and 5 tools: ${JSON.stringify(request).length} B of request, ${sent} B of body sent; each run calls repeatedly for 150 ms; ${runs} runs each, interleaved; per call.`],
    table: table(
      ["path", "median µs", "min–max µs", "time vs. round trip"],
      Object.entries(s).map(([name, st]) => [name, ...spread(st, "µs"), times(st.median / roundTrip.median)]),
    ),
    figures: { runs, requestBytes: JSON.stringify(request).length, bodyBytes: sent, paths: s, ratio },
    targets: [{ what: "buildChatRequest() time vs. its JSON round trip", figure: times(ratio), target: "≤ 2.00×", met: ratio <= 2 }],
  };
}
