// WHEP serves a branch of any browser codec: VP8 and VP9 (and AV1 where GStreamer has an AV1
// RTP payloader) branches decode in headless Chromium over WebRTC (framesDecoded in getStats and
// frames in the <video>); "?branch=" picks the branch, without it the offer goes to the first
// branch whose codec it accepts; an H.264 and a VP8 viewer share one server at once.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { getJson, waitFor } from './lib/framewire.mjs';
import { startWithConfig } from './lib/branches.mjs';
import { installPeerKit, launchWebRtcBrowser, webrtcPeers } from './lib/whep.mjs';

const YAML = `size: 640x360
fps: 30
branches:
  - id: hq
    codec: h264
    bitrate: 1500
  - id: vp8
    codec: vp8
    bitrate: 800
  - id: vp9
    codec: vp9
    width: width / 2
    height: height / 2
    bitrate: 400
  - id: av1
    codec: av1
    width: width / 2
    height: height / 2
    fps: min(fps, 15)
    bitrate: 300
`;

const hasAv1Payloader = (() => {
  try {
    execFileSync('gst-inspect-1.0', ['--exists', 'rtpav1pay']);
    return true;
  } catch {
    return false;
  }
})();

let fw;
let browser;
let page;

before(async () => {
  fw = await startWithConfig(YAML);
  browser = await launchWebRtcBrowser();
  page = await browser.context.newPage();
  await page.goto(`${fw.base}/api/health`);
  await installPeerKit(page);
});

after(async () => {
  if (page) await page.evaluate(() => window.fwPeers.removeAll()).catch(() => {});
  if (browser) await browser.close();
  if (fw) await fw.stop();
});

async function connect(opts) {
  const r = await page.evaluate((o) => window.fwPeers.connect(o), opts);
  assert.ok(r.ok, `WHEP ${JSON.stringify(opts)}: ${r.status} ${r.error}`);
  return r;
}

async function decodes(key, n, what) {
  await waitFor(async () => (await page.evaluate((k) => window.fwPeers.decoded(k), key)) >= n, { what: `${what}: ${n} frames decoded`, timeoutMs: 30000 });
  await waitFor(() => page.evaluate((k) => window.fwPeers.frames(k), key).then((f) => f > 0), { what: `${what}: frames in the <video>`, timeoutMs: 10000 });
}

async function peerCodec(location) {
  const id = location.split('/').pop();
  let peer;
  await waitFor(async () => {
    peer = webrtcPeers((await getJson(`${fw.base}/api/state`)).json).find((p) => p.id === id);
    return peer !== undefined;
  }, { what: `peer ${id} in /api/state`, timeoutMs: 10000 });
  return peer;
}

for (const [branch, encoding] of [['vp8', 'VP8'], ['vp9', 'VP9']]) {
  test(`${encoding} branch decodes over WebRTC (?branch=${branch})`, async (t) => {
    const r = await connect({ path: `/whep?branch=${branch}` });
    await decodes(r.key, 30, branch);
    const peer = await peerCodec(r.location);
    t.diagnostic(`peer: ${JSON.stringify({ branch: peer.branch, codec: peer.codec })}`);
    assert.equal(peer.branch, branch);
    assert.match(peer.codec, new RegExp(`^${encoding}/`));
    assert.equal(await page.evaluate((k) => window.fwPeers.remove(k), r.key), 200);
  });
}

test('AV1 branch over WebRTC: decodes, or a clear 422 when GStreamer has no AV1 payloader', async (t) => {
  if (hasAv1Payloader) {
    const r = await connect({ path: '/whep?branch=av1' });
    await decodes(r.key, 15, 'av1');
    assert.match((await peerCodec(r.location)).codec, /^AV1\//);
    await page.evaluate((k) => window.fwPeers.remove(k), r.key);
    return;
  }
  const r = await page.evaluate(() => window.fwPeers.connect({ path: '/whep?branch=av1' }));
  t.diagnostic(`no rtpav1pay: ${r.status} ${r.error}`);
  assert.equal(r.status, 422);
  assert.match(r.error, /rtpav1pay/);
});

test('without ?branch= the offer goes to the first branch whose codec it accepts', async () => {
  const vp9only = await connect({ codecs: ['VP9'] });
  assert.equal((await peerCodec(vp9only.location)).branch, 'vp9');
  await decodes(vp9only.key, 15, 'VP9-only offer');
  const any = await connect({});
  assert.equal((await peerCodec(any.location)).branch, 'hq'); // the default branch comes first
  for (const k of [vp9only.key, any.key]) await page.evaluate((key) => window.fwPeers.remove(key), k);
  // A codec no branch has: 422 naming what the branches send.
  const none = await page.evaluate(() => window.fwPeers.connect({ path: '/whep?branch=vp8', codecs: ['H264'] }));
  assert.equal(none.status, 422);
  assert.match(none.error, /VP8/);
});

test('an H.264 and a VP8 viewer share one server at once', async (t) => {
  const h264 = await connect({ path: '/whep?branch=hq' });
  const vp8 = await connect({ path: '/whep?branch=vp8' });
  const before_ = await Promise.all([h264.key, vp8.key].map((k) => page.evaluate((key) => window.fwPeers.decoded(key), k)));
  await decodes(h264.key, before_[0] + 60, 'H.264 viewer');
  await decodes(vp8.key, before_[1] + 60, 'VP8 viewer');
  const peers = [await peerCodec(h264.location), await peerCodec(vp8.location)];
  t.diagnostic(`peers: ${JSON.stringify(peers.map((p) => [p.branch, p.codec, p.frames_sent]))}`);
  assert.match(peers[0].codec, /^H264\//);
  assert.match(peers[1].codec, /^VP8\//);
  for (const k of [h264.key, vp8.key]) assert.equal(await page.evaluate((key) => window.fwPeers.remove(key), k), 200);
});
