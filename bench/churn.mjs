#!/usr/bin/env node
// bench/churn: many short viewers in a row against one framewire, loopback only. Each viewer
// connects, waits for its first picture (or answer), and leaves; modes take turns (Direct,
// MJPEG, snapshot, events, and WHEP offers answered then DELETEd). Before and after (once the
// server has settled): open file descriptors, threads and RSS of the server process, so a
// leak per connection shows as growth. Bounded in count and time; never fails on timing.
//
//   node bench/churn.mjs                                   # 10000 viewers, 16 at a time
//   node bench/churn.mjs --count 500 --concurrency 8      # a quick run
//   node bench/churn.mjs --modes direct,mjpeg --max-seconds 120

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import WebSocket from 'ws';
import { parseArgs } from './lib/args.mjs';
import { rssMB } from './lib/procstat.mjs';
import { findBinary, repoRoot, sleep, startServer, stopAllOnExit } from './lib/process.mjs';

const USAGE = `usage: node bench/churn.mjs [--count N] [--concurrency C] [--modes direct,mjpeg,snapshot,events,webrtc]
  [--webrtc-every K] [--max-seconds S] [--settle S] [--framewire BIN] [--json FILE]`;
const opts = parseArgs(
  process.argv.slice(2),
  { count: 10000, concurrency: 16, modes: 'direct,mjpeg,snapshot,events,webrtc', 'webrtc-every': 10, 'max-seconds': 1200, settle: 15, framewire: '', json: '' },
  USAGE,
);
stopAllOnExit();
const bin = findBinary(opts.framewire, 'src/app/framewire');
if (!bin) throw new Error('no framewire binary: build it or pass --framewire BIN');

// A real Chromium offer (video only) from the SDP unit tests' fixtures.
const fixtures = fs.readFileSync(path.join(repoRoot, 'tests/unit/sdp_chromium_offers.hpp'), 'utf8');
const OFFER = /kChromiumVideoOnlyOffer = R"SDP\(([\s\S]*?)\)SDP"/.exec(fixtures)[1].replace(/\r?\n/g, '\r\n');

function procCounts(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    fds: fs.readdirSync(`/proc/${pid}/fd`).length,
    threads: Number(/Threads:\s+(\d+)/.exec(status)[1]),
    rssMB: Number(rssMB(pid).toFixed(1)),
  };
}

const TIMEOUT_MS = 8000;

function withTimeout(promise, what) {
  let t;
  return Promise.race([
    promise,
    new Promise((_, reject) => { t = setTimeout(() => reject(new Error(`${what}: timeout`)), TIMEOUT_MS); }),
  ]).finally(() => clearTimeout(t));
}

// A WebSocket viewer: connect, wait for the first message, close.
function wsViewer(url, wantBinary) {
  return withTimeout(new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('message', (_data, isBinary) => {
      if (!wantBinary || isBinary) { ws.close(); resolve(); }
    });
    ws.on('unexpected-response', (_req, res) => { res.resume(); ws.terminate(); reject(new Error(`HTTP ${res.statusCode}`)); });
    ws.on('error', reject);
  }), url);
}

// An HTTP GET that reads until `enoughBytes` arrived (a stream) or the end, then drops.
function httpViewer(url, enoughBytes) {
  return withTimeout(new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      if (res.statusCode !== 200) { res.resume(); reject(new Error(`HTTP ${res.statusCode}`)); return; }
      let got = 0;
      res.on('data', (c) => { got += c.length; if (got >= enoughBytes) { req.destroy(); resolve(); } });
      res.on('end', () => resolve());
      res.on('error', () => {});
    });
    req.on('error', (e) => { if (e.code !== 'ECONNRESET') reject(e); });
  }), url);
}

function request(url, method, headers, body) {
  return withTimeout(new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  }), `${method} ${url}`);
}

async function whepViewer(base) {
  const r = await request(`${base}/whep`, 'POST', { 'Content-Type': 'application/sdp' }, OFFER);
  if (r.status !== 201) throw new Error(`POST /whep ${r.status} ${r.body.slice(0, 100)}`);
  const d = await request(`${base}${r.headers.location}`, 'DELETE', {}, undefined);
  if (d.status !== 200 && d.status !== 204) throw new Error(`DELETE ${d.status}`);
}

const server = await startServer(bin, ['--listen', '127.0.0.1:0', '--size', '640x360', '--fps', '30', '--bitrate', '1000', '--jpeg-fps', '30', '--linger', '30', '--log-level', 'info', '--webrtc-max-peers', '50', '--webrtc-max-per-address', '0', '--max-viewers', '0'], { name: 'framewire' });
const base = server.base;
const wsBase = base.replace('http:', 'ws:');
const modes = opts.modes.split(',').map((s) => s.trim()).filter(Boolean);
const run = {
  direct: () => wsViewer(`${wsBase}/ws/direct`, true),
  mjpeg: () => httpViewer(`${base}/stream`, 2000),
  snapshot: () => httpViewer(`${base}/snapshot`, Infinity),
  events: () => wsViewer(`${wsBase}/ws/events`, false),
  webrtc: () => whepViewer(base),
};
for (const m of modes) if (!run[m]) throw new Error(`unknown mode ${m}\n${USAGE}`);

// Warm up once per mode (pipelines, encoders and lazily made threads exist before "before").
for (const m of modes) await run[m]().catch((e) => console.log(`warm-up ${m}: ${e.message}`));
await sleep(3000);
const before = procCounts(server.pid);
console.log(`before: ${JSON.stringify(before)}`);

// Modes take turns; WHEP (a webrtcbin per offer, much heavier) every K-th viewer, one at a time.
const stats = Object.fromEntries(modes.map((m) => [m, { ok: 0, failed: 0, errors: {} }]));
const socketModes = modes.filter((m) => m !== 'webrtc');
let next = 0;
let peak = { ...before };
const t0 = performance.now();
const deadline = Date.now() + opts['max-seconds'] * 1000;
let webrtcBusy = Promise.resolve();
async function lane() {
  while (next < opts.count && Date.now() < deadline) {
    const i = next++;
    let mode = socketModes[i % Math.max(socketModes.length, 1)];
    if (modes.includes('webrtc') && (i % opts['webrtc-every'] === 0 || socketModes.length === 0)) mode = 'webrtc';
    const attempt = async () => run[mode]();
    const p = mode === 'webrtc' ? (webrtcBusy = webrtcBusy.then(attempt, attempt)) : attempt();
    try {
      await p;
      stats[mode].ok++;
    } catch (e) {
      stats[mode].failed++;
      const key = e.message.slice(0, 60);
      stats[mode].errors[key] = (stats[mode].errors[key] ?? 0) + 1;
    }
    if (i % 500 === 0) {
      const now = procCounts(server.pid);
      peak = { fds: Math.max(peak.fds, now.fds), threads: Math.max(peak.threads, now.threads), rssMB: Math.max(peak.rssMB, now.rssMB) };
      process.stdout.write(`  ${i}/${opts.count} ${JSON.stringify(now)}\n`);
    }
  }
}
await Promise.all(Array.from({ length: opts.concurrency }, lane));
const elapsed = (performance.now() - t0) / 1000;
const done = Object.values(stats).reduce((a, s) => a + s.ok + s.failed, 0);

// Settle: viewers' sessions end, WHEP peers are reaped, capture may linger.
await sleep(opts.settle * 1000);
const after = procCounts(server.pid);
const state = await (await fetch(`${base}/api/state`)).json();
const leftClients = (state.clients ?? []).length;
const leftPeers = (state.webrtc?.peers ?? []).length;
await server.stop();

console.log(`\nchurn: ${done} viewers in ${elapsed.toFixed(1)} s (${(done / elapsed).toFixed(0)}/s), concurrency ${opts.concurrency}`);
console.log('| mode | ok | failed | errors |\n|---|---:|---:|---|');
for (const [m, s] of Object.entries(stats)) {
  console.log(`| ${m} | ${s.ok} | ${s.failed} | ${Object.entries(s.errors).map(([k, v]) => `${k} ×${v}`).join('; ')} |`);
}
console.log('\n| | fds | threads | RSS MB |\n|---|---:|---:|---:|');
console.log(`| before | ${before.fds} | ${before.threads} | ${before.rssMB} |`);
console.log(`| peak | ${peak.fds} | ${peak.threads} | ${peak.rssMB} |`);
console.log(`| after (${opts.settle} s settle) | ${after.fds} | ${after.threads} | ${after.rssMB} |`);
console.log(`clients left in /api/state: ${leftClients}, WebRTC peers left: ${leftPeers}`);
if (opts.json) fs.writeFileSync(opts.json, JSON.stringify({ opts, elapsed, stats, before, peak, after, leftClients, leftPeers }, null, 2));
process.exit(done > 0 ? 0 : 1);
