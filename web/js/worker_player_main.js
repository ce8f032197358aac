// A player's worker (loaded by worker_player.js, the worker's entry script, with the kind's
// source: direct_worker_source.js or mjpeg_worker_source.js, which receives and decodes). It
// owns the page's canvas (an OffscreenCanvas transferred to it) and draws each decoded
// picture on it at once, so receiving, decoding and drawing never wait behind the page's main
// thread (layout, the overlay, other scripts).
//
// To the page: {type: 'stats'} batches every BATCH_MS (counters since the last batch, the
// stamp latency samples, and the current values: status, reconnects, decode ms and the
// source's own), at once when the status changes or the first picture is drawn (the page hands
// over then); {type: 'failed'} when the source's connection was lost before the first picture
// (e.g. refused: the server's viewer limit counts it beside the page's main-thread player),
// after which the page keeps its main-thread player and ends this worker; and what the source
// posts itself (Direct: the sound, warnings for the console).

import { drawAndReadStamp } from './frame_stamp.js';
import { StampReader } from './stamp.js';

const BATCH_MS = 100;

// The counters stats.js keeps, gathered here and sent in batches; `values` are the current
// ones (status, reconnects, decodeMs and the source's own, which its class lists in `values`).
class StatsBatch {
  constructor(sourceValues) {
    this.values = {
      status: 'connecting',
      reconnects: 0, // since this worker started
      decodeMs: null, // received → decoded, smoothed
      ...sourceValues,
      firstDrawWallMs: null, // wall-clock ms of the first picture drawn
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

export class WorkerPlayer {
  // msg: the page's {type: 'start', canvas, url, ...}; Source: the kind's class, made with
  // (this player, msg, early); early: what the entry script started for it (Direct's socket).
  // A source has start(), stop(), optional tick() (every batch) and message(msg) (the page's
  // kind-specific messages), and static `values` and `connection` (its name in messages).
  constructor(msg, Source, early) {
    this.canvas = msg.canvas;
    this.ctx = this.canvas.getContext('2d', { alpha: false, desynchronized: true });
    this.stats = new StatsBatch(Source.values);
    this.stampReader = new StampReader();
    this.connection = Source.connection;
    this.running = false;
    this.sentValues = '';
    this.source = new Source(this, msg, early);
  }

  start() {
    this.running = true;
    this.source.start();
    this.timer = setInterval(() => {
      this.flush();
      if (this.source.tick) this.source.tick();
    }, BATCH_MS);
  }

  stop() {
    this.running = false;
    clearInterval(this.timer);
    this.source.stop();
    this.flush();
  }

  message(msg) {
    if (this.source.message) this.source.message(msg);
  }

  // The source changed stats.values.status.
  statusChanged() {
    this.flush();
    // Lost before its first picture (e.g. refused: the viewer limit counts it beside the
    // page's main-thread player): the page keeps its main-thread player and ends this worker.
    const { status, firstDrawWallMs } = this.stats.values;
    if (firstDrawWallMs === null && (status === 'disconnected' || status === 'stalled')) {
      postMessage({ type: 'failed', reason: `the worker's ${this.connection} was ${status} before its first picture` });
    }
  }

  // Draws a decoded picture now (an OffscreenCanvas from transferControlToOffscreen commits
  // what is drawn at the end of this task, straight to the compositor: the page's main thread
  // is not involved); the frame is closed once its stamp is read.
  draw(frame) {
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
