// A PulseAudio server of a test's own (no hardware here): one null sink and an anonymous Unix
// socket, nothing else. Its sink's monitor is a capture device; PULSE_SERVER points clients at it.
// bench/audio_pulse.mjs starts its server with this file too: import nothing here (nor in
// framewire.mjs) from node_modules, which the bench's npm tree does not share.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startFramewire, tmpDir, waitFor } from './framewire.mjs';

// Ends a child this test started, by its PID, if it still runs.
export function stopChild(child) {
  if (child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
}

// Starts `pulseaudio` with a null sink named `sinkName`; the process goes into `children` so the
// caller's after() ends it. stop() ends it and removes its directory.
export async function startPulse(sinkName, children) {
  const dir = tmpDir('fw-pulse-');
  const socket = path.join(dir, 'pulse.sock');
  const env = { ...process.env, HOME: dir, XDG_RUNTIME_DIR: dir, XDG_CONFIG_HOME: dir };
  const pa = spawn(
    'pulseaudio',
    ['-n', '--daemonize=no', '--exit-idle-time=-1', '--use-pid-file=false', '-L', `module-null-sink sink_name=${sinkName}`,
      '-L', `module-native-protocol-unix auth-anonymous=1 socket=${socket}`],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(pa);
  let log = '';
  pa.stdout.on('data', (d) => (log += d));
  pa.stderr.on('data', (d) => (log += d));
  await waitFor(() => fs.existsSync(socket), { timeoutMs: 10000, what: `PulseAudio socket (${log})` });
  const server = `unix:${socket}`;
  return {
    pa,
    dir,
    server,
    env: { ...env, PULSE_SERVER: server },
    log: () => log,
    stop() {
      stopChild(pa);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Starts framewire with `env` added to its environment (e.g. PULSE_SERVER).
export async function startFramewireWithEnv(env, options) {
  const saved = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  try {
    return await startFramewire(options);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

// `seconds` of what plays into `sinkName` (its monitor, mono s16 at 48 kHz, recorded with
// parec; the process goes into `children`): {samples, rms, peak, err}. Records until it has
// the seconds asked for, however late parec starts on a busy machine (bounded).
export async function recordSink(pulse, sinkName, seconds, children) {
  const rec = spawn('parec', [`--device=${sinkName}.monitor`, '--raw', '--format=s16le', '--rate=48000', '--channels=1', '--latency-msec=20'], {
    env: pulse.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(rec);
  const chunks = [];
  let err = '';
  let bytes = 0;
  rec.stdout.on('data', (d) => {
    chunks.push(d);
    bytes += d.length;
  });
  rec.stderr.on('data', (d) => (err += d));
  const deadline = Date.now() + seconds * 1000 + 15000;
  while (bytes < seconds * 48000 * 2 && Date.now() < deadline && rec.exitCode === null) {
    await new Promise((r) => setTimeout(r, 100));
  }
  stopChild(rec);
  await new Promise((r) => (rec.exitCode !== null || rec.signalCode !== null ? r() : rec.once('exit', r)));
  const data = Buffer.concat(chunks);
  const n = Math.floor(data.length / 2);
  let sum = 0;
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const v = data.readInt16LE(i * 2);
    sum += v * v;
    peak = Math.max(peak, Math.abs(v));
  }
  return { samples: n, rms: n ? Math.sqrt(sum / n) : 0, peak, err };
}
