// The built-in "main" branch (no `branches:`) takes fps, GOP and size changes from
// POST /api/settings by rebuilding its encoder behind the bus: a Direct viewer and a WebRTC
// viewer (Chromium) keep their connections and keep decoding through a GOP change and a size
// change; Direct gets a new hello at the new size, WebRTC's frameWidth follows. Times printed.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getJson, sleep, startFramewire, waitFor } from './lib/framewire.mjs';
import { directMeter, postSettings } from './lib/branches.mjs';
import { launchWebRtcBrowser, webrtcPeers } from './lib/whep.mjs';

let fw;
let browser;
let page;

before(async () => {
  fw = await startFramewire({ size: '640x360', fps: 30, gop: 0, bitrate: 1000 });
  browser = await launchWebRtcBrowser();
  page = await browser.context.newPage();
  await page.goto(`${fw.base}/api/health`);
  const ok = await page.evaluate(async () => {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    const w = { pc, states: [], samples: [] };
    window.viewer = w;
    pc.onconnectionstatechange = () => w.states.push(pc.connectionState);
    setInterval(async () => {
      (await pc.getStats()).forEach((r) => {
        if (r.type === 'inbound-rtp' && (r.kind ?? r.mediaType) === 'video') {
          w.samples.push({ at: Date.now(), decoded: r.framesDecoded ?? 0, width: r.frameWidth ?? 0 });
        }
      });
    }, 200);
    await pc.setLocalDescription(await pc.createOffer());
    const res = await fetch('/whep', { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
    if (res.status !== 201) return `${res.status} ${await res.text()}`;
    await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
    return 'ok';
  });
  assert.equal(ok, 'ok');
});

after(async () => {
  if (browser) await browser.close();
  if (fw) await fw.stop();
});

const webrtc = () => page.evaluate(() => window.viewer.samples.at(-1) ?? { decoded: 0, width: 0 });

test('main: GOP and size changes rebuild the encoder; Direct and WebRTC viewers keep decoding', async (t) => {
  const direct = directMeter(`${fw.wsBase}/ws/direct`);
  try {
    await direct.opened;
    await waitFor(() => direct.frames.length > 10, { timeoutMs: 20000, what: 'Direct frames' });
    await waitFor(async () => (await webrtc()).decoded > 10, { timeoutMs: 30000, what: 'WebRTC frames decoded' });
    await waitFor(async () => webrtcPeers((await getJson(`${fw.base}/api/state`)).json).length === 1, {
      timeoutMs: 5000,
      what: 'the WebRTC peer listed in /api/state',
    });
    const peers = webrtcPeers((await getJson(`${fw.base}/api/state`)).json).map((p) => p.id);

    // GOP 0 -> 15: keyframes by themselves, nobody reconnects
    let t0 = Date.now();
    let r = await postSettings(fw.base, { gop: 15 });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.branch, 'main');
    assert.equal(r.json.applied, 'rebuilt');
    assert.equal(r.json.settings.gop, 15);
    const decodedAtGop = (await webrtc()).decoded;
    await sleep(3000);
    const keys = direct.frames.filter((f) => f.at >= t0 + 500 && f.key).length;
    t.diagnostic(`GOP 15: ${keys} keyframes at Direct in the 2.5 s after the rebuild`);
    assert.ok(keys >= 2, `GOP 15 at 30 fps should bring keyframes by itself; saw ${keys}`);
    assert.ok((await webrtc()).decoded > decodedAtGop, 'WebRTC kept decoding through the GOP change');

    // size 640x360 -> 320x180 (and fps 15)
    t0 = Date.now();
    r = await postSettings(fw.base, { width: 320, height: 180, fps: 15 });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.applied, 'rebuilt');
    await waitFor(() => direct.hellos().some((h) => h.width === 320 && h.height === 180), { timeoutMs: 10000, what: 'a Direct hello at 320x180' });
    const helloMs = direct.messages.find((m) => m.text && JSON.parse(m.text).width === 320).at - t0;
    await waitFor(async () => (await webrtc()).width === 320, { timeoutMs: 15000, what: 'WebRTC frameWidth 320' });
    t.diagnostic(`size change: Direct hello after ${helloMs} ms, WebRTC frameWidth 320 after ${Date.now() - t0} ms`);
    const decodedAtSize = (await webrtc()).decoded;
    const directAtSize = direct.frames.length;
    await sleep(3000);
    assert.ok((await webrtc()).decoded > decodedAtSize, 'WebRTC keeps decoding at the new size');
    const fps = direct.frames.filter((f) => f.at >= Date.now() - 2000).length / 2;
    t.diagnostic(`Direct ${fps} fps after asking for 15`);
    assert.ok(direct.frames.length > directAtSize, 'Direct keeps getting frames');
    assert.ok(fps < 22, `fps 15 asked, ${fps} measured`);

    const state = (await getJson(`${fw.base}/api/state`)).json;
    const main = state.branches.find((b) => b.id === 'main');
    assert.deepEqual([main.settings.width, main.settings.height, main.settings.fps, main.settings.gop], [320, 180, 15, 15]);
    assert.equal(state.source.width, 640, 'the capture keeps the source size');
    assert.deepEqual(webrtcPeers(state).map((p) => p.id), peers, 'the WebRTC peer is the same');
    assert.equal(direct.closed, false, 'the Direct viewer kept its connection');
    const states = await page.evaluate(() => window.viewer.states);
    assert.deepEqual(states.filter((s) => s !== 'connecting' && s !== 'connected'), [], 'the WebRTC connection never dropped');
  } finally {
    await direct.close();
  }
});
