#!/usr/bin/env node
// bench/soak: steady viewing for a bounded time against one framewire, loopback only. A few
// Direct viewers (the `ws` package), a few MJPEG viewers (HTTP) and one WebRTC viewer (WHEP in
// headless Chromium) watch all along, while the bitrate is changed every 30 s (POST
// /api/settings, alternating). Every 10 s the server's open file descriptors, threads and RSS
// are sampled with each viewer's frame count. Prints a table and the growth between the first
// and the last 5 minutes (or thirds, for short runs), and writes JSON. Never fails on timing or
// growth figures; fails (exit 1) only when a viewer got nothing or a settings change was refused.
//
//   node bench/soak.mjs                         # 30 minutes
//   node bench/soak.mjs --minutes 0.2 --no-browser   # a smoke (CI runs this through ctest)

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import WebSocket from 'ws';
import { parseArgs } from './lib/args.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { rssMB } from './lib/procstat.mjs';
import { benchDir, findBinary, sleep, startServer, stopAllOnExit } from './lib/process.mjs';

const USAGE = `usage: node bench/soak.mjs [--minutes N] [--direct N] [--mjpeg N] [--no-browser]
  [--settings-every S] [--sample-every S] [--bitrates A,B] [--size WxH] [--fps F]
  [--framewire BIN] [--json FILE]`;
const opts = parseArgs(
  process.argv.slice(2),
  { minutes: 30, direct: 3, mjpeg: 2, browser: true, 'settings-every': 30, 'sample-every': 10, bitrates: '1500,600', size: '640x360', fps: 30, framewire: '', json: '' },
  USAGE,
);
stopAllOnExit();
const bin = findBinary(opts.framewire, 'src/app/framewire');
if (!bin) throw new Error('no framewire binary: build it or pass --framewire BIN');
const durationMs = opts.minutes * 60_000;
const jsonPath = opts.json || path.join(benchDir, 'results', `soak-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}.json`);

function procCounts(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    fds: fs.readdirSync(`/proc/${pid}/fd`).length,
    threads: Number(/Threads:\s+(\d+)/.exec(status)[1]),
    rssMB: Number(rssMB(pid).toFixed(1)),
  };
}

const server = await startServer(bin, ['--listen', '127.0.0.1:0', '--size', opts.size, '--fps', String(opts.fps), '--bitrate', opts.bitrates.split(',')[0], '--jpeg-fps', '15', '--log-level', 'info'], { name: 'framewire' });
const base = server.base;
const wsBase = base.replace('http:', 'ws:');
const viewers = [];
let stopping = false;

// A Direct viewer that stays: counts binary messages (access units); reconnects if dropped.
function directViewer(name) {
  const v = { name, mode: 'direct', frames: 0, reconnects: 0 };
  const connect = () => {
    if (stopping) return;
    const ws = new WebSocket(`${wsBase}/ws/direct`, { perMessageDeflate: false });
    v.close = () => ws.terminate();
    ws.on('message', (_d, isBinary) => { if (isBinary) v.frames++; });
    ws.on('error', () => {});
    ws.on('close', () => { if (!stopping) { v.reconnects++; setTimeout(connect, 1000); } });
  };
  connect();
  return v;
}

// An MJPEG viewer that stays: counts multipart boundaries (pictures).
function mjpegViewer(name) {
  const v = { name, mode: 'mjpeg', frames: 0, reconnects: 0 };
  const boundary = Buffer.from('--framewireboundary');
  const connect = () => {
    if (stopping) return;
    const req = http.get(`${base}/stream`, { agent: false }, (res) => {
      let tail = Buffer.alloc(0);
      res.on('data', (chunk) => {
        const buf = Buffer.concat([tail, chunk]);
        for (let i = buf.indexOf(boundary); i >= 0; i = buf.indexOf(boundary, i + 1)) v.frames++;
        tail = buf.subarray(Math.max(0, buf.length - boundary.length + 1));
      });
      res.on('error', () => {});
      res.on('close', () => { if (!stopping) { v.reconnects++; setTimeout(connect, 1000); } });
    });
    req.on('error', () => {});
    v.close = () => req.destroy();
  };
  connect();
  return v;
}

// One WebRTC viewer: WHEP from a page at the server's origin, frames counted by
// requestVideoFrameCallback (decoded and presented by Chromium).
async function webrtcViewer(browser) {
  const v = { name: 'webrtc-1', mode: 'webrtc', frames: 0, reconnects: 0 };
  const page = await browser.context.newPage();
  await page.goto(`${base}/__bench/bench.html`);
  await page.evaluate(async () => {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    const video = document.createElement('video');
    video.muted = true;
    document.body.appendChild(video);
    window.soakFrames = 0;
    pc.ontrack = (e) => {
      video.srcObject = new MediaStream([e.track]);
      video.play().catch(() => {});
      const count = () => { window.soakFrames++; video.requestVideoFrameCallback(count); };
      video.requestVideoFrameCallback(count);
    };
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((r) => {
      if (pc.iceGatheringState === 'complete') return r();
      const t = setTimeout(r, 2000);
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && (clearTimeout(t), r()));
    });
    const res = await fetch('/whep', { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
    if (res.status !== 201) throw new Error(`WHEP ${res.status}: ${await res.text()}`);
    await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
    window.soakPc = pc;
  });
  v.poll = async () => { v.frames = await page.evaluate(() => window.soakFrames).catch(() => v.frames); };
  v.close = () => page.close().catch(() => {});
  return v;
}

for (let i = 0; i < opts.direct; i++) viewers.push(directViewer(`direct-${i + 1}`));
for (let i = 0; i < opts.mjpeg; i++) viewers.push(mjpegViewer(`mjpeg-${i + 1}`));
let browser = null;
if (opts.browser) {
  browser = await launchBrowser();
  viewers.push(await webrtcViewer(browser));
}

// Settings: bitrate alternating every S seconds.
const bitrates = opts.bitrates.split(',').map(Number);
const settings = { ok: 0, failed: 0, last_error: null };
let settingsIndex = 0;
async function changeSettings() {
  settingsIndex++;
  const bitrate = bitrates[settingsIndex % bitrates.length];
  try {
    const res = await fetch(`${base}/api/settings`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ bitrate }), signal: AbortSignal.timeout(10000),
    });
    const body = await res.json();
    if (res.status === 200 && body.ok) settings.ok++;
    else { settings.failed++; settings.last_error = `${res.status} ${JSON.stringify(body).slice(0, 200)}`; }
  } catch (e) { settings.failed++; settings.last_error = e.message; }
}

// Samples: server counts and each viewer's frames so far.
const samples = [];
const t0 = Date.now();
async function sample() {
  for (const v of viewers) if (v.poll) await v.poll();
  const s = { t_s: Math.round((Date.now() - t0) / 1000), ...procCounts(server.pid), frames: Object.fromEntries(viewers.map((v) => [v.name, v.frames])) };
  samples.push(s);
  const fr = viewers.map((v) => `${v.name}=${v.frames}`).join(' ');
  console.log(`${String(s.t_s).padStart(5)} s  fds ${s.fds}  threads ${s.threads}  RSS ${s.rssMB} MB  ${fr}`);
}

console.log(`soak: ${opts.minutes} min, ${opts.direct} Direct, ${opts.mjpeg} MJPEG, ${opts.browser ? 1 : 0} WebRTC; bitrate ${bitrates.join('/')} every ${opts['settings-every']} s; pid ${server.pid}`);
await sample();
let nextSettings = t0 + opts['settings-every'] * 1000;
let nextSample = t0 + opts['sample-every'] * 1000;
while (Date.now() - t0 < durationMs && !server.exited) {
  const now = Date.now();
  if (now >= nextSettings) { nextSettings += opts['settings-every'] * 1000; await changeSettings(); }
  if (now >= nextSample) { nextSample += opts['sample-every'] * 1000; await sample(); }
  await sleep(Math.max(50, Math.min(nextSettings, nextSample, t0 + durationMs) - Date.now()));
}
await sample();
stopping = true;
const serverDied = server.exited;
for (const v of viewers) await v.close?.();
if (browser) await browser.close();
await server.stop();

// Growth: mean of the first window against the last (5 min each, or thirds of a short run).
const windowS = Math.min(300, samples[samples.length - 1].t_s / 3);
const first = samples.filter((s) => s.t_s <= windowS);
const last = samples.filter((s) => s.t_s >= samples[samples.length - 1].t_s - windowS);
const mean = (xs, k) => xs.reduce((a, s) => a + s[k], 0) / Math.max(xs.length, 1);
const growth = Object.fromEntries(['fds', 'threads', 'rssMB'].map((k) => [k, { first: +mean(first, k).toFixed(1), last: +mean(last, k).toFixed(1), growth: +(mean(last, k) - mean(first, k)).toFixed(1) }]));
const elapsedS = samples[samples.length - 1].t_s;
// fps between the first and the last sample (the viewers start before the clock does)
const rates = Object.fromEntries(viewers.map((v) => [v.name, { frames: v.frames, fps: +((v.frames - samples[0].frames[v.name]) / Math.max(elapsedS, 1)).toFixed(1), reconnects: v.reconnects }]));

console.log(`\nsoak: ${elapsedS} s, ${samples.length} samples, settings changes ${settings.ok} ok / ${settings.failed} failed${settings.last_error ? ` (${settings.last_error})` : ''}`);
console.log(`\n| | fds | threads | RSS MB |\n|---|---:|---:|---:|`);
console.log(`| first ${windowS.toFixed(0)} s (mean) | ${growth.fds.first} | ${growth.threads.first} | ${growth.rssMB.first} |`);
console.log(`| last ${windowS.toFixed(0)} s (mean) | ${growth.fds.last} | ${growth.threads.last} | ${growth.rssMB.last} |`);
console.log(`| growth | ${growth.fds.growth} | ${growth.threads.growth} | ${growth.rssMB.growth} |`);
console.log(`| max | ${Math.max(...samples.map((s) => s.fds))} | ${Math.max(...samples.map((s) => s.threads))} | ${Math.max(...samples.map((s) => s.rssMB))} |`);
console.log(`\n| viewer | frames | fps | reconnects |\n|---|---:|---:|---:|`);
for (const [name, r] of Object.entries(rates)) console.log(`| ${name} | ${r.frames} | ${r.fps} | ${r.reconnects} |`);
fs.mkdirSync(path.dirname(jsonPath), { recursive: true });
fs.writeFileSync(jsonPath, JSON.stringify({ opts, elapsed_s: elapsedS, settings, growth, viewers: rates, samples }, null, 2));
console.log(`\nJSON: ${jsonPath}`);

const silent = viewers.filter((v) => v.frames === 0).map((v) => v.name);
if (serverDied) console.log('soak: FAILED: the server exited during the run');
if (silent.length) console.log(`soak: FAILED: no frames for ${silent.join(', ')}`);
if (settings.failed) console.log('soak: FAILED: a settings change was refused');
process.exit(serverDied || silent.length || settings.failed ? 1 : 0);
