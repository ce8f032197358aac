#!/usr/bin/env node
// bench/fanout: framewire with N viewers per mode. Direct and MJPEG viewers are node clients
// that really read and parse every message (in a child process); WebRTC viewers are WHEP
// peers in a headless Chromium page. Per N: server CPU, RSS, egress, each viewer's fps, and a
// probe viewer's latency; plus one deliberately slow Direct viewer among fast ones.
// Never passes or fails on time: exit 1 only when no step produced numbers.
//
//   node bench/fanout.mjs                                  # default: 720p30, see USAGE
//   node bench/fanout.mjs --direct 1,10 --mjpeg 1 --webrtc 1 --seconds 3 --warmup 1   # smoke

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, parseConfig } from './lib/args.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { renderChart } from './lib/chart.mjs';
import { fanoutMarkdown, printFanout } from './lib/fanout_report.mjs';
import { socketStep, webrtcStep } from './lib/fanout_step.mjs';
import { loadAverage } from './lib/procstat.mjs';
import { benchDir, findBinary, startServer, stopAllOnExit } from './lib/process.mjs';

const USAGE = `usage: node bench/fanout.mjs [--config WxH@FPS:KBPS:GOP] [--direct 1,10,50,100,200]
  [--webrtc 1,10] [--mjpeg 1,10,50] [--slow-n 10] [--seconds S] [--warmup S] [--framewire BIN] [--name NAME] [--no-chart]
  (an empty list, e.g. --webrtc "", skips a mode; --slow-n 0 skips the slow-viewer step)`;

const opts = parseArgs(
  process.argv.slice(2),
  { config: '1280x720@30:4000:0', direct: '1,10,50,100,200', webrtc: '1,10', mjpeg: '1,10,50', 'slow-n': 10, seconds: 6, warmup: 2, framewire: '', name: '', chart: true },
  USAGE,
);
stopAllOnExit();
const bin = findBinary(opts.framewire, 'src/app/framewire');
if (!bin) throw new Error('no framewire binary: build it or pass --framewire BIN');
const config = parseConfig(opts.config);
const list = (s) => String(s).split(',').map((x) => x.trim()).filter(Boolean).map(Number);
const name = opts.name || `fanout-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`;
const step = { warmupMs: opts.warmup * 1000, windowMs: opts.seconds * 1000 };
const serverArgs = ['--listen', '127.0.0.1:0', '--size', config.size, '--fps', String(config.fps), '--bitrate', String(config.bitrate), '--gop', String(config.gop), '--jpeg-fps', String(config.fps), '--log-level', 'info'];

const results = { name, started: new Date().toISOString(), loadAverageStart: loadAverage(), config, opts: { ...opts }, rows: [], skipped: [] };

async function withServer(fn) {
  const server = await startServer(bin, serverArgs, { name: 'framewire' });
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

const say = (t) => process.stderr.write(`bench: ${t}                    \r`);

for (const mode of ['direct', 'mjpeg']) {
  const ns = list(opts[mode]);
  if (!ns.length) continue;
  await withServer(async (server) => {
    for (const n of ns) {
      say(`${mode} N=${n}`);
      results.rows.push(await socketStep(server, { mode, n, ...step }));
    }
  });
}

// The slow viewer: the same N of fast Direct viewers without and then with one viewer that
// reads at 50 kB/s (0.4 Mbit/s, a tenth of the stream); it starts 12 s early so the server's
// socket buffer toward it is full and framewire's drop policy is at work in the window.
if (opts['slow-n'] > 0) {
  await withServer(async (server) => {
    const n = opts['slow-n'];
    say(`direct N=${n} without a slow viewer`);
    results.rows.push({ ...(await socketStep(server, { mode: 'direct', n, ...step })), slowPair: 'without' });
    say(`direct N=${n} with a slow viewer`);
    results.rows.push({ ...(await socketStep(server, { mode: 'direct', n, windowMs: step.windowMs, warmupMs: Math.max(step.warmupMs, 12000), slow: { rateBytes: 50000 } })), slowPair: 'with' });
  });
}

const rtcNs = list(opts.webrtc);
if (rtcNs.length) {
  await withServer(async (server) => {
    const probe = await fetch(`${server.base}/whep`, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: 'v=0\r\n' }).catch(() => null);
    if (!probe || probe.status === 404) {
      results.skipped.push('webrtc: this framewire has no POST /whep route yet');
      return;
    }
    const browser = await launchBrowser();
    try {
      for (const n of rtcNs) {
        say(`webrtc N=${n}`);
        results.rows.push(await webrtcStep(browser, server, { n, ...step }));
      }
    } finally {
      await browser.close();
    }
  });
}
process.stderr.write('\n');
results.loadAverageEnd = loadAverage();
results.finished = new Date().toISOString();

printFanout(results);
const outDir = path.join(benchDir, 'results');
fs.mkdirSync(outDir, { recursive: true });
const jsonPath = path.join(outDir, `${name}.json`);
fs.writeFileSync(jsonPath, JSON.stringify(results, null, 1));
fs.writeFileSync(path.join(outDir, `${name}.md`), `${fanoutMarkdown(results)}\n`); // for the README
console.log(`\nresults: ${path.relative(process.cwd(), jsonPath)}`);
const measured = results.rows.filter((r) => Number.isFinite(r.fpsMedian) && r.fpsMedian > 0).length;
if (opts.chart && measured > 0) {
  const png = await renderChart({ fanout: results }, path.join(outDir, `${name}.png`));
  console.log(`chart:   ${path.relative(process.cwd(), png)}`);
}
if (measured === 0) {
  console.error('bench: no fan-out step delivered a frame');
  process.exit(1);
}
