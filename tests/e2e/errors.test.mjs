// Bad input against the real binary: every bad request gets its 4xx (with a JSON reason where
// HTTP allows one), a bad WebSocket client loses only its own session, and afterwards the
// server still serves health and snapshots.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bodyOf, getJson, http, rawRequest, startFramewire, statusOf } from './lib/framewire.mjs';
import { RecordingSocket } from './lib/ws_client.mjs';

let fw;

before(async () => {
  fw = await startFramewire({ size: '640x360', fps: 30 });
});

after(async () => {
  if (fw) await fw.stop();
});

function assertJsonError(r, status) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text()}`);
  assert.match(r.headers.get('content-type') ?? '', /json/, 'error is not JSON');
  assert.equal(typeof r.json?.error, 'string', `no "error" field: ${r.text()}`);
  assert.ok(r.json.error.length > 0);
}

test('unknown paths get 404 with a JSON error', async () => {
  for (const p of ['/nope', '/api/nope', '/ws/nope', '/js/missing.js', '/%2e%2e/%2e%2e/etc/passwd']) {
    assertJsonError(await getJson(`${fw.base}${p}`), 404);
  }
});

test('path traversal does not leave the web directory', async () => {
  const r = await rawRequest(fw.port, 'GET /../../../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
  const status = statusOf(r.text);
  assert.ok(status >= 400 && status < 500, `status ${status}`);
  assert.ok(!/root:.*:0:0:/.test(r.text), 'served /etc/passwd');
});

test('wrong methods get 405 with a JSON error', async () => {
  assertJsonError(await getJson(`${fw.base}/snapshot`, { method: 'DELETE' }), 405);
  assertJsonError(await getJson(`${fw.base}/api/state`, { method: 'POST', body: '{}' }), 405);
  assertJsonError(await getJson(`${fw.base}/stream`, { method: 'PUT', body: 'x' }), 405);
});

test('a malformed request line gets 400', async () => {
  const r = await rawRequest(fw.port, 'THIS IS NOT HTTP\r\n\r\n');
  assert.equal(statusOf(r.text), 400, `answer: ${JSON.stringify(r.text.slice(0, 300))}`);
  assert.match(bodyOf(r.text), /"error"/);
});

test('a request with a bad header line gets 400', async () => {
  const r = await rawRequest(fw.port, 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n');
  assert.equal(statusOf(r.text), 400, `answer: ${JSON.stringify(r.text.slice(0, 300))}`);
});

test('an oversized header gets a 4xx', async () => {
  const big = 'x'.repeat(64 * 1024);
  const r = await rawRequest(fw.port, `GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${big}\r\n\r\n`);
  const status = statusOf(r.text);
  assert.ok(status >= 400 && status < 500, `status ${status}: ${JSON.stringify(r.text.slice(0, 300))}`);
});

test('a WebSocket upgrade without a key is refused', async () => {
  const r = await rawRequest(
    fw.port,
    'GET /ws/direct HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  const status = statusOf(r.text);
  assert.ok(status >= 400 && status < 500, `status ${status}: ${JSON.stringify(r.text.slice(0, 300))}`);
});

for (const [name, send] of [
  ['binary garbage', (s) => s.sendBinary(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]))],
  ['text that is not JSON', (s) => s.send('{{{ not json')],
  ['an oversized message', (s) => s.send(JSON.stringify({ type: 'ping', t: 'x'.repeat(64 * 1024) }))],
]) {
  test(`${name} on /ws/direct closes only that session`, async () => {
    const good = new RecordingSocket(`${fw.wsBase}/ws/direct`, { keepBinary: false });
    const bad = new RecordingSocket(`${fw.wsBase}/ws/direct`, { keepBinary: false });
    try {
      await Promise.all([good.opened, bad.opened]);
      await good.waitFor((s) => s.binaryCount >= 5, { timeoutMs: 20000, what: 'video on the good session' });
      await bad.waitFor((s) => s.binaryCount >= 1, { timeoutMs: 20000, what: 'video on the bad session' });
      send(bad);
      await bad.waitFor((s) => s.closed, { timeoutMs: 10000, what: 'the bad session to be closed' });
      const count = good.binaryCount;
      await good.waitFor((s) => s.binaryCount >= count + 15, { timeoutMs: 10000, what: 'the good session to keep receiving' });
      assert.equal(good.closed, false, 'the good session was closed too');
    } finally {
      await Promise.all([good.close(), bad.close()]);
    }
  });
}

test('clients that vanish mid-request do not hurt the server', async () => {
  // half a request, then close; a stream client that disconnects at once
  await rawRequest(fw.port, 'GET /api/sta', { timeoutMs: 300, endAfterWrite: true });
  await rawRequest(fw.port, 'GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', { timeoutMs: 500 });
  await rawRequest(fw.port, 'GET /ws/direct HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n', { timeoutMs: 500 });
});

test('after all of that the server still serves /api/health and /snapshot', async () => {
  assert.equal(fw.exited, false, `framewire exited: ${fw.exitCode}\n${fw.log()}`);
  const health = await getJson(`${fw.base}/api/health`);
  assert.equal(health.status, 200);
  const snap = await http(`${fw.base}/snapshot`, { timeoutMs: 15000 });
  assert.equal(snap.status, 200);
  assert.deepEqual([...snap.body.subarray(0, 2)], [0xff, 0xd8]);
  // keep-alive still works: two requests on one connection
  const r = await rawRequest(
    fw.port,
    'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
  );
  assert.equal((r.text.match(/HTTP\/1\.1 200 /g) ?? []).length, 2, `keep-alive answers: ${r.text.slice(0, 400)}`);
});
