// Direct mode (docs/protocol.md): WebSocket access units → WebCodecs → canvas, each decoded
// frame drawn at once (no queue). received = message arrival − capture time in the header;
// decoded = stamp read from the decoded VideoFrame; presented = stamp on the canvas at rAF.

import { AudioPlayer } from './audio_player.js';
import { CanvasPresenter, perfToWallUs } from './recorder.js';

// The app's Direct sound player, started (the bench's Chromium plays sound without a gesture).
export function startAudioPlayer() {
  const player = new AudioPlayer();
  player.unmute();
  return player;
}

// The app's backlog policy (web/js/direct_session.js), so the bench measures what users get:
// at a keyframe with this many chunks queued, drop the backlog; past the second, ask for one.
const BACKLOG_RESET = 3;
const BACKLOG_REQUEST_KEY = 12;
const KEYFRAME_REQUEST_MIN_MS = 1000;

// Presents through a <video> fed by a MediaStreamTrackGenerator instead of a canvas: the
// compositor shows the frame without a main-thread draw (a candidate for the app's player).
// presented = stamp read at requestVideoFrameCallback, as for WebRTC.
class VideoPresenter {
  constructor(video, recorder) {
    this.generator = new MediaStreamTrackGenerator({ kind: 'video' });
    this.writer = this.generator.writable.getWriter();
    this.running = true;
    video.srcObject = new MediaStream([this.generator]);
    video.play().catch(() => {});
    const onFrame = (now, meta) => {
      if (!this.running) return;
      recorder.counts.presented++;
      const lat = recorder.stampLatency(video, meta.width, meta.height, perfToWallUs(now));
      if (lat !== null) recorder.add('presented', lat, now);
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }

  // takes ownership of the frame (the track closes it)
  drawAndClose(frame) {
    this.writer.write(frame).catch(() => frame.close());
  }

  stop() {
    this.running = false;
    this.writer.close().catch(() => {});
  }
}

// `audio`: where the sound goes, {configure(msg), decode(captureUs, bytes)} (the app's
// AudioPlayer, or a relay to the page from a worker); with it the socket asks for ?audio=1.
export async function runDirect({ recorder, canvas, video, seconds, path = '/ws/direct', present = 'canvas', audio = null }) {
  // present 'none': decode only, no stamp read and no draw (isolates the page's own cost)
  const presenter =
    present === 'video' ? new VideoPresenter(video, recorder) : present === 'none' ? null : new CanvasPresenter(canvas, recorder);
  const arrivals = new Map(); // chunk timestamp (capture µs) → arrival performance time
  let decoder = null;
  let waitKey = true;
  let config = null;
  let lastKeyRequest = -Infinity;
  const requestKey = () => {
    if (performance.now() - lastKeyRequest < KEYFRAME_REQUEST_MIN_MS) return;
    lastKeyRequest = performance.now();
    recorder.counts.keyframeRequests = (recorder.counts.keyframeRequests ?? 0) + 1;
    ws.send(JSON.stringify({ type: 'keyframe' }));
  };
  const sound = audio;
  const ws = new WebSocket(`ws://${location.host}${path}${audio ? (path.includes('?') ? '&' : '?') + 'audio=1' : ''}`);
  ws.binaryType = 'arraybuffer';

  const onFrame = (frame) => {
    const now = performance.now();
    recorder.firstFrame(now);
    recorder.counts.decoded++;
    if (presenter) {
      recorder.frameStampLatency(frame.clone(), perfToWallUs(now)).then((lat) => {
        if (lat !== null) recorder.add('decoded', lat, now);
      });
    }
    const arrived = arrivals.get(frame.timestamp);
    if (arrived !== undefined) {
      recorder.add('socketToDecoded', now - arrived, now);
      arrivals.delete(frame.timestamp);
    }
    if (!presenter) return frame.close();
    // the app's policy (web/js/direct_worker_source.js, direct_player.js): a frame with newer chunks queued behind it is
    // stale; skip its draw, the newest one is drawn
    if (decoder && decoder.decodeQueueSize > 0) {
      recorder.counts.staleSkipped = (recorder.counts.staleSkipped ?? 0) + 1;
      return frame.close();
    }
    if (presenter.drawAndClose) return presenter.drawAndClose(frame);
    presenter.draw(frame, frame.displayWidth, frame.displayHeight);
    frame.close();
  };

  ws.onmessage = (ev) => {
    if (typeof ev.data === 'string') {
      const msg = JSON.parse(ev.data);
      if (msg.type === 'audio' && sound) sound.configure(msg);
      if (msg.type !== 'hello') return;
      if (decoder) decoder.close();
      decoder = new VideoDecoder({ output: onFrame, error: () => (waitKey = true) });
      config = { codec: msg.codec, optimizeForLatency: true };
      decoder.configure(config);
      waitKey = true;
      return;
    }
    const now = performance.now();
    const view = new DataView(ev.data);
    if (view.getUint8(0) === 2 && sound && ev.data.byteLength > 10) {
      sound.decode(Number(view.getBigUint64(2)), new Uint8Array(ev.data, 10));
      return;
    }
    if (view.getUint8(0) !== 1 || !decoder) return;
    recorder.counts.messages++;
    const key = (view.getUint8(1) & 1) === 1;
    const captureUs = Number(view.getBigUint64(2));
    recorder.add('received', (perfToWallUs(now) - captureUs) / 1000, now);
    if (key) {
      if (decoder.decodeQueueSize >= BACKLOG_RESET && !waitKey) {
        recorder.counts.backlogResets = (recorder.counts.backlogResets ?? 0) + 1;
        decoder.reset();
        decoder.configure(config);
        arrivals.clear();
      }
      waitKey = false;
    } else if (waitKey) {
      requestKey();
      return;
    } else if (decoder.decodeQueueSize >= BACKLOG_REQUEST_KEY) {
      requestKey();
    }
    if (arrivals.size > 300) arrivals.clear(); // bounded: frames the decoder never returned
    arrivals.set(captureUs, now);
    decoder.decode(
      new EncodedVideoChunk({ type: key ? 'key' : 'delta', timestamp: captureUs, data: new Uint8Array(ev.data, 10) }),
    );
  };

  await new Promise((r) => setTimeout(r, seconds * 1000));
  presenter?.stop();
  ws.close();
  if (decoder && decoder.state !== 'closed') decoder.close();
  if (sound?.values) {
    recorder.counts.audioFramesPlayed = sound.values.framesPlayed;
    recorder.counts.audioDelayMs = sound.values.delayMs;
  }
  return recorder.result();
}
