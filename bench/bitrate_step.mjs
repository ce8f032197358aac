#!/usr/bin/env node
// bench/bitrate_step: how long a live bitrate change (POST /api/settings) takes to show in the
// rate a viewer measures.
//  - per encoder: framewire with the test source and one `branches:` branch of that encoder
//    at 4000 kbit/s, and one Direct viewer (a node client that counts the bytes of every frame);
//  - each round: 4000 → 1000 kbit/s, hold, 1000 → 4000, hold;
//  - per step: the time from the POST to the end of the first `--window` ms window (sliding by
//    100 ms) whose rate is within ±20 % of the target ("reached"), and to the end of the
//    first window from which every later one stays within ±20 % until the hold ends ("stays";
//    "–" when it never settles, as a rate controller that keeps overshooting does);
//  - medians over the rounds.
// Never passes or fails on a figure: exit 1 only when nothing was measured.
//
//   node bench/bitrate_step.mjs                                   # x264, openh264, vp8, vp9; 3 rounds
//   node bench/bitrate_step.mjs --encoders x264enc --rounds 1     # smoke

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { parseArgs } from './lib/args.mjs';
import { loadAverage } from './lib/procstat.mjs';
import { findBinary, sleep, startServer, stopAllOnExit } from './lib/process.mjs';
import { median, round } from './lib/stats.mjs';
import { markdownTable, textTable } from './lib/table.mjs';

const USAGE = `usage: node bench/bitrate_step.mjs [--encoders x264enc,openh264enc,vp8enc,vp9enc]
  [--size WxH] [--fps N] [--high KBIT] [--low KBIT] [--gop N] [--hold S] [--window MS]
  [--rounds N] [--framewire BIN]`;
const opts = parseArgs(process.argv.slice(2),
  { encoders: 'x264enc,openh264enc,vp8enc,vp9enc', size: '1280x720', fps: 30, high: 4000, low: 1000, gop: 0, hold: 6, window: 500, rounds: 3, framewire: '' }, USAGE);
stopAllOnExit();
const bin = findBinary(opts.framewire, 'src/app/framewire');
if (!bin) throw new Error('no framewire binary: build it or pass --framewire BIN');
const say = (t) => process.stderr.write(`bench: ${t}\n`);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-bench-bitrate-'));
const CODEC = { x264enc: 'h264', openh264enc: 'h264', vp8enc: 'vp8', vp9enc: 'vp9', av1enc: 'av1' };

function directViewer(base) {
  const v = { frames: [], closed: false };
  v.ws = new WebSocket(`${base.replace('http', 'ws')}/ws/direct?branch=b`, { perMessageDeflate: false });
  v.ws.on('message', (data, binary) => {
    if (binary && data[0] === 1) v.frames.push({ at: Date.now(), bytes: data.length });
    if (v.frames.length > 50000) v.frames.splice(0, 25000);
  });
  v.ws.on('close', () => { v.closed = true; });
  v.ws.on('error', () => {});
  v.close = () => v.ws.terminate();
  return v;
}

const kbps = (frames, from, to) => (frames.filter((f) => f.at >= from && f.at < to).reduce((a, f) => a + f.bytes, 0) * 8) / (to - from);

async function setBitrate(base, bitrate) {
  const res = await fetch(`${base}/api/settings`, { method: 'POST', body: JSON.stringify({ branch: 'b', bitrate }), signal: AbortSignal.timeout(15000) });
  const body = await res.json().catch(() => ({}));
  if (res.status !== 200) throw new Error(`POST /api/settings: ${res.status} ${JSON.stringify(body)}`);
  return body.applied;
}

// reached / stays (ms after the POST at t0) for `target` over [t0, end).
function stepTimes(frames, t0, end, target) {
  const w = opts.window;
  const within = (k) => Math.abs(k - target) <= target * 0.2;
  const windows = [];
  for (let s = t0; s + w <= end; s += 100) windows.push({ start: s, ok: within(kbps(frames, s, s + w)) });
  const first = windows.find((x) => x.ok);
  let stays = null;
  for (let i = windows.length - 1; i >= 0 && windows[i].ok; i--) stays = windows[i].start + w - t0;
  return { reached: first ? first.start + w - t0 : null, stays };
}

async function measureEncoder(encoder) {
  const codec = CODEC[encoder];
  if (!codec) throw new Error(`unknown encoder ${encoder} (valid: ${Object.keys(CODEC).join(', ')})`);
  const file = path.join(tmp, `${encoder}.yaml`);
  fs.writeFileSync(file, `size: ${opts.size}\nfps: ${opts.fps}\ngop: ${opts.gop}\nbranches:\n  - id: b\n    codec: ${codec}\n    encoder: ${encoder}\n    bitrate: ${opts.high}\n`);
  const fw = await startServer(bin, ['--listen', '127.0.0.1:0', '--log-level', 'info', '--config', file], { name: 'framewire' });
  const viewer = directViewer(fw.base);
  const steps = { down: [], up: [] };
  let applied = '';
  try {
    const end = Date.now() + 20000;
    while (viewer.frames.length < 30 && Date.now() < end) await sleep(200);
    if (viewer.frames.length < 30) throw new Error('the Direct viewer got no frames');
    await sleep(3000); // settle at the high rate
    for (let r = 0; r < opts.rounds; r++) {
      for (const [dir, target] of [['down', opts.low], ['up', opts.high]]) {
        const t0 = Date.now();
        applied = await setBitrate(fw.base, target);
        await sleep(opts.hold * 1000);
        const t = stepTimes(viewer.frames, t0, Date.now(), target);
        const before = kbps(viewer.frames, t0 - 2000, t0);
        const after = kbps(viewer.frames, Date.now() - 2000, Date.now());
        steps[dir].push({ ...t, before, after });
        say(`${encoder} round ${r + 1} ${dir} to ${target}: reached ${t.reached ?? '–'} ms, stays ${t.stays ?? '–'} ms (${Math.round(before)} → ${Math.round(after)} kbit/s, ${applied})`);
      }
    }
  } finally {
    viewer.close();
    await fw.stop();
  }
  const med = (xs) => {
    const ok = xs.filter((x) => x !== null);
    return ok.length === xs.length ? Math.round(median(ok)) : ok.length ? `${Math.round(median(ok))} (${xs.length - ok.length} never)` : '–';
  };
  return {
    encoder,
    applied,
    down_reached: med(steps.down.map((s) => s.reached)),
    down_stays: med(steps.down.map((s) => s.stays)),
    up_reached: med(steps.up.map((s) => s.reached)),
    up_stays: med(steps.up.map((s) => s.stays)),
    low_kbps: round(median(steps.down.map((s) => s.after)), 0),
    high_kbps: round(median(steps.up.map((s) => s.after)), 0),
  };
}

const rows = [];
const loadStart = loadAverage();
for (const encoder of opts.encoders.split(',').map((s) => s.trim()).filter(Boolean)) {
  try {
    rows.push(await measureEncoder(encoder));
  } catch (e) {
    say(`${encoder}: ${e.message}`);
  }
}
fs.rmSync(tmp, { recursive: true, force: true });
if (rows.length === 0) {
  say('nothing measured');
  process.exit(1);
}
const headers = ['encoder', 'applied', `${opts.high}→${opts.low} reached ms`, 'stays ms', `${opts.low}→${opts.high} reached ms`, 'stays ms', `at ${opts.low} kbit/s`, `at ${opts.high} kbit/s`];
const table = rows.map((r) => [r.encoder, r.applied, r.down_reached, r.down_stays, r.up_reached, r.up_stays, r.low_kbps, r.high_kbps]);
console.log(`\nlive bitrate step at ${opts.size}@${opts.fps}, gop ${opts.gop}, ${opts.window} ms windows, ±20 %, median of ${opts.rounds} rounds; load ${loadStart} → ${loadAverage()}`);
console.log(textTable(headers, table));
console.log('');
console.log(markdownTable(headers, table));
