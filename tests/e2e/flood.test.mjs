// Floods that must not knock the server over (issue 8): a flood of WHEP POSTs (valid offers,
// garbage offers, oversized bodies) and a crowd of clients that never read, each while a
// Direct viewer and an MJPEG viewer keep watching. Asserted: the viewers keep getting frames,
// the server stays healthy, everything the flood opened is gone afterwards, and the server's
// memory stays bounded. Frame rates and RSS figures are printed, never judged on time.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot, sleep, startFramewire, waitFor } from './lib/framewire.mjs';
import { RecordingSocket } from './lib/ws_client.mjs';

let fw;
const fixtures = fs.readFileSync(path.join(repoRoot, 'tests/unit/sdp_chromium_offers.hpp'), 'utf8');
const OFFER = /kChromiumVideoOnlyOffer = R"SDP\(([\s\S]*?)\)SDP"/.exec(fixtures)[1].replace(/\r?\n/g, '\r\n');

// Generous bounds: a leak per request or an unbounded queue per client would pass them in
// the hundreds of MB; a normal server moves a few tens.
const RSS_GROWTH_LIMIT_MB = 150;

before(async () => {
  fw = await startFramewire({ size: '640x360', fps: 30, 'jpeg-fps': 15, linger: 30, 'webrtc-max-peers': 20 });
});

after(async () => {
  if (fw) await fw.stop();
});

function rssMB() {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${fw.pid}/status`, 'utf8'));
  return Number(m[1]) / 1024;
}

const state = async () => (await fetch(`${fw.base}/api/state`)).json();

// A Direct and an MJPEG viewer that keep counting what they get.
async function watchers() {
  const direct = new RecordingSocket(`${fw.wsBase}/ws/direct`, { keepBinary: false });
  await direct.opened;
  const mjpeg = { parts: 0 };
  const boundary = Buffer.from('--framewireboundary');
  mjpeg.req = http.get(`${fw.base}/stream`, { agent: false }, (res) => {
    res.on('data', (chunk) => {
      for (let i = chunk.indexOf(boundary); i >= 0; i = chunk.indexOf(boundary, i + 1)) mjpeg.parts++;
    });
    res.on('error', () => {});
  });
  mjpeg.req.on('error', () => {});
  await waitFor(() => direct.binaryCount > 5 && mjpeg.parts > 2, { what: 'both viewers\' first frames' });
  return {
    counts: () => ({ direct: direct.binaryCount, mjpeg: mjpeg.parts }),
    close: () => { direct.ws.terminate(); mjpeg.req.destroy(); },
  };
}

function post(body, contentType = 'application/sdp') {
  return fetch(`${fw.base}/whep`, { method: 'POST', headers: { 'Content-Type': contentType }, body, signal: AbortSignal.timeout(20000) })
    .then(async (r) => ({ status: r.status, location: r.headers.get('location'), body: await r.text() }))
    .catch((e) => ({ status: 0, body: e.message }));
}

test('a flood of WHEP POSTs: other viewers keep their frames, every session is gone after, memory stays bounded', async (t) => {
  const viewers = await watchers();
  const rssBefore = rssMB();
  const statuses = {};
  let peakRss = rssBefore;
  const kinds = [
    () => post(OFFER), // valid: 201 until the per-address / total limits answer 503
    () => post('v=0\r\nthis is not sdp\r\n'), // 400
    () => post(OFFER.replace(/a=mid:0/g, 'a=mid:' + 'x'.repeat(3000))), // odd but parseable
    () => post('x'.repeat(70 * 1024)), // over the body limit: 413
    () => post('{}', 'application/json'), // wrong type: 4xx
  ];
  const created = [];
  const c0 = viewers.counts();
  const t0 = Date.now();
  for (let wave = 0; wave < 30; wave++) {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => kinds[(wave + i) % kinds.length]()));
    for (const r of results) {
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.status === 201 && r.location) created.push(r.location);
    }
    // Valid sessions are deleted at once now and then, as a real client's would be; the rest
    // stay until the end (the limits must hold them off).
    if (wave % 3 === 2) {
      await Promise.all(created.splice(0).map((loc) => fetch(`${fw.base}${loc}`, { method: 'DELETE' }).catch(() => {})));
    }
    peakRss = Math.max(peakRss, rssMB());
  }
  const seconds = (Date.now() - t0) / 1000;
  const c1 = viewers.counts();
  await Promise.all(created.splice(0).map((loc) => fetch(`${fw.base}${loc}`, { method: 'DELETE' }).catch(() => {})));
  const direct = c1.direct - c0.direct;
  const mjpeg = c1.mjpeg - c0.mjpeg;
  t.diagnostic(`300 POSTs in ${seconds.toFixed(1)} s: statuses ${JSON.stringify(statuses)}; meanwhile Direct ${direct} frames (${(direct / seconds).toFixed(1)} fps), MJPEG ${mjpeg} pictures (${(mjpeg / seconds).toFixed(1)} fps)`);
  assert.ok(direct > 5, `the Direct viewer got only ${direct} frames during the flood`);
  assert.ok(mjpeg > 2, `the MJPEG viewer got only ${mjpeg} pictures during the flood`);
  assert.ok((statuses[201] ?? 0) > 0, 'some valid offers were answered');
  assert.ok((statuses[400] ?? 0) > 0 && (statuses[413] ?? 0) > 0, `bad offers refused: ${JSON.stringify(statuses)}`);
  assert.equal(statuses[0] ?? 0, 0, 'every POST got an answer');
  assert.equal(statuses[500] ?? 0, 0, 'no POST made the server fail');

  await waitFor(async () => ((await state()).webrtc?.peers ?? []).length === 0, { timeoutMs: 30000, what: 'every WHEP session gone' });
  await sleep(2000);
  const rssAfter = rssMB();
  viewers.close();
  t.diagnostic(`RSS before ${rssBefore.toFixed(1)} MB, peak ${peakRss.toFixed(1)} MB, after ${rssAfter.toFixed(1)} MB`);
  assert.ok(rssAfter - rssBefore < RSS_GROWTH_LIMIT_MB, `RSS grew ${(rssAfter - rssBefore).toFixed(1)} MB`);
  assert.equal((await fetch(`${fw.base}/api/health`)).status, 200);
});

test('40 clients that never read (Direct and MJPEG): other viewers keep their frames, memory stays bounded', async (t) => {
  await waitFor(async () => ((await state()).clients ?? []).length === 0, { what: 'earlier clients gone' });
  const viewers = await watchers();
  const rssBefore = rssMB();
  const stuck = [];
  for (let i = 0; i < 20; i++) {
    // A WebSocket upgrade read once (to reach the session), then never again.
    const ws = net.connect(fw.port, '127.0.0.1');
    ws.on('error', () => {});
    ws.write('GET /ws/direct HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    ws.once('data', () => ws.pause());
    const mj = net.connect(fw.port, '127.0.0.1');
    mj.on('error', () => {});
    mj.write('GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
    mj.once('data', () => mj.pause());
    stuck.push(ws, mj);
  }
  const c0 = viewers.counts();
  const t0 = Date.now();
  let peakRss = rssBefore;
  for (let i = 0; i < 10; i++) {
    await sleep(1000);
    peakRss = Math.max(peakRss, rssMB());
  }
  const seconds = (Date.now() - t0) / 1000;
  const c1 = viewers.counts();
  const direct = c1.direct - c0.direct;
  const mjpeg = c1.mjpeg - c0.mjpeg;
  for (const s of stuck) s.destroy();
  viewers.close();
  t.diagnostic(`beside 40 never-reading clients for ${seconds.toFixed(1)} s: Direct ${direct} frames (${(direct / seconds).toFixed(1)} fps), MJPEG ${mjpeg} pictures; RSS before ${rssBefore.toFixed(1)} MB, peak ${peakRss.toFixed(1)} MB`);
  assert.ok(direct > 5, `the Direct viewer got only ${direct} frames`);
  assert.ok(mjpeg > 2, `the MJPEG viewer got only ${mjpeg} pictures`);
  assert.ok(peakRss - rssBefore < RSS_GROWTH_LIMIT_MB, `RSS grew ${(peakRss - rssBefore).toFixed(1)} MB with 40 stuck clients`);
  await waitFor(async () => ((await state()).clients ?? []).length === 0, { timeoutMs: 30000, what: 'the stuck clients dropped once closed' });
});
