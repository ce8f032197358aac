// Helpers for the source tests: an Xvfb display the test owns, framewire with its stdin
// piped, an MJPEG reader that stays connected (and reads each picture's size), and a small
// RTSP camera (rtsp_server.py).
// Every process started here is ended here, by its PID.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { framewireBinary, freePort, getJson, sleep, waitFor } from './framewire.mjs';

export function freeDisplay() {
  for (const n of [97, 98, 99, 96, 95]) {
    if (!fs.existsSync(`/tmp/.X11-unix/X${n}`) && !fs.existsSync(`/tmp/.X${n}-lock`)) return n;
  }
  throw new Error('no free X display number among :95-:99');
}

export function hasCommand(cmd) {
  return (process.env.PATH ?? '').split(':').some((d) => d && fs.existsSync(`${d}/${cmd}`));
}

// Starts `Xvfb :n` and a drawing client; resolves once the display's socket exists.
export async function startXvfb(n, { size = '1280x720', client = 'xeyes' } = {}) {
  const xvfb = spawn('Xvfb', [`:${n}`, '-screen', '0', `${size}x24`, '-nolisten', 'tcp'], {
    stdio: 'ignore',
  });
  await waitFor(() => fs.existsSync(`/tmp/.X11-unix/X${n}`), { timeoutMs: 10000, what: `Xvfb :${n}` });
  await sleep(200);
  const drawer = client
    ? spawn(client, ['-display', `:${n}`, '-geometry', '400x300+100+100'], { stdio: 'ignore' })
    : null;
  return {
    pid: xvfb.pid,
    async stop() {
      for (const p of [drawer, xvfb]) {
        if (p && p.exitCode === null && p.signalCode === null) {
          const gone = new Promise((r) => p.once('exit', r));
          try {
            process.kill(p.pid, 'SIGKILL');
          } catch {
            /* gone */
          }
          await gone;
        }
      }
      // A killed Xvfb leaves its lock and socket behind.
      for (const f of [`/tmp/.X${n}-lock`, `/tmp/.X11-unix/X${n}`]) fs.rmSync(f, { force: true });
    },
  };
}

// framewire with stdin as a pipe (options are --key value pairs, like startFramewire's).
export async function startFramewireWithStdin(options) {
  const port = await freePort();
  const args = ['--listen', `127.0.0.1:${port}`];
  for (const [k, v] of Object.entries(options)) {
    if (v !== undefined && v !== null) args.push(`--${k}`, String(v));
  }
  const proc = spawn(framewireBinary(), args, { stdio: ['pipe', 'pipe', 'pipe'] });
  proc.stdin.on('error', () => {});
  let log = '';
  const onData = (c) => {
    log += c.toString();
    if (log.length > 200000) log = log.slice(-100000);
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  const server = {
    proc,
    port,
    base: `http://127.0.0.1:${port}`,
    wsBase: `ws://127.0.0.1:${port}`,
    log: () => log,
    exited: () => proc.exitCode !== null || proc.signalCode !== null,
    async stop() {
      if (server.exited()) return proc.exitCode ?? proc.signalCode;
      const gone = new Promise((r) => proc.once('exit', (c, s) => r(c ?? s)));
      process.kill(proc.pid, 'SIGTERM');
      const t = setTimeout(() => {
        try {
          process.kill(proc.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 8000);
      const code = await gone;
      clearTimeout(t);
      return code;
    },
  };
  await waitFor(() => /listening on http:\/\//.test(log) || server.exited(), {
    timeoutMs: 30000,
    what: 'framewire listening',
  });
  if (server.exited()) throw new Error(`framewire exited:\n${log}`);
  return server;
}

// Keeps an MJPEG /stream open and counts JPEG parts (SOI markers) and bytes; `size` is the
// width x height of the latest picture's baseline frame header (SOF0), e.g. "1280x720".
export function mjpegReader(base) {
  const reader = { bytes: 0, parts: 0, closed: false, lastJpeg: null, size: null };
  let current = [];
  reader.req = http.get(`${base}/stream`, (res) => {
    res.on('data', (chunk) => {
      reader.bytes += chunk.length;
      for (let i = 0; i + 1 < chunk.length; i++) {
        if (chunk[i] === 0xff && chunk[i + 1] === 0xd8) reader.parts++;
        // FF C0, length (2), precision (1), height (2), width (2); jpegenc writes it early in
        // the picture, so it rarely straddles two chunks (a split one is simply skipped)
        if (chunk[i] === 0xff && chunk[i + 1] === 0xc0 && i + 8 < chunk.length) {
          reader.size = `${chunk.readUInt16BE(i + 7)}x${chunk.readUInt16BE(i + 5)}`;
        }
      }
      current.push(chunk);
      if (current.length > 64) current = current.slice(-32);
    });
    res.on('close', () => {
      reader.closed = true;
    });
  });
  reader.req.on('error', () => {
    reader.closed = true;
  });
  reader.close = () => reader.req.destroy();
  return reader;
}

export async function sourceState(base) {
  const r = await getJson(`${base}/api/state`);
  return r.json?.source;
}

const here = path.dirname(fileURLToPath(import.meta.url));

// The RTSP camera needs Debian's python3 (python3-gi) and GStreamer's RTSP server typelib.
export function rtspServerMissing() {
  if (!fs.existsSync('/usr/bin/python3')) return 'no /usr/bin/python3';
  if (!fs.readdirSync('/usr/lib/x86_64-linux-gnu/girepository-1.0', { throwIfNoEntry: false })
    ?.some((f) => f.startsWith('GstRtspServer-1.0'))) {
    return 'gir1.2-gst-rtsp-server-1.0 not installed';
  }
  if (!fs.existsSync('/usr/lib/python3/dist-packages/gi')) return 'python3-gi not installed';
  return false;
}

// Starts rtsp_server.py on 127.0.0.1:port; resolves once it listens. `url` is its stream.
export async function startRtspServer(port, { width = 640, height = 360, fps = 30 } = {}) {
  const proc = spawn('/usr/bin/python3', [path.join(here, 'rtsp_server.py'), String(port),
    String(width), String(height), String(fps)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (c) => { out += c.toString(); });
  proc.stderr.on('data', (c) => { out += c.toString(); });
  const exited = () => proc.exitCode !== null || proc.signalCode !== null;
  await waitFor(() => /ready/.test(out) || exited(), { timeoutMs: 15000, what: 'RTSP server ready' });
  if (exited()) throw new Error(`RTSP server exited: ${out}`);
  return {
    pid: proc.pid,
    url: `rtsp://127.0.0.1:${port}/cam`,
    async stop() {
      if (exited()) return;
      const gone = new Promise((r) => proc.once('exit', r));
      process.kill(proc.pid, 'SIGKILL');
      await gone;
    },
  };
}

// Records, for each Direct picture a RecordingSocket receives, its arrival (ms, Date.now()) and
// the capture time in its header (µs since the epoch): NO SIGNAL frames are told from live ones
// by their capture time against the signal events' time_us.
export function recordFrameTimes(sock) {
  const times = [];
  const previous = sock.onBinary;
  sock.onBinary = (data) => {
    if (data.length >= 10 && data[0] === 1) times.push({ at: Date.now(), captureUs: Number(data.readBigUInt64BE(2)) });
    if (previous) previous(data);
  };
  return times;
}

// The arrival time (ms) of the first recorded picture captured at or after timeUs, or null.
export function firstFrameAfter(times, timeUs) {
  return times.find((f) => f.captureUs >= timeUs)?.at ?? null;
}
