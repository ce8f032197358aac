#!/usr/bin/env node
// bench/audio.mjs: does sound cost the picture anything, and how late is the sound?
//
// Two framewire servers on the test source: one with the test tone (`--audio-source test`),
// one without (`--audio-source none`). Sessions alternate between them (round robin), each a
// fresh tab of the real page (web/): WebRTC (its offer has an audio section: answered with Opus
// by the first server, rejected by the second) and Direct (?audio=1: Opus frames on the socket,
// decoded by AudioDecoder and played through Web Audio after the Sound button is clicked).
// Per row: the picture's stamp latency (the page's own presented-frame samples), and for the
// audio rows the audio figures: server capture → sent (/api/state), Direct capture → heard
// (estimated in the page: capture time → scheduled start + output latency), WebRTC jitter
// buffer per sample. Prints a table and writes bench/results/audio.json. Never fails on a figure.
//
// Then (unless --sync-seconds 0) the WebRTC sound's glass-to-glass delay and the A/V offset, on
// the audio-on server with a plain WHEP peer in a tab (audio + video, played unmuted): twice a
// second, now minus each inbound track's estimatedPlayoutTimestamp. That timestamp is the
// sender's NTP time of what plays now, from its RTCP sender reports; framewire's RTP times are
// its capture times (the video's and the audio's on one mapping, wall clock), so now − it is
// capture → playout on this machine's one clock. The video's figure is checked against the
// picture's own stamp latency in the same tab (the same tab reads the stamp).
//
//   node bench/audio.mjs [--size 1280x720] [--fps 60] [--sessions 3] [--seconds 8] [--modes webrtc,direct] [--sync-seconds 20]

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from './lib/args.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { benchDir, findBinary, getJson, sleep, startServer, stopAllOnExit } from './lib/process.mjs';

const opts = parseArgs(
  process.argv.slice(2),
  { size: '1280x720', fps: '60', bitrate: '4000', sessions: '3', seconds: '8', modes: 'webrtc,direct', framewire: '', 'sync-seconds': '20' },
  'node bench/audio.mjs [--size WxH] [--fps N] [--bitrate KBPS] [--sessions N] [--seconds S] [--modes webrtc,direct] [--sync-seconds S] [--framewire BIN]',
);
stopAllOnExit();

const pct = (values, p) => {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '—');

async function session(browser, server, mode, seconds, withAudio) {
  const page = await browser.context.newPage();
  try {
    await page.goto(`${server.base}/?mode=${mode}&fallbackMs=60000`);
    await page.waitForFunction(() => window.framewire && window.framewire.stats.framesDrawn > 10, null, { timeout: 30000 });
    if (withAudio) await page.click('#sound-button'); // the gesture that starts Web Audio
    await sleep(1500); // settle
    const start = await page.evaluate(() => window.framewire.stats.latencySamples.length);
    await sleep(seconds * 1000);
    const out = await page.evaluate((from) => {
      const fw = window.framewire;
      return {
        samples: fw.stats.latencySamples.slice(from),
        webrtcAudio: fw.stats.audio,
        directAudio: fw.audio ? { ...fw.audio } : null,
      };
    }, start);
    const state = await getJson(`${server.base}/api/state`).catch(() => null);
    out.serverAudio = state?.audio?.capture_to_sent ?? null;
    return out;
  } finally {
    await page.close();
  }
}

// A plain WHEP peer (audio + video, recvonly) in a tab, both played unmuted from one <video>;
// every 500 ms: capture → playout of each track (now − estimatedPlayoutTimestamp, NTP ms),
// their difference, and the jitter buffers' delay per emitted sample / frame.
async function webrtcSync(browser, server, seconds) {
  const page = await browser.context.newPage();
  try {
    await page.goto(`${server.base}/?mode=mjpeg`);
    return await page.evaluate(async (seconds) => {
      const NTP_EPOCH_OFFSET_MS = 2208988800000; // 1900 → 1970
      const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
      const v = pc.addTransceiver('video', { direction: 'recvonly' });
      const a = pc.addTransceiver('audio', { direction: 'recvonly' });
      for (const t of [v, a]) if ('jitterBufferTarget' in t.receiver) t.receiver.jitterBufferTarget = 0;
      const el = document.createElement('video');
      el.autoplay = true;
      el.muted = false;
      document.body.append(el);
      const tracks = [];
      pc.ontrack = (ev) => {
        tracks.push(ev.track);
        el.srcObject = new MediaStream(tracks);
        el.play().catch(() => {});
      };
      await pc.setLocalDescription(await pc.createOffer());
      const res = await fetch('/whep', { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
      if (res.status !== 201) return { error: `POST /whep: ${res.status} ${await res.text()}` };
      await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
      const out = { audio: [], video: [], offset: [], audioJb: [], videoJb: [] };
      const prev = {};
      await new Promise((r) => setTimeout(r, 3000)); // connect, first sender reports
      for (let i = 0; i < seconds * 2; i++) {
        await new Promise((r) => setTimeout(r, 500));
        const report = await pc.getStats();
        const nowNtp = Date.now() + NTP_EPOCH_OFFSET_MS;
        const cur = {};
        report.forEach((r) => {
          if (r.type === 'inbound-rtp') cur[r.kind ?? r.mediaType] = r;
        });
        const pa = cur.audio?.estimatedPlayoutTimestamp;
        const pv = cur.video?.estimatedPlayoutTimestamp;
        if (pa) out.audio.push(nowNtp - pa);
        if (pv) out.video.push(nowNtp - pv);
        if (pa && pv) out.offset.push(pv - pa); // > 0: the sound plays older media than the picture
        for (const kind of ['audio', 'video']) {
          const r = cur[kind];
          const p = prev[kind];
          if (r && p && r.jitterBufferEmittedCount > p.jitterBufferEmittedCount) {
            out[`${kind}Jb`].push(((r.jitterBufferDelay - p.jitterBufferDelay) / (r.jitterBufferEmittedCount - p.jitterBufferEmittedCount)) * 1000);
          }
          if (r) prev[kind] = { jitterBufferDelay: r.jitterBufferDelay ?? 0, jitterBufferEmittedCount: r.jitterBufferEmittedCount ?? 0 };
        }
      }
      pc.close();
      return out;
    }, seconds);
  } finally {
    await page.close();
  }
}

async function main() {
  const bin = findBinary(opts.framewire || null, 'src/app/framewire');
  const common = ['--listen', '127.0.0.1:0', '--size', opts.size, '--fps', opts.fps, '--bitrate', opts.bitrate, '--gop', '0'];
  const servers = {
    'audio on': await startServer(bin, [...common, '--audio-source', 'test'], { name: 'framewire (audio on)' }),
    'audio off': await startServer(bin, [...common, '--audio-source', 'none'], { name: 'framewire (audio off)' }),
  };
  const browser = await launchBrowser();
  const modes = opts.modes.split(',').map((m) => m.trim()).filter(Boolean);
  const rows = {};
  let sync = null;
  try {
    if (Number(opts['sync-seconds']) > 0) {
      sync = await webrtcSync(browser, servers['audio on'], Number(opts['sync-seconds']));
      process.stderr.write(`WebRTC sync: ${sync.error ?? `${sync.audio.length} audio / ${sync.video.length} video samples`}\n`);
    }
    for (let s = 0; s < Number(opts.sessions); s++) {
      for (const mode of modes) {
        for (const [name, server] of Object.entries(servers)) {
          const key = `${mode} ${name}`;
          const r = await session(browser, server, mode, Number(opts.seconds), name === 'audio on');
          const row = (rows[key] ??= { samples: [], delays: [], jb: [], server: [] });
          row.samples.push(...r.samples);
          if (r.directAudio && Number.isFinite(r.directAudio.delayMs)) row.delays.push(r.directAudio.delayMs);
          if (r.webrtcAudio && Number.isFinite(r.webrtcAudio.jitterBufferMs)) row.jb.push(r.webrtcAudio.jitterBufferMs);
          if (r.serverAudio && r.serverAudio.count > 0) row.server.push(r.serverAudio.p50 / 1000);
          process.stderr.write(`session ${s + 1} ${key}: ${r.samples.length} frames\n`);
        }
      }
    }
  } finally {
    await browser.close();
    for (const server of Object.values(servers)) await server.stop();
  }
  const table = Object.entries(rows).map(([key, r]) => ({
    row: key,
    frames: r.samples.length,
    'video p50 ms': pct(r.samples, 50),
    'video p95 ms': pct(r.samples, 95),
    'audio server capture→sent p50 ms': pct(r.server, 50),
    'Direct audio capture→heard ms': pct(r.delays, 50),
    'WebRTC audio jitter buf ms': pct(r.jb, 50),
  }));
  const headers = Object.keys(table[0] ?? { row: '' });
  console.log(`\nframewire ${opts.size}@${opts.fps}, ${opts.sessions} sessions x ${opts.seconds} s per row (round robin)\n`);
  console.log(`| ${headers.join(' | ')} |\n|${headers.map(() => '---').join('|')}|`);
  for (const t of table) console.log(`| ${headers.map((h) => (typeof t[h] === 'number' && h !== 'frames' ? f1(t[h]) : t[h])).join(' | ')} |`);
  for (const mode of modes) {
    const on = rows[`${mode} audio on`];
    const off = rows[`${mode} audio off`];
    if (on && off) console.log(`${mode}: video p50 with audio − without = ${f1(pct(on.samples, 50) - pct(off.samples, 50))} ms`);
  }
  let syncTable = null;
  if (sync && !sync.error) {
    syncTable = [
      ['WebRTC sound: capture → playout (now − estimatedPlayoutTimestamp)', sync.audio],
      ['WebRTC picture: capture → playout (same method)', sync.video],
      ['A/V offset (picture − sound playout timestamps; > 0: sound later)', sync.offset],
      ['audio jitter buffer per sample', sync.audioJb],
      ['video jitter buffer per frame', sync.videoJb],
    ].map(([what, v]) => ({ what, samples: v.length, 'p50 ms': pct(v, 50), 'p95 ms': pct(v, 95) }));
    console.log(`\nWebRTC A/V, one tab, ${opts['sync-seconds']} s, sampled every 500 ms (audio on server)\n`);
    console.log('| what | samples | p50 ms | p95 ms |\n|---|---|---|---|');
    for (const t of syncTable) console.log(`| ${t.what} | ${t.samples} | ${f1(t['p50 ms'])} | ${f1(t['p95 ms'])} |`);
    const stamp = rows['webrtc audio on'];
    if (stamp) console.log(`(the picture's stamp latency in the page, webrtc audio on: p50 ${f1(pct(stamp.samples, 50))} ms)`);
  } else if (sync) {
    console.log(`\nWebRTC A/V: ${sync.error}`);
  }
  const out = path.join(benchDir, 'results', 'audio.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ opts, table, sync: syncTable }, null, 2));
  if (!table.some((t) => t.frames > 0)) process.exit(1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
