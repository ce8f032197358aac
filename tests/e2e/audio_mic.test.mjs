// The viewer's microphone back to the host. A real PulseAudio server started here (no
// hardware: a null sink "fwmic" and an anonymous Unix socket); headless Chromium with its fake
// microphone (a beep). With `microphone: true` the page's Mic button sends the microphone over
// WHEP (sendrecv) and framewire plays it into the sink: the test records the sink's monitor
// with parec and finds sound there (RMS and peak printed). A second viewer's microphone is
// ignored while the first speaks. With the microphone off (the default) the answer's audio is
// sendonly, the sink stays silent and the video plays. A sink that does not exist: one log
// line, video unaffected.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pulseAndMicBrowser } from './lib/fixtures.mjs';
import { getJson, waitFor } from './lib/framewire.mjs';
import { recordSink as recordSinkOf, startFramewireWithEnv } from './lib/pulse.mjs';

const env = pulseAndMicBrowser('fwmic', 'microphone figures');
const { numbers, children } = env; // children: processes this file started (PulseAudio, parec), ended by PID

// framewire with PULSE_SERVER pointing at our server.
function startWithPulse(options) {
  return startFramewireWithEnv({ PULSE_SERVER: env.pulse.server }, { size: '640x360', fps: 30, bitrate: 1500, ...options });
}

// `seconds` of the sink's monitor (what was played into the sink), mono s16: RMS and peak.
const recordSink = (seconds) => recordSinkOf(env.pulse, 'fwmic', seconds, children);

async function openPage(url) {
  const page = await env.browser.context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  await page.goto(url);
  return { page, logs };
}

// A raw WHEP peer in the page that sends the fake microphone (sendrecv audio) and receives
// the video: {status, direction (the answer's audio direction), index}.
function micPeer(page) {
  return page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendrecv' });
    await pc.setLocalDescription(await pc.createOffer());
    const res = await fetch('/whep', { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
    const answer = await res.text();
    if (res.status !== 201) return { status: res.status, error: answer };
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    window.fwMicPeers = window.fwMicPeers ?? [];
    window.fwMicPeers.push(pc);
    const audio = answer.split(/\r?\nm=/).find((s) => s.startsWith('audio') || s.startsWith('m=audio')) ?? '';
    const dir = /a=(sendrecv|sendonly|recvonly|inactive)/.exec(audio);
    return { status: 201, direction: dir ? dir[1] : null, index: window.fwMicPeers.length - 1 };
  });
}

// What a raw peer's getStats says: video frames decoded, microphone packets sent.
function micPeerStats(page, index) {
  return page.evaluate(async (i) => {
    const out = { videoDecoded: 0, audioSent: 0 };
    (await window.fwMicPeers[i].getStats()).forEach((r) => {
      if (r.type === 'inbound-rtp' && (r.kind ?? r.mediaType) === 'video') out.videoDecoded = r.framesDecoded ?? 0;
      if (r.type === 'outbound-rtp' && (r.kind ?? r.mediaType) === 'audio') out.audioSent = r.packetsSent ?? 0;
    });
    return out;
  }, index);
}

const microphoneState = async (fw) => (await getJson(`${fw.base}/api/state`)).json.webrtc?.microphone;

test('microphone on: the Mic button sends the fake microphone, framewire plays it into the sink', async () => {
  const fw = await startWithPulse({ microphone: 'true', 'microphone-sink': 'fwmic' });
  const { page, logs } = await openPage(`${fw.base}/?mode=webrtc`);
  try {
    const silent = await recordSink(1);
    await waitFor(() => page.evaluate(() => window.framewire.stats.framesDrawn > 5), { timeoutMs: 20000, what: 'a WebRTC picture' });
    await waitFor(() => page.isVisible('#mic-button'), { timeoutMs: 10000, what: 'the Mic button (server takes microphones)' });
    await page.click('#mic-button'); // the user gesture getUserMedia needs
    const state = await waitFor(
      async () => {
        const m = await microphoneState(fw);
        return m && m.holder && m.frames > 100 ? m : null;
      },
      { timeoutMs: 20000, what: 'microphone frames played on the server' },
    ).catch(async (e) => {
      throw new Error(`${e.message}\nstate: ${JSON.stringify(await microphoneState(fw))}\npage: ${JSON.stringify(await page.evaluate(() => window.framewire.stats))}\n${logs.slice(-10).join('\n')}\nlog:\n${fw.log().slice(-3000)}`);
    });
    assert.equal(state.error, '');
    assert.equal(await page.evaluate(() => window.framewire.stats.microphone), 'sending');
    assert.equal(await page.getAttribute('#mic-button', 'aria-pressed'), 'true');
    const heard = await recordSink(3);
    numbers.push(
      `microphone on: sink before ${silent.rms.toFixed(1)} RMS / ${silent.peak} peak; with the Mic ${heard.rms.toFixed(1)} RMS / ${heard.peak} peak over ${heard.samples} samples; ${state.frames} frames played`,
    );
    assert.ok(heard.samples > 48000, `parec recorded ${heard.samples} samples (${heard.err})`);
    assert.ok(heard.peak > 300 && heard.rms > 5, `sound in the sink: RMS ${heard.rms.toFixed(1)}, peak ${heard.peak}`);
    const drawn = await page.evaluate(() => window.framewire.stats.framesDrawn);
    await page.waitForTimeout(1000);
    assert.ok((await page.evaluate(() => window.framewire.stats.framesDrawn)) > drawn, 'the picture plays on');
    assert.match(fw.log(), /microphone: webrtc \w+ speaks into PulseAudio sink 'fwmic'/);

    // A second viewer's microphone is ignored while the first speaks; its video plays.
    const second = await micPeer(page);
    assert.equal(second.status, 201, second.error);
    assert.equal(second.direction, 'sendrecv');
    await waitFor(
      async () => {
        const s = await micPeerStats(page, second.index);
        const m = await microphoneState(fw);
        return s.audioSent > 50 && s.videoDecoded > 10 && m.ignored > 20 ? { s, m } : null;
      },
      { timeoutMs: 20000, what: 'the second microphone ignored, its video decoded' },
    );
    assert.equal((await microphoneState(fw)).holder, state.holder);
    assert.match(fw.log(), /microphone: ignoring webrtc \w+'s microphone: webrtc \w+ is speaking/);

    // Mic off: the slot is kept a moment, the sink falls silent.
    await page.click('#mic-button');
    assert.equal(await page.getAttribute('#mic-button', 'aria-pressed'), 'false');
  } finally {
    await page.close();
    await fw.stop();
  }
});

test('microphone off (the default): the answer is sendonly, the sink stays silent, video plays', async () => {
  const fw = await startWithPulse({});
  const { page } = await openPage(`${fw.base}/?mode=webrtc`);
  try {
    await waitFor(() => page.evaluate(() => window.framewire.stats.framesDrawn > 5), { timeoutMs: 20000, what: 'a WebRTC picture' });
    assert.equal(await page.isVisible('#mic-button'), false, 'no Mic button');
    assert.equal((await getJson(`${fw.base}/api/state`)).json.webrtc?.microphone, undefined);
    const peer = await micPeer(page);
    assert.equal(peer.status, 201, peer.error);
    assert.equal(peer.direction, 'sendonly', 'the server sends its sound and takes none');
    const s = await waitFor(
      async () => {
        const v = await micPeerStats(page, peer.index);
        return v.videoDecoded > 20 ? v : null;
      },
      { timeoutMs: 20000, what: 'video decoded by the microphone peer' },
    );
    const quiet = await recordSink(2);
    numbers.push(`microphone off: answer ${peer.direction}, sink ${quiet.rms.toFixed(1)} RMS / ${quiet.peak} peak, ${s.videoDecoded} video frames decoded, ${s.audioSent} audio packets sent`);
    assert.ok(quiet.samples > 48000, `parec recorded ${quiet.samples} samples (${quiet.err})`);
    assert.equal(quiet.peak, 0, `the sink stays silent (peak ${quiet.peak})`);
    assert.doesNotMatch(fw.log(), /microphone:/);
  } finally {
    await page.close();
    await fw.stop();
  }
});

test('microphone into a sink that does not exist: one log line, video unaffected', async () => {
  const fw = await startWithPulse({ microphone: 'true', 'microphone-sink': 'no_such_sink', 'audio-source': 'none' });
  const { page } = await openPage(`${fw.base}/?mode=mjpeg`);
  try {
    const peer = await micPeer(page);
    assert.equal(peer.status, 201, peer.error);
    assert.equal(peer.direction, 'recvonly', 'no server sound (audio-source none): receive only');
    await waitFor(() => /microphone: cannot play into PulseAudio sink 'no_such_sink'/.test(fw.log()), {
      timeoutMs: 20000,
      what: 'the sink failure log line',
    }).catch((e) => {
      throw new Error(`${e.message}\nlog:\n${fw.log().slice(-3000)}`);
    });
    const before = (await micPeerStats(page, peer.index)).videoDecoded;
    await page.waitForTimeout(6000); // past a retry
    const later = await micPeerStats(page, peer.index);
    assert.ok(later.videoDecoded > before + 30, `video keeps decoding: ${before} → ${later.videoDecoded}`);
    const lines = fw.log().split('\n').filter((l) => /microphone: cannot play/.test(l));
    assert.equal(lines.length, 1, `one line, not one per retry:\n${lines.join('\n')}`);
    const m = await microphoneState(fw);
    assert.notEqual(m.error, '');
    numbers.push(`missing sink: "${lines[0].replace(/^\[[^\]]*\] \[[^\]]*\] /, '')}"`);
  } finally {
    await page.close();
    await fw.stop();
  }
});
