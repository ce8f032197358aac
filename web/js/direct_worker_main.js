// The Direct worker's player (loaded by direct_worker.js, the worker's entry script): it owns
// the Direct WebSocket, the VideoDecoder and the page's canvas (an OffscreenCanvas transferred
// to it), so receiving, decoding and drawing never wait behind the page's main thread (layout,
// the overlay, other scripts). Each decoded frame is drawn at once, newest wins (no queue): a
// frame with newer chunks queued behind it is stale and dropped, and the worker's next
// animation frame draws what is left in the one-slot mailbox. With lip sync the page sends
// {type: 'hold', targetMs} (the sound's capture → heard delay, 0 for none) and each decoded
// frame first waits until its capture time + targetMs (picture_hold.js).
//
// To the page: {type: 'stats'} batches every BATCH_MS (counters since the last batch, the
// stamp latency samples, and the current values: status, codec, rtt, decode ms...), at once
// when the status changes or the first picture is drawn; the audio announcement and each audio
// message, which the page plays (audio_player.js); warnings for its console.

import { DirectSession } from './direct_session.js';
import { drawAndReadStamp } from './frame_stamp.js';
import { PictureHold } from './picture_hold.js';
import { StampReader } from './stamp.js';

const BATCH_MS = 100;

// The counters stats.js keeps, gathered here and sent in batches; `values` are the fields the
// session sets (status, codec, rttMs, decodeQueue, keyframeRequests, reconnects, decodeMs).
class StatsBatch {
  constructor() {
    this.values = {
      status: 'connecting',
      codec: null,
      rttMs: null,
      decodeQueue: 0,
      keyframeRequests: 0,
      reconnects: 0, // since this worker started
      decodeMs: null,
      firstDrawWallMs: null, // wall-clock ms of the first frame drawn (the page's first frame time)
    };
    this.clear();
  }

  clear() {
    this.d = { received: 0, bytes: 0, decoded: 0, dropped: 0, drawn: 0, width: 0, height: 0, latency: [] };
  }

  received(bytes) {
    this.d.received++;
    this.d.bytes += bytes;
  }

  decoded() {
    this.d.decoded++;
  }

  dropped(n = 1) {
    this.d.dropped += n;
  }

  drawn(width, height) {
    this.d.drawn++;
    this.d.width = width;
    this.d.height = height;
  }

  latency(ms) {
    this.d.latency.push(ms);
  }
}

class DirectWorker {
  constructor({ url, canvas, audio }, early) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d', { alpha: false, desynchronized: true });
    this.stats = new StatsBatch();
    this.stampReader = new StampReader();
    this.pending = null; // newest decoded VideoFrame not yet drawn
    this.rafPending = false;
    this.running = false;
    this.sentValues = '';
    this.hold = new PictureHold({ draw: (frame) => this.drawHeld(frame), dropped: (n) => this.stats.dropped(n) });
    this.stats.values.pictureHold = this.hold.values;
    this.session = new DirectSession({
      url,
      early,
      stats: this.stats,
      onStatus: () => this.onStatus(),
      onFrame: (frame) => this.onFrame(frame),
      onAudioConfig: audio ? (msg) => postMessage({ type: 'audio-config', msg }) : null,
      onAudio: audio ? (captureUs, buf) => postMessage({ type: 'audio', captureUs, buf }, [buf]) : null,
      onWarning: (text, e) => postMessage({ type: 'warning', text, error: String(e?.message ?? e) }),
    });
  }

  onStatus() {
    this.flush();
    // Lost before its first picture (e.g. refused: max-viewers-direct counts it beside the
    // page's main-thread player): the page keeps its main-thread player and ends this worker.
    const { status, firstDrawWallMs } = this.stats.values;
    if (firstDrawWallMs === null && (status === 'disconnected' || status === 'stalled')) {
      postMessage({ type: 'failed', reason: `the worker's socket was ${status} before its first picture` });
    }
  }

  start() {
    this.running = true;
    this.session.start();
    this.timer = setInterval(() => this.flush(), BATCH_MS);
  }

  stop() {
    this.running = false;
    clearInterval(this.timer);
    this.session.stop();
    this.hold.clear();
    if (this.pending) this.pending.close();
    this.pending = null;
    this.flush();
  }

  onFrame(frame) {
    if (!this.running) {
      frame.close();
      return;
    }
    if (this.hold.take(frame)) return; // lip sync: drawHeld() draws it when its sound plays
    this.replacePending(frame);
    if (this.session.decodeQueueSize === 0) this.drawPending();
    else this.drawAtNextAnimationFrame();
  }

  // A picture that waited for its sound: drawn now, ahead of anything older in the mailbox.
  drawHeld(frame) {
    this.replacePending(frame);
    this.drawPending();
  }

  // The mailbox keeps the newest picture: one not yet drawn is dropped (and counted).
  replacePending(frame) {
    if (this.pending) {
      this.pending.close();
      this.stats.dropped();
    }
    this.pending = frame;
  }

  // A stale frame waits for the newer ones; if none comes out first, the next animation frame
  // draws it (as the main-thread player's requestAnimationFrame loop does).
  drawAtNextAnimationFrame() {
    if (this.rafPending) return;
    this.rafPending = true;
    const draw = () => {
      this.rafPending = false;
      if (this.running) this.drawPending();
    };
    if (typeof self.requestAnimationFrame === 'function') self.requestAnimationFrame(draw);
    else setTimeout(draw, 16);
  }

  drawPending() {
    const frame = this.pending;
    if (!frame) return;
    this.pending = null;
    // an OffscreenCanvas from transferControlToOffscreen commits what is drawn at the end of
    // this task, straight to the compositor: the page's main thread is not involved
    const nowUs = drawAndReadStamp(this, frame);
    if (this.stats.values.firstDrawWallMs === null) {
      this.stats.values.firstDrawWallMs = nowUs / 1000;
      this.flush(); // the first picture: tell the page now, not with the next batch
    }
  }

  // Posts what changed since the last batch; nothing when nothing did.
  flush() {
    const { d, values } = this.stats;
    const json = JSON.stringify(values);
    if (d.received === 0 && d.decoded === 0 && d.dropped === 0 && d.drawn === 0 && d.latency.length === 0 && json === this.sentValues) return;
    this.sentValues = json;
    postMessage({ type: 'stats', d, values });
    this.stats.clear();
  }
}

// Starts the worker's player for the page's {type: 'start'} message; `early` is the socket the
// entry script (direct_worker.js) opened while this module loaded, with what it received.
export function startDirectWorker(msg, early) {
  const worker = new DirectWorker(msg, early);
  worker.start();
  return worker;
}
