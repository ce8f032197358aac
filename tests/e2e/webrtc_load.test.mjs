// WHEP under load, against the real binary and headless Chromium: ten peers in one page all
// decode from the one shared encode (one H.264 branch, its frame rate does not multiply), and
// 50 connect/DELETE cycles leave no peer, thread or file descriptor behind. Server CPU with
// 1 and 10 peers and the counts before/after are printed (not asserted beyond sanity).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import { after, before, test } from 'node:test';
import { getJson, sleep, startFramewire, waitFor } from './lib/framewire.mjs';
import { h264Branches, installPeerKit, launchWebRtcBrowser, mainBranch, median, procCounts, webrtcPeers } from './lib/whep.mjs';

const W = Number(process.env.FW_E2E_LOAD_WIDTH || 640);
const H = Number(process.env.FW_E2E_LOAD_HEIGHT || 360);
const FPS = Number(process.env.FW_E2E_LOAD_FPS || 30);
const CYCLES = Number(process.env.FW_E2E_CYCLES || 50);
let fw;
let browser;

before(async () => {
  // a long linger keeps capture and encoder up between cycles, so counts compare like for like.
  // Each offer holds its address's place for 2 s (viewer_limits.cpp), and on a quiet machine the
  // cycles run faster than 8 a second: lift the per-address limit (limits.test.mjs tests it).
  fw = await startFramewire({ size: `${W}x${H}`, fps: FPS, bitrate: 1500, linger: 600, 'webrtc-max-peers': 16, 'webrtc-max-per-address': 0 });
  browser = await launchWebRtcBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (fw) await fw.stop();
});

const state = async () => (await getJson(`${fw.base}/api/state`)).json;

// Server CPU (user+system, % of one core) and main-branch frames published per second.
async function measure(ms) {
  const ticks = () => {
    const f = fs.readFileSync(`/proc/${fw.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
  };
  const hz = 100; // USER_HZ on Linux
  const s0 = await state();
  const c0 = ticks();
  const t0 = Date.now();
  await sleep(ms);
  const s1 = await state();
  const c1 = ticks();
  const secs = (Date.now() - t0) / 1000;
  const published = (mainBranch(s1)?.frames_published ?? NaN) - (mainBranch(s0)?.frames_published ?? NaN);
  return { cpu: (((c1 - c0) / hz) * 100) / secs, fps: published / secs, state: s1 };
}

async function openKitPage() {
  const page = await browser.context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  await page.goto(`${fw.base}/api/health`); // any page of the origin (a secure context)
  await installPeerKit(page);
  return { page, logs };
}

test('ten WHEP peers in one page all decode from one encode', async (t) => {
  const { page, logs } = await openKitPage();
  try {
    const first = await page.evaluate(() => fwPeers.connect());
    assert.equal(first.status, 201, `POST /whep: ${first.status} ${first.error}`);
    await waitFor(() => page.evaluate((k) => fwPeers.frames(k) > 10, first.key), {
      timeoutMs: 20000,
      what: 'frames on the first peer',
    });
    const one = await measure(3000);
    assert.equal(webrtcPeers(one.state).length, 1);

    const t0 = Date.now();
    const results = [];
    for (let i = 0; i < 9; i++) results.push(await page.evaluate(() => fwPeers.connect()));
    for (const r of results) assert.equal(r.status, 201, `POST /whep: ${r.status} ${r.error}`);
    const frames = await waitFor(
      async () => {
        const f = await page.evaluate(() => fwPeers.allFrames());
        return f.length === 10 && f.every((n) => n > 10) ? f : null;
      },
      { timeoutMs: 30000, what: 'frames on all ten peers' },
    ).catch(async (e) => {
      const f = await page.evaluate(() => fwPeers.allFrames());
      const st = await page.evaluate(() => fwPeers.states());
      throw new Error(`${e.message}\nframes ${f}\nstates ${st}\n${logs.slice(-20).join('\n')}`);
    });
    const ready = Date.now() - t0;
    const firstFrames = await page.evaluate(() => fwPeers.keys().map((k) => fwPeers.firstFrameMs(k)));

    const ten = await measure(3000);
    const after = await page.evaluate(() => fwPeers.allFrames());
    after.forEach((n, i) => assert.ok(n > frames[i], `peer ${i} stopped at ${n} frames`));

    const s = ten.state;
    const peers = webrtcPeers(s);
    assert.equal(peers.length, 10, `peers: ${JSON.stringify(s.webrtc)}`);
    const h264 = h264Branches(s);
    assert.equal(h264.length, 1, `H.264 branches: ${JSON.stringify(h264.map((b) => b.id ?? b.name))}`);
    assert.equal(h264[0].id ?? h264[0].name, 'main');
    // one encode: frames published per second stay the source's rate, whatever the peer count
    assert.ok(ten.fps < FPS * 1.5 && ten.fps < one.fps * 1.5 + 5, `main published ${ten.fps.toFixed(1)} fps with 10 peers vs ${one.fps.toFixed(1)} with 1`);
    for (const p of peers) assert.ok((p.bytes_sent ?? 1) > 0, `peer ${p.id} sent ${p.bytes_sent} bytes`);

    t.diagnostic(
      `${W}x${H}@${FPS} on ${os.cpus().length} cores: server CPU ${one.cpu.toFixed(0)}% with 1 peer, ${ten.cpu.toFixed(0)}% with 10; ` +
        `main published ${one.fps.toFixed(1)} → ${ten.fps.toFixed(1)} fps; all ten decoding ${ready} ms after the 9 POSTs began; ` +
        `POST→first decoded frame median ${median(firstFrames.filter((x) => x !== null)).toFixed(0)} ms (as seen by 200 ms polls)`,
    );
    t.diagnostic(`peer stats: ${peers.map((p) => `${p.id}: ${p.packets_sent} pkts, nack ${p.nacks_received}, pli ${p.plis_received}, rtt ${p.rtt_ms}`).join('; ')}`);

    for (const k of await page.evaluate(() => fwPeers.keys())) {
      assert.equal(await page.evaluate((key) => fwPeers.remove(key), k), 200);
    }
    await waitFor(async () => webrtcPeers(await state()).length === 0, { timeoutMs: 10000, what: 'no peer after DELETE' });
  } finally {
    await page.close();
  }
});

test(`${CYCLES} connect/DELETE cycles leave no peer, thread or file descriptor behind`, async (t) => {
  const { page } = await openKitPage();
  const cycle = async (i) => {
    const r = await page.evaluate(() => fwPeers.connect());
    assert.equal(r.status, 201, `cycle ${i}: POST /whep ${r.status} ${r.error}`);
    await waitFor(() => page.evaluate((k) => fwPeers.frames(k) > 0, r.key), {
      timeoutMs: 15000,
      intervalMs: 50,
      what: `a decoded frame in cycle ${i}`,
    });
    assert.equal(await page.evaluate((k) => fwPeers.remove(k), r.key), 200, `cycle ${i}: DELETE`);
  };
  try {
    // warm up: GStreamer pools, the DTLS certificate, the encoder, Chromium's own sockets
    for (let i = 0; i < 3; i++) await cycle(`warm-up ${i}`);
    await waitFor(async () => webrtcPeers(await state()).length === 0, { timeoutMs: 10000, what: 'no peer after warm-up' });
    await sleep(2000);
    const before = procCounts(fw.pid);

    const t0 = Date.now();
    for (let i = 0; i < CYCLES; i++) await cycle(i);
    const took = Date.now() - t0;

    await waitFor(async () => webrtcPeers(await state()).length === 0, { timeoutMs: 10000, what: 'no peer after the cycles' });
    // threads and sockets of the last sessions wind down on their own threads: allow a moment
    const TOL = 2;
    let afterCounts = procCounts(fw.pid);
    const deadline = Date.now() + 15000;
    while ((afterCounts.threads > before.threads + TOL || afterCounts.fds > before.fds + TOL) && Date.now() < deadline) {
      await sleep(500);
      afterCounts = procCounts(fw.pid);
    }
    t.diagnostic(
      `${CYCLES} cycles in ${took} ms (${(took / CYCLES).toFixed(0)} ms each, POST → decoded frame → DELETE); ` +
        `threads ${before.threads} → ${afterCounts.threads}, fds ${before.fds} → ${afterCounts.fds}`,
    );
    assert.ok(afterCounts.threads <= before.threads + TOL, `threads ${before.threads} → ${afterCounts.threads}`);
    assert.ok(afterCounts.fds <= before.fds + TOL, `fds ${before.fds} → ${afterCounts.fds}`);
    const s = await state();
    assert.equal(webrtcPeers(s).length, 0);
    assert.equal(h264Branches(s).length, 1);
  } finally {
    await page.close();
  }
});
