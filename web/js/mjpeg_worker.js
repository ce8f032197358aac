// The MJPEG worker (started by mjpeg_worker_player.js as a module worker): it reads /stream
// with fetch, splits it into JPEGs (mjpeg_parts.js: a part is handed over as soon as its
// Content-Length bytes are in), decodes each with WebCodecs' ImageDecoder (a YUV VideoFrame)
// and draws it at once on the page's canvas (an OffscreenCanvas transferred here), newest
// wins: a part that arrives while one decodes waits in a one-slot mailbox, replacing the one
// there. Receiving, decoding and drawing never wait behind the page's main thread, and the
// page's <img> (whose decode and paint the page cannot time or steer) is not used.
//
// From the page: {type: 'start', url, canvas}, {type: 'stop'}. To the page: {type: 'stats'}
// batches every BATCH_MS (as the Direct worker's: counters since the last batch, the stamp
// latency samples, the current values), at once when the status changes or the first picture
// is drawn; {type: 'unsupported'} when this worker has no ImageDecoder for JPEG; {type:
// 'failed'} when the stream was lost before the first picture (the page keeps its <img>).

import { drawAndReadStamp } from './frame_stamp.js';
import { MultipartParts, boundaryOf } from './mjpeg_parts.js';
import { Backoff } from './reconnect.js';
import { StampReader } from './stamp.js';

const BATCH_MS = 100;
const STALL_MS = 5000; // no part for this long: reconnect (as the <img> player)

class StatsBatch {
  constructor() {
    this.values = {
      status: 'connecting',
      reconnects: 0, // since this worker started
      decodeMs: null, // part complete → decoded, smoothed
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

  drawn(width, height) {
    this.d.drawn++;
    this.d.width = width;
    this.d.height = height;
  }

  latency(ms) {
    this.d.latency.push(ms);
  }
}

class MjpegWorker {
  constructor({ url, canvas }) {
    this.url = url;
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d', { alpha: false, desynchronized: true });
    this.stats = new StatsBatch();
    this.stampReader = new StampReader();
    this.backoff = new Backoff();
    this.pending = null; // newest part not yet decoding: { bytes, arrived }
    this.decoding = false;
    this.abort = null;
    this.lastPart = 0;
    this.running = false;
    this.sentValues = '';
  }

  start() {
    this.running = true;
    this.connect();
    this.timer = setInterval(() => {
      this.flush();
      if (this.abort && performance.now() - this.lastPart > STALL_MS) this.reconnect('stalled');
    }, BATCH_MS);
  }

  stop() {
    this.running = false;
    clearInterval(this.timer);
    this.backoff.cancel();
    if (this.abort) this.abort.abort();
    this.abort = null;
    this.pending = null;
    this.flush();
  }

  setStatus(status) {
    if (this.stats.values.status === status) return;
    this.stats.values.status = status;
    this.flush();
    if (this.stats.values.firstDrawWallMs === null && (status === 'disconnected' || status === 'stalled')) {
      postMessage({ type: 'failed', reason: `the worker's stream was ${status} before its first picture` });
    }
  }

  async connect() {
    if (!this.running) return;
    const abort = new AbortController();
    this.abort = abort;
    this.lastPart = performance.now();
    try {
      const res = await fetch(this.url, { signal: abort.signal, cache: 'no-store' });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      const parts = new MultipartParts((bytes) => this.onPart(bytes), {
        boundary: boundaryOf(res.headers.get('Content-Type')) ?? undefined,
      });
      const reader = res.body.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parts.push(value);
      }
      if (abort === this.abort) this.reconnect('disconnected');
    } catch (e) {
      if (abort === this.abort) this.reconnect('disconnected');
    }
  }

  reconnect(reason) {
    if (!this.running) return;
    if (this.abort) this.abort.abort();
    this.abort = null;
    this.pending = null;
    this.stats.values.reconnects++;
    this.setStatus(reason);
    this.backoff.schedule(() => this.connect());
  }

  onPart(bytes) {
    this.lastPart = performance.now();
    this.stats.received(bytes.length);
    if (this.pending) this.stats.d.dropped++;
    this.pending = { bytes, arrived: this.lastPart };
    this.decodeNext();
  }

  async decodeNext() {
    if (this.decoding || !this.pending || !this.running) return;
    const part = this.pending;
    this.pending = null;
    this.decoding = true;
    let frame = null;
    const decoder = new ImageDecoder({ data: part.bytes, type: 'image/jpeg', colorSpaceConversion: 'none' });
    try {
      frame = (await decoder.decode()).image;
    } catch (e) {
      this.stats.d.dropped++; // a damaged part
    } finally {
      decoder.close();
    }
    this.decoding = false;
    if (frame) this.draw(frame, part.arrived);
    this.decodeNext();
  }

  draw(frame, arrived) {
    if (!this.running) {
      frame.close();
      return;
    }
    const ms = performance.now() - arrived;
    const v = this.stats.values;
    v.decodeMs = v.decodeMs === null ? ms : Math.round((v.decodeMs * 0.9 + ms * 0.1) * 10) / 10;
    this.stats.d.decoded++;
    const nowUs = drawAndReadStamp(this, frame);
    if (v.status !== 'playing') {
      this.backoff.succeeded();
      this.setStatus('playing');
    }
    if (v.firstDrawWallMs === null) {
      v.firstDrawWallMs = nowUs / 1000;
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

let player = null;

self.onmessage = async (ev) => {
  const msg = ev.data;
  if (msg.type === 'start' && !player) {
    const supported =
      typeof self.ImageDecoder === 'function' &&
      (await self.ImageDecoder.isTypeSupported('image/jpeg').catch(() => false));
    if (!supported) {
      postMessage({ type: 'unsupported', reason: 'no ImageDecoder for JPEG in workers' });
      return;
    }
    player = new MjpegWorker(msg);
    player.start();
  } else if (msg.type === 'stop') {
    if (player) player.stop();
    player = null;
    self.close();
  }
};
