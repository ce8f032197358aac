// A PulseAudio server of the bench's own (no hardware): one null sink and an anonymous Unix
// socket in a fresh directory. The same recipe as tests/e2e/lib/pulse.mjs, kept here so the
// bench does not depend on the test tree. Every process started here is ended by its PID.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sleep } from './process.mjs';

const children = new Set();

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, 'SIGTERM');
  } catch {
    /* gone */
  }
}

process.on('exit', () => {
  for (const c of children) stop(c);
});

// Spawns a PulseAudio client or helper with this server's environment; ended with the server.
export function spawnTracked(cmd, args, options) {
  const child = spawn(cmd, args, options);
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

export async function startPulseServer(sinkName) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-bench-pulse-'));
  const socket = path.join(dir, 'pulse.sock');
  const env = { ...process.env, HOME: dir, XDG_RUNTIME_DIR: dir, XDG_CONFIG_HOME: dir };
  const pa = spawnTracked(
    'pulseaudio',
    ['-n', '--daemonize=no', '--exit-idle-time=-1', '--use-pid-file=false', '-L', `module-null-sink sink_name=${sinkName}`,
      '-L', `module-native-protocol-unix auth-anonymous=1 socket=${socket}`],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  pa.stdout.on('data', (d) => (log += d));
  pa.stderr.on('data', (d) => (log += d));
  for (let i = 0; i < 100 && !fs.existsSync(socket); i++) await sleep(100);
  if (!fs.existsSync(socket)) {
    stop(pa);
    throw new Error(`PulseAudio did not start: ${log}`);
  }
  const server = `unix:${socket}`;
  return {
    server,
    env: { ...env, PULSE_SERVER: server },
    stop() {
      for (const c of children) stop(c);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
