// The WHEP endpoint against bad input and vanished peers, with Chromium as the real peer:
// wrong content type, malformed and truncated SDP, an offer without video, an offer with only
// codecs framewire cannot send, unknown resources, oversized bodies and a full server each get
// their documented status and a JSON reason while another peer keeps playing; a peer that goes
// away without DELETE is reaped after --webrtc-disconnect-timeout; and when the server is
// full (503) the page falls back to Direct and says why.

import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { getJson, http, startFramewire, waitFor } from './lib/framewire.mjs';
import { installPeerKit, launchWebRtcBrowser, webrtcPeers } from './lib/whep.mjs';

let fw;
let browser;
let page; // holds the peer that keeps playing

before(async () => {
  fw = await startFramewire({
    size: '640x360',
    fps: 30,
    'webrtc-max-peers': 2,
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

// a failed test leaves no peer behind to fill the next one's server (max-peers 2)
afterEach(async () => {
  await page.evaluate(() => fwPeers.removeAll()).catch(() => {});
});

const state = async () => (await getJson(`${fw.base}/api/state`)).json;
const frames = (key) => page.evaluate((k) => fwPeers.frames(k), key);

async function expectError(what, res, status, pattern) {
  const text = res.text();
  assert.equal(res.status, status, `${what}: got ${res.status} ${text.slice(0, 300)}`);
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    assert.fail(`${what}: the ${status} body is not JSON: ${text.slice(0, 300)}`);
  }
  assert.equal(typeof json.error, 'string', `${what}: no "error" string in ${text}`);
  assert.ok(json.error.length > 0);
  if (pattern) assert.match(json.error, pattern, `${what}: reason "${json.error}"`);
  return json.error;
}

test('bad WHEP requests get their status and reason while another peer keeps playing', async (t) => {
  const playing = await page.evaluate(() => fwPeers.connect());
  assert.equal(playing.status, 201, `POST /whep: ${playing.status} ${playing.error}`);
  assert.match(String(playing.location), /^\/whep\/[^/]+$|\/whep\/[^/]+$/);
  await waitFor(async () => (await frames(playing.key)) > 10, { timeoutMs: 20000, what: 'frames on the playing peer' });
  const startFrames = await frames(playing.key);

  const goodOffer = await page.evaluate(() => fwPeers.offer());
  const audioOnly = await page.evaluate(() => fwPeers.offer({ video: false, audio: true }));
  const vp8Only = await page.evaluate(() => fwPeers.offer({ codecs: ['VP8'] }));
  assert.doesNotMatch(vp8Only, /H264/i, 'the VP8-only offer still offers H.264');
  const post = (body, type = 'application/sdp', path = '/whep') =>
    http(`${fw.base}${path}`, { method: 'POST', headers: type ? { 'Content-Type': type } : {}, body });
  const reasons = {};

  reasons.type = await expectError('text/plain offer', await post(goodOffer, 'text/plain'), 415);
  reasons.json = await expectError('JSON offer', await post('{"sdp":"v=0"}', 'application/json'), 415);
  reasons.garbage = await expectError('garbage SDP', await post('hello, I am not SDP\r\n'), 400);
  // truncated: before any media section, inside the m= line, or inside the video section
  // before its codecs (docs/protocol.md says 400; a 422 "no common codec" is let pass, as the
  // codec list really is empty then)
  reasons.truncated = await expectError('SDP cut before its m= section', await post(goodOffer.slice(0, 60)), 400);
  const mline = goodOffer.indexOf('m=video');
  assert.ok(mline > 0, 'offer shape');
  reasons.truncatedM = await expectError('SDP cut inside its m= line', await post(goodOffer.slice(0, mline + 16)), 400);
  const cutRes = await post(goodOffer.slice(0, goodOffer.indexOf('a=fingerprint') + 30));
  assert.ok([400, 422].includes(cutRes.status), `SDP cut inside the fingerprint: ${cutRes.status} ${cutRes.text().slice(0, 200)}`);
  reasons.truncatedSection = await expectError('SDP cut inside the fingerprint', cutRes, cutRes.status);
  const noFingerprint = goodOffer
    .split('\r\n')
    .filter((l) => !l.startsWith('a=fingerprint'))
    .join('\r\n');
  reasons.fingerprint = await expectError('offer without a DTLS fingerprint', await post(noFingerprint), 400, /fingerprint/);
  reasons.empty = await expectError('empty body', await post(''), 400);
  reasons.novideo = await expectError('offer without video', await post(audioOnly), 422, /video/i);
  reasons.nocodec = await expectError('VP8-only offer', await post(vp8Only), 422, /VP8/i);
  assert.match(reasons.nocodec, /H\.?264/i, `the reason names the server's codec: ${reasons.nocodec}`);
  reasons.branch = await expectError('unknown branch', await post(goodOffer, 'application/sdp', '/whep?branch=nope'), 404, /nope|branch/i);
  reasons.big = await expectError('oversized offer', await post(`${goodOffer}a=x-padding:${'x'.repeat(70 * 1024)}\r\n`), 413);

  const frag = 'a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\nm=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=end-of-candidates\r\n';
  reasons.patch404 = await expectError(
    'PATCH unknown id',
    await http(`${fw.base}/whep/no-such-id`, { method: 'PATCH', headers: { 'Content-Type': 'application/trickle-ice-sdpfrag' }, body: frag }),
    404,
  );
  reasons.delete404 = await expectError('DELETE unknown id', await http(`${fw.base}/whep/no-such-id`, { method: 'DELETE' }), 404);
  reasons.patchType = await expectError(
    'PATCH with the wrong type',
    await http(`${fw.base}${playing.location}`, { method: 'PATCH', headers: { 'Content-Type': 'text/plain' }, body: frag }),
    415,
  );

  // OPTIONS: CORS and what POST accepts
  const opt = await http(`${fw.base}/whep`, { method: 'OPTIONS', headers: { Origin: 'http://example.test', 'Access-Control-Request-Method': 'POST' } });
  assert.ok(opt.status === 204 || opt.status === 200, `OPTIONS /whep: ${opt.status}`);
  assert.match(String(opt.headers.get('accept-post')), /application\/sdp/);

  // full: max-peers 2 = the playing one + one more; the third gets 503
  const second = await page.evaluate(() => fwPeers.connect());
  assert.equal(second.status, 201, `second peer: ${second.status} ${second.error}`);
  reasons.full = await expectError('third peer with --webrtc-max-peers 2', await post(goodOffer), 503, /peer/i);
  assert.equal(await page.evaluate((k) => fwPeers.remove(k), second.key), 200);

  for (const [k, v] of Object.entries(reasons)) t.diagnostic(`${k}: ${v}`);

  // the playing peer never noticed
  const before = await frames(playing.key);
  await waitFor(async () => (await frames(playing.key)) > before + 30, { timeoutMs: 15000, what: 'the playing peer to keep decoding' });
  t.diagnostic(`playing peer decoded ${startFrames} → ${await frames(playing.key)} frames across the bad requests`);
  assert.equal(await page.evaluate((k) => fwPeers.state(k), playing.key), 'connected');
  const peers = webrtcPeers(await state());
  assert.equal(peers.length, 1, `peers: ${JSON.stringify(peers)}`);
  assert.equal((await getJson(`${fw.base}/api/health`)).json?.ok, true);
  assert.equal(await page.evaluate((k) => fwPeers.remove(k), playing.key), 200);
  await waitFor(async () => webrtcPeers(await state()).length === 0, { timeoutMs: 5000, what: 'no peer' });
});

test('a peer that goes away without DELETE is reaped after the disconnect timeout', async (t) => {
  // one closes its RTCPeerConnection, one disappears with its page
  const r = await page.evaluate(() => fwPeers.connect());
  assert.equal(r.status, 201);
  const other = await browser.context.newPage();
  t.after(() => other.close().catch(() => {}));
  await other.goto(`${fw.base}/api/health`);
  await installPeerKit(other);
  const r2 = await other.evaluate(() => fwPeers.connect());
  assert.equal(r2.status, 201);
  await waitFor(async () => (await frames(r.key)) > 5, { timeoutMs: 20000, what: 'frames on peer 1' });
  await waitFor(() => other.evaluate((k) => fwPeers.frames(k) > 5, r2.key), { timeoutMs: 20000, what: 'frames on peer 2' });
  // /api/state refreshes its peer list once a second
  await waitFor(async () => webrtcPeers(await state()).length === 2, { timeoutMs: 5000, what: 'two peers in /api/state' });

  const t0 = Date.now();
  await page.evaluate((k) => fwPeers.closeOnly(k), r.key);
  await other.close(); // its peer never DELETEs: the kit has no pagehide handler
  const seen = [];
  await waitFor(
    async () => {
      const n = webrtcPeers(await state()).length;
      if (seen.at(-1)?.n !== n) seen.push({ n, ms: Date.now() - t0 });
      return n === 0;
    },
    { timeoutMs: 30000, intervalMs: 250, what: 'both vanished peers reaped' },
  );
  t.diagnostic(`peers over time after they vanished (disconnect timeout 2 s): ${seen.map((x) => `${x.n} at ${x.ms} ms`).join(', ')}`);
  // and the server still takes a new peer
  const again = await page.evaluate(() => fwPeers.connect());
  assert.equal(again.status, 201);
  await waitFor(async () => (await frames(again.key)) > 5, { timeoutMs: 20000, what: 'frames on a new peer' });
  assert.equal(await page.evaluate((k) => fwPeers.remove(k), again.key), 200);
});

test('a full server (503) makes the page fall back to Direct and say why', async (t) => {
  // --webrtc-max-peers 2, both taken: the page's POST /whep gets 503
  await waitFor(async () => webrtcPeers(await state()).length === 0, { timeoutMs: 30000, what: 'no peer left from earlier tests' });
  const held = [];
  for (let i = 0; i < 2; i++) {
    const r = await page.evaluate(() => fwPeers.connect());
    assert.equal(r.status, 201, `holding peer ${i}: ${r.status} ${r.error}`);
    held.push(r.key);
  }
  const p = await browser.context.newPage();
  try {
    await p.goto(`${fw.base}/?mode=mjpeg`);
    await p.evaluate(() => localStorage.removeItem('framewire.mode'));
    await p.goto(`${fw.base}/`);
    await waitFor(() => p.evaluate(() => window.framewire.mode === 'direct' && window.framewire.stats.framesDecoded > 10), {
      timeoutMs: 20000,
      what: 'Direct frames after the fallback',
    });
    const reason = await p.evaluate(() => window.framewire.fallbackReason);
    assert.match(reason, /WebRTC/);
    assert.match(reason, /503/);
    assert.equal(await p.isVisible('#notice'), true);
    assert.match(await p.textContent('#notice'), /Playing Direct/);
    t.diagnostic(`fallback reason: ${reason}`);
  } finally {
    await p.close();
    for (const k of held) await page.evaluate((key) => fwPeers.remove(key), k);
  }
});
