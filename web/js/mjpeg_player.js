// MJPEG mode: the browser's own multipart decoder through <img src="/stream">, the way
// mjpg-streamer and µStreamer clients work. An <img> tells nobody when a new part arrives, so
// each animation frame copies the 640x16 stamp band into a small canvas: a changed stamp is a
// new picture (and gives its latency). Without a stamp, a changed band counts instead.

import { Backoff } from './reconnect.js';
import { StampReader, stampLatencyMs } from './stamp.js';

const STALL_MS = 5000; // no new picture for this long: reload the stream
const STATE_POLL_MS = 2000;

export class MjpegPlayer {
  constructor({ img, stats, onStatus = () => {}, path = '/stream' }) {
    this.img = img;
    this.stats = stats;
    this.onStatus = onStatus;
    this.path = path;
    this.backoff = new Backoff();
    this.stampReader = new StampReader();
    this.running = false;
    this.raf = 0;
    this.timers = [];
    this.lastValue = null;
    this.lastSignature = null;
    this.lastChange = 0;
  }

  start() {
    this.running = true;
    this.img.onerror = () => this.reconnectLater('disconnected');
    this.img.onload = () => this.backoff.succeeded();
    this.connect();
    const poll = () => {
      if (!this.running) return;
      this.sample();
      this.raf = requestAnimationFrame(poll);
    };
    this.raf = requestAnimationFrame(poll);
    this.timers.push(setInterval(() => this.housekeeping(), 1000));
    this.timers.push(setInterval(() => this.pollState(), STATE_POLL_MS));
  }

  stop() {
    this.running = false;
    cancelAnimationFrame(this.raf);
    this.timers.forEach(clearInterval);
    this.timers = [];
    this.backoff.cancel();
    this.img.onerror = this.img.onload = null;
    // an <img> keeps its multipart connection open until its src goes away
    this.img.removeAttribute('src');
    this.img.src = 'data:,';
  }

  connect() {
    if (!this.running) return;
    this.stats.values.status = 'connecting';
    this.onStatus('connecting');
    this.lastChange = performance.now();
    // a fresh URL each time so the browser opens a new connection
    this.img.src = `${this.path}${this.path.includes('?') ? '&' : '?'}t=${Date.now()}`;
  }

  reconnectLater(reason) {
    if (!this.running) return;
    this.stats.values.reconnects++;
    this.stats.values.status = reason;
    this.onStatus(reason);
    this.img.removeAttribute('src');
    this.backoff.schedule(() => this.connect());
  }

  sample() {
    const img = this.img;
    if (!img.complete && img.naturalWidth === 0) return;
    const w = img.naturalWidth;
    const h = img.naturalHeight;
    if (!w || !h) return;
    const value = this.stampReader.read(img, w, h);
    let changed;
    if (value !== null) {
      changed = value !== this.lastValue;
      this.lastValue = value;
    } else {
      const sig = this.stampReader.signature();
      changed = sig !== this.lastSignature;
      this.lastSignature = sig;
    }
    if (!changed) return;
    this.lastChange = performance.now();
    this.stats.decoded();
    this.stats.drawn(w, h);
    if (value !== null) this.stats.latency(stampLatencyMs(value));
    if (this.stats.values.status !== 'playing') {
      this.stats.values.status = 'playing';
      this.onStatus('playing');
      this.backoff.succeeded();
    }
  }

  housekeeping() {
    if (!this.running) return;
    if (this.img.getAttribute('src') && performance.now() - this.lastChange > STALL_MS) {
      this.reconnectLater('stalled');
    }
  }

  // The <img> cannot count bytes; the server's state knows what the JPEG branch sends.
  async pollState() {
    try {
      const res = await fetch('/api/state', { cache: 'no-store' });
      if (!res.ok) return;
      const kbps = jpegKbps(await res.json());
      if (kbps !== null) this.stats.setKbps(Math.round(kbps));
    } catch {
      /* the server may be restarting; the stream itself reconnects */
    }
  }
}

// Finds the JPEG branch's bit rate in /api/state, tolerating a few shapes.
export function jpegKbps(state) {
  if (!state || typeof state !== 'object') return null;
  const candidates = [];
  if (state.jpeg) candidates.push(state.jpeg);
  const branches = state.branches;
  if (Array.isArray(branches)) candidates.push(...branches);
  else if (branches && typeof branches === 'object') {
    for (const [name, b] of Object.entries(branches)) candidates.push({ name, ...b });
  }
  for (const b of candidates) {
    if (!b || typeof b !== 'object') continue;
    const isJpeg = /jpe?g|mjpeg/i.test(`${b.id ?? ''} ${b.name ?? ''} ${b.codec ?? ''} ${b.kind ?? ''}`) || b === state.jpeg;
    if (!isJpeg) continue;
    for (const key of ['kbps', 'kbit_s', 'bitrate_kbps', 'kbits']) {
      if (typeof b[key] === 'number') return b[key];
    }
  }
  return null;
}
