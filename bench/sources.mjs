#!/usr/bin/env node
// bench/sources: what each source costs and how fast the picture switches when it fails.
//  - CPU of framewire (plus its x11 capture child) with each source at 1280x720 (x11 also at
//    1920x1080), 30 fps, one Direct viewer (a node client that reads every message). The
//    producers (Xvfb, ffmpeg, the RTSP camera) are measured apart and not counted.
//  - Time from a source failure to the first NO SIGNAL frame a Direct viewer receives, and from
//    the source's return to the first live frame: x11 (Xvfb killed / started again), stdin
//    (input closed), rtsp (camera stopped / started again). A frame is told NO SIGNAL or live by
//    its capture time against the time_us of /ws/events' signal_lost / signal_restored.
// Never passes or fails on a figure: exit 1 only when nothing was measured.
//
//   node bench/sources.mjs                       # everything, 8 s per CPU row, 3 rounds
//   node bench/sources.mjs --sources test,rtsp --seconds 3 --rounds 1   # smoke

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { freeDisplay, hasCommand, rtspServerMissing, startRtspServer, startXvfb } from '../tests/e2e/lib/sources.mjs';
import { freePort } from '../tests/e2e/lib/framewire.mjs';
import { parseArgs } from './lib/args.mjs';
import { cpuSeconds, loadAverage } from './lib/procstat.mjs';
import { benchDir, findBinary, getJson, sleep, startServer, stopAllOnExit } from './lib/process.mjs';
import { markdownTable, textTable } from './lib/table.mjs';

const ALL = 'test,x11,x11-1080,stdin-raw,stdin-h264,file,rtsp';
const USAGE = `usage: node bench/sources.mjs [--sources ${ALL}] [--failures x11,stdin,rtsp]
  [--seconds S] [--warmup S] [--rounds N] [--framewire BIN] [--name NAME]
  (an empty list, e.g. --failures "", skips that part)`;
const opts = parseArgs(process.argv.slice(2),
  { sources: ALL, failures: 'x11,stdin,rtsp', seconds: 8, warmup: 3, rounds: 3, framewire: '', name: '' }, USAGE);
stopAllOnExit();
const bin = findBinary(opts.framewire, 'src/app/framewire');
if (!bin) throw new Error('no framewire binary: build it or pass --framewire BIN');
const list = (s) => String(s).split(',').map((x) => x.trim()).filter(Boolean);
const name = opts.name || `sources-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`;
const say = (t) => process.stderr.write(`bench: ${t}\n`);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-bench-sources-'));
const owned = []; // producer processes, ended by PID
process.on('exit', () => {
  for (const p of owned) {
    try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

// ---- processes ------------------------------------------------------------------------------

function spawnOwned(cmd, args, stdio = ['ignore', 'ignore', 'ignore']) {
  const p = spawn(cmd, args, { stdio });
  owned.push(p);
  p.stdin?.on('error', () => {});
  return p;
}

async function kill(p) {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise((r) => p.once('exit', r));
  try { process.kill(p.pid, 'SIGKILL'); } catch { return; }
  await gone;
}

// framewire with its stdin a pipe (for the stdin source), else as the other benches start it.
function startFramewire(args, { stdin = false } = {}) {
  const all = ['--listen', '127.0.0.1:0', '--log-level', 'info', '--linger', '30', ...args];
  if (!stdin) return startServer(bin, all, { name: 'framewire' });
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, all, { stdio: ['pipe', 'pipe', 'pipe'] });
    owned.push(proc);
    proc.stdin.on('error', () => {});
    let log = '';
    const t = setTimeout(() => reject(new Error(`framewire did not start:\n${log}`)), 30000);
    const onData = (c) => {
      log += c.toString();
      const m = /listening on http:\/\/[\d.]+:(\d+)\//.exec(log);
      if (m) {
        clearTimeout(t);
        resolve({ pid: proc.pid, proc, port: Number(m[1]), base: `http://127.0.0.1:${m[1]}`, stop: () => kill(proc) });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
  });
}

// CPU seconds of a process and its children (the x11 capture child), read from /proc.
function childrenOf(pid) {
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch { /* gone */ }
  }
  return out;
}

function treeCpu(pid) {
  let total = 0;
  for (const p of [pid, ...childrenOf(pid)]) {
    try { total += cpuSeconds(p); } catch { /* gone */ }
  }
  return total;
}

// ---- viewers --------------------------------------------------------------------------------

// One Direct viewer recording each picture's arrival and capture time; plus /ws/events.
function directViewer(base) {
  const v = { frames: [], hellos: [], closed: false };
  v.ws = new WebSocket(`${base.replace('http', 'ws')}/ws/direct`, { perMessageDeflate: false });
  v.ws.on('message', (data, binary) => {
    if (binary && data.length >= 10 && data[0] === 1) v.frames.push({ at: Date.now(), captureUs: Number(data.readBigUInt64BE(2)) });
    else if (!binary) v.hellos.push(JSON.parse(data.toString()));
    if (v.frames.length > 20000) v.frames.splice(0, 10000);
  });
  v.ws.on('close', () => { v.closed = true; });
  v.ws.on('error', () => {});
  v.close = () => v.ws.terminate();
  return v;
}

function eventsListener(base) {
  const e = { events: [] };
  e.ws = new WebSocket(`${base.replace('http', 'ws')}/ws/events`);
  e.ws.on('message', (d) => e.events.push(JSON.parse(d.toString())));
  e.ws.on('error', () => {});
  e.opened = new Promise((r) => e.ws.once('open', r));
  e.close = () => e.ws.terminate();
  return e;
}

async function until(fn, timeoutMs, what) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const firstFrameAfter = (v, us) => v.frames.find((f) => f.captureUs >= us)?.at ?? null;

// ---- sources --------------------------------------------------------------------------------

// Each returns { args, stdin?, start(fw), stop() }: the framewire arguments and its producer.
async function sourceSetup(kind) {
  if (kind === 'test') return { args: ['--source', 'test', '--size', '1280x720', '--fps', '30'], stop: async () => {} };
  if (kind === 'x11' || kind === 'x11-1080') {
    if (!hasCommand('Xvfb')) return { skip: 'no Xvfb' };
    const size = kind === 'x11' ? '1280x720' : '1920x1080';
    const display = freeDisplay();
    const xvfb = await startXvfb(display, { size });
    return { args: ['--source', 'x11', '--x11-display', `:${display}`, '--fps', '30'], producerPids: () => [xvfb.pid], stop: () => xvfb.stop() };
  }
  if (kind === 'stdin-raw' || kind === 'stdin-h264') {
    const h264 = kind === 'stdin-h264';
    let ff = null;
    return {
      args: h264 ? ['--source', 'stdin', '--codec', 'h264', '--fps', '30']
        : ['--source', 'stdin', '--format', 'i420', '--size', '1280x720', '--fps', '30'],
      stdin: true,
      start(fw) {
        ff = spawnOwned('ffmpeg', ['-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-t', '600',
          ...(h264 ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-bf', '0', '-g', '60',
            '-x264-params', 'repeat-headers=1', '-pix_fmt', 'yuv420p', '-f', 'h264', '-']
            : ['-pix_fmt', 'yuv420p', '-f', 'rawvideo', '-']), ], ['ignore', 'pipe', 'ignore']);
        ff.stdout.pipe(fw.proc.stdin);
      },
      producerPids: () => (ff ? [ff.pid] : []),
      endInput(fw) {
        ff.stdout.unpipe(fw.proc.stdin);
        fw.proc.stdin.end();
        return kill(ff);
      },
      stop: () => kill(ff),
    };
  }
  if (kind === 'file') {
    const file = path.join(tmp, 'clip.mp4');
    if (!fs.existsSync(file)) {
      const p = spawnOwned('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-t', '10',
        '-c:v', 'libx264', '-preset', 'veryfast', '-bf', '0', '-pix_fmt', 'yuv420p', '-y', file]);
      await new Promise((r) => p.once('exit', r));
    }
    return { args: ['--source', 'file', '--file', file, '--fps', '30'], stop: async () => {} };
  }
  if (kind === 'rtsp') {
    const missing = rtspServerMissing();
    if (missing) return { skip: missing };
    const port = await freePort();
    let cam = await startRtspServer(port, { width: 1280, height: 720, fps: 30 });
    return {
      args: ['--source', 'rtsp', '--url', cam.url, '--fps', '30'],
      producerPids: () => [cam.pid],
      async stopCamera() { await cam.stop(); },
      async startCamera() { cam = await startRtspServer(port, { width: 1280, height: 720, fps: 30 }); },
      stop: () => cam.stop(),
    };
  }
  throw new Error(`unknown source ${kind}`);
}

// ---- CPU ------------------------------------------------------------------------------------

async function cpuRow(kind) {
  const setup = await sourceSetup(kind);
  if (setup.skip) return { source: kind, skipped: setup.skip };
  const fw = await startFramewire(setup.args, { stdin: setup.stdin });
  setup.start?.(fw);
  const viewer = directViewer(fw.base);
  try {
    await until(() => viewer.frames.length >= 10, 20000, `${kind}: first frames`);
    await sleep(opts.warmup * 1000);
    const producers = setup.producerPids?.() ?? [];
    const c0 = treeCpu(fw.pid);
    const p0 = producers.reduce((s, p) => s + treeCpu(p), 0);
    const n0 = viewer.frames.length;
    const t0 = performance.now();
    await sleep(opts.seconds * 1000);
    const secs = (performance.now() - t0) / 1000;
    const cpu = (treeCpu(fw.pid) - c0) / secs;
    const producerCpu = (producers.reduce((s, p) => s + treeCpu(p), 0) - p0) / secs;
    const state = await getJson(`${fw.base}/api/state`);
    const main = (state.branches ?? []).find((b) => b.id === 'main');
    return {
      source: kind,
      size: `${state.source.width}x${state.source.height}`,
      passthrough: state.source.passthrough,
      encoder_running: main?.encoding ?? null,
      signal: state.source.signal,
      fps: Math.round(((viewer.frames.length - n0) / secs) * 10) / 10,
      cpu: Math.round(cpu * 1000) / 1000,
      producer_cpu: Math.round(producerCpu * 1000) / 1000,
    };
  } finally {
    viewer.close();
    await fw.stop();
    await setup.stop();
  }
}

// ---- failures -------------------------------------------------------------------------------

// One round: the source fails; ms to the first NO SIGNAL frame; it returns; ms to the first
// live frame (and the producer's own start time, included in that).
async function failureRounds(kind) {
  const setupKind = kind === 'stdin' ? 'stdin-raw' : kind;
  const rows = [];
  for (let round = 0; round < opts.rounds; round++) {
    const setup = await sourceSetup(setupKind);
    if (setup.skip) return [{ source: kind, skipped: setup.skip }];
    const fw = await startFramewire([...setup.args, ...(kind === 'x11' ? ['--size', '1280x720'] : [])], { stdin: setup.stdin });
    setup.start?.(fw);
    const viewer = directViewer(fw.base);
    const events = eventsListener(fw.base);
    let xvfb = null;
    try {
      await events.opened;
      await until(() => viewer.frames.length >= 30, 20000, `${kind}: first frames`);
      // Fail a live source only (a busy producer may have paused it), and read only the events
      // that follow.
      await until(async () => (await getJson(`${fw.base}/api/state`)).source.signal === 'live', 10000, 'a live signal');
      const seen = events.events.length;
      const after = (type) => events.events.slice(seen).find((e) => e.type === type);
      const t0 = Date.now();
      if (kind === 'x11') await setup.stop();
      else if (kind === 'stdin') await setup.endInput(fw);
      else await setup.stopCamera();
      const lost = await until(() => after('signal_lost'), 15000, 'signal_lost');
      const noSignalAt = await until(() => firstFrameAfter(viewer, lost.time_us), 5000, 'a NO SIGNAL frame');
      const row = { source: kind, round: round + 1, reason: lost.reason, to_no_signal_ms: noSignalAt - t0, lost_event_ms: Math.round(lost.time_us / 1000 - t0) };
      if (kind !== 'stdin') {
        await sleep(1500); // NO SIGNAL for a while, retries failing meanwhile
        const t1 = Date.now();
        if (kind === 'x11') {
          const display = /--x11-display :(\d+)/.exec(setup.args.join(' '))[1];
          xvfb = await startXvfb(Number(display), { size: '1280x720' });
        } else {
          await setup.startCamera();
        }
        row.producer_up_ms = Date.now() - t1;
        const restored = await until(() => after('signal_restored'), 20000, 'signal_restored');
        const liveAt = await until(() => firstFrameAfter(viewer, restored.time_us), 5000, 'a live frame');
        row.to_live_ms = liveAt - t1;
      }
      row.viewer_dropped = viewer.closed;
      rows.push(row);
      say(`${kind} round ${round + 1}: ${JSON.stringify(row)}`);
    } catch (e) {
      rows.push({ source: kind, round: round + 1, error: e.message });
    } finally {
      viewer.close();
      events.close();
      await fw.stop();
      if (xvfb) await xvfb.stop();
      await setup.stop();
    }
  }
  return rows;
}

// ---- run ------------------------------------------------------------------------------------

const results = { name, started: new Date().toISOString(), loadAverageStart: loadAverage(), opts, cpu: [], failures: [] };
for (const kind of list(opts.sources)) {
  say(`CPU: ${kind}`);
  try {
    results.cpu.push(await cpuRow(kind));
  } catch (e) {
    results.cpu.push({ source: kind, error: e.message });
  }
}
for (const kind of list(opts.failures)) {
  say(`failure and recovery: ${kind}`);
  results.failures.push(...(await failureRounds(kind)));
}
results.loadAverageEnd = loadAverage();

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : null;
};
const cpuHeaders = ['source', 'size', 'pass-through', 'encoder runs', 'Direct fps', 'framewire CPU (cores)', 'producer CPU (cores)'];
const cpuRows = results.cpu.map((r) => (r.skipped || r.error ? [r.source, r.skipped ?? `error: ${r.error}`, null, null, null, null, null]
  : [r.source, r.size, r.passthrough, r.encoder_running, r.fps, r.cpu, r.producer_cpu]));
const failHeaders = ['source', 'reason', 'rounds', 'failure → first NO SIGNAL frame ms (median; each)', 'restart → first live frame ms (median; each)', 'producer start ms (median)', 'viewer dropped'];
const failRows = list(opts.failures).map((kind) => {
  const rs = results.failures.filter((r) => r.source === kind && !r.error && !r.skipped);
  const errs = results.failures.filter((r) => r.source === kind && (r.error || r.skipped));
  if (!rs.length) return [kind, errs.map((e) => e.skipped ?? e.error).join('; ') || 'no data', 0, null, null, null, null];
  const each = (k) => (rs.some((r) => r[k] !== undefined) ? `${median(rs.map((r) => r[k]))} (${rs.map((r) => r[k]).join(', ')})` : null);
  return [kind, rs[0].reason, rs.length, each('to_no_signal_ms'), each('to_live_ms'), median(rs.map((r) => r.producer_up_ms)), rs.some((r) => r.viewer_dropped)];
});
console.log(`\nCPU per source (30 fps, one Direct viewer, ${opts.seconds} s windows; load average ${results.loadAverageStart.join(' ')} → ${results.loadAverageEnd.join(' ')})\n`);
console.log(textTable(cpuHeaders, cpuRows));
console.log('\nFailure and recovery (Direct viewer; times from the failure / from starting the source again)\n');
console.log(textTable(failHeaders, failRows));
fs.mkdirSync(path.join(benchDir, 'results'), { recursive: true });
fs.writeFileSync(path.join(benchDir, 'results', `${name}.json`), JSON.stringify(results, null, 1));
fs.writeFileSync(path.join(benchDir, 'results', `${name}.md`),
  `${markdownTable(cpuHeaders, cpuRows)}\n\n${markdownTable(failHeaders, failRows)}\n`);
say(`results: bench/results/${name}.{json,md}`);
const measured = results.cpu.some((r) => Number.isFinite(r.cpu)) || results.failures.some((r) => Number.isFinite(r.to_no_signal_ms));
process.exit(measured ? 0 : 1);
