// The main-thread side of a player that decodes and draws in a worker: Direct's (the default,
// direct_worker_player.js) and MJPEG's (?mjpegworker=1, mjpeg_worker_player.js). The worker
// (worker_player.js) owns the connection, the decoder and a canvas of its own (an
// OffscreenCanvas); the main thread only applies the worker's stats batches to the overlay's
// numbers, and whatever the kind adds (Direct: it plays the sound and sets lip sync's hold).
//
// A worker takes from 100 ms to over a second to start on a busy machine (thread, script,
// modules), so a main-thread player of the same kind plays at once (direct_player.js,
// mjpeg_player.js's <img>) and the worker starts beside it on a hidden canvas; when the worker
// has drawn its first picture, its canvas takes the main-thread player's place and that player
// stops. Where the worker cannot play (no workers or OffscreenCanvas, no decoder in workers,
// it fails to load, its connection refused or lost before its first picture), the main-thread
// player simply goes on. During the hand-over the server counts two clients for a moment.
//
// A kind (a subclass) says how its main-thread player starts (startMain), where the worker's
// canvas goes (workerCanvasInPage) and how it takes the main player's place (takeOver), and
// what the worker's start message carries (startMessage).

export function workerPlayerSupported() {
  return (
    typeof window.Worker === 'function' &&
    typeof window.OffscreenCanvas === 'function' &&
    typeof HTMLCanvasElement.prototype.transferControlToOffscreen === 'function'
  );
}

export class WorkerPlayerHost {
  // kind: the worker's kind (worker_player.js?kind=); label: its name in the console;
  // fallbackNote: what the console says when the main-thread player stays.
  constructor({ kind, label, fallbackNote, stats, onStatus = () => {} }) {
    this.kind = kind;
    this.label = label;
    this.fallbackNote = fallbackNote;
    this.stats = stats;
    this.onStatus = onStatus;
    this.worker = null;
    this.workerCanvas = null; // the worker's, hidden until its first picture
    this.main = null; // the main-thread player: until the hand-over, or for good
    this.handedOver = false;
    this.reconnectBase = 0;
    this.lastError = null; // the worker's last warning (app.js names it when it falls back)
    this.running = false;
  }

  start() {
    this.running = true;
    this.main = this.startMain();
    const canvas = this.workerCanvasInPage();
    this.workerCanvas = canvas;
    let offscreen;
    try {
      offscreen = canvas.transferControlToOffscreen();
      const script = new URL(`./worker_player.js?kind=${this.kind}`, import.meta.url);
      this.worker = new Worker(script, { type: 'module', name: `framewire-${this.kind}` });
    } catch (e) {
      this.keepMain(`cannot start the ${this.label} worker: ${e.message ?? e}`);
      return;
    }
    this.worker.onmessage = (ev) => this.onMessage(ev.data);
    this.worker.onerror = (ev) => {
      ev.preventDefault?.();
      if (!this.handedOver) this.keepMain(`${this.label} worker failed: ${ev.message ?? 'error'}`);
      else console.warn(`${this.label} worker error`, ev.message);
    };
    this.worker.postMessage({ type: 'start', canvas: offscreen, ...this.startMessage() }, [offscreen]);
  }

  stop() {
    this.running = false;
    this.stopWorker();
    if (this.main) this.main.stop();
    this.main = null;
    if (this.workerCanvas) this.workerCanvas.remove();
    this.workerCanvas = null;
  }

  stopWorker() {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    worker.onmessage = worker.onerror = null;
    // the worker closes its connection and decoder, then itself; terminate() is the backstop
    worker.postMessage({ type: 'stop' });
    setTimeout(() => worker.terminate(), 1000);
  }

  // The worker cannot play: the main-thread player, already playing, goes on.
  keepMain(reason) {
    if (!this.running || this.handedOver) return;
    console.info(`framewire: ${this.fallbackNote}: ${reason}`);
    this.stopWorker();
    if (this.workerCanvas) this.workerCanvas.remove();
    this.workerCanvas = null;
  }

  // The worker has drawn its first picture: its canvas takes the main-thread player's place.
  handOver(values) {
    this.handedOver = true;
    this.main.stop();
    this.main = null;
    this.takeOver();
    this.reconnectBase = this.stats.values.reconnects - values.reconnects;
    this.stats.values.decodeThread = 'worker';
  }

  onMessage(msg) {
    if (!this.running) return;
    if (msg.type === 'stats') {
      if (!this.handedOver && msg.values.firstDrawWallMs !== null) this.handOver(msg.values);
      if (this.handedOver) this.applyStats(msg);
    } else if (msg.type === 'warning') {
      console.warn(`${this.label} worker: ${msg.text}`, msg.error);
      this.lastError = this.stats.values.lastError = `${msg.text}: ${msg.error}`;
    } else if (msg.type === 'unsupported' || msg.type === 'failed') {
      this.keepMain(msg.reason);
    } else {
      this.onWorkerMessage(msg);
    }
  }

  // The kind's own messages from the worker (Direct: the sound).
  onWorkerMessage() {}

  // A batch from the worker (after the hand-over; the counters are since the last batch).
  applyStats({ d, values }) {
    const s = this.stats;
    if (d.received > 0) s.received(d.bytes, d.received);
    if (d.decoded > 0) s.decoded(d.decoded);
    if (d.dropped > 0) s.dropped(d.dropped);
    if (d.drawn > 0) s.drawn(d.width, d.height, d.drawn);
    for (const ms of d.latency) s.latency(ms);
    // bytes are counted by the worker now (MJPEG's <img> took them from /api/state, and a poll
    // of it may still answer after that player stopped)
    s.externalKbps = null;
    const statusChanged = values.status !== s.values.status;
    const { firstDrawWallMs, ...rest } = values;
    // firstFrameMs stays the main-thread player's: the page's first picture
    Object.assign(s.values, rest, { reconnects: this.reconnectBase + values.reconnects });
    if (statusChanged) this.onStatus(values.status);
  }
}
