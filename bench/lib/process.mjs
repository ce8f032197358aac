// Starts a server binary (framewire or the bench baseline) on 127.0.0.1 port 0 and waits for
// its "listening on http://HOST:PORT/" line. Every process started here is ended here, by PID.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(benchDir, '..');

// An explicit path, else the newest build dir holding the target.
export function findBinary(explicit, relPath) {
  if (explicit) {
    if (!fs.existsSync(explicit)) throw new Error(`${explicit} does not exist`);
    return explicit;
  }
  const found = fs
    .readdirSync(repoRoot)
    .filter((d) => d === 'build' || d.startsWith('build-'))
    .map((d) => path.join(repoRoot, d, relPath))
    .filter((p) => fs.existsSync(p))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return found[0] ?? null;
}

const started = new Set();

export function startServer(bin, args, { timeoutMs = 30000, name = path.basename(bin), env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    started.add(proc);
    let log = '';
    let settled = false;
    const server = {
      name,
      pid: proc.pid,
      log: () => log,
      exited: false,
      stop: () => stopProcess(proc),
    };
    const timer = setTimeout(() => done(new Error(`${name} did not start within ${timeoutMs} ms:\n${log}`)), timeoutMs);
    const done = (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) stopProcess(proc).finally(() => reject(err));
      else resolve(server);
    };
    const onData = (chunk) => {
      log += chunk.toString();
      if (log.length > 200000) log = log.slice(-100000);
      const m = /listening on http:\/\/([\d.]+):(\d+)\//.exec(log);
      if (m && !settled) {
        server.port = Number(m[2]);
        server.base = `http://127.0.0.1:${server.port}`;
        done();
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('error', (e) => done(e));
    proc.on('exit', (code, sig) => {
      server.exited = true;
      started.delete(proc);
      if (settled && !proc.stopping) {
        process.stderr.write(`\n*** ${name} (pid ${proc.pid}) exited unexpectedly (${code ?? sig}):\n${log.split('\n').slice(-20).join('\n')}\n`);
      }
      done(new Error(`${name} exited (${code ?? sig}) before listening:\n${log}`));
    });
  });
}

export async function stopProcess(proc) {
  proc.stopping = true;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  try {
    process.kill(proc.pid, 'SIGTERM');
  } catch {
    return;
  }
  const t = setTimeout(() => {
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, 5000);
  await exited;
  clearTimeout(t);
}

// A helper process (e.g. a fan-out load worker) that stopAllOnExit must end with the run.
export function trackProcess(proc) {
  started.add(proc);
  proc.on('exit', () => started.delete(proc));
  return proc;
}

// On any exit path, end what this run started (by PID, nothing else).
export function stopAllOnExit() {
  const killAll = () => {
    for (const p of started) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      killAll();
      process.exit(130);
    });
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function getJson(url, timeoutMs = 5000) {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return res.json();
}
