// Direct mode with decode and draw off the main thread (the default where the browser can):
// a worker (direct_worker.js) owns the WebSocket, the VideoDecoder and a canvas of its own (an
// OffscreenCanvas). The main thread only applies the worker's stats batches to the overlay's
// numbers and plays the sound (audio_player.js, Web Audio) from the audio messages the worker
// hands over, and with lip sync tells the worker how long its pictures wait for their sound
// (picture_hold.js).
//
// A worker takes from 100 ms to over a second to start on a busy machine (thread, script,
// modules), so the main-thread player (direct_player.js) plays at once, and the worker starts
// beside it on a fresh hidden canvas; when the worker has drawn its first picture, its canvas
// takes the page canvas's place (same id) and the main-thread player stops. Where the worker
// cannot play (no VideoDecoder in workers, it fails to load), the main-thread player simply
// goes on. During the hand-over the server counts two Direct clients for a moment.
//
// A canvas can be handed to a worker only once, and not after a 2D context was taken on it:
// each start replaces the page's canvas element with fresh copies (same id and attributes).

import { lipsync } from './av_sync.js';
import { DirectPlayer, directUrl } from './direct_player.js';
import { HEADER_BYTES } from './direct_session.js';
import { SoundDelayFollower } from './picture_hold.js';

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
    this.canvas = canvas; // the page's canvas (#video-canvas)
    this.stats = stats;
    this.onStatus = onStatus;
    this.audio = audio;
    this.url = directUrl(path, !!audio);
    this.worker = null;
    this.workerCanvas = null; // the worker's, hidden until its first picture
    this.main = null; // the main-thread player: until the hand-over, or for good
    this.handedOver = false;
    this.workerAudioConfig = null; // the worker socket's audio announcement, for the hand-over
    this.lastError = null; // the worker's last warning (app.js names it when it falls back)
    this.running = false;
    this.follower = new SoundDelayFollower(); // lip sync: the worker's picture hold target
    this.holdTargetMs = 0;
    this.holdTimer = 0;
  }

  start() {
    this.running = true;
    this.canvas = freshCanvas(this.canvas);
    this.main = new DirectPlayer({ canvas: this.canvas, ...this.options });
    this.main.start();
    const wc = this.canvas.cloneNode(false);
    wc.removeAttribute('id');
    wc.hidden = true;
    this.canvas.after(wc);
    this.workerCanvas = wc;
    let offscreen;
    try {
      offscreen = wc.transferControlToOffscreen();
      this.worker = new Worker(new URL('./direct_worker.js', import.meta.url), { type: 'module', name: 'framewire-direct' });
    } catch (e) {
      this.keepMainThread(`cannot start the Direct worker: ${e.message ?? e}`);
      return;
    }
    this.worker.onmessage = (ev) => this.onMessage(ev.data);
    this.worker.onerror = (ev) => {
      ev.preventDefault?.();
      if (!this.handedOver) this.keepMainThread(`Direct worker failed: ${ev.message ?? 'error'}`);
      else console.warn('Direct worker error', ev.message);
    };
    this.worker.postMessage({ type: 'start', url: this.url, canvas: offscreen, audio: !!this.audio }, [offscreen]);
    this.holdTimer = setInterval(() => this.followSound(), 250);
  }

  // Lip sync: the worker's pictures wait for the sound the page plays (sent when it changes).
  followSound() {
    const target = this.follower.update(this.audio?.values, lipsync.on);
    if (target === this.holdTargetMs || !this.worker) return;
    this.holdTargetMs = target;
    this.worker.postMessage({ type: 'hold', targetMs: target });
  }

  stop() {
    this.running = false;
    clearInterval(this.holdTimer);
    this.stopWorker();
    if (this.main) this.main.stop();
    this.main = null;
    if (!this.handedOver && this.workerCanvas) this.workerCanvas.remove();
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

  // The worker cannot play: the main-thread player, already playing, goes on.
  keepMainThread(reason) {
    if (!this.running || this.handedOver) return;
    console.info(`framewire: Direct decodes on the main thread: ${reason}`);
    this.stopWorker();
    if (this.workerCanvas) this.workerCanvas.remove();
    this.workerCanvas = null;
  }

  // The worker has drawn its first picture: its canvas takes the page canvas's place.
  handOver(values) {
    this.handedOver = true;
    this.main.stop(); // its socket, decoder and the sound's decoder
    this.main = null;
    const old = this.canvas;
    const wc = this.workerCanvas;
    wc.hidden = old.hidden;
    old.remove();
    wc.id = old.id;
    this.canvas = wc;
    if (this.audio && this.workerAudioConfig) this.audio.configure(this.workerAudioConfig);
    this.reconnectBase = this.stats.values.reconnects - values.reconnects;
    this.stats.values.decodeThread = 'worker';
  }

  onMessage(msg) {
    if (!this.running) return;
    if (msg.type === 'stats') {
      if (!this.handedOver && msg.values.firstDrawWallMs !== null) this.handOver(msg.values);
      if (this.handedOver) this.applyStats(msg);
    } else if (msg.type === 'audio') {
      if (this.handedOver && this.audio) this.audio.decode(msg.captureUs, new Uint8Array(msg.buf, HEADER_BYTES));
    } else if (msg.type === 'audio-config') {
      this.workerAudioConfig = msg.msg;
      if (this.handedOver && this.audio) this.audio.configure(msg.msg);
    } else if (msg.type === 'warning') {
      console.warn(`Direct worker: ${msg.text}`, msg.error);
      this.lastError = this.stats.values.lastError = `${msg.text}: ${msg.error}`;
    } else if (msg.type === 'unsupported' || msg.type === 'failed') {
      this.keepMainThread(msg.reason);
    }
  }

  // A batch from the worker (after the hand-over; the counters are since the last batch).
  applyStats({ d, values }) {
    const s = this.stats;
    if (d.received > 0) s.received(d.bytes, d.received);
    if (d.decoded > 0) s.decoded(d.decoded);
    if (d.dropped > 0) s.dropped(d.dropped);
    if (d.drawn > 0) s.drawn(d.width, d.height, d.drawn);
    for (const ms of d.latency) s.latency(ms);
    const statusChanged = values.status !== s.values.status;
    const { firstDrawWallMs, ...rest } = values;
    // firstFrameMs stays the main-thread player's: the page's first picture
    Object.assign(s.values, rest, { reconnects: this.reconnectBase + values.reconnects });
    if (statusChanged) this.onStatus(values.status);
  }
}
