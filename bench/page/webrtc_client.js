// WebRTC mode through plain WHEP (POST offer → 201 answer), the browser's own <video> path.
// At each requestVideoFrameCallback the stamp is read from the video element: presented =
// callback time; received = metadata.receiveTime; decoded = receiveTime + processingDuration.
// getStats gives the decoder's time per frame and the jitter buffer's delay.

import { perfToWallUs } from './recorder.js';

async function gathered(pc, timeoutMs) {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise((resolve) => {
    const t = setTimeout(resolve, timeoutMs);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(t);
        resolve();
      }
    });
  });
}

export async function inboundVideo(pc) {
  const report = await pc.getStats();
  for (const s of report.values()) if (s.type === 'inbound-rtp' && s.kind === 'video') return s;
  return null;
}

// Plain WHEP: recvonly offer (sent at once, or after --offer-wait ms of ICE gathering), POST, 201 + answer.
export async function connectWhep(path, onTrack, { jitterBufferTarget = null, phases = null, offerWaitMs = 0, audio = false } = {}) {
  const t0 = performance.now();
  const mark = (name) => {
    if (phases && phases[name] === undefined) phases[name] = Math.round(performance.now() - t0);
  };
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  pc.addEventListener('connectionstatechange', () => pc.connectionState === 'connected' && mark('connected'));
  pc.addTransceiver('video', { direction: 'recvonly' });
  if (audio) pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.ontrack = (e) => {
    // Chromium's receiver-side hint (ms); 0 asks for the shortest playout delay it allows
    if (e.track.kind === 'video' && jitterBufferTarget !== null && 'jitterBufferTarget' in e.receiver) e.receiver.jitterBufferTarget = jitterBufferTarget;
    onTrack(e.track);
  };
  await pc.setLocalDescription(await pc.createOffer());
  // Chromium's own candidates are mDNS names no server here can resolve: the connection rests
  // on the server's candidates and peer-reflexive pairs, so the offer need not wait for them
  // (the app's player sends at once too and trickles the rest). --offer-wait MS restores a wait.
  if (offerWaitMs > 0) await gathered(pc, offerWaitMs);
  mark('gathered');
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp' },
    body: pc.localDescription.sdp,
    signal: AbortSignal.timeout(10000),
  });
  const answer = await res.text();
  if (res.status !== 201) {
    pc.close();
    throw new Error(`WHEP POST ${path}: ${res.status} ${answer.slice(0, 200)}`);
  }
  mark('answered');
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  const location = res.headers.get('Location');
  // Awaited: the page is closed right after the run and must not cancel the DELETE. A peer
  // left behind costs the next rows: the baseline has no RTCP timeout and kept encoding for
  // nobody at ~0.5 cores.
  const close = async () => {
    pc.close();
    if (!location) return;
    await fetch(new URL(location, `${window.location.origin}${path}`), { method: 'DELETE', signal: AbortSignal.timeout(3000) }).catch(() => {});
  };
  return { pc, close };
}

async function inboundAudio(pc) {
  const report = await pc.getStats();
  for (const s of report.values()) if (s.type === 'inbound-rtp' && s.kind === 'audio') return s;
  return null;
}

// `audio`: the offer takes the sound too, played unmuted by the same <video> (one MediaStream,
// as the app's player does).
export async function runWebrtc({ recorder, video, seconds, path = '/whep', jitterBufferTarget = null, offerWaitMs = 0, audio = false }) {
  // ms from the page's start of this session: ICE gathered, answer received, connected
  const phases = {};
  const stream = new MediaStream();
  video.muted = !audio;
  const { pc, close } = await connectWhep(path, (track) => {
    stream.addTrack(track);
    if (video.srcObject !== stream) video.srcObject = stream;
    video.play().catch(() => {});
  }, { jitterBufferTarget, phases, offerWaitMs, audio });

  let running = true;
  const onVideoFrame = (now, meta) => {
    if (!running) return;
    recorder.firstFrame(now);
    recorder.counts.presented++;
    const lat = recorder.stampLatency(video, meta.width, meta.height, perfToWallUs(now));
    if (lat !== null) {
      recorder.add('presented', lat, now);
      if (meta.receiveTime !== undefined) {
        const receivedLag = now - meta.receiveTime; // ms from the last packet to presented
        recorder.add('received', lat - receivedLag, now);
        if (meta.processingDuration !== undefined) {
          recorder.add('decoded', lat - receivedLag + meta.processingDuration * 1000, now);
        }
      }
    }
    video.requestVideoFrameCallback(onVideoFrame);
  };
  video.requestVideoFrameCallback(onVideoFrame);

  const first = { stats: null };
  const statsTimer = setInterval(async () => {
    const s = await inboundVideo(pc).catch(() => null);
    if (s && !first.stats && s.framesDecoded > 0) first.stats = s;
  }, 1000);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  clearInterval(statsTimer);
  const last = await inboundVideo(pc).catch(() => null);
  const sound = audio ? await inboundAudio(pc).catch(() => null) : null;
  await close();
  const a = first.stats;
  const per = (field, count) =>
    a && last && last[count] > a[count] ? ((last[field] - a[field]) / (last[count] - a[count])) * 1000 : null;
  return recorder.result({
    webrtc: {
      decodeMsPerFrame: per('totalDecodeTime', 'framesDecoded'),
      jitterBufferMs: per('jitterBufferDelay', 'jitterBufferEmittedCount'),
      framesDecoded: last?.framesDecoded ?? 0,
      decodedFps: a && last && last.timestamp > a.timestamp ? ((last.framesDecoded - a.framesDecoded) * 1000) / (last.timestamp - a.timestamp) : null,
      framesDropped: last?.framesDropped ?? 0,
      nackCount: last?.nackCount ?? 0,
      pliCount: last?.pliCount ?? 0,
      decoder: last?.decoderImplementation ?? null,
      phases,
      // with sound: what the audio receiver played (samples out of its jitter buffer)
      audioSamplesPlayed: sound?.totalSamplesReceived ?? null,
      audioLevel: sound?.audioLevel ?? null,
    },
  });
}
