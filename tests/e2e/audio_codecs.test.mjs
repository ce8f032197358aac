// G.711 and G.722 for WebRTC clients that need them (audio-codec pcmu | pcma | g722): an offer
// whose audio section lists only that codec gets it in the answer, and headless Chromium's
// inbound audio has packets and a level above silence (the test tone), beside the video.

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
  if (numbers.length) console.log(`audio codec figures:\n  ${numbers.join('\n  ')}`);
});

// A WHEP peer in the page whose audio section offers `mime` alone; its sound plays unmuted
// from an <audio> (Chromium measures the level of what it plays).
function connect(page, mime) {
  return page.evaluate(async (mime) => {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    const audio = pc.addTransceiver('audio', { direction: 'recvonly' });
    const only = RTCRtpReceiver.getCapabilities('audio').codecs.filter((c) => c.mimeType.toLowerCase() === mime.toLowerCase());
    audio.setCodecPreferences(only);
    const el = document.createElement('audio');
    el.autoplay = true;
    document.body.append(el);
    pc.ontrack = (ev) => {
      if (ev.track.kind !== 'audio') return;
      el.srcObject = new MediaStream([ev.track]);
      el.play().catch(() => {});
    };
    await pc.setLocalDescription(await pc.createOffer());
    const offerAudio = pc.localDescription.sdp.split(/\r?\nm=/).find((s) => s.startsWith('audio')) ?? '';
    const res = await fetch('/whep', { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
    const answer = await res.text();
    if (res.status !== 201) return { status: res.status, error: answer };
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    window.fwCodecPeer = pc;
    const answerAudio = answer.split(/\r?\nm=/).find((s) => s.startsWith('audio')) ?? '';
    return {
      status: 201,
      offered: [...offerAudio.matchAll(/a=rtpmap:\d+ ([^\r\n]+)/g)].map((m) => m[1]),
      answered: [...answerAudio.matchAll(/a=rtpmap:\d+ ([^\r\n]+)/g)].map((m) => m[1]),
    };
  }, mime);
}

function inbound(page) {
  return page.evaluate(async () => {
    const out = { audio: null, videoDecoded: 0 };
    const report = await window.fwCodecPeer.getStats();
    report.forEach((r) => {
      if (r.type === 'inbound-rtp' && (r.kind ?? r.mediaType) === 'video') out.videoDecoded = r.framesDecoded ?? 0;
      if (r.type === 'inbound-rtp' && (r.kind ?? r.mediaType) === 'audio') {
        out.audio = {
          packetsReceived: r.packetsReceived ?? 0,
          audioLevel: r.audioLevel ?? 0,
          totalAudioEnergy: r.totalAudioEnergy ?? 0,
          codec: r.codecId ? (report.get(r.codecId)?.mimeType ?? null) : null,
        };
      }
    });
    return out;
  });
}

for (const [codec, mime, rtpName] of [
  ['pcmu', 'audio/PCMU', 'PCMU/8000'],
  ['pcma', 'audio/PCMA', 'PCMA/8000'],
  ['g722', 'audio/G722', 'G722/8000'],
]) {
  test(`audio-codec ${codec}: an offer with only ${rtpName} gets it; Chromium plays it with a level`, async () => {
    const fw = await startFramewire({ size: '640x360', fps: 30, bitrate: 1500, 'audio-codec': codec });
    const page = await browser.context.newPage();
    try {
      await page.goto(`${fw.base}/?mode=mjpeg`);
      const r = await connect(page, mime);
      assert.equal(r.status, 201, r.error);
      assert.deepEqual(r.offered.map((s) => s.toUpperCase()), [rtpName], `the offer lists ${rtpName} alone: ${r.offered}`);
      // "G722/8000/1" (webrtcbin names the one channel) is the same codec as "G722/8000"
      assert.deepEqual(r.answered.map((s) => s.toUpperCase().replace(/\/1$/, '')), [rtpName], `answered: ${r.answered}`);
      const got = await waitFor(
        async () => {
          const s = await inbound(page);
          return s.audio && s.audio.packetsReceived > 100 && s.audio.totalAudioEnergy > 0 && s.videoDecoded > 10 ? s : null;
        },
        { timeoutMs: 25000, what: `${codec}: inbound audio with packets and energy, and video` },
      ).catch(async (e) => {
        throw new Error(`${e.message}\n${JSON.stringify(await inbound(page))}\nlog:\n${fw.log().slice(-2000)}`);
      });
      let level = got.audio.audioLevel;
      for (let i = 0; i < 10 && !(level > 0); i++) {
        await page.waitForTimeout(300);
        level = (await inbound(page)).audio.audioLevel;
      }
      assert.ok(level > 0, `${codec}: audioLevel ${level}`);
      assert.equal(got.audio.codec?.toLowerCase(), mime.toLowerCase());
      const state = (await getJson(`${fw.base}/api/state`)).json;
      assert.equal(state.audio.codec, codec);
      numbers.push(`${codec}: ${got.audio.packetsReceived} packets, level ${level.toFixed(3)}, energy ${got.audio.totalAudioEnergy.toFixed(3)}, video ${got.videoDecoded} frames`);
    } finally {
      await page.close();
      await fw.stop();
    }
  });
}
