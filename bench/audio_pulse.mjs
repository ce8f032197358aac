#!/usr/bin/env node
// bench/audio_pulse.mjs: how late does PulseAudio's sound leave framewire, and is the capture
// time framewire gives it true?
//
// A PulseAudio server of the bench's own (a null sink, no hardware). A writer plays silence into
// the sink through pacat (--writer-latency-ms of buffer, like a player on the host) and, once a
// second, a 20 ms 1 kHz burst whose due time it knows (its first sample's place on the writer's
// wall-clock timeline). Two listeners find each burst's onset:
//   - parec on the sink's monitor at 10 ms latency: the reference, when a small recorder has it;
//   - a Direct client (/ws/direct?audio=1) of framewire capturing that monitor (audio-source
//     pulse): an Opus packet holding the burst is several times the size of one of silence,
//     and its header carries framewire's capture time of the packet's first sample.
// Per burst, against parec's onset (the writer's own timeline slips when pacat underruns on a
// busy machine, so it only says how late the monitor had the sound): framewire's capture time
// (< 0: framewire says the sound was captured earlier than parec had it), the packet's arrival
// at the Direct client (framewire's real delay beyond a minimal recorder) and capture →
// received; and /api/state's audio.capture_to_sent. The packet's capture time is its first
// sample's: the burst starts somewhere in the packet's 10 ms. Never fails on a figure.
//
//   node bench/audio_pulse.mjs [--seconds 15] [--writer-latency-ms 10] [--fw-args "--audio-frame-ms 20"]
//                              [--audio-pipeline "pulsesrc device={device} ..."]   (a capture part to compare)

import { spawn } from 'node:child_process';
import os from 'node:os';
import WebSocket from 'ws';
// the e2e tests' PulseAudio server (it imports nothing from their node_modules)
import { startPulse, stopChild } from '../tests/e2e/lib/pulse.mjs';
import { parseArgs } from './lib/args.mjs';
import { findBinary, getJson, sleep, startServer, stopAllOnExit } from './lib/process.mjs';

const opts = parseArgs(
  process.argv.slice(2),
  { seconds: '15', 'writer-latency-ms': '10', 'fw-args': '', 'audio-pipeline': '', framewire: '' },
  'node bench/audio_pulse.mjs [--seconds S] [--writer-latency-ms MS] [--fw-args "extra framewire flags"] [--audio-pipeline "pulsesrc device={device} ..."] [--framewire BIN]',
);
stopAllOnExit();

const RATE = 48000;
const SINK = 'fwbench';
const BURST_SAMPLES = RATE / 50; // 20 ms
const PERIOD_SAMPLES = RATE; // one a second
const LEAD_MS = 20; // the writer keeps this much written ahead of due

const pct = (values, p) => {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '—');

// PulseAudio, pacat and parec: ended by their PIDs when the run ends, however it ends.
const children = [];
process.on('exit', () => children.forEach(stopChild));

function spawnTracked(cmd, args, options) {
  const child = spawn(cmd, args, options);
  children.push(child);
  return child;
}

// Silence with a 1 kHz burst at the start of every second of samples; paced by the wall clock.
function startWriter(pulse, latencyMs) {
  const pacat = spawnTracked(
    'pacat',
    ['--playback', `--device=${SINK}`, '--raw', '--format=s16le', `--rate=${RATE}`, '--channels=1', `--latency-msec=${latencyMs}`, '--client-name=fw-bench-writer'],
    { env: pulse.env, stdio: ['pipe', 'ignore', 'pipe'] },
  );
  pacat.stdin.on('error', () => {});
  const t0 = Date.now() + 200;
  const due = []; // wall ms of each burst's first sample
  let written = 0;
  const timer = setInterval(() => {
    const upTo = Math.floor(((Date.now() - t0 + LEAD_MS) * RATE) / 1000);
    if (upTo <= written) return;
    const buf = Buffer.alloc((upTo - written) * 2);
    for (let i = written; i < upTo; i++) {
      const phase = i % PERIOD_SAMPLES;
      if (phase === 0) due.push(t0 + (i * 1000) / RATE);
      const v = phase < BURST_SAMPLES ? Math.round(Math.sin((2 * Math.PI * 1000 * phase) / RATE) * 0.5 * 32767) : 0;
      buf.writeInt16LE(v, (i - written) * 2);
    }
    written = upTo;
    pacat.stdin.write(buf);
  }, 5);
  return { due, stop: () => clearInterval(timer) };
}

// parec on the monitor: the onset's arrival, placed back by the samples after it in its chunk.
function startReference(pulse) {
  const rec = spawnTracked(
    'parec',
    [`--device=${SINK}.monitor`, '--raw', '--format=s16le', `--rate=${RATE}`, '--channels=1', '--latency-msec=10'],
    { env: pulse.env, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const onsets = [];
  let quiet = 0;
  let carry = Buffer.alloc(0);
  rec.stdout.on('data', (d) => {
    const at = Date.now();
    const data = carry.length ? Buffer.concat([carry, d]) : d;
    const n = Math.floor(data.length / 2);
    carry = data.subarray(n * 2);
    for (let i = 0; i < n; i++) {
      if (Math.abs(data.readInt16LE(i * 2)) > 3000) {
        if (quiet > RATE * 0.3) onsets.push(at - ((n - i) * 1000) / RATE);
        quiet = 0;
      } else {
        quiet++;
      }
    }
  });
  return onsets;
}

// The Direct client: every audio packet's capture time, arrival and size.
function startDirect(wsBase) {
  const packets = [];
  const ws = new WebSocket(`${wsBase}/ws/direct?audio=1`, { perMessageDeflate: false });
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => {
    if (!isBinary || data[0] !== 0x02) return;
    packets.push({ at: Date.now(), captureMs: Number(data.readBigUInt64BE(2)) / 1000, size: data.length - 10 });
  });
  return { packets, close: () => ws.close() };
}

// Packets holding a burst's onset: much larger than the silence around them, after a quiet run.
function directOnsets(packets) {
  const median = pct(packets.map((p) => p.size), 50);
  const loud = (p) => p.size > Math.max(median * 2.5, median + 20);
  const out = [];
  let quiet = 0;
  for (const p of packets) {
    if (loud(p)) {
      if (quiet >= 30) out.push(p);
      quiet = 0;
    } else {
      quiet++;
    }
  }
  return { onsets: out, median };
}

// The burst whose due time is at most 100 ms after `t` (the null sink renders ahead of time) and
// latest; its delay to `t`.
function delayFromDue(due, t) {
  let best = null;
  for (const d of due) if (d <= t + 100) best = d;
  return best === null ? NaN : t - best;
}

// `t` − the reference onset nearest to it (within 400 ms; the bursts are 1 s apart).
function fromReference(reference, t) {
  let best = NaN;
  for (const r of reference) if (Math.abs(t - r) < 400 && !(Math.abs(t - best) < Math.abs(t - r))) best = r;
  return t - best;
}

async function main() {
  const bin = findBinary(opts.framewire || null, 'src/app/framewire');
  const pulse = await startPulse(SINK, children);
  let fw;
  try {
    const writer = startWriter(pulse, Number(opts['writer-latency-ms']));
    const reference = startReference(pulse);
    const extra = opts['fw-args'].split(/\s+/).filter(Boolean);
    if (opts['audio-pipeline']) extra.push('--audio-pipeline', opts['audio-pipeline']);
    fw = await startServer(
      bin,
      ['--listen', '127.0.0.1:0', '--size', '320x180', '--fps', '10', '--audio-source', 'pulse', '--audio-device', `${SINK}.monitor`, ...extra],
      { name: 'framewire (pulse)', env: { PULSE_SERVER: pulse.server } },
    );
    const direct = startDirect(fw.base.replace(/^http/, 'ws'));
    await sleep(Number(opts.seconds) * 1000);
    const state = await getJson(`${fw.base}/api/state`).catch(() => null);
    direct.close();
    writer.stop();

    const { onsets, median } = directOnsets(direct.packets);
    // The writer's own timeline slips when pacat underruns (a busy machine): the figures that
    // judge framewire are taken against parec's onsets, which see the same sound at the same
    // place as framewire does.
    const rows = {
      'writer due → in the monitor (parec)': reference.map((t) => delayFromDue(writer.due, t)),
      "parec → framewire's capture time (< 0: earlier)": onsets.map((p) => fromReference(reference, p.captureMs)),
      'parec → received by the Direct client': onsets.map((p) => fromReference(reference, p.at)),
      "framewire's capture → received": onsets.map((p) => p.at - p.captureMs),
    };
    const audio = state?.audio;
    console.log(`\nframewire audio-source pulse (${SINK}.monitor)${extra.length ? ` ${extra.join(' ')}` : ''}; writer pacat --latency-msec=${opts['writer-latency-ms']}; ` +
      `${opts.seconds} s, ${direct.packets.length} Opus packets (silence ${median} bytes), ${onsets.length} bursts found; load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
    console.log('| burst onset, ms | p50 | p95 | min | max | n |\n|---|---|---|---|---|---|');
    for (const [label, values] of Object.entries(rows)) {
      const v = values.slice(1).filter(Number.isFinite); // the first burst meets a starting pipeline
      console.log(`| ${label} | ${f1(pct(v, 50))} | ${f1(pct(v, 95))} | ${f1(Math.min(...v))} | ${f1(Math.max(...v))} | ${v.length} |`);
    }
    const c = audio?.capture_to_sent;
    console.log(`\n/api/state audio.capture_to_sent: p50 ${f1(c?.p50 / 1000)} ms, p95 ${f1(c?.p95 / 1000)} ms (${c?.count ?? 0} writes); error '${audio?.error ?? ''}'`);
    if (!onsets.length) process.exitCode = 1;
  } finally {
    if (fw) await fw.stop();
    children.forEach(stopChild);
    pulse.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
