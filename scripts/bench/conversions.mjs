// Each value's way across the boundary, serde-wasm-bindgen against JSON text, per call: the tables that
// tests/convert_bench.rs prints, built optimised for wasm32 and run under Node (about two minutes the
// first time). Not in the default run: it builds the crate.
import { execFileSync } from "node:child_process";

/** The test's output; cargo's progress is shown only if it fails (it would split the printed tables). */
function cargoTest() {
  try {
    return execFileSync("cargo", ["test", "--release", "--target", "wasm32-unknown-unknown", "--test", "convert_bench", "--", "--include-ignored", "--nocapture"], {
      cwd: new URL("../..", import.meta.url).pathname,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    process.stderr.write(e.stderr ?? "");
    throw e;
  }
}

export async function conversionsSection() {
  const out = cargoTest();
  const rows = out.split("\n").filter((line) => line.startsWith("|"));
  return {
    title: "Conversions",
    notes: ["Per call, in the optimised wasm under Node (tests/convert_bench.rs)."],
    table: rows.join("\n"),
    figures: { rows },
    targets: [],
  };
}
