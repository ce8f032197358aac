// Limits answer with their documented status and a JSON reason (docs/protocol.md#limits):
// viewers per mode and in total (503), WHEP sessions per client address (503), a too big
// WebSocket message (close 1009). Also: a slowloris client, a client that sends garbage
// WebSocket frames and one that never reads do not stop another viewer's frames.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { repoRoot, startFramewire, waitFor } from './lib/framewire.mjs';
import { RecordingSocket } from './lib/ws_client.mjs';

let fw;
const fixtures = fs.readFileSync(path.join(repoRoot, 'tests/unit/sdp_chromium_offers.hpp'), 'utf8');
const OFFER = /kChromiumVideoOnlyOffer = R"SDP\(([\s\S]*?)\)SDP"/.exec(fixtures)[1].replace(/\r?\n/g, '\r\n');

before(async () => {
  fw = await startFramewire({
    'max-viewers': 3,
    'max-viewers-mjpeg': 1,
    'max-viewers-direct': 1,
    'webrtc-max-per-address': 1,
    'ws-max-message': 256,
    linger: 30,
  });
});

after(async () => {
  if (fw) await fw.stop();
});

// Opens a stream and keeps it; resolves once its first bytes arrived.
function holdStream(urlPath) {
  return new Promise((resolve, reject) => {
    const req = http.get(`${fw.base}${urlPath}`, { agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
      res.once('data', () => resolve({ close: () => req.destroy() }));
    });
    req.on('error', () => {});
  });
}

async function json503(r, pattern) {
  const text = await r.text();
  assert.equal(r.status, 503, text);
  assert.match(r.headers.get('content-type') ?? '', /json/);
  assert.match(JSON.parse(text).error, pattern);
  assert.ok(Number(r.headers.get('retry-after')) > 0);
}

const clientCount = async () => ((await (await fetch(`${fw.base}/api/state`)).json()).clients ?? []).length;

test('a second MJPEG viewer past max-viewers-mjpeg gets 503 with a reason', async () => {
  const first = await holdStream('/stream');
  await waitFor(async () => (await clientCount()) >= 1, { what: 'the MJPEG client in /api/state' });
  try {
    await json503(await fetch(`${fw.base}/stream`), /too many MJPEG viewers: 1 watching, max-viewers-mjpeg is 1/);
    await json503(await fetch(`${fw.base}/?action=stream`), /too many MJPEG viewers/);
    assert.equal((await fetch(`${fw.base}/snapshot`)).status, 200, 'a snapshot is not a viewer');
  } finally {
    first.close();
  }
  await waitFor(async () => (await clientCount()) === 0, { what: 'the MJPEG client gone' });
});

test('a second Direct viewer past max-viewers-direct gets 503; a big client message closes with 1009', async () => {
  const first = new RecordingSocket(`${fw.wsBase}/ws/direct`);
  await first.opened;
  await waitFor(async () => (await clientCount()) >= 1, { what: 'the Direct client in /api/state' });
  try {
    const status = await new Promise((resolve) => {
      const ws = new WebSocket(`${fw.wsBase}/ws/direct`);
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c) => { body += c; });
        res.on('end', () => resolve({ code: res.statusCode, body }));
      });
      ws.on('open', () => { ws.close(); resolve({ code: 101 }); });
      ws.on('error', () => {});
    });
    assert.equal(status.code, 503);
    assert.match(JSON.parse(status.body).error, /too many Direct viewers/);

    first.ws.send(JSON.stringify({ type: 'ping', t: 'x'.repeat(1000) }));
    await waitFor(() => first.closed, { what: 'the socket closed after a 1 KB message' });
    assert.equal(first.closeCode, 1009);
  } finally {
    first.ws.terminate();
  }
  await waitFor(async () => (await clientCount()) === 0, { what: 'the Direct client gone' });
});

test('a second WHEP session from the same address gets 503 (webrtc-max-per-address)', async () => {
  const post = () => fetch(`${fw.base}/whep`, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: OFFER });
  const first = await post();
  assert.equal(first.status, 201, await first.text());
  try {
    await json503(await post(), /too many WebRTC sessions from 127\.0\.0\.1: 1 open, webrtc-max-per-address is 1/);
  } finally {
    await fetch(`${fw.base}${first.headers.get('location')}`, { method: 'DELETE' });
  }
});

test('past max-viewers in total, any mode gets 503', async () => {
  // 1 MJPEG + 1 Direct + 1 WebRTC = 3 = max-viewers
  const mjpeg = await holdStream('/stream');
  const direct = new RecordingSocket(`${fw.wsBase}/ws/direct`);
  await direct.opened;
  await new Promise((r) => setTimeout(r, 15100)); // the last test's WHEP offer holds its address for 2 s and while its peer is listed
  const whep = await fetch(`${fw.base}/whep`, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: OFFER });
  assert.equal(whep.status, 201, await whep.text());
  try {
    await waitFor(async () => {
      const s = await (await fetch(`${fw.base}/api/state`)).json();
      return (s.clients ?? []).length >= 2 && (s.webrtc?.peers ?? []).length >= 1;
    }, { what: 'three viewers in /api/state' });
    await json503(await fetch(`${fw.base}/stream`), /too many viewers: 3 watching, max-viewers is 3/);
  } finally {
    mjpeg.close();
    direct.ws.terminate();
    await fetch(`${fw.base}${whep.headers.get('location')}`, { method: 'DELETE' });
  }
});

test('slowloris, garbage WebSocket frames and a client that never reads leave a viewer\'s frames flowing', async (t) => {
  await waitFor(async () => (await clientCount()) === 0, { what: 'earlier clients gone' });
  const viewer = new RecordingSocket(`${fw.wsBase}/ws/direct`, { keepBinary: false });
  await viewer.opened;
  await waitFor(() => viewer.binaryCount > 5, { what: 'the viewer\'s first frames' });

  // slowloris: 20 connections sending a header byte now and then
  const slow = [];
  for (let i = 0; i < 20; i++) {
    const s = net.connect(fw.port, '127.0.0.1');
    s.on('error', () => {});
    s.write('GET /api/state HTTP/1.1\r\nHost: x\r\n');
    slow.push(s);
  }
  const drip = setInterval(() => { for (const s of slow) s.write('X-a: b\r\n'); }, 500);
  // garbage: raw bytes after a real upgrade on the events socket (stays under the limit)
  const garbage = [];
  for (let i = 0; i < 5; i++) {
    const s = net.connect(fw.port, '127.0.0.1');
    s.on('error', () => {});
    s.write('GET /ws/events HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    s.once('data', () => s.write(Buffer.from([0x8f, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13])));
    garbage.push(s);
  }
  // a client that never reads: the MJPEG limit is 1, so it is an MJPEG stream it never reads
  const stuck = net.connect(fw.port, '127.0.0.1');
  stuck.on('error', () => {});
  stuck.write('GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
  stuck.pause();

  const before = viewer.binaryCount;
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, 5000));
  const frames = viewer.binaryCount - before;
  const fps = frames / ((Date.now() - t0) / 1000);
  clearInterval(drip);
  for (const s of [...slow, ...garbage, stuck]) s.destroy();
  viewer.ws.terminate();
  t.diagnostic(`viewer got ${frames} frames in 5 s (${fps.toFixed(1)} fps) beside 20 slowloris, 5 garbage and 1 never-reading clients`);
  assert.ok(frames > 5, `only ${frames} frames in 5 s: the other clients stalled this viewer`);
  const health = await fetch(`${fw.base}/api/health`);
  assert.equal(health.status, 200);
});
