/**
 * Real vllm-router 0.1.17 (the vLLM project's Rust router, PyPI `vllm-router`) on 127.0.0.1, for tests
 * that put it in front of simulators or live vLLM. Node 18+, no npm dependencies.
 *
 * ```js
 * import { startRouter } from '../router/router.mjs';
 * const router = await startRouter({ workerUrls: [simA.origin, simB.origin] });   // --policy consistent_hash
 * await fetch(`${router.baseUrl}/chat/completions`, { method: 'POST', headers: { 'X-Session-ID': 's1', … }, body });
 * await router.stop();
 * ```
 *
 * The router is installed once into `${VLLM_PROVIDER_CACHE:-~/.cache/vllm-provider}/vllm-router-0.1.17`
 * by install.sh beside this file (scripts/setup.sh runs it for `npm test`). Each router gets free ports
 * for its API and its Prometheus exporter (whose default, 29000, would clash between routers), is
 * ready once `GET /health` answers 200 (it listens only after every worker answered its /health),
 * and is stopped by its PID: SIGTERM, then SIGKILL after 5 s.
 */

import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../vllm/live.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const HOST = '127.0.0.1';
/** The router's version, as installed by install.sh. */
export const ROUTER_VERSION = '0.1.17';

let installing = null;

/**
 * Installs the router if it is missing (once per process) and returns its executable's path.
 * @returns {Promise<string>}
 */
export function install() {
  installing ??= new Promise((resolve, reject) => {
    execFile('bash', [path.join(HERE, 'install.sh')], { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      const exe = stdout.trim().split('\n').pop();
      if (err || !exe) reject(new Error(`tests/router/install.sh failed: ${err?.message ?? 'no path printed'}\n${stderr}`));
      else resolve(exe);
    });
  });
  return installing;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @typedef {object} Router
 * @property {string} origin    "http://127.0.0.1:PORT"
 * @property {string} baseUrl   origin + "/v1": what a client uses as its base URL
 * @property {number} port
 * @property {number} pid
 * @property {string[]} workerUrls
 * @property {() => string} log  what the router printed so far (last 256 KiB, colours removed)
 * @property {() => boolean} running
 * @property {() => Promise<{ code: number|null, signal: string|null }>} stop
 */

/**
 * Starts vllm-router in front of `workerUrls` (origins or base URLs; a trailing `/v1` is removed, as
 * the router wants server roots) and resolves once it is ready.
 * @param {object} options
 * @param {string[]} options.workerUrls
 * @param {string} [options.policy]          default "consistent_hash"
 * @param {string[]} [options.args]          more flags (see `vllm-router --help`)
 * @param {number} [options.readyTimeoutMs]  default 60 000
 * @returns {Promise<Router>}
 */
export async function startRouter({ workerUrls, policy = 'consistent_hash', args = [], readyTimeoutMs = 60_000 }) {
  if (!Array.isArray(workerUrls) || workerUrls.length === 0) throw new TypeError('startRouter: workerUrls must be a non-empty array');
  const exe = await install();
  const workers = workerUrls.map((u) => String(u).replace(/\/+$/, '').replace(/\/v1$/, ''));
  const [port, metricsPort] = [await freePort(), await freePort()];
  const argv = [
    '--host', HOST,
    '--port', String(port),
    '--policy', policy,
    '--worker-urls', ...workers,
    '--prometheus-host', HOST,
    '--prometheus-port', String(metricsPort),
    // Workers are checked every second at start-up (default 30 s), for at most 30 s.
    '--worker-startup-check-interval', '1',
    '--worker-startup-timeout-secs', '30',
    '--log-level', 'info',
    ...args,
  ];
  // Its own directory as cwd: the router reads a `.env` (API_KEY_VALIDATION_URLS) from there.
  const child = spawn(exe, argv, { cwd: path.dirname(path.dirname(exe)), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d) => {
    output = (output + d.toString('utf8').replace(/\x1b\[[0-9;]*m/g, '')).slice(-256 * 1024);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exited = { code, signal }))));
  await new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  // A test process that dies without stop() must not leave the router behind.
  const reap = () => {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {}
  };
  process.once('exit', reap);

  const origin = `http://${HOST}:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) throw new Error(`vllm-router exited before it was ready (${JSON.stringify(exited)}):\n${output.slice(-4000)}`);
    try {
      const r = await fetch(`${origin}/health`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) break;
    } catch {}
    if (Date.now() > deadline) {
      reap();
      throw new Error(`vllm-router not ready after ${readyTimeoutMs} ms:\n${output.slice(-4000)}`);
    }
    await sleep(100);
  }

  let stopping = null;
  return {
    origin,
    baseUrl: `${origin}/v1`,
    port,
    pid: child.pid,
    workerUrls: workers,
    log: () => output,
    running: () => exited === null,
    stop() {
      stopping ??= (async () => {
        if (exited) return exited;
        process.kill(child.pid, 'SIGTERM');
        const killer = setTimeout(() => {
          try {
            process.kill(child.pid, 'SIGKILL');
          } catch {}
        }, 5000);
        const result = await exit;
        clearTimeout(killer);
        process.removeListener('exit', reap);
        return result;
      })();
      return stopping;
    },
  };
}
