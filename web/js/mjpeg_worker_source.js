// The MJPEG worker's source (worker_player.js?kind=mjpeg, drawn by worker_player_main.js): it
// reads /stream with fetch, splits it into JPEGs (mjpeg_parts.js: a part is handed over as
// soon as its Content-Length bytes are in) and decodes each with WebCodecs' ImageDecoder (a
// YUV VideoFrame), drawn at once, newest wins: a part that arrives while one decodes waits in a
// one-slot mailbox, replacing the one there. The page's <img> (whose decode and paint the page
// cannot time or steer) is not used.

import { MultipartParts, boundaryOf } from './mjpeg_parts.js';
import { Backoff } from './reconnect.js';

const STALL_MS = 5000; // no part for this long: reconnect (as the <img> player)

export default class MjpegSource {
  static connection = 'stream';
  static values = {};

  constructor(player, { url }) {
    this.player = player;
    this.stats = player.stats;
    this.url = url;
    this.backoff = new Backoff();
    this.pending = null; // newest part not yet decoding: { bytes, arrived }
    this.decoding = false;
    this.abort = null;
    this.lastPart = 0;
  }

  start() {
    this.connect();
  }

  // every stats batch
  tick() {
    if (this.abort && performance.now() - this.lastPart > STALL_MS) this.reconnect('stalled');
  }

  stop() {
    this.backoff.cancel();
    if (this.abort) this.abort.abort();
    this.abort = null;
    this.pending = null;
  }

  setStatus(status) {
    if (this.stats.values.status === status) return;
    this.stats.values.status = status;
    this.player.statusChanged();
  }

  async connect() {
    if (!this.player.running) return;
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
    if (!this.player.running) return;
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
    if (this.pending) this.stats.dropped();
    this.pending = { bytes, arrived: this.lastPart };
    this.decodeNext();
  }

  async decodeNext() {
    if (this.decoding || !this.pending || !this.player.running) return;
    const part = this.pending;
    this.pending = null;
    this.decoding = true;
    let frame = null;
    const decoder = new ImageDecoder({ data: part.bytes, type: 'image/jpeg', colorSpaceConversion: 'none' });
    try {
      frame = (await decoder.decode()).image;
    } catch (e) {
      this.stats.dropped(); // a damaged part
    } finally {
      decoder.close();
    }
    this.decoding = false;
    if (frame) this.draw(frame, part.arrived);
    this.decodeNext();
  }

  draw(frame, arrived) {
    if (!this.player.running) {
      frame.close();
      return;
    }
    const ms = performance.now() - arrived;
    const v = this.stats.values;
    v.decodeMs = v.decodeMs === null ? ms : Math.round((v.decodeMs * 0.9 + ms * 0.1) * 10) / 10;
    this.stats.decoded();
    // the stream plays: said before the picture is drawn, so the batch that reports the first
    // picture (the page's hand-over) already says so
    if (v.status !== 'playing') {
      this.backoff.succeeded();
      this.setStatus('playing');
    }
    this.player.draw(frame);
  }
}
