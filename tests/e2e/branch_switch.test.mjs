// Switching a WebRTC viewer between two H.264 branches (hq 640x360, lq 320x180) without
// interrupting its picture: the manual API (POST /api/peers/<id>/branch) moves a Chromium
// viewer hq -> lq -> hq on its one connection (framesDecoded grows throughout, frameWidth
// follows, the peer id and the ICE/DTLS connection stay), /api/state and /ws/events say so,
// and the API's errors carry reasons. Then the automatic switch: a second server started with
// the test-only FRAMEWIRE_TEST_RTP_LOSS=0.15 (drops 15 % of outgoing video RTP) moves its
// viewer down to lq by itself. Freezes (gaps between presented frames) are printed, not asserted.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getJson, http, postJson, sleep, waitFor } from './lib/framewire.mjs';
import { startWithConfig } from './lib/branches.mjs';
import { launchWebRtcBrowser, webrtcPeers } from './lib/whep.mjs';
import { RecordingSocket } from './lib/ws_client.mjs';

const YAML = `size: 640x360
fps: 30
branches:
  - id: hq
    codec: h264
    encoder: x264enc
    bitrate: 1200
  - id: lq
    codec: h264
    encoder: x264enc
    width: width / 2
    height: height / 2
    bitrate: 300
  - id: vp8
    codec: vp8
    width: width / 2
    height: height / 2
    bitrate: 300
`;

let browser;
const servers = [];

before(async () => {
  browser = await launchWebRtcBrowser();
});

after(async () => {
  if (browser) await browser.close();
  for (const fw of servers) await fw.stop();
});

// One viewer in a page: a plain RTCPeerConnection on `path`, sampling framesDecoded,
// frameWidth and the connection state every 100 ms, and the gaps between presented frames.
async function openViewer(base, path) {
  const page = await browser.context.newPage();
  await page.goto(`${base}/api/health`);
  const result = await page.evaluate(async (path) => {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    const t = pc.addTransceiver('video', { direction: 'recvonly' });
    if ('jitterBufferTarget' in t.receiver) t.receiver.jitterBufferTarget = 0;
    const v = document.createElement('video');
    v.muted = true;
    v.autoplay = true;
    document.body.append(v);
    const w = { pc, samples: [], states: [], maxGapMs: 0, gaps: [], lastFrameAt: 0 };
    window.viewer = w;
    pc.onconnectionstatechange = () => w.states.push(pc.connectionState);
    pc.ontrack = (ev) => {
      v.srcObject = new MediaStream([ev.track]);
      v.play().catch(() => {});
      const onFrame = (now) => {
        if (w.lastFrameAt > 0) {
          const gap = now - w.lastFrameAt;
          if (gap > 1000) w.gaps.push(Math.round(gap));
          w.maxGapMs = Math.max(w.maxGapMs, gap);
        }
        w.lastFrameAt = now;
        v.requestVideoFrameCallback(onFrame);
      };
      v.requestVideoFrameCallback(onFrame);
    };
    setInterval(async () => {
      let decoded = 0;
      let width = 0;
      (await pc.getStats()).forEach((r) => {
        if (r.type === 'inbound-rtp' && (r.kind ?? r.mediaType) === 'video') {
          decoded = r.framesDecoded ?? 0;
          width = r.frameWidth ?? 0;
        }
      });
      w.samples.push({ at: Date.now(), decoded, width, state: pc.connectionState });
    }, 100);
    await pc.setLocalDescription(await pc.createOffer());
    const res = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
    const body = await res.text();
    if (res.status !== 201) return { ok: false, status: res.status, body };
    await pc.setRemoteDescription({ type: 'answer', sdp: body });
    return { ok: true, location: res.headers.get('Location') };
  }, path);
  assert.ok(result.ok, `WHEP POST: ${result.status} ${result.body}`);
  const last = () => page.evaluate(() => window.viewer.samples.at(-1) ?? { decoded: 0, width: 0 });
  const info = () =>
    page.evaluate(() => ({ states: window.viewer.states, maxGapMs: Math.round(window.viewer.maxGapMs), gaps: window.viewer.gaps, samples: window.viewer.samples }));
  return { page, id: result.location.split('/').pop(), last, info };
}

async function peerState(base, id) {
  return webrtcPeers((await getJson(`${base}/api/state`)).json).find((p) => p.id === id);
}

function postBranch(base, id, body) {
  return postJson(`${base}/api/peers/${id}/branch`, body);
}

// framesDecoded grew in every `windowMs` window between `from` and `to`.
function stalls(samples, from, to, windowMs = 2000) {
  const out = [];
  for (let t = from; t + windowMs <= to; t += windowMs / 2) {
    const inside = samples.filter((s) => s.at >= t && s.at <= t + windowMs);
    if (inside.length >= 2 && inside.at(-1).decoded <= inside[0].decoded) out.push(new Date(t).toISOString());
  }
  return out;
}

test('a viewer moves hq -> lq -> hq on its one connection and keeps decoding', async () => {
  const fw = await startWithConfig(YAML);
  servers.push(fw);
  const events = new RecordingSocket(`${fw.wsBase}/ws/events`);
  await events.opened;
  const viewer = await openViewer(fw.base, '/whep?branch=hq');
  await waitFor(async () => (await viewer.last()).decoded > 30 && (await viewer.last()).width === 640, {
    timeoutMs: 30000,
    what: 'hq frames (640 wide) decoded',
  });
  const start = Date.now();
  let peer = await peerState(fw.base, viewer.id);
  assert.equal(peer.branch, 'hq');
  assert.equal(peer.auto_branch, true, 'automatic switching is on by default');

  const timings = [];
  for (const [to, width] of [['lq', 320], ['hq', 640]]) {
    const t0 = Date.now();
    const r = await postBranch(fw.base, viewer.id, { branch: to });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.auto_branch, false, 'a manual switch turns automatic switching off');
    await waitFor(async () => (await viewer.last()).width === width, { timeoutMs: 20000, what: `frameWidth ${width} after the switch to ${to}` });
    const shown = Date.now() - t0;
    await waitFor(async () => (await peerState(fw.base, viewer.id))?.branch === to, { timeoutMs: 5000, what: `/api/state branch ${to}` });
    peer = await peerState(fw.base, viewer.id);
    assert.equal(peer.branch_reason, 'manual');
    assert.equal(peer.switching_to, '');
    timings.push(`${to}: ${shown} ms`);
    await sleep(3000); // decode on the new branch for a while
  }
  const end = Date.now();
  const info = await viewer.info();
  const stalled = stalls(info.samples, start, end);
  console.log(`switch -> new frameWidth: ${timings.join(', ')}; longest gap between presented frames ${info.maxGapMs} ms` +
    (info.gaps.length ? `; freezes > 1 s: ${info.gaps.join(', ')} ms` : '; no freeze > 1 s'));
  assert.deepEqual(stalled, [], 'framesDecoded grew in every 2 s window');
  assert.deepEqual(info.states.filter((s) => s !== 'connecting' && s !== 'connected'), [], 'the connection never dropped');
  assert.equal(info.states.filter((s) => s === 'connected').length, 1, 'connected once: no new connection');
  const peers = webrtcPeers((await getJson(`${fw.base}/api/state`)).json);
  assert.deepEqual(peers.map((p) => p.id), [viewer.id], 'still the one peer');
  assert.equal(peers[0].branch_switches, 2);
  const moves = events.texts().filter((m) => m.type === 'webrtc_peer_branch');
  assert.deepEqual(moves.map((m) => `${m.from}->${m.to}:${m.reason}`), ['hq->lq:manual', 'lq->hq:manual']);
  await events.close();

  // errors, with reasons
  let r = await postBranch(fw.base, viewer.id, { branch: 'nope' });
  assert.equal(r.status, 404, r.body);
  assert.match(r.json.error, /unknown branch "nope"/);
  r = await postBranch(fw.base, viewer.id, { branch: 'vp8' });
  assert.equal(r.status, 409, r.body);
  assert.match(r.json.error, /VP8.*H264/);
  r = await postBranch(fw.base, 'ffff', { branch: 'lq' });
  assert.equal(r.status, 404, r.body);
  assert.match(r.json.error, /no WebRTC peer/);
  r = await postBranch(fw.base, viewer.id, '{"branch":');
  assert.equal(r.status, 400, r.body);
  r = await postBranch(fw.base, viewer.id, { speed: 3 });
  assert.equal(r.status, 400, r.body);
  assert.match(r.json.error, /unknown key "speed"/);
  r = await postBranch(fw.base, viewer.id, { auto: true });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.json.auto_branch, true);
  assert.equal(r.json.branch, 'hq');
  const bad = await http(`${fw.base}/whep?auto=maybe`, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: 'v=0' });
  assert.equal(bad.status, 400);
  await viewer.page.close();
});

test('sustained loss moves a viewer down to the lighter branch by itself (test-only loss hook)', async () => {
  process.env.FRAMEWIRE_TEST_RTP_LOSS = '0.15';
  let fw;
  try {
    fw = await startWithConfig(YAML);
  } finally {
    delete process.env.FRAMEWIRE_TEST_RTP_LOSS;
  }
  servers.push(fw);
  const events = new RecordingSocket(`${fw.wsBase}/ws/events`);
  await events.opened;
  const viewer = await openViewer(fw.base, '/whep?branch=hq');
  const t0 = Date.now();
  await waitFor(async () => (await viewer.last()).decoded > 0, { timeoutMs: 30000, what: 'frames decoded under loss' });
  await waitFor(async () => (await peerState(fw.base, viewer.id))?.branch === 'lq', {
    timeoutMs: 40000,
    what: 'the automatic switch to lq',
  }).catch(async (e) => {
    throw new Error(`${e.message}; peer: ${JSON.stringify(await peerState(fw.base, viewer.id))}`);
  });
  const peer = await peerState(fw.base, viewer.id);
  console.log(`automatic switch after ${Date.now() - t0} ms: ${peer.branch_reason} (loss ${peer.loss}, packets_lost ${peer.packets_lost})`);
  assert.match(peer.branch_reason, /^auto: loss \d+(\.\d)? % for/);
  assert.equal(fw.log().includes('TEST ONLY: dropping 15 %'), true, 'the hook says it is on');
  const move = events.texts().find((m) => m.type === 'webrtc_peer_branch');
  assert.ok(move, 'a webrtc_peer_branch event');
  assert.equal(move.from, 'hq');
  assert.equal(move.to, 'lq');
  // The hook keeps dropping 15 % of every packet (keyframes too, beyond repair), so the
  // browser decodes only now and then: what is asserted is that the peer stays connected and
  // fed on lq. (Decoding through a switch is the manual test's.)
  const before = (await viewer.last()).decoded;
  const sentBefore = peer.frames_sent;
  await sleep(3000);
  const afterDecoded = (await viewer.last()).decoded;
  const sentAfter = (await peerState(fw.base, viewer.id)).frames_sent;
  console.log(`on lq under 15 % loss: frames sent ${sentBefore} -> ${sentAfter}, decoded ${before} -> ${afterDecoded}`);
  assert.ok(sentAfter > sentBefore, 'the peer is still fed');
  assert.equal((await viewer.info()).states.at(-1), 'connected');
  // the bottom edge: no lighter H.264 branch, so it stays
  await sleep(4000);
  assert.equal((await peerState(fw.base, viewer.id)).branch, 'lq');
  await events.close();
  await viewer.page.close();
});
