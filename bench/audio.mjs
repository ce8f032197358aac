#!/usr/bin/env node
// bench/audio.mjs: does sound cost the picture anything, how late is the sound, and how far
// apart do sound and picture play, with lip sync off and on?
//
// Two framewire servers on the test source: one with the test tone (`--audio-source test`),
// one without (`--audio-source none`). Rows are measured round robin, each session a fresh tab
// of the real page (web/), the Sound button clicked (the gesture that starts audio):
//   <mode> audio off             the picture alone (the baseline)
//   <mode> audio on              sound as early as it can (?lipsync=0)
//   <mode> audio on, lip sync    the picture waits for its sound (?lipsync=1)
// for mode = webrtc (the page's WHEP player; its offer has an audio section) and direct
// (?audio=1: Opus frames on the socket, AudioDecoder + Web Audio).
//
// Per row: the picture's stamp latency (the page's presented-frame samples: capture → shown),
// and from the page's own sync figure (window.framewire.stats.sync, web/js/av_sync.js, sampled
// every 500 ms): the sound's capture → playout, the A/V offset (> 0: the sound plays later than
// the picture) and, with lip sync, how long the page holds the picture ("lip-sync target":
// WebRTC the video receiver's jitterBufferTarget, 0 with `--query '&lipsyncsteer=0'`, which
// leaves it to Chromium's own A/V sync; Direct the median wait of a decoded picture for its
// sound, web/js/picture_hold.js). WebRTC's figures
// come from getStats' estimatedPlayoutTimestamp (the sender's NTP time of what plays now;
// framewire's RTP times are capture times, one clock for both tracks); its picture figure is
// cross-checked against the stamp in the same tab ("video est" next to "video p50"). Direct's
// sound figure is the page's estimate (capture → scheduled start + the AudioContext's output
// latency); its offset is that minus the stamp latency. Also: the server's audio capture →
// sent (/api/state), the browser's audio jitter buffer per sample (WebRTC), and Direct's
// trimmed/dropped sound frames. Prints one table and the load average, writes
// bench/results/audio.json. Never fails on a figure.
// The cross-check without timestamps ("capture→heard (burst)"): the audio-on server's test
// source makes a 20 ms burst once a second at known capture times (--signal burst, the
// default; --signal tone: the steady tone); the page hears each onset in what it plays
// (lib/burst_delay.mjs), so the sound's delay is measured on the sound itself.
//
//   node bench/audio.mjs [--size 1280x720] [--fps 60] [--sessions 3] [--seconds 8] [--modes webrtc,direct]
//                        [--rows off,on,lipsync] [--query '&worker=0'] [--signal burst|tone]   (--query: added to the page's URL)

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from './lib/args.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { burstDelays, installBurstDetector } from './lib/burst_delay.mjs';
import { benchDir, findBinary, getJson, sleep, startServer, stopAllOnExit } from './lib/process.mjs';

const opts = parseArgs(
  process.argv.slice(2),
  { size: '1280x720', fps: '60', bitrate: '4000', sessions: '3', seconds: '8', modes: 'webrtc,direct', rows: 'off,on,lipsync', query: '', framewire: '', signal: 'burst', 'web-dir': '' },
  'node bench/audio.mjs [--size WxH] [--fps N] [--bitrate KBPS] [--sessions N] [--seconds S] [--modes webrtc,direct] [--rows off,on,lipsync,lipsync1] [--query "&worker=0"] [--signal burst|tone] [--web-dir DIR] [--framewire BIN]',
);
stopAllOnExit();

const pct = (values, p) => {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '—');
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

const ROWS = {
  off: { label: 'audio off', server: 'audio off', lipsync: '0' },
  on: { label: 'audio on', server: 'audio on', lipsync: '0' },
  lipsync: { label: 'audio on, lip sync', server: 'audio on', lipsync: '1' },
  // WebRTC: sound and picture in one stream, so Chromium's own A/V sync acts beside the page's
  lipsync1: { label: 'audio on, lip sync, one stream', server: 'audio on', lipsync: '1', query: '&lipsyncstreams=1' },
};

async function session(browser, server, mode, seconds, row) {
  const page = await browser.context.newPage();
  try {
    await page.goto(`${server.base}/?mode=${mode}&fallbackMs=60000&lipsync=${row.lipsync}${row.query ?? ''}${opts.query}`);
    await page.waitForFunction(() => window.framewire && window.framewire.stats.framesDrawn > 10, null, { timeout: 30000 });
    await page.click('#sound-button'); // the gesture that starts audio (both rows: same page work)
    await sleep(3000); // settle: first sender reports, jitter buffers, the lip-sync target
    const detector = row.server === 'audio on' && opts.signal === 'burst' ? await installBurstDetector(page, mode).catch((e) => String(e)) : null;
    if (detector && detector !== 'ok') process.stderr.write(`${mode}: no burst detector: ${detector}\n`);
    const start = await page.evaluate(() => window.framewire.stats.latencySamples.length);
    const sync = [];
    const until = Date.now() + seconds * 1000;
    while (Date.now() < until) {
      await sleep(500);
      const s = await page.evaluate(() => {
        const fw = window.framewire;
        return { sync: fw.stats.sync, jb: fw.stats.audio?.jitterBufferMs ?? null };
      });
      if (s.sync) sync.push({ ...s.sync, jb: s.jb });
    }
    const out = await page.evaluate((from) => {
      const fw = window.framewire;
      return { samples: fw.stats.latencySamples.slice(from), directAudio: fw.audio ? { ...fw.audio } : null };
    }, start);
    out.sync = sync;
    const state = await getJson(`${server.base}/api/state`).catch(() => null);
    out.serverAudio = state?.audio?.capture_to_sent ?? null;
    out.burst = detector === 'ok' ? await burstDelays(page, state?.audio?.burst) : [];
    return out;
  } finally {
    await page.close();
  }
}

async function main() {
  const bin = findBinary(opts.framewire || null, 'src/app/framewire');
  const common = ['--listen', '127.0.0.1:0', '--size', opts.size, '--fps', opts.fps, '--bitrate', opts.bitrate, '--gop', '0'];
  if (opts['web-dir']) common.push('--web-dir', opts['web-dir']); // e.g. an older page, to compare
  const servers = {
    'audio on': await startServer(bin, [...common, '--audio-source', 'test', '--audio-test-signal', opts.signal], { name: 'framewire (audio on)' }),
    'audio off': await startServer(bin, [...common, '--audio-source', 'none'], { name: 'framewire (audio off)' }),
  };
  const browser = await launchBrowser();
  const modes = opts.modes.split(',').map((m) => m.trim()).filter(Boolean);
  const rowKinds = opts.rows.split(',').map((r) => r.trim()).filter((r) => ROWS[r]);
  const rows = {};
  const loads = [load()];
  try {
    for (let s = 0; s < Number(opts.sessions); s++) {
      for (const mode of modes) {
        for (const kind of rowKinds) {
          const row = ROWS[kind];
          const key = `${mode} ${row.label}`;
          const r = await session(browser, servers[row.server], mode, Number(opts.seconds), row);
          const acc = (rows[key] ??= { samples: [], audio: [], video: [], offset: [], target: [], jb: [], server: [], trimmed: 0, dropped: 0, burst: [] });
          acc.samples.push(...r.samples);
          acc.burst.push(...r.burst);
          for (const x of r.sync) {
            if (Number.isFinite(x.audioMs)) acc.audio.push(x.audioMs);
            if (Number.isFinite(x.videoMs)) acc.video.push(x.videoMs);
            if (Number.isFinite(x.offsetMs)) acc.offset.push(x.offsetMs);
            if (Number.isFinite(x.targetMs) && x.lipsync) acc.target.push(x.targetMs);
            if (Number.isFinite(x.jb)) acc.jb.push(x.jb);
          }
          if (mode === 'direct' && r.directAudio) {
            acc.trimmed += r.directAudio.framesTrimmed ?? 0;
            acc.dropped += r.directAudio.framesDropped ?? 0;
          }
          if (r.serverAudio && r.serverAudio.count > 0) acc.server.push(r.serverAudio.p50 / 1000);
          // this session's own figures: how steady lip sync is from one session to the next
          const offsets = r.sync.map((x) => x.offsetMs).filter(Number.isFinite);
          const measures = [...new Set(r.sync.map((x) => x.measure).filter(Boolean))].join('+') || 'estimatedPlayoutTimestamp';
          // the same offset without the page's figures: the bursts heard − the stamps shown
          const byBurst = pct(r.burst, 50) - pct(r.samples, 50);
          process.stderr.write(
            `session ${s + 1} ${key}: ${r.samples.length} frames, ${r.sync.length} sync samples (${measures}), video p50 ${f1(pct(r.samples, 50))} ms, ` +
              `A/V offset p5/p50/p95 ${f1(pct(offsets, 5))}/${f1(pct(offsets, 50))}/${f1(pct(offsets, 95))} ms, ` +
              `bursts heard − video p50 ${f1(byBurst)} ms (${r.burst.length} bursts), target p50 ${f1(pct(r.sync.map((x) => x.targetMs).filter(Number.isFinite), 50))} ms (load ${load()})\n`,
          );
        }
      }
      loads.push(load());
    }
  } finally {
    await browser.close();
    for (const server of Object.values(servers)) await server.stop();
  }
  const table = Object.entries(rows).map(([key, r]) => ({
    row: key,
    frames: r.samples.length,
    'video p50': pct(r.samples, 50),
    'video p95': pct(r.samples, 95),
    'video est p50': pct(r.video, 50),
    'sound capture→playout p50': pct(r.audio, 50),
    'sound capture→heard (burst) p50': pct(r.burst, 50),
    'bursts heard': r.burst.length,
    'A/V offset p50': pct(r.offset, 50),
    'burst − video p50': pct(r.burst, 50) - pct(r.samples, 50),
    'A/V offset p95': pct(r.offset, 95),
    'lip-sync target p50': pct(r.target, 50),
    'audio jb/sample p50': pct(r.jb, 50),
    'server capture→sent p50': pct(r.server, 50),
    'trimmed/dropped': key.startsWith('direct') && !key.endsWith('audio off') ? `${r.trimmed}/${r.dropped}` : '',
  }));
  const headers = Object.keys(table[0] ?? { row: '' });
  console.log(`\nframewire ${opts.size}@${opts.fps}, ${opts.sessions} sessions x ${opts.seconds} s per row (round robin); ms; A/V offset > 0: the sound plays later than the picture`);
  console.log(`load average (1/5/15 min) at the start and after each round: ${loads.join(' | ')}\n`);
  console.log(`| ${headers.join(' | ')} |\n|${headers.map(() => '---').join('|')}|`);
  for (const t of table) console.log(`| ${headers.map((h) => (typeof t[h] === 'number' && h !== 'frames' && h !== 'bursts heard' ? f1(t[h]) : t[h])).join(' | ')} |`);
  for (const mode of modes) {
    const off = rows[`${mode} audio off`];
    for (const kind of ['on', 'lipsync']) {
      const on = rows[`${mode} ${ROWS[kind].label}`];
      if (on && off) console.log(`${mode}: video p50 ${ROWS[kind].label} − audio off = ${f1(pct(on.samples, 50) - pct(off.samples, 50))} ms`);
    }
  }
  const out = path.join(benchDir, 'results', 'audio.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ opts, loads, table }, null, 2));
  if (!table.some((t) => t.frames > 0)) process.exit(1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
