// Sound and picture in sync (web/js/av_sync.js, docs/protocol.md "Sound and picture"):
// - the page reports the A/V offset (stats.sync) in WebRTC and Direct, with sound and picture
//   both decoding; by default the picture keeps zero playout delay and is not held;
// - lip sync (audio-lipsync true, or ?lipsync=1) reaches the page, which then applies the
//   answer without zero playout delay and sets the video receiver's jitterBufferTarget to the
//   target it reports; ?lipsync=0 overrides the server.
// Nothing here asserts a timing: the offsets and targets are printed.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getJson, startFramewire, waitFor } from './lib/framewire.mjs';
import { launchWebRtcBrowser } from './lib/whep.mjs';

let browser;
const numbers = [];

before(async () => {
  browser = await launchWebRtcBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (numbers.length) console.log(`A/V figures (not asserted):\n  ${numbers.join('\n  ')}`);
});

// Before the page's scripts: remember each remote description and the video receivers, so the
// test can read the answer's stream ids and the jitterBufferTarget the page set.
function recordPeers() {
  window.__fw = { answers: [], videoReceivers: [] };
  const setRemote = RTCPeerConnection.prototype.setRemoteDescription;
  RTCPeerConnection.prototype.setRemoteDescription = function (desc) {
    if (desc && desc.sdp) window.__fw.answers.push(desc.sdp);
    return setRemote.apply(this, arguments);
  };
  const addTransceiver = RTCPeerConnection.prototype.addTransceiver;
  RTCPeerConnection.prototype.addTransceiver = function (kind) {
    const t = addTransceiver.apply(this, arguments);
    if (kind === 'video') window.__fw.videoReceivers.push(t.receiver);
    return t;
  };
}

async function openPage(url) {
  const page = await browser.context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  await page.addInitScript(recordPeers);
  await page.goto(url);
  return { page, logs };
}

// Stream id per media kind from an answer's a=msid / a=ssrc … msid: lines.
function streamIds(sdp) {
  const out = {};
  for (const section of sdp.split(/\r?\n(?=m=)/).slice(1)) {
    const kind = section.slice(2, section.indexOf(' '));
    const m = /a=(?:ssrc:\d+ )?msid:(\S+)/.exec(section);
    if (m) out[kind] = m[1];
  }
  return out;
}

const pageState = (page) =>
  page.evaluate(() => {
    const fw = window.framewire;
    const receiver = window.__fw.videoReceivers.at(-1);
    return {
      lipsync: { on: fw.lipsync.on, from: fw.lipsync.from },
      sync: fw.stats.sync,
      audio: fw.stats.audio,
      directAudio: fw.audio ? { ...fw.audio } : null,
      drawn: fw.stats.framesDrawn,
      target: receiver && 'jitterBufferTarget' in receiver ? receiver.jitterBufferTarget : undefined,
      answers: window.__fw.answers,
    };
  });

// WebRTC page with sound on: waits for audio energy, a picture and a complete sync figure.
async function webrtcSync(fw, query, label) {
  const { page, logs } = await openPage(`${fw.base}/?mode=webrtc&fallbackMs=60000${query}`);
  try {
    await page.click('#sound-button');
    const s = await waitFor(
      async () => {
        const s = await pageState(page);
        const complete = s.sync && Number.isFinite(s.sync.offsetMs) && Number.isFinite(s.sync.audioMs) && Number.isFinite(s.sync.videoMs);
        return complete && s.audio?.totalAudioEnergy > 0 && s.drawn > 10 ? s : null;
      },
      { timeoutMs: 30000, what: `${label}: WebRTC sound with energy, a picture and an A/V offset` },
    ).catch(async (e) => {
      throw new Error(`${e.message}\nstate: ${JSON.stringify(await pageState(page)).slice(0, 1500)}\nconsole:\n${logs.slice(-20).join('\n')}\nlog:\n${fw.log().slice(-2000)}`);
    });
    // a few more stats polls: with lip sync the page moves the target every third one
    await page.waitForTimeout(3000);
    const later = await pageState(page);
    numbers.push(
      `${label}: sound capture→playout ${later.sync.audioMs} ms, picture ${later.sync.videoMs} ms, offset ${later.sync.offsetMs} ms, ` +
        `lip-sync target ${later.sync.targetMs} ms (receiver ${later.target})`,
    );
    return { first: s, later };
  } finally {
    await page.close();
  }
}

test('WebRTC: one stream for sound and picture, zero playout delay kept; the page reports the A/V offset', async () => {
  const fw = await startFramewire({ 'audio-source': 'test' });
  try {
    const state = (await getJson(`${fw.base}/api/state`)).json;
    assert.equal(state.audio.lipsync, false, 'audio-lipsync defaults to false');
    const { first, later } = await webrtcSync(fw, '', 'WebRTC default');
    const ids = streamIds(first.answers.at(-1));
    assert.ok(ids.audio && ids.video, `both tracks have a stream id: ${JSON.stringify(ids)}`);
    // one stream: Chromium estimates each track's playout time (estimatedPlayoutTimestamp,
    // the page's offset) only for tracks it can line up
    assert.equal(ids.audio, ids.video);
    assert.match(first.answers.at(-1), /playout-delay/, 'the picture keeps zero playout delay');
    assert.equal(first.lipsync.on, false);
    assert.equal(later.sync.lipsync, false);
    assert.equal(later.sync.targetMs, 0, 'lip sync off: the picture is not held');
    assert.equal(later.target, 0, 'lip sync off: the video receiver keeps jitterBufferTarget 0');
  } finally {
    await fw.stop();
  }
});

test('lip sync: audio-lipsync true reaches the page, which sets the video receiver to the target it reports; ?lipsync=0 overrides', async () => {
  const fw = await startFramewire({ 'audio-source': 'test', 'audio-lipsync': 'true' });
  try {
    const state = (await getJson(`${fw.base}/api/state`)).json;
    assert.equal(state.audio.lipsync, true);
    const { first, later } = await webrtcSync(fw, '', 'WebRTC lip sync (server default)');
    assert.equal(later.lipsync.on, true);
    assert.equal(later.lipsync.from, 'server');
    assert.doesNotMatch(first.answers.at(-1), /playout-delay/, 'lip sync: the applied answer has no zero playout delay');
    assert.equal(later.sync.lipsync, true);
    assert.ok(Number.isFinite(later.sync.targetMs) && later.sync.targetMs >= 0, `a target: ${later.sync.targetMs}`);
    assert.equal(later.target, later.sync.targetMs, 'the receiver has the target the page reports');
    const off = await webrtcSync(fw, '&lipsync=0', 'WebRTC ?lipsync=0 on a lip-sync server');
    assert.equal(off.later.lipsync.on, false);
    assert.equal(off.later.lipsync.from, 'url');
    assert.equal(off.later.target, 0);
  } finally {
    await fw.stop();
  }
});

test('Direct: sound and picture both decode and the page reports the offset; ?lipsync=1 reaches the page', async () => {
  const fw = await startFramewire({ 'audio-source': 'test' });
  const { page, logs } = await openPage(`${fw.base}/?mode=direct&fallbackMs=60000&lipsync=1`);
  try {
    await page.click('#sound-button');
    const s = await waitFor(
      async () => {
        const s = await pageState(page);
        return s.directAudio?.framesPlayed > 50 && s.drawn > 10 && s.sync && Number.isFinite(s.sync.offsetMs) ? s : null;
      },
      { timeoutMs: 30000, what: 'Direct: sound played, pictures drawn, an A/V offset' },
    ).catch(async (e) => {
      throw new Error(`${e.message}\nstate: ${JSON.stringify(await pageState(page)).slice(0, 1500)}\nconsole:\n${logs.slice(-20).join('\n')}`);
    });
    assert.equal(s.lipsync.on, true);
    assert.equal(s.lipsync.from, 'url');
    assert.ok(s.directAudio.framesDecoded > 50);
    numbers.push(
      `Direct: sound capture→heard ${s.sync.audioMs} ms, picture ${s.sync.videoMs} ms, offset ${s.sync.offsetMs} ms, ` +
        `trimmed ${s.directAudio.framesTrimmed}, dropped ${s.directAudio.framesDropped}`,
    );
  } finally {
    await page.close();
    await fw.stop();
  }
});
