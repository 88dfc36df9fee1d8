// Serves the config tester: www/ at /, the built package (dist/) at /pkg/. Loopback only.
import { createServer } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".wasm": "application/wasm", ".png": "image/png", ".json": "application/json" };

/**
 * Starts the server; `port` 0 picks a free one; `tls` ({ key, cert }) serves https (the tests use it to
 * show what an https page meets). Resolves to `{ url, close }`.
 */
export async function serve({ port = 0, host = "127.0.0.1", tls } = {}) {
  const handler = async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const [base, rel] = path.startsWith("/pkg/") ? ["dist", path.slice(5)] : ["www", path === "/" ? "index.html" : path.slice(1)];
    const file = normalize(join(root, base, rel));
    if (!file.startsWith(join(root, base))) return void res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  };
  const server = tls ? createTlsServer(tls, handler) : createServer(handler);
  await new Promise((ok, bad) => server.once("error", bad).listen(port, host, ok));
  const url = `${tls ? "https" : "http"}://${host}:${server.address().port}/`;
  return { url, close: () => new Promise((ok) => server.close(ok)) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 5173);
  const { url } = await serve({ port }).catch((err) => {
    console.error(`serve: cannot listen on 127.0.0.1:${port} (${err.code}); set PORT to another port`);
    process.exit(1);
  });
  console.log(`\nConfig tester: ${url}\n(Ctrl-C to stop. Start vLLM with --allowed-origins '["${url.slice(0, -1)}"]' so the page may call it.)`);
}
