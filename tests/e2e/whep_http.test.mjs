// The WHEP endpoint at the HTTP level (docs/protocol.md, "WebRTC through WHEP"): CORS
// preflight, every error status with its JSON reason, a real Chromium offer answered with
// 201 + Location + ETag + a usable SDP answer, trickle PATCH, DELETE, the peer limit, the
// WebRTC part of /api/state, and /ws/events (hello, then clients and peers joining and leaving).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getJson, http, rawRequest, startFramewire, statusOf, waitFor } from './lib/framewire.mjs';
import { installPeerKit, launchWebRtcBrowser, webrtcPeers } from './lib/whep.mjs';
import { RecordingSocket } from './lib/ws_client.mjs';

let fw;
let browser;
let page;

before(async () => {
  fw = await startFramewire({
    size: '640x360',
    fps: 30,
    'webrtc-max-peers': 1,
    'webrtc-disconnect-timeout': 2,
  });
  browser = await launchWebRtcBrowser();
  page = await browser.context.newPage();
  await page.goto(`${fw.base}/api/health`);
  await installPeerKit(page);
});

after(async () => {
  if (browser) await browser.close();
  if (fw) await fw.stop();
});

const state = async () => (await getJson(`${fw.base}/api/state`)).json;

function assertJsonError(what, r, status) {
  const text = r.text();
  assert.equal(r.status, status, `${what}: got ${r.status} ${text.slice(0, 300)}`);
  assert.match(r.headers.get('content-type') ?? '', /json/, `${what}: error is not JSON`);
  const json = JSON.parse(text);
  assert.equal(typeof json.error, 'string', `${what}: no "error" in ${text}`);
  assert.ok(json.error.length > 0);
  return json.error;
}

const post = (body, contentType = 'application/sdp', path = '/whep') =>
  http(`${fw.base}${path}`, { method: 'POST', headers: { 'Content-Type': contentType }, body });

test('OPTIONS answers the CORS preflight on /whep and on a resource', async () => {
  for (const [path, methods] of [
    ['/whep', ['POST', 'OPTIONS']],
    ['/whep/anything', ['PATCH', 'DELETE', 'OPTIONS']],
  ]) {
    const r = await http(`${fw.base}${path}`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://example.test',
        'Access-Control-Request-Method': methods[0],
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    assert.equal(r.status, 204, `${path}: ${r.status}`);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    const allowMethods = r.headers.get('access-control-allow-methods') ?? '';
    for (const m of methods) assert.match(allowMethods, new RegExp(m), `${path}: ${allowMethods}`);
    const allowHeaders = (r.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const h of ['content-type', 'if-match', 'authorization']) assert.match(allowHeaders, new RegExp(h));
    const expose = (r.headers.get('access-control-expose-headers') ?? '').toLowerCase();
    for (const h of ['location', 'etag', 'link', 'accept-patch']) assert.match(expose, new RegExp(h));
    assert.equal(r.headers.get('accept-post'), 'application/sdp');
  }
  const resource = await http(`${fw.base}/whep/x`, { method: 'OPTIONS' });
  assert.equal(resource.headers.get('accept-patch'), 'application/trickle-ice-sdpfrag');
});

test('bad POSTs get 415, 400, 422 and 413 with a JSON reason', async () => {
  const offer = await page.evaluate(() => fwPeers.offer());
  assert.match(offer, /m=video/);

  assertJsonError('wrong content type', await post(offer, 'application/json'), 415);
  assertJsonError('no content type', await post(offer, ''), 415);
  assertJsonError('not SDP', await post('hello, I am not SDP'), 400);
  assertJsonError('truncated SDP', await post(offer.slice(0, 40)), 400);

  const audioOnly = await page.evaluate(() => fwPeers.offer({ video: false, audio: true }));
  const reason = assertJsonError('offer without video', await post(audioOnly), 422);
  assert.match(reason, /video/i);

  const big = `v=0\r\n${'a=x-padding:'.padEnd(1000, 'x')}\r\n`.repeat(80); // > 64 KiB
  const r = await post(big);
  assertJsonError('oversized body', r, 413);

  const unknownBranch = await post(offer, 'application/sdp', '/whep?branch=nope');
  assert.match(assertJsonError('unknown branch', unknownBranch, 404), /nope/);
  assert.equal((await state()).webrtc.peers.length, 0, 'a refused offer left a peer behind');
});

test('PATCH and DELETE of unknown resources get 404', async () => {
  const frag = 'a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\nm=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 2130706431 127.0.0.1 9 typ host\r\n';
  assertJsonError(
    'PATCH unknown',
    await http(`${fw.base}/whep/doesnotexist`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/trickle-ice-sdpfrag' },
      body: frag,
    }),
    404,
  );
  assertJsonError('DELETE unknown', await http(`${fw.base}/whep/doesnotexist`, { method: 'DELETE' }), 404);
  assertJsonError('GET /whep', await http(`${fw.base}/whep`), 405);
});

test('a Chromium offer gets 201 with Location, ETag and an answer; the peer plays, shows in state and events; a second peer gets 503', async () => {
  const events = new RecordingSocket(`${fw.wsBase}/ws/events`);
  await events.opened;
  await events.waitFor((s) => s.texts().some((m) => m.type === 'hello'), { what: 'events hello' });

  // The raw exchange first, timed from Node (the answer waits for candidate gathering).
  const offer = await page.evaluate(() => fwPeers.offer());
  const t0 = performance.now();
  const raw = await post(offer);
  const postMs = performance.now() - t0;
  assert.equal(raw.status, 201, `POST /whep: ${raw.status} ${raw.text().slice(0, 300)}`);
  console.log(`POST /whep -> 201 in ${postMs.toFixed(1)} ms`);
  assert.equal(raw.headers.get('content-type'), 'application/sdp');
  const location = raw.headers.get('location');
  assert.match(location ?? '', /^\/whep\/[0-9a-f]+$/);
  assert.match(raw.headers.get('etag') ?? '', /^".+"$/);
  assert.equal(raw.headers.get('accept-patch'), 'application/trickle-ice-sdpfrag');
  assert.equal(raw.headers.get('access-control-allow-origin'), '*');
  assert.match(raw.headers.get('access-control-expose-headers') ?? '', /Location/);
  const answer = raw.text();
  for (const line of [/^v=0/m, /^m=video [1-9]\d* UDP\/TLS\/RTP\/SAVPF/m, /^a=fingerprint:sha-256 /m, /^a=ice-ufrag:/m, /^a=setup:(active|passive)/m, /^a=rtpmap:\d+ H264\/90000/m, /^a=candidate:.* 127\.0\.0\.1 /m, /^a=sendonly/m]) {
    assert.match(answer, line, `answer lacks ${line}:\n${answer}`);
  }

  // The limit is one peer: a second offer is refused while this one exists.
  const second = await post(offer);
  assert.match(assertJsonError('second peer', second, 503), /too many peers/);

  // Trickle: a well-formed fragment is accepted (204), a wrong type is 415, a wrong ETag 412.
  const frag = 'a=ice-ufrag:' + /a=ice-ufrag:(\S+)/.exec(offer)[1] + '\r\na=ice-pwd:' + /a=ice-pwd:(\S+)/.exec(offer)[1] +
    '\r\nm=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 2130706431 127.0.0.1 9 typ host\r\na=end-of-candidates\r\n';
  const patched = await http(`${fw.base}${location}`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/trickle-ice-sdpfrag', 'If-Match': raw.headers.get('etag') },
    body: frag,
  });
  assert.equal(patched.status, 204, `PATCH: ${patched.status} ${patched.text()}`);
  assertJsonError('PATCH wrong type', await http(`${fw.base}${location}`, { method: 'PATCH', headers: { 'Content-Type': 'text/plain' }, body: frag }), 415);
  assertJsonError('PATCH wrong ETag', await http(`${fw.base}${location}`, { method: 'PATCH', headers: { 'Content-Type': 'application/trickle-ice-sdpfrag', 'If-Match': '"nope"' }, body: frag }), 412);

  const s = await state();
  assert.equal(s.webrtc.max_peers, 1);
  const id = location.split('/').pop();
  await waitFor(async () => webrtcPeers(await state()).some((p) => p.id === id), { what: 'the peer in /api/state' });
  const st = await state();
  const client = st.clients.find((c) => c.mode === 'webrtc' && c.id === id);
  assert.ok(client, `no webrtc client in ${JSON.stringify(st.clients)}`);
  for (const key of ['bytes', 'packets', 'nacks', 'plis', 'rtt_ms', 'loss', 'branch']) assert.ok(key in client, `client lacks ${key}`);
  assert.equal(client.branch, 'main');

  const deleted = await http(`${fw.base}${location}`, { method: 'DELETE' });
  assert.equal(deleted.status, 200);
  assert.equal(deleted.headers.get('access-control-allow-origin'), '*');
  assertJsonError('DELETE twice', await http(`${fw.base}${location}`, { method: 'DELETE' }), 404);

  await events.waitFor((sock) => sock.texts().some((m) => m.type === 'webrtc_peer_left' && m.id === id), { what: 'webrtc_peer_left' });
  const types = events.texts().filter((m) => m.id === id).map((m) => `${m.type}${m.mode ? `:${m.mode}` : ''}`);
  assert.deepEqual(types, ['webrtc_peer_joined', 'client_joined:webrtc', 'webrtc_peer_left', 'client_left:webrtc']);
  await events.close();

  // Now a real browser peer through the page: ICE and DTLS connect over loopback and RTP
  // arrives and decodes (getStats). Whether the <video> shows it is the player tests' job
  // (webrtc_*.test.mjs).
  const playing = await page.evaluate(() => fwPeers.connect());
  assert.equal(playing.status, 201, `browser POST /whep: ${playing.status} ${playing.error}`);
  await waitFor(async () => (await page.evaluate((k) => fwPeers.state(k), playing.key)) === 'connected', { timeoutMs: 20000, what: 'connectionState connected' });
  await waitFor(async () => (await page.evaluate((k) => fwPeers.decoded(k), playing.key)) > 5, { timeoutMs: 20000, what: 'decoded frames in the browser' });
  const removed = await page.evaluate((k) => fwPeers.remove(k), playing.key);
  assert.equal(removed, 200);
});

test('/ws/events sends hello with the state, then client_joined/left for a Direct client', async () => {
  const plain = await getJson(`${fw.base}/ws/events`);
  assert.equal(plain.status, 426);

  const events = new RecordingSocket(`${fw.wsBase}/ws/events`);
  await events.opened;
  await events.waitFor((s) => s.texts().length > 0, { what: 'the hello' });
  const hello = events.texts()[0];
  assert.equal(hello.type, 'hello');
  for (const key of ['version', 'source', 'branches', 'clients', 'webrtc']) assert.ok(key in hello.state, `hello.state lacks ${key}`);

  const direct = new RecordingSocket(`${fw.wsBase}/ws/direct`, { keepBinary: false });
  await direct.opened;
  const joined = await events.waitFor((s) => s.texts().find((m) => m.type === 'client_joined' && m.mode === 'direct'), { what: 'client_joined' });
  assert.equal(typeof joined.id, 'number');
  assert.match(joined.remote, /^127\.0\.0\.1:\d+$/);
  await direct.waitFor((s) => s.binaryCount > 0, { what: 'Direct video' });
  await direct.close();
  const left = await events.waitFor((s) => s.texts().find((m) => m.type === 'client_left' && m.id === joined.id), { what: 'client_left' });
  assert.equal(left.mode, 'direct');
  assert.ok(left.frames_sent > 0);
  await events.close();
});

test('a client that leaves before its answer leaves no peer behind (a page closed while its offer was answered)', async () => {
  await waitFor(async () => webrtcPeers(await state()).length === 0, { timeoutMs: 20000, what: 'no peer left from earlier tests' });
  const offer = await page.evaluate(() => fwPeers.offer());
  const before = fw.log().split('\n').length;
  // the whole request, then the client closes its side at once: it will never read the answer
  const request =
    `POST /whep HTTP/1.1\r\nHost: 127.0.0.1:${fw.port}\r\nContent-Type: application/sdp\r\n` +
    `Content-Length: ${Buffer.byteLength(offer)}\r\n\r\n${offer}`;
  const gone = await rawRequest(fw.port, request, { timeoutMs: 5000, endAfterWrite: true });
  assert.equal(gone.closed, true, 'the server drops the connection');
  assert.equal(statusOf(gone.text), null, `no answer is sent to a client that left: ${gone.text.slice(0, 200)}`);
  await waitFor(() => /the client left before its answer; removing/.test(fw.log().split('\n').slice(before).join('\n')), {
    timeoutMs: 10000,
    what: 'the peer removed when it is answered',
  });
  await waitFor(async () => webrtcPeers(await state()).length === 0, { timeoutMs: 5000, what: 'no peer listed' });
  // a client that stays gets its answer as before
  const kept = await post(offer);
  assert.equal(kept.status, 201, `POST /whep: ${kept.status} ${kept.text().slice(0, 200)}`);
  const del = await http(`${fw.base}${kept.headers.get('location')}`, { method: 'DELETE' });
  assert.equal(del.status, 200);
});
