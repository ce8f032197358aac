// The viewer's microphone in G.711 and G.722: a browser whose microphone offer carries only
// PCMU, only PCMA or only G.722 (setCodecPreferences on its sendrecv transceiver) still reaches
// the PulseAudio sink. framewire answers the section recvonly in that codec when its own sound
// cannot go there (its Opus is not offered, or audio-source none) and sendrecv when the
// server's audio-codec is the same one. An offer whose microphone has no codec framewire plays
// is answered 201 with that audio section declined (port 0), one log line saying why, and the
// picture plays. A real PulseAudio server started here (null sink "fwmicc", recorded with
// parec); Chromium's fake microphone (a beep). RMS and peak in the sink are printed.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pulseAndMicBrowser } from './lib/fixtures.mjs';
import { getJson, waitFor } from './lib/framewire.mjs';
import { recordSink, startFramewireWithEnv } from './lib/pulse.mjs';

const SINK = 'fwmicc';
const env = pulseAndMicBrowser(SINK, 'microphone codec figures');
const { numbers, children } = env; // children: processes this file started (PulseAudio, parec), ended by PID

function startWithPulse(options) {
  return startFramewireWithEnv(
    { PULSE_SERVER: env.pulse.server },
    { size: '640x360', fps: 30, bitrate: 1500, microphone: 'true', 'microphone-sink': SINK, ...options },
  );
}

// A raw WHEP peer in the page: video recvonly, the fake microphone sendrecv with `mime` its only
// codec. `rename`: the offer posted calls that codec so instead (one framewire does not play);
// the page keeps its own offer, so the answer still applies. Returns the offer's and answer's
// audio codecs, the answer's audio port and direction.
function micPeer(page, mime, rename = null) {
  return page.evaluate(
    async ({ mime, rename }) => {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
      pc.addTransceiver('video', { direction: 'recvonly' });
      const mic = pc.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendrecv' });
      mic.setCodecPreferences(RTCRtpReceiver.getCapabilities('audio').codecs.filter((c) => c.mimeType.toLowerCase() === mime.toLowerCase()));
      await pc.setLocalDescription(await pc.createOffer());
      let offer = pc.localDescription.sdp;
      if (rename) offer = offer.replace(new RegExp(`(a=rtpmap:\\d+ )${mime.split('/')[1]}/`, 'i'), `$1${rename}/`);
      const res = await fetch('/whep', { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: offer });
      const answer = await res.text();
      if (res.status !== 201) return { status: res.status, error: answer };
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      window.fwMicPeer = pc;
      const audioOf = (sdp) => sdp.split(/\r?\nm=/).find((s) => s.startsWith('audio') || s.startsWith('m=audio')) ?? '';
      const a = audioOf(answer);
      return {
        status: 201,
        offered: [...audioOf(offer).matchAll(/a=rtpmap:\d+ ([^\r\n]+)/g)].map((m) => m[1]),
        answered: [...a.matchAll(/a=rtpmap:\d+ ([^\r\n]+)/g)].map((m) => m[1].toUpperCase().replace(/\/1$/, '')),
        port: Number(/^(?:m=)?audio (\d+)/.exec(a)?.[1]),
        direction: /a=(sendrecv|sendonly|recvonly|inactive)/.exec(a)?.[1] ?? null,
      };
    },
    { mime, rename },
  );
}

function peerStats(page) {
  return page.evaluate(async () => {
    const out = { videoDecoded: 0, audioSent: 0, audioReceived: 0, sentCodec: null };
    const report = await window.fwMicPeer.getStats();
    report.forEach((r) => {
      const kind = r.kind ?? r.mediaType;
      if (r.type === 'inbound-rtp' && kind === 'video') out.videoDecoded = r.framesDecoded ?? 0;
      if (r.type === 'inbound-rtp' && kind === 'audio') out.audioReceived = r.packetsReceived ?? 0;
      if (r.type === 'outbound-rtp' && kind === 'audio') {
        out.audioSent = r.packetsSent ?? 0;
        out.sentCodec = r.codecId ? (report.get(r.codecId)?.mimeType ?? null) : null;
      }
    });
    return out;
  });
}

const microphoneState = async (fw) => (await getJson(`${fw.base}/api/state`)).json.webrtc?.microphone;

for (const c of [
  // the server's Opus cannot go on a PCMU-only section: the microphone alone, recvonly
  { mime: 'audio/PCMU', rtp: 'PCMU/8000', server: {}, direction: 'recvonly', name: 'server sound Opus' },
  // the server sends PCMA too: one section both ways
  { mime: 'audio/PCMA', rtp: 'PCMA/8000', server: { 'audio-codec': 'pcma' }, direction: 'sendrecv', name: 'server sound PCMA' },
  // no server sound at all
  { mime: 'audio/G722', rtp: 'G722/8000', server: { 'audio-source': 'none' }, direction: 'recvonly', name: 'no server sound' },
]) {
  test(`a microphone offered in ${c.rtp} only (${c.name}) is answered ${c.direction} and plays into the sink`, async () => {
    const fw = await startWithPulse(c.server);
    const page = await env.browser.context.newPage();
    try {
      await page.goto(`${fw.base}/?mode=mjpeg`);
      const peer = await micPeer(page, c.mime);
      assert.equal(peer.status, 201, peer.error);
      assert.deepEqual(peer.offered.map((s) => s.toUpperCase()), [c.rtp], `the offer's microphone codecs: ${peer.offered}`);
      assert.deepEqual(peer.answered, [c.rtp]);
      assert.ok(peer.port > 0, 'the audio section is accepted');
      assert.equal(peer.direction, c.direction);
      const state = await waitFor(
        async () => {
          const m = await microphoneState(fw);
          return m && m.holder && m.frames > 100 ? m : null;
        },
        { timeoutMs: 20000, what: `${c.rtp} microphone frames played on the server` },
      ).catch(async (e) => {
        throw new Error(`${e.message}\nstate: ${JSON.stringify(await microphoneState(fw))}\npeer: ${JSON.stringify(await peerStats(page))}\nlog:\n${fw.log().slice(-3000)}`);
      });
      assert.equal(state.error, '');
      const codecName = c.rtp.split('/')[0];
      assert.match(fw.log(), new RegExp(`the viewer's microphone arrives \\(${codecName}\\)`));
      const heard = await recordSink(env.pulse, SINK, 2, children);
      const s = await peerStats(page);
      numbers.push(
        `${c.rtp} (${c.name}): answer ${peer.direction}; sink ${heard.rms.toFixed(1)} RMS / ${heard.peak} peak over ${heard.samples} samples; ` +
          `${state.frames} frames played; page sent ${s.audioSent} packets (${s.sentCodec}), received ${s.audioReceived} audio packets, ${s.videoDecoded} video frames`,
      );
      assert.ok(heard.samples > 48000, `parec recorded ${heard.samples} samples (${heard.err})`);
      assert.ok(heard.peak > 300 && heard.rms > 5, `sound in the sink: RMS ${heard.rms.toFixed(1)}, peak ${heard.peak}`);
      assert.equal(s.sentCodec?.toLowerCase(), c.mime.toLowerCase());
      assert.ok(s.videoDecoded > 10, `the picture decodes: ${s.videoDecoded} frames`);
      if (c.direction === 'sendrecv') assert.ok(s.audioReceived > 20, `the server's ${codecName} comes back: ${s.audioReceived} packets`);
    } finally {
      await page.close();
      await fw.stop();
    }
  });
}

test('a microphone in a codec framewire does not play: 201, the audio section declined with a log line, video plays', async () => {
  const fw = await startWithPulse({});
  const page = await env.browser.context.newPage();
  try {
    await page.goto(`${fw.base}/?mode=mjpeg`);
    const peer = await micPeer(page, 'audio/PCMU', 'L16');
    assert.equal(peer.status, 201, peer.error);
    assert.deepEqual(peer.offered, ['L16/8000']);
    assert.equal(peer.port, 0, 'the audio section is rejected (port 0)');
    await waitFor(() => /the viewer's microphone offers L16; framewire plays Opus, G\.722, PCMU or PCMA: its audio section is declined/.test(fw.log()), {
      timeoutMs: 5000,
      what: 'the log line saying why the microphone is declined',
    });
    const s = await waitFor(
      async () => {
        const v = await peerStats(page);
        return v.videoDecoded > 10 ? v : null;
      },
      { timeoutMs: 20000, what: 'video decoded beside the declined microphone' },
    );
    const m = await microphoneState(fw);
    assert.equal(m.frames, 0);
    assert.equal(m.holder, '');
    const line = fw.log().split('\n').find((l) => /microphone offers L16/.test(l));
    numbers.push(`L16 microphone: 201, audio port ${peer.port}, ${s.videoDecoded} video frames; "${line.replace(/^\[[^\]]*\] \[[^\]]*\] /, '')}"`);
  } finally {
    await page.close();
    await fw.stop();
  }
});
