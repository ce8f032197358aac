// Starts the real framewire binary for a test file and talks to it over 127.0.0.1 only.
// Every process started here is ended here, by its PID.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..', '..');

// FRAMEWIRE_BIN (set by ctest), else the first build dir that has the binary.
export function framewireBinary() {
  const fromEnv = process.env.FRAMEWIRE_BIN;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`FRAMEWIRE_BIN=${fromEnv} does not exist`);
    return fromEnv;
  }
  const candidates = fs
    .readdirSync(repoRoot)
    .filter((d) => d === 'build' || d.startsWith('build-'))
    .map((d) => path.join(repoRoot, d, 'src', 'app', 'framewire'))
    .filter((p) => fs.existsSync(p))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (candidates.length === 0) {
    throw new Error('no framewire binary: set FRAMEWIRE_BIN or build the framewire target');
  }
  return candidates[0];
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function tmpDir(prefix = 'fw-e2e-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

const DEFAULTS = {
  size: '640x360',
  fps: '30',
  bitrate: '2000',
  gop: '0',
  'jpeg-quality': '80',
  'jpeg-fps': '30',
  linger: '5',
  'log-level': 'info',
};

// Starts framewire on a free port (or options.port); resolves once it logged "listening on http://HOST:PORT/".
export async function startFramewire(options = {}, { startTimeoutMs = 30000 } = {}) {
  const bin = framewireBinary();
  const { port: fixedPort, ...rest } = options;
  const settings = { ...DEFAULTS, ...rest };
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = fixedPort ?? (await freePort());
    const args = ['--listen', `127.0.0.1:${port}`];
    for (const [k, v] of Object.entries(settings)) {
      if (v !== undefined && v !== null) args.push(`--${k}`, String(v));
    }
    try {
      return await launch(bin, args, port, startTimeoutMs);
    } catch (e) {
      lastError = e; // the port may have been taken between probe and bind: try another
    }
  }
  throw lastError;
}

function launch(bin, args, port, startTimeoutMs) {
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    let settled = false;
    const server = {
      proc,
      pid: proc.pid,
      port,
      base: `http://127.0.0.1:${port}`,
      wsBase: `ws://127.0.0.1:${port}`,
      args,
      log: () => log,
      exited: false,
      exitCode: null,
      stop: () => stopProcess(server),
    };
    const timer = setTimeout(() => {
      fail(new Error(`framewire did not log "listening on" within ${startTimeoutMs} ms:\n${log}`));
    }, startTimeoutMs);
    const fail = (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stopProcess(server).finally(() => reject(err));
    };
    const onData = (chunk) => {
      log += chunk.toString();
      if (log.length > 200000) log = log.slice(-100000);
      if (!settled && /listening on http:\/\/[^\s]+:(\d+)\//.test(log)) {
        settled = true;
        clearTimeout(timer);
        resolve(server);
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('error', (e) => fail(e));
    proc.on('exit', (code, signal) => {
      server.exited = true;
      server.exitCode = code ?? signal;
      if (settled && !server.stopping) {
        // a crash mid-test: say so loudly, with the end of its log, next to the failures
        process.stderr.write(
          `\n*** framewire (pid ${proc.pid}) exited unexpectedly: ${code ?? signal}; last log lines:\n` +
            `${log.split('\n').slice(-25).join('\n')}\n`,
        );
      }
      fail(new Error(`framewire exited (${code ?? signal}) before listening:\n${log}`));
    });
  });
}

async function stopProcess(server) {
  const { proc } = server;
  server.stopping = true;
  if (server.exited || proc.exitCode !== null || proc.signalCode !== null) return server.exitCode;
  const exited = new Promise((r) => proc.once('exit', (code, sig) => r(code ?? sig)));
  try {
    process.kill(proc.pid, 'SIGTERM');
  } catch {
    return null;
  }
  const t = setTimeout(() => {
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, 8000);
  const code = await exited;
  clearTimeout(t);
  return code;
}

// ---- HTTP helpers -------------------------------------------------------------------------

export async function http(url, { method = 'GET', headers = {}, body, timeoutMs = 10000 } = {}) {
  const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
  const buf = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body: buf, text: () => buf.toString() };
}

export async function getJson(url, opts) {
  const r = await http(url, opts);
  let json;
  try {
    json = JSON.parse(r.body.toString());
  } catch {
    json = undefined;
  }
  return { ...r, json };
}

// POSTs `body` as JSON (an object is serialised, a string goes as it is): the status, the
// parsed answer (null when it is not JSON) and its text.
export async function postJson(url, body) {
  const r = await getJson(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: r.status, json: r.json ?? null, body: r.text() };
}

// Sends raw bytes over TCP and collects the answer until the peer closes, or until
// timeoutMs passes (then resolves with what arrived, plus closed: false).
export function rawRequest(port, data, { timeoutMs = 5000, endAfterWrite = false } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks = [];
    let done = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(t);
      sock.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed });
    };
    const t = setTimeout(() => finish(false), timeoutMs);
    sock.on('connect', () => {
      sock.write(data);
      if (endAfterWrite) sock.end();
    });
    sock.on('data', (c) => chunks.push(c));
    sock.on('end', () => finish(true));
    sock.on('close', () => finish(true));
    sock.on('error', () => finish(true));
  });
}

export function statusOf(rawText) {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(rawText);
  return m ? Number(m[1]) : null;
}

export function bodyOf(rawText) {
  const i = rawText.indexOf('\r\n\r\n');
  return i < 0 ? '' : rawText.slice(i + 4);
}

// ---- child processes ----------------------------------------------------------------------

// Runs a command to completion; input (Buffer) goes to its stdin.
export function run(cmd, args, { input, timeoutMs = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    const t = setTimeout(() => {
      try {
        process.kill(proc.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    proc.stdout.on('data', (c) => out.push(c));
    proc.stderr.on('data', (c) => err.push(c));
    proc.on('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
    proc.on('close', (code, signal) => {
      clearTimeout(t);
      resolve({
        code: code ?? signal,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString(),
      });
    });
    proc.stdin.on('error', () => {}); // EPIPE when the tool stops reading early
    if (input) proc.stdin.end(input);
    else proc.stdin.end();
  });
}

// Polls fn() until it returns a truthy value or the time runs out; returns the last value.
export async function waitFor(fn, { timeoutMs = 20000, intervalMs = 200, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      // a call that hangs (e.g. a read on a silent stream) still ends at the deadline
      let timer;
      const remaining = Math.max(1, deadline - Date.now());
      last = await Promise.race([
        Promise.resolve().then(fn),
        new Promise((r) => {
          timer = setTimeout(() => r(new Error('call did not return before the deadline')), remaining);
        }),
      ]).finally(() => clearTimeout(timer));
      if (last && !(last instanceof Error)) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${fmt(last)}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function fmt(v) {
  if (v instanceof Error) return v.message;
  try {
    return JSON.stringify(v)?.slice(0, 500);
  } catch {
    return String(v);
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
