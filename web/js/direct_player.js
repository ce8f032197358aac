// Direct mode on the main thread: the fallback where a worker cannot decode and draw
// (direct_worker_player.js is the default). H.264 (or VP8/VP9/AV1) access units over a
// WebSocket (/ws/direct), decoded with WebCodecs by DirectSession (direct_session.js: the
// framing, backlog policy and reconnect shared with the worker).
//
// Latest wins: each decoded frame is drawn as soon as it comes out of the decoder, unless newer
// chunks are queued behind it (then it is stale and dropped); requestAnimationFrame draws what
// is left in the one-slot mailbox (frame_mailbox.js). With lip sync on and the sound playing, a
// decoded frame first waits for its sound (picture_hold.js).

import { lipsync } from './av_sync.js';
import { DirectSession, HEADER_BYTES } from './direct_session.js';
import { FrameMailbox } from './frame_mailbox.js';
import { drawAndReadStamp } from './frame_stamp.js';
import { SoundDelayFollower } from './picture_hold.js';
import { StampReader } from './stamp.js';

export function directSupported() {
  return window.isSecureContext && typeof window.VideoDecoder === 'function';
}

// The Direct socket's URL for this page (ws: or wss: like the page), with ?audio=1 for sound.
export function directUrl(path, audio) {
  const url = new URL(path, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  if (audio) url.searchParams.set('audio', '1');
  return url.href;
}

export class DirectPlayer {
  // `audio`: an AudioPlayer (audio_player.js): the socket then asks for sound (?audio=1).
  constructor({ canvas, stats, onStatus = () => {}, path = '/ws/direct', audio = null }) {
    this.audio = audio;
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d', { alpha: false, desynchronized: true });
    this.stats = stats;
    this.stampReader = new StampReader();
    this.running = false;
    this.raf = 0;
    // lip sync: pictures wait for their sound (the follower reads the sound's delay every 250 ms)
    this.follower = new SoundDelayFollower();
    this.mailbox = new FrameMailbox({ draw: (frame) => this.draw(frame), stats });
    this.holdTimer = 0;
    this.session = new DirectSession({
      url: directUrl(path, !!audio),
      stats,
      onStatus,
      onFrame: (frame) => this.onFrame(frame),
      onAudioConfig: audio ? (msg) => audio.configure(msg) : null,
      onAudio: audio ? (captureUs, buf) => audio.decode(captureUs, new Uint8Array(buf, HEADER_BYTES)) : null,
      onWarning: (text, e) => console.warn(text, e),
    });
  }

  start() {
    this.running = true;
    this.startedAt = performance.now();
    this.stats.values.decodeThread = 'main';
    this.stats.values.pictureHold = this.mailbox.hold.values;
    this.session.start();
    this.holdTimer = setInterval(() => this.mailbox.hold.setTarget(this.follower.update(this.audio?.values, lipsync.on)), 250);
    const draw = () => {
      if (!this.running) return;
      this.mailbox.drawPending();
      this.raf = requestAnimationFrame(draw);
    };
    this.raf = requestAnimationFrame(draw);
  }

  stop() {
    this.running = false;
    cancelAnimationFrame(this.raf);
    clearInterval(this.holdTimer);
    this.session.stop();
    this.mailbox.clear();
    if (this.audio) this.audio.close();
  }

  onFrame(frame) {
    if (!this.running) {
      frame.close();
      return;
    }
    // Draw at once (the canvas is desynchronized: it shows without waiting for the next
    // animation frame) unless newer chunks are already in the decoder: then this frame is stale,
    // and the newest one, or requestAnimationFrame, draws instead.
    this.mailbox.put(frame, this.session.decodeQueueSize !== 0);
  }

  draw(frame) {
    if (this.stats.values.firstFrameMs === null) this.stats.values.firstFrameMs = Math.round(performance.now() - this.startedAt);
    drawAndReadStamp(this, frame);
  }
}
