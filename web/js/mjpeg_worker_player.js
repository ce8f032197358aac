// MJPEG mode with decode and draw off the main thread (?mjpegworker=1; the <img> player is the
// default: in bench/latency.mjs this path presented later than the <img> once the machine was
// busy, because ImageDecoder decodes on Chromium's thread pool, which then waits for a core,
// while the <img> is decoded on the page's own thread when it is drawn; bench/README.md): a
// worker (mjpeg_worker.js) reads /stream with fetch, decodes each JPEG with ImageDecoder and
// draws it at once on a canvas of its own (an OffscreenCanvas): nothing waits behind the
// page's main thread, and the page can time every step, which an <img> hides (bench/README.md).
//
// As for Direct (direct_worker_player.js), a worker can take from 100 ms to over a second to
// start on a busy machine, so the <img> player (mjpeg_player.js) plays at once and the worker
// starts beside it on a hidden canvas; when the worker has drawn its first picture, its canvas
// is shown in the <img>'s place and the <img> player stops. Where the worker cannot play (no
// workers, no OffscreenCanvas, no ImageDecoder for JPEG in workers, its stream refused or
// lost before its first picture), the <img> player simply goes on. During the hand-over the
// server counts two MJPEG clients for a moment.

import { MjpegPlayer } from './mjpeg_player.js';

export function mjpegWorkerSupported() {
  return (
    typeof window.Worker === 'function' &&
    typeof window.OffscreenCanvas === 'function' &&
    typeof window.ImageDecoder === 'function' &&
    typeof HTMLCanvasElement.prototype.transferControlToOffscreen === 'function'
  );
}

export class MjpegWorkerPlayer {
  constructor({ img, stats, onStatus = () => {}, path = '/stream' }) {
    this.img = img;
    this.stats = stats;
    this.onStatus = onStatus;
    this.path = path;
    this.main = null; // the <img> player: until the hand-over, or for good
    this.worker = null;
    this.canvas = null; // the worker's, hidden until its first picture
    this.handedOver = false;
    this.reconnectBase = 0;
    this.lastError = null;
    this.running = false;
  }

  start() {
    this.running = true;
    this.main = new MjpegPlayer({ img: this.img, stats: this.stats, onStatus: this.onStatus, path: this.path });
    this.main.start();
    const canvas = document.createElement('canvas');
    canvas.id = 'video-mjpeg-canvas';
    canvas.hidden = true;
    this.img.after(canvas);
    this.canvas = canvas;
    let offscreen;
    try {
      offscreen = canvas.transferControlToOffscreen();
      this.worker = new Worker(new URL('./mjpeg_worker.js', import.meta.url), { type: 'module', name: 'framewire-mjpeg' });
    } catch (e) {
      this.keepImg(`cannot start the MJPEG worker: ${e.message ?? e}`);
      return;
    }
    this.worker.onmessage = (ev) => this.onMessage(ev.data);
    this.worker.onerror = (ev) => {
      ev.preventDefault?.();
      if (!this.handedOver) this.keepImg(`MJPEG worker failed: ${ev.message ?? 'error'}`);
      else console.warn('MJPEG worker error', ev.message);
    };
    const url = new URL(`${this.path}${this.path.includes('?') ? '&' : '?'}t=${Date.now()}`, location.href).href;
    this.worker.postMessage({ type: 'start', url, canvas: offscreen }, [offscreen]);
  }

  stop() {
    this.running = false;
    this.stopWorker();
    if (this.main) this.main.stop();
    this.main = null;
    if (this.canvas) this.canvas.remove();
    this.canvas = null;
  }

  stopWorker() {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    worker.onmessage = worker.onerror = null;
    // the worker aborts its fetch, then closes itself; terminate() is the backstop
    worker.postMessage({ type: 'stop' });
    setTimeout(() => worker.terminate(), 1000);
  }

  // The worker cannot play: the <img> player, already playing, goes on.
  keepImg(reason) {
    if (!this.running || this.handedOver) return;
    console.info(`framewire: MJPEG plays through <img>: ${reason}`);
    this.lastError = reason;
    this.stopWorker();
    if (this.canvas) this.canvas.remove();
    this.canvas = null;
  }

  // The worker has drawn its first picture: its canvas takes the <img>'s place.
  handOver(values) {
    this.handedOver = true;
    this.main.stop();
    this.main = null;
    this.canvas.hidden = false;
    this.img.hidden = true;
    this.reconnectBase = this.stats.values.reconnects - values.reconnects;
    this.stats.values.decodeThread = 'worker';
  }

  onMessage(msg) {
    if (!this.running) return;
    if (msg.type === 'stats') {
      if (!this.handedOver && msg.values.firstDrawWallMs !== null) this.handOver(msg.values);
      if (this.handedOver) this.applyStats(msg);
    } else if (msg.type === 'unsupported' || msg.type === 'failed') {
      this.keepImg(msg.reason);
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
    // bytes are counted here now, not taken from /api/state as for the <img>
    s.externalKbps = null;
    const statusChanged = values.status !== s.values.status;
    s.values.status = values.status;
    s.values.decodeMs = values.decodeMs;
    s.values.reconnects = this.reconnectBase + values.reconnects;
    if (statusChanged) this.onStatus(values.status);
  }
}
