// Counters and rates shared by the players. `values` is a plain object the page exposes as
// window.framewire.stats (the e2e tests read it), updated in place.

const MAX_SAMPLES = 600;

export class Stats {
  constructor() {
    this.values = {
      framesReceived: 0,
      framesDecoded: 0,
      framesDrawn: 0,
      framesDropped: 0,
      bytesReceived: 0,
      fps: 0,
      kbps: null,
      latencyMs: null,
      latencySamples: [],
      rttMs: null,
      decodeQueue: 0,
      keyframeRequests: 0,
      width: 0,
      height: 0,
      codec: null,
      reconnects: 0,
      status: 'idle',
      decodeThread: null, // Direct: 'worker' or 'main', where decode and draw run
      // WebRTC (from getStats, per-second deltas where it says "Ms")
      jitterBufferMs: null, // jitterBufferDelay / jitterBufferEmittedCount
      decodeMs: null, // totalDecodeTime / framesDecoded; Direct: socket → decoded, smoothed
      packetsLost: null,
      nacks: null, // NACKs sent
      plis: null, // PLIs sent
      firs: null,
      answerMs: null, // POST /whep to its answer
      connectMs: null, // POST /whep to ICE+DTLS connected
      firstFrameMs: null, // POST /whep (Direct: the player's start) to the first presented frame
      connectionState: null,
      iceState: null,
      decoder: null,
      lastError: null,
      audio: null, // WebRTC: the inbound audio's getStats() numbers, when the answer has audio
      pictureHold: null, // Direct: lip sync's { targetMs, holdMs, framesHeld, framesDropped } (picture_hold.js)
    };
    this.windowStart = performance.now();
    this.windowDrawn = 0;
    this.windowBytes = 0;
    this.windowLatency = [];
    this.externalKbps = null;
  }

  reset() {
    const { reconnects } = this.values;
    const fresh = new Stats();
    Object.assign(this.values, fresh.values, { reconnects, latencySamples: [] });
    this.windowStart = performance.now();
    this.windowDrawn = 0;
    this.windowBytes = 0;
    this.windowLatency = [];
    this.externalKbps = null;
  }

  received(bytes, n = 1) {
    this.values.framesReceived += n;
    this.values.bytesReceived += bytes;
    this.windowBytes += bytes;
  }

  decoded(n = 1) {
    this.values.framesDecoded += n;
  }

  dropped(n = 1) {
    this.values.framesDropped += n;
  }

  drawn(width, height, n = 1) {
    this.values.framesDrawn += n;
    this.windowDrawn += n;
    this.values.width = width;
    this.values.height = height;
  }

  latency(ms) {
    const s = this.values.latencySamples;
    s.push(Math.round(ms * 10) / 10);
    if (s.length > MAX_SAMPLES) s.splice(0, s.length - MAX_SAMPLES);
    this.windowLatency.push(ms);
  }

  // For players that cannot count bytes themselves (MJPEG through <img>).
  setKbps(kbps) {
    this.externalKbps = kbps;
  }

  // Called about every 250 ms; rates are computed over windows of at least one second.
  tick() {
    const now = performance.now();
    const elapsed = (now - this.windowStart) / 1000;
    if (elapsed < 1) return;
    const v = this.values;
    v.fps = Math.round((this.windowDrawn / elapsed) * 10) / 10;
    if (this.externalKbps !== null) v.kbps = this.externalKbps;
    else v.kbps = v.bytesReceived > 0 ? Math.round((this.windowBytes * 8) / 1000 / elapsed) : null;
    if (this.windowLatency.length > 0) {
      v.latencyMs = Math.round(median(this.windowLatency) * 10) / 10;
    } else if (this.windowDrawn === 0) {
      v.latencyMs = null;
    }
    this.windowStart = now;
    this.windowDrawn = 0;
    this.windowBytes = 0;
    this.windowLatency = [];
  }
}

export function median(values) {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
