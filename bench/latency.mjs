#!/usr/bin/env node
// bench/latency: glass-to-glass latency of framewire's WebRTC, Direct and MJPEG modes in
// headless Chromium, next to a dedicated single-viewer webrtcbin pipeline (the baseline)
// measured by the same page in the same run. Prints tables, writes bench/results/<name>.json
// and a PNG chart. Never passes or fails on time: exit 1 only when nothing was measured.
//
//   node bench/latency.mjs                       # quick: every config, 2 sessions x 5 s per mode
//   node bench/latency.mjs --sessions 8 --seconds 15
//   node bench/latency.mjs --configs 1280x720@60:4000:0 --modes direct,mjpeg --sessions 1 --seconds 3

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, parseConfig } from './lib/args.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { aggregateMode } from './lib/latency_aggregate.mjs';
import { latencyMarkdown, printLatency } from './lib/latency_report.mjs';
import { measureSession } from './lib/latency_session.mjs';
import { loadAverage } from './lib/procstat.mjs';
import { benchDir, findBinary, startServer, stopAllOnExit } from './lib/process.mjs';
import { renderChart } from './lib/chart.mjs';

const USAGE = `usage: node bench/latency.mjs [--sessions N] [--seconds S] [--configs WxH@FPS:KBPS:GOP,...]
  [--modes webrtc,direct,direct-worker,mjpeg,mjpeg-worker,webrtc-audio,direct-audio,direct-worker-audio] [--jitter-target MS] [--page-busy MS] [--offer-wait MS] [--variant 'NAME=ARGS;NAME=ARGS'] [--variant-modes webrtc]
  [--no-baseline] [--framewire BIN] [--baseline-bin BIN] [--name NAME] [--no-chart]
  --variant: a second framewire per variant, started with extra ARGS (e.g. 'nopd=--webrtc-playout-delay false'),
  measured for --variant-modes as rows "<mode> NAME", in the same run. In ARGS, KEY=VALUE sets an
  environment variable (e.g. FRAMEWIRE_BENCH_SINK_SYNC=1) and @PATH runs another framewire binary
  --page-busy MS: the Direct and MJPEG rows again ("<mode> busyMS") with the page's main thread kept busy MS ms
  in every 16 ms (a page with more to do than the bench's)`;

const opts = parseArgs(
  process.argv.slice(2),
  {
    sessions: 2,
    seconds: 5,
    configs: '1280x720@60:4000:0,1280x720@60:4000:60,1920x1080@60:8000:0,1920x1080@60:8000:60',
    modes: 'webrtc,direct,direct-worker,mjpeg',
    baseline: true,
    'jitter-target': '',
    'page-busy': '',
    'offer-wait': 0,
    variant: '',
    'variant-modes': 'webrtc',
    framewire: '',
    'baseline-bin': '',
    name: '',
    chart: true,
  },
  USAGE,
);

stopAllOnExit();
const framewireBin = findBinary(opts.framewire, 'src/app/framewire');
if (!framewireBin) throw new Error('no framewire binary: build it or pass --framewire BIN');
const baselineBin = opts.baseline ? findBinary(opts['baseline-bin'], 'bench/baseline/framewire_bench_baseline') : null;
if (opts.baseline && !baselineBin) console.error('bench: no baseline binary (build framewire_bench_baseline): baseline skipped');
const configs = opts.configs.split(',').map(parseConfig);
const modes = opts.modes.split(',').map((m) => m.trim());
// 'nopd=--webrtc-playout-delay false;x=--a b' → [{ name: 'nopd', args: [...] }, ...]
const variants = opts.variant
  .split(';')
  .map((v) => v.trim())
  .filter(Boolean)
  .map((v) => {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new Error(`bad --variant "${v}" (want NAME=ARGS)`);
    const words = v.slice(eq + 1).trim().split(/\s+/).filter(Boolean);
    // KEY=VALUE words (upper-case key) go to the environment, @PATH is another framewire binary
    const env = Object.fromEntries(words.filter((w) => /^[A-Z_][A-Z0-9_]*=/.test(w)).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
    const bin = words.find((w) => w.startsWith('@'))?.slice(1) || null;
    const args = words.filter((w) => !/^[A-Z_][A-Z0-9_]*=/.test(w) && !w.startsWith('@'));
    return { name: v.slice(0, eq), args, env, bin };
  });
const variantModes = opts['variant-modes'].split(',').map((m) => m.trim()).filter(Boolean);
const name = opts.name || `latency-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`;

// Does this framewire build serve WHEP yet? (404 = no route; anything else = it does)
async function hasWhep(base) {
  const res = await fetch(`${base}/whep`, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: 'v=0\r\n', signal: AbortSignal.timeout(5000) }).catch(() => null);
  return !!res && res.status !== 404;
}

// framewire keeps capturing `linger` seconds (5) after its last viewer. The baseline's rows
// wait for that to end, so its session never shares the cores with framewire's encoder.
async function waitCaptureStopped(servers, limitMs = 8000) {
  const until = Date.now() + limitMs;
  for (const server of servers) {
    while (Date.now() < until) {
      const state = await fetch(`${server.base}/api/state`, { signal: AbortSignal.timeout(2000) }).then((r) => r.json()).catch(() => null);
      if (!state?.source?.capturing) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const serverArgs = (c) => ['--listen', '127.0.0.1:0', '--size', c.size, '--fps', String(c.fps), '--bitrate', String(c.bitrate), '--gop', String(c.gop)];

const results = { name, started: new Date().toISOString(), loadAverageStart: loadAverage(), opts: { ...opts }, framewireBin, baselineBin, configs: [] };
let measured = 0;
for (const config of configs) {
  const entry = { config, modes: {} };
  results.configs.push(entry);
  const fw = await startServer(framewireBin, [...serverArgs(config), '--jpeg-fps', String(config.fps), '--log-level', 'info'], { name: 'framewire' });
  const base = baselineBin ? await startServer(baselineBin, serverArgs(config), { name: 'baseline' }) : null;
  const extra = [];
  for (const v of variants) {
    const args = [...serverArgs(config), '--jpeg-fps', String(config.fps), '--log-level', 'info', ...v.args];
    extra.push({ ...v, server: await startServer(v.bin || framewireBin, args, { name: `framewire-${v.name}`, env: v.env }) });
  }
  const browser = await launchBrowser();
  try {
    const whep = await hasWhep(fw.base);
    const plan = [];
    if (base) plan.push({ key: 'baseline', mode: 'webrtc', server: base, isBaseline: true });
    for (const m of modes) {
      if (m === 'webrtc' && !whep) {
        entry.modes.webrtc = { skipped: 'this framewire has no POST /whep route yet' };
        continue;
      }
      plan.push({ key: m, mode: m, server: fw, isBaseline: false });
    }
    for (const v of extra) {
      for (const m of variantModes) plan.push({ key: `${m} ${v.name}`, mode: m, server: v.server, isBaseline: false });
    }
    // --jitter-target: the WebRTC rows again with the receiver's jitterBufferTarget set
    if (opts['jitter-target'] !== '') {
      const jbt = Number(opts['jitter-target']);
      for (const p of plan.filter((x) => x.mode === 'webrtc')) plan.push({ ...p, key: `${p.key} jbt${jbt}`, jitterBufferTarget: jbt });
    }
    // --page-busy: the Direct and MJPEG rows again with a busy main thread (what a worker is for)
    if (opts['page-busy'] !== '') {
      const busy = Number(opts['page-busy']);
      for (const p of plan.filter((x) => /^(direct|mjpeg)/.test(x.mode))) plan.push({ ...p, key: `${p.key} busy${busy}`, pageBusyMs: busy });
    }
    // Round robin (session i of every row, then i + 1): a change in the machine's load
    // touches every row alike instead of whichever row ran during it.
    const sessions = new Map(plan.map((p) => [p.key, []]));
    for (let i = 0; i < opts.sessions; i++) {
      for (const p of plan) {
        process.stderr.write(`bench: ${config.label} session ${i + 1}/${opts.sessions} ${p.key}          \r`);
        if (p.isBaseline) await waitCaptureStopped([fw, ...extra.map((v) => v.server)]);
        sessions.get(p.key).push(await measureSession(browser, p.server, { mode: p.mode, seconds: opts.seconds, isBaseline: p.isBaseline, jitterBufferTarget: p.jitterBufferTarget ?? null, pageBusyMs: p.pageBusyMs ?? 0, offerWaitMs: Number(opts['offer-wait']) }));
      }
    }
    for (const p of plan) {
      entry.modes[p.key] = aggregateMode(sessions.get(p.key), { seconds: opts.seconds });
      if (entry.modes[p.key].presented) measured++;
    }
  } finally {
    await browser.close();
    await fw.stop();
    if (base) await base.stop();
    for (const v of extra) await v.server.stop();
  }
}
process.stderr.write('\n');
results.loadAverageEnd = loadAverage();
results.finished = new Date().toISOString();

printLatency(results);
const outDir = path.join(benchDir, 'results');
fs.mkdirSync(outDir, { recursive: true });
const jsonPath = path.join(outDir, `${name}.json`);
fs.writeFileSync(jsonPath, JSON.stringify(results, null, 1));
fs.writeFileSync(path.join(outDir, `${name}.md`), `${latencyMarkdown(results)}\n`); // for the README
console.log(`\nresults: ${path.relative(process.cwd(), jsonPath)}`);
if (opts.chart && measured > 0) {
  const png = await renderChart({ latency: results }, path.join(outDir, `${name}.png`));
  console.log(`chart:   ${path.relative(process.cwd(), png)}`);
}
if (measured === 0) {
  console.error('bench: no mode produced a single latency sample');
  process.exit(1);
}
