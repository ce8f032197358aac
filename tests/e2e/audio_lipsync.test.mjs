// Sound and picture in sync (web/js/av_sync.js, docs/protocol.md "Sound and picture"):
// - the page reports the A/V offset (stats.sync) in WebRTC and Direct, with sound and picture
//   both decoding; by default the picture keeps zero playout delay and is not held;
// - WebRTC: the page asks for the abs-capture-time header extension, framewire answers it in
//   both sections, and the offset comes from the receivers' capture times (sync.measure
//   'captureTimestamp'), with one stream (lip sync off) and with two (lip sync on);
// - lip sync (audio-lipsync true, or ?lipsync=1) reaches the page, which then applies the
//   answer without zero playout delay, with the sound on a stream of its own (?lipsyncstreams=1:
//   one stream), and sets the video receiver's jitterBufferTarget to the target it reports
//   (?lipsyncsteer=0: it leaves the picture to Chromium's own A/V sync, the target stays 0);
//   ?lipsync=0 overrides the server;
// - Direct lip sync (web/js/picture_hold.js): with ?lipsync=1 and the sound on, the decoded
//   pictures wait for their sound (in the worker, and on the main thread with ?worker=0);
//   with ?lipsync=0 no picture waits.
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
      hold: fw.stats.pictureHold ? { ...fw.stats.pictureHold } : null,
      thread: fw.stats.decodeThread,
      drawn: fw.stats.framesDrawn,
      target: receiver && 'jitterBufferTarget' in receiver ? receiver.jitterBufferTarget : undefined,
      answers: window.__fw.answers,
    };
  });

// WebRTC page with sound on: waits for audio energy, a picture and a sync figure, then (up to
// 10 s more) for an offset; the callers require one from capture times.
async function webrtcSync(fw, query, label) {
  const { page, logs } = await openPage(`${fw.base}/?mode=webrtc&fallbackMs=60000${query}`);
  try {
    await page.click('#sound-button');
    const s = await waitFor(
      async () => {
        const s = await pageState(page);
        return s.sync && s.audio?.totalAudioEnergy > 0 && s.drawn > 10 ? s : null;
      },
      { timeoutMs: 30000, what: `${label}: WebRTC sound with energy, a picture and a sync figure` },
    ).catch(async (e) => {
      throw new Error(`${e.message}\nstate: ${JSON.stringify(await pageState(page)).slice(0, 1500)}\nconsole:\n${logs.slice(-20).join('\n')}\nlog:\n${fw.log().slice(-2000)}`);
    });
    // a few more stats polls (with steering the page moves the target every third one), and
    // up to 10 s more for Chromium's playout estimate (the offset)
    await page.waitForTimeout(3000);
    let later = await pageState(page);
    for (let i = 0; i < 20 && !Number.isFinite(later.sync.offsetMs); i++) {
      await page.waitForTimeout(500);
      later = await pageState(page);
    }
    numbers.push(
      `${label}: sound capture→playout ${later.sync.audioMs} ms, picture ${later.sync.videoMs} ms, offset ${later.sync.offsetMs} ms (${later.sync.measure}), ` +
        `lip-sync target ${later.sync.targetMs} ms (receiver ${later.target})`,
    );
    return { first: s, later };
  } finally {
    await page.close();
  }
}

// The offset came from the capture times framewire writes into both tracks' packets.
function assertCaptureTimeOffset(run, label) {
  const answer = run.first.answers.at(-1);
  const sections = answer.split(/\r?\n(?=m=)/).slice(1);
  for (const kind of ['audio', 'video']) {
    const section = sections.find((x) => x.startsWith(`m=${kind}`)) ?? '';
    assert.match(section, /a=extmap:\d+ http:\/\/www\.webrtc\.org\/experiments\/rtp-hdrext\/abs-capture-time/, `${label}: the answer's ${kind} takes abs-capture-time`);
  }
  assert.equal(run.later.sync.measure, 'captureTimestamp', `${label}: the offset is from capture times: ${JSON.stringify(run.later.sync)}`);
  assert.ok(Number.isFinite(run.later.sync.offsetMs), `${label}: an offset: ${JSON.stringify(run.later.sync)}`);
  assert.ok(Number.isFinite(run.later.sync.audioMs) && Number.isFinite(run.later.sync.videoMs), `${label}: both tracks' delays`);
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
    assertCaptureTimeOffset({ first, later }, 'WebRTC default');
  } finally {
    await fw.stop();
  }
});

test('lip sync: audio-lipsync true reaches the page, which puts the sound on a stream of its own (?lipsyncstreams=1: one) and sets the video receiver to the target it reports (?lipsyncsteer=0: none); ?lipsync=0 overrides', async () => {
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
    const ids = streamIds(first.answers.at(-1));
    assert.ok(ids.audio && ids.video && ids.audio !== ids.video, `lip sync: sound and picture on streams of their own: ${JSON.stringify(ids)}`);
    assertCaptureTimeOffset({ first, later }, 'WebRTC lip sync');
    const one = await webrtcSync(fw, '&lipsyncstreams=1', 'WebRTC lip sync, one stream (?lipsyncstreams=1)');
    const oneIds = streamIds(one.first.answers.at(-1));
    assert.equal(oneIds.audio, oneIds.video, '?lipsyncstreams=1: one stream');
    assert.equal(one.later.target, one.later.sync.targetMs);
    assertCaptureTimeOffset(one, 'WebRTC lip sync, one stream');
    const alone = await webrtcSync(fw, '&lipsyncsteer=0', 'WebRTC lip sync, Chromium\'s sync alone (?lipsyncsteer=0)');
    assert.doesNotMatch(alone.first.answers.at(-1), /playout-delay/);
    assert.equal(alone.later.sync.targetMs, 0, 'no steering: the page leaves the receiver alone');
    assert.equal(alone.later.target, 0);
    const off = await webrtcSync(fw, '&lipsync=0', 'WebRTC ?lipsync=0 on a lip-sync server');
    assert.equal(off.later.lipsync.on, false);
    assert.equal(off.later.lipsync.from, 'url');
    assert.equal(off.later.target, 0);
  } finally {
    await fw.stop();
  }
});

// Direct page with sound on: waits for played sound, pictures and an offset, and (`until`) for
// what the case needs of the picture hold.
async function directSync(fw, query, label, until = () => true) {
  const { page, logs } = await openPage(`${fw.base}/?mode=direct&fallbackMs=60000${query}`);
  try {
    await page.click('#sound-button');
    const s = await waitFor(
      async () => {
        const s = await pageState(page);
        const ready = s.directAudio?.framesPlayed > 50 && s.drawn > 10 && s.sync && Number.isFinite(s.sync.offsetMs) && s.hold;
        return ready && until(s) ? s : null;
      },
      { timeoutMs: 30000, what: `${label}: sound played, pictures drawn, an A/V offset` },
    ).catch(async (e) => {
      throw new Error(`${e.message}\nstate: ${JSON.stringify(await pageState(page)).slice(0, 1500)}\nconsole:\n${logs.slice(-20).join('\n')}`);
    });
    // a few more seconds: the offset with the hold in place
    await page.waitForTimeout(3000);
    const later = await pageState(page);
    numbers.push(
      `${label} (${later.thread}): sound capture→heard ${later.sync.audioMs} ms, picture ${later.sync.videoMs} ms, offset ${later.sync.offsetMs} ms, ` +
        `hold ${later.hold.holdMs} ms (target ${later.hold.targetMs}, held ${later.hold.framesHeld}, dropped ${later.hold.framesDropped}), ` +
        `sound trimmed ${later.directAudio.framesTrimmed}, dropped ${later.directAudio.framesDropped}`,
    );
    return { first: s, later };
  } finally {
    await page.close();
  }
}

test('Direct: sound and picture both decode and the page reports the offset; with ?lipsync=1 the worker holds each picture for its sound, with ?lipsync=0 none waits', async () => {
  const fw = await startFramewire({ 'audio-source': 'test' });
  try {
    const on = await directSync(fw, '&lipsync=1', 'Direct lip sync', (s) => s.thread === 'worker' && s.hold.framesHeld > 0 && s.hold.holdMs > 0);
    assert.equal(on.first.lipsync.on, true);
    assert.equal(on.first.lipsync.from, 'url');
    assert.ok(on.first.directAudio.framesDecoded > 50);
    assert.ok(on.first.hold.targetMs > 0, `the worker has the sound's delay as its target: ${JSON.stringify(on.first.hold)}`);
    assert.equal(on.later.sync.lipsync, true);
    assert.ok(on.later.drawn > on.first.drawn, 'held pictures are drawn');
    const off = await directSync(fw, '&lipsync=0', 'Direct no lip sync', (s) => s.thread === 'worker');
    assert.equal(off.later.lipsync.on, false);
    assert.equal(off.later.sync.lipsync, false);
    assert.deepEqual(
      { targetMs: off.later.hold.targetMs, holdMs: off.later.hold.holdMs, framesHeld: off.later.hold.framesHeld },
      { targetMs: 0, holdMs: 0, framesHeld: 0 },
      'lip sync off: every picture is drawn at once',
    );
    assert.equal(off.later.sync.targetMs, 0);
  } finally {
    await fw.stop();
  }
});

test('Direct on the main thread (?worker=0): with ?lipsync=1 pictures wait for their sound too', async () => {
  const fw = await startFramewire({ 'audio-source': 'test' });
  try {
    const on = await directSync(fw, '&lipsync=1&worker=0', 'Direct lip sync, main thread', (s) => s.hold.framesHeld > 0 && s.hold.holdMs > 0);
    assert.equal(on.later.thread, 'main');
    assert.ok(on.later.hold.targetMs > 0);
    assert.ok(on.later.drawn > on.first.drawn, 'held pictures are drawn');
  } finally {
    await fw.stop();
  }
});
