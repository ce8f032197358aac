// Direct mode with decode and draw off the main thread (the default where the browser can):
// the page's canvas becomes an OffscreenCanvas owned by a worker (direct_worker.js), which
// also owns the WebSocket and the VideoDecoder. The main thread only applies the worker's
// stats batches to the overlay's numbers and plays the sound (audio_player.js, Web Audio)
// from the audio messages the worker hands over.
//
// A canvas can be handed to a worker only once, and not after a 2D context was taken on it:
// each start replaces the page's canvas element with a fresh copy (same id and attributes)
// and transfers that one. Where the worker turns out to have no VideoDecoder, or cannot start,
// the player falls back to the main-thread player (direct_player.js) on another fresh canvas.

import { DirectPlayer, directUrl } from './direct_player.js';
import { HEADER_BYTES } from './direct_session.js';

export function directWorkerSupported() {
  return (
    typeof window.Worker === 'function' &&
    typeof window.OffscreenCanvas === 'function' &&
    typeof HTMLCanvasElement.prototype.transferControlToOffscreen === 'function'
  );
}

// Replaces `canvas` in the page by a copy of it (same id, class, hidden, size) and returns the copy.
function freshCanvas(canvas) {
  const copy = canvas.cloneNode(false);
  canvas.replaceWith(copy);
  return copy;
}

export class DirectWorkerPlayer {
  constructor({ canvas, stats, onStatus = () => {}, path = '/ws/direct', audio = null }) {
    this.options = { stats, onStatus, path, audio };
    this.canvas = canvas;
    this.stats = stats;
    this.onStatus = onStatus;
    this.audio = audio;
    this.url = directUrl(path, !!audio);
    this.worker = null;
    this.fallback = null; // the main-thread player, when the worker cannot play
    this.lastError = null; // the worker's last warning (app.js names it when it falls back)
    this.running = false;
  }

  start() {
    this.running = true;
    this.startWallMs = performance.timeOrigin + performance.now();
    this.reconnectsAtStart = this.stats.values.reconnects;
    this.stats.values.decodeThread = 'worker';
    this.canvas = freshCanvas(this.canvas);
    let offscreen;
    try {
      offscreen = this.canvas.transferControlToOffscreen();
      this.worker = new Worker(new URL('./direct_worker.js', import.meta.url), { type: 'module', name: 'framewire-direct' });
    } catch (e) {
      this.fallBack(`cannot start the Direct worker: ${e.message ?? e}`);
      return;
    }
    this.worker.onmessage = (ev) => this.onMessage(ev.data);
    this.worker.onerror = (ev) => {
      ev.preventDefault?.();
      // a worker that never drew (e.g. no module workers) is replaced by the main thread
      if (this.stats.values.framesDrawn === 0) this.fallBack(`Direct worker failed: ${ev.message ?? 'error'}`);
      else console.warn('Direct worker error', ev.message);
    };
    this.worker.postMessage({ type: 'start', url: this.url, canvas: offscreen, audio: !!this.audio }, [offscreen]);
  }

  stop() {
    this.running = false;
    this.stopWorker();
    if (this.fallback) this.fallback.stop();
    this.fallback = null;
    if (this.audio) this.audio.close();
  }

  stopWorker() {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    worker.onmessage = worker.onerror = null;
    // the worker closes its socket and decoder, then itself; terminate() is the backstop
    worker.postMessage({ type: 'stop' });
    setTimeout(() => worker.terminate(), 1000);
  }

  fallBack(reason) {
    if (!this.running || this.fallback) return;
    console.info(`framewire: Direct decodes on the main thread: ${reason}`);
    this.stopWorker();
    this.canvas = freshCanvas(this.canvas);
    this.fallback = new DirectPlayer({ canvas: this.canvas, ...this.options });
    this.fallback.start();
  }

  onMessage(msg) {
    if (!this.running) return;
    if (msg.type === 'stats') this.applyStats(msg);
    else if (msg.type === 'audio' && this.audio) this.audio.decode(msg.captureUs, new Uint8Array(msg.buf, HEADER_BYTES));
    else if (msg.type === 'audio-config' && this.audio) this.audio.configure(msg.msg);
    else if (msg.type === 'warning') {
      console.warn(`Direct worker: ${msg.text}`, msg.error);
      this.lastError = this.stats.values.lastError = `${msg.text}: ${msg.error}`;
    }
    else if (msg.type === 'unsupported') this.fallBack(msg.reason);
  }

  applyStats({ d, values }) {
    const s = this.stats;
    if (d.received > 0) s.received(d.bytes, d.received);
    if (d.decoded > 0) s.decoded(d.decoded);
    if (d.dropped > 0) s.dropped(d.dropped);
    if (d.drawn > 0) s.drawn(d.width, d.height, d.drawn);
    for (const ms of d.latency) s.latency(ms);
    const statusChanged = values.status !== s.values.status;
    const { firstDrawWallMs, ...rest } = values;
    Object.assign(s.values, rest, { reconnects: this.reconnectsAtStart + values.reconnects });
    // start (worker start-up included) → first frame drawn, on the wall clock both threads share
    if (firstDrawWallMs !== null && s.values.firstFrameMs === null) s.values.firstFrameMs = Math.round(firstDrawWallMs - this.startWallMs);
    if (statusChanged) this.onStatus(values.status);
  }
}
