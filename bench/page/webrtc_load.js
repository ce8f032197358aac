// WebRTC load viewers for the fan-out bench: `count` WHEP peers in this page, each playing into
// its own muted <video> (so it is decoded like a real viewer). Counts frames received and bytes
// per peer inside the measuring window [warmupMs, warmupMs + seconds].

import { connectWhep, inboundVideo } from './webrtc_client.js';

export async function runWebrtcLoad({ count, seconds, warmupMs = 3000, path = '/whep' }) {
  const peers = [];
  const errors = [];
  for (let i = 0; i < count; i++) {
    const video = document.createElement('video');
    video.muted = true;
    video.width = 160;
    document.body.appendChild(video);
    try {
      peers.push(
        await connectWhep(path, (track) => {
          video.srcObject = new MediaStream([track]);
          video.play().catch(() => {});
        }),
      );
    } catch (e) {
      errors.push(e.message);
    }
  }
  await new Promise((r) => setTimeout(r, warmupMs));
  const before = await Promise.all(peers.map((p) => inboundVideo(p.pc).catch(() => null)));
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const after = await Promise.all(peers.map((p) => inboundVideo(p.pc).catch(() => null)));
  for (const p of peers) p.close();
  const delta = (i, f) => (before[i] && after[i] ? (after[i][f] ?? 0) - (before[i][f] ?? 0) : 0);
  return {
    viewers: peers.map((_, i) => ({ fps: delta(i, 'framesReceived') / seconds, bytes: delta(i, 'bytesReceived'), decodedFps: delta(i, 'framesDecoded') / seconds })),
    errors,
  };
}
