#!/usr/bin/env node
// bench/record: what a recording and a broadcast cost next to one plain Direct viewer, and
// whether they change that viewer's latency.
//  - framewire with the test source (default 1280x720, 30 fps, 4000 kbit/s, GOP 60) and one
//    Direct viewer (a node client that reads every message) in every row;
//  - rows: the viewer alone; + a recording (fragmented MP4 to a temporary directory); + an RTMP
//    broadcast to nginx (started here, when nginx and its RTMP module are installed); + a WHIP
//    publish to tests/e2e/lib/whip_receiver.py (GStreamer webrtcbin, decodes what it gets);
//  - per row: framewire's CPU (cores) over the window, and the viewer's arrival − capture time
//    (capture time from each frame's header; p50 / p95) and frame rate.
// Rows are measured in rounds (viewer, record, rtmp, whip, viewer, …) and reported as medians.
// The receivers (nginx, the WHIP receiver) are separate processes and not counted.
// Never passes or fails on a figure: exit 1 only when nothing was measured.
//
//   node bench/record.mjs                         # 10 s per row, 3 rounds
//   node bench/record.mjs --seconds 3 --rounds 1  # smoke

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { freePort } from '../tests/e2e/lib/framewire.mjs';
import { parseArgs } from './lib/args.mjs';
import { cpuSeconds, loadAverage } from './lib/procstat.mjs';
import { findBinary, getJson, repoRoot, sleep, startServer, stopAllOnExit } from './lib/process.mjs';
import { percentile, round } from './lib/stats.mjs';
import { markdownTable, textTable } from './lib/table.mjs';

const USAGE = `usage: node bench/record.mjs [--rows viewer,record,rtmp,whip] [--size WxH] [--fps N]
  [--bitrate KBIT] [--gop N] [--seconds S] [--warmup S] [--rounds N] [--framewire BIN]`;
const opts = parseArgs(process.argv.slice(2),
  { rows: 'viewer,record,rtmp,whip', size: '1280x720', fps: 30, bitrate: 4000, gop: 60, seconds: 10, warmup: 3, rounds: 3, framewire: '' }, USAGE);
stopAllOnExit();
const bin = findBinary(opts.framewire, 'src/app/framewire');
if (!bin) throw new Error('no framewire binary: build it or pass --framewire BIN');
const say = (t) => process.stderr.write(`bench: ${t}\n`);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-bench-record-'));
const owned = []; // receivers, ended by PID
const NGINX = '/usr/sbin/nginx';
const RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';
const WHIP_RECEIVER = path.join(repoRoot, 'tests', 'e2e', 'lib', 'whip_receiver.py');

async function kill(p) {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise((r) => p.once('exit', r));
  try { process.kill(p.pid, 'SIGKILL'); } catch { return; }
  await gone;
}

async function until(fn, timeoutMs, what) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await fn()) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function listening(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

async function startNginx() {
  if (!fs.existsSync(NGINX) || !fs.existsSync(RTMP_MODULE)) return null;
  const dir = path.join(tmp, 'nginx');
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(conf, `load_module ${RTMP_MODULE};
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log info;
events { worker_connections 64; }
rtmp { server { listen 127.0.0.1:${port}; application live { live on; record off; } } }
`);
  const proc = spawn(NGINX, ['-p', dir, '-c', conf, '-e', `${dir}/logs/error.log`], { stdio: 'ignore' });
  owned.push(proc);
  await until(() => listening(port), 10000, 'nginx');
  return { proc, url: `rtmp://127.0.0.1:${port}/live/bench` };
}

async function startWhipReceiver() {
  if (!fs.existsSync('/usr/bin/python3')) return null;
  const port = await freePort();
  const proc = spawn('/usr/bin/python3', [WHIP_RECEIVER, String(port), 'bench'], { stdio: ['ignore', 'pipe', 'ignore'] });
  owned.push(proc);
  let out = '';
  proc.stdout.on('data', (c) => { out += c; });
  try {
    await until(() => out.includes('ready'), 15000, 'the WHIP receiver');
  } catch {
    return null;
  }
  return { proc, url: `http://127.0.0.1:${port}/whip` };
}

// One Direct viewer: each picture's arrival and capture time (from the frame header).
function directViewer(base) {
  const v = { frames: [], closed: false };
  v.ws = new WebSocket(`${base.replace('http', 'ws')}/ws/direct`, { perMessageDeflate: false });
  v.ws.on('message', (data, binary) => {
    if (binary && data.length >= 10 && data[0] === 1) v.frames.push({ at: Date.now() * 1000, captureUs: Number(data.readBigUInt64BE(2)) });
    if (v.frames.length > 20000) v.frames.splice(0, 10000);
  });
  v.ws.on('close', () => { v.closed = true; });
  v.ws.on('error', () => {});
  v.close = () => v.ws.terminate();
  return v;
}

async function post(base, p, body) {
  const res = await fetch(`${base}${p}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(30000) });
  if (res.status !== 200) throw new Error(`POST ${p}: ${res.status} ${await res.text()}`);
}

// Starts what the row adds to the viewer; returns its stop function.
async function startRow(row, fw, receivers) {
  if (row === 'record') {
    await post(fw.base, '/api/record/start', {});
    return () => post(fw.base, '/api/record/stop', {});
  }
  if (row === 'rtmp' || row === 'whip') {
    const { url } = receivers[row];
    await post(fw.base, '/api/broadcast', { url, action: 'start', token: 'bench' });
    await until(async () => {
      const s = await getJson(`${fw.base}/api/state`);
      return s.broadcasts?.some((b) => b.state === 'live');
    }, 30000, `${row} to go live`);
    return () => post(fw.base, '/api/broadcast', { url, action: 'stop' });
  }
  return async () => {};
}

async function measureRow(row, fw, viewer, receivers) {
  const stop = await startRow(row, fw, receivers);
  await sleep(opts.warmup * 1000);
  const from = viewer.frames.length;
  const c0 = cpuSeconds(fw.pid);
  const t0 = performance.now();
  await sleep(opts.seconds * 1000);
  const cores = (cpuSeconds(fw.pid) - c0) / ((performance.now() - t0) / 1000);
  const frames = viewer.frames.slice(from);
  await stop();
  const lat = frames.map((f) => (f.at - f.captureUs) / 1000).sort((a, b) => a - b);
  return { row, cores, p50: percentile(lat, 50), p95: percentile(lat, 95), fps: frames.length / opts.seconds };
}

const NAMES = { viewer: '1 Direct viewer', record: '+ recording (MP4)', rtmp: '+ RTMP broadcast (nginx)', whip: '+ WHIP publish' };

async function main() {
  const rows = String(opts.rows).split(',').map((s) => s.trim()).filter(Boolean);
  const receivers = {};
  if (rows.includes('rtmp')) receivers.rtmp = await startNginx();
  if (rows.includes('whip')) receivers.whip = await startWhipReceiver();
  const active = rows.filter((r) => (r !== 'rtmp' && r !== 'whip') || receivers[r]);
  for (const r of rows) if (!active.includes(r)) say(`${r}: its receiver is not available here, skipped`);
  const fw = await startServer(bin, ['--listen', '127.0.0.1:0', '--log-level', 'info', '--linger', '30',
    '--size', opts.size, '--fps', String(opts.fps), '--bitrate', String(opts.bitrate), '--gop', String(opts.gop),
    '--record-dir', path.join(tmp, 'recordings')], { name: 'framewire' });
  const viewer = directViewer(fw.base);
  await until(() => viewer.frames.length > 30, 20000, 'the Direct viewer');
  const results = Object.fromEntries(active.map((r) => [r, []]));
  for (let round_ = 0; round_ < opts.rounds; round_++) {
    for (const row of active) {
      say(`round ${round_ + 1}/${opts.rounds}: ${row}`);
      results[row].push(await measureRow(row, fw, viewer, receivers));
    }
  }
  viewer.close();
  await fw.stop();
  for (const p of owned) await kill(p);
  fs.rmSync(tmp, { recursive: true, force: true });

  const med = (xs) => percentile(xs.filter(Number.isFinite).sort((a, b) => a - b), 50);
  const base = med(results.viewer?.map((r) => r.cores) ?? []);
  const headers = ['row', 'framewire CPU (cores)', 'added to the viewer row', 'viewer fps', 'viewer arrival − capture p50 ms', 'p95 ms'];
  const table = active.map((row) => {
    const rs = results[row];
    const cores = med(rs.map((r) => r.cores));
    return [NAMES[row] ?? row, round(cores, 3), row === 'viewer' || !Number.isFinite(base) ? '' : round(cores - base, 3),
      round(med(rs.map((r) => r.fps)), 1), round(med(rs.map((r) => r.p50)), 2), round(med(rs.map((r) => r.p95)), 2)];
  });
  const setup = `${opts.size}@${opts.fps}, ${opts.bitrate} kbit/s, GOP ${opts.gop}, ${opts.seconds} s × ${opts.rounds} rounds (medians); load ${loadAverage().join(' ')}`;
  process.stdout.write(`${setup}\n${textTable(headers, table)}\n\n${markdownTable(headers, table)}\n`);
  if (!table.length) process.exit(1);
}

main().catch(async (e) => {
  say(e.stack || String(e));
  for (const p of owned) await kill(p);
  process.exit(1);
});
