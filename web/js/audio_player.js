// Direct mode's sound: Opus frames from the Direct WebSocket (?audio=1, message type 0x02,
// docs/protocol.md) decoded with WebCodecs AudioDecoder and played through Web Audio.
//
// Small and bounded: each decoded frame is scheduled right after the previous one; when the
// schedule runs dry (a late frame) it restarts a cushion ahead of now, and a frame that would
// start more than MAX_LEAD_S ahead is dropped, so sound never drifts behind the picture.
// A burst of frames (a stalled main thread, a late socket) leaves the queue longer than it
// needs to be, and nothing would shorten it again: when the queue has not come down to the
// cushion for TRIM_WINDOW frames in a row, one frame is skipped (framesTrimmed).
// The cushion adapts to the arrival jitter, as a WebRTC jitter buffer does: it starts at
// CUSHION_START_S, never goes below CUSHION_MIN_S, and grows by CUSHION_STEP_S with each underrun (up to CUSHION_MAX_S). It comes
// back down a step only after CUSHION_DECAY_WINDOWS trim windows without an underrun in which
// the queue never got shorter than a step (plus a margin): one step less would still not have
// run dry. A fixed 50 ms kept 40-50 ms queued on a quiet machine where 10-20 ms played
// without a gap (bench/README.md).
// Frames are decoded (and counted) even while muted, so unmuting is immediate; browsers only
// start an AudioContext from a user gesture, which is what unmute() is called from.
//
// Test hooks (window.framewire.audio): configured, framesReceived, framesDecoded,
// framesPlayed, framesDropped, underruns, muted, delayMs (capture → heard, estimated).

import { wallClockMicros } from './stamp.js';

const CUSHION_MIN_S = 0.02; // the queue kept ahead of the output when arrivals are steady
const CUSHION_START_S = 0.03; // to start with: the first seconds' arrivals are the least even
const CUSHION_STEP_S = 0.01; // added by each underrun...
const CUSHION_MAX_S = 0.08; // ...up to this
const CUSHION_DECAY_WINDOWS = 10; // trim windows (5 s of 10 ms frames) with room to spare: one step down
const CUSHION_MARGIN_S = 0.003;
const MAX_LEAD_S = 0.12; // more queued than this: drop (the buffer's bound)
const TRIM_WINDOW = 50; // a queue that stayed above the cushion for this many frames is trimmed

export function audioSupported() {
  return typeof window.AudioDecoder === 'function' && typeof window.AudioContext === 'function';
}

export class AudioPlayer {
  constructor() {
    this.decoder = null;
    this.config = null;
    this.ctx = null;
    this.gain = null;
    this.nextTime = 0;
    this.minLead = Infinity; // the shortest queue seen in this trim window (s)
    this.windowFrames = 0;
    this.cushion = CUSHION_START_S;
    this.calmWindows = 0; // trim windows in a row without an underrun
    this.calmMinLead = Infinity; // the shortest queue over those windows (s)
    this.values = {
      configured: false,
      codec: null,
      framesReceived: 0,
      framesDecoded: 0,
      framesPlayed: 0,
      framesDropped: 0,
      framesTrimmed: 0,
      underruns: 0,
      cushionMs: CUSHION_START_S * 1000,
      muted: true,
      delayMs: null,
      lastError: null,
    };
  }

  // The server's {"type":"audio", codec, sampleRate, numberOfChannels} announcement.
  configure(msg) {
    const config = {
      codec: msg.codec,
      sampleRate: msg.sampleRate,
      numberOfChannels: msg.numberOfChannels,
    };
    if (
      this.decoder &&
      this.decoder.state === 'configured' &&
      this.config &&
      this.config.codec === config.codec &&
      this.config.sampleRate === config.sampleRate &&
      this.config.numberOfChannels === config.numberOfChannels
    ) {
      return;
    }
    this.close();
    if (!audioSupported()) return;
    this.config = config;
    this.decoder = new AudioDecoder({
      output: (data) => this.onData(data),
      error: (e) => {
        this.values.lastError = String(e?.message ?? e);
        this.decoder = null;
      },
    });
    try {
      this.decoder.configure(config);
      this.values.configured = true;
      this.values.codec = config.codec;
    } catch (e) {
      this.values.lastError = `AudioDecoder.configure: ${e.message ?? e}`;
      this.decoder = null;
    }
  }

  // One frame: `bytes` (a Uint8Array view) captured at `captureUs` (µs, Unix epoch).
  decode(captureUs, bytes) {
    this.values.framesReceived++;
    const decoder = this.decoder;
    if (!decoder || decoder.state !== 'configured') return;
    // A decoder that falls behind is reset rather than queued: old sound is useless.
    if (decoder.decodeQueueSize > 10) {
      this.values.framesDropped += decoder.decodeQueueSize;
      decoder.reset();
      decoder.configure(this.config);
    }
    try {
      decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: captureUs, data: bytes }));
    } catch (e) {
      this.values.lastError = `decode: ${e.message ?? e}`;
    }
  }

  onData(data) {
    this.values.framesDecoded++;
    try {
      if (!this.values.muted && this.ctx && this.ctx.state === 'running') this.play(data);
    } finally {
      data.close();
    }
  }

  play(data) {
    const ctx = this.ctx;
    const channels = data.numberOfChannels;
    const frames = data.numberOfFrames;
    const buffer = ctx.createBuffer(channels, frames, data.sampleRate);
    for (let c = 0; c < channels; c++) {
      const plane = new Float32Array(frames);
      data.copyTo(plane, { planeIndex: c, format: 'f32-planar' });
      buffer.copyToChannel(plane, c);
    }
    const now = ctx.currentTime;
    if (this.nextTime < now) {
      if (this.nextTime > 0) this.underrun();
      this.nextTime = now + this.cushion;
    }
    if (this.nextTime - now > MAX_LEAD_S) {
      this.values.framesDropped++;
      return;
    }
    this.minLead = Math.min(this.minLead, this.nextTime - now);
    if (++this.windowFrames >= TRIM_WINDOW) {
      const trim = this.minLead > this.cushion + 0.001; // not for a rounding error
      this.calmMinLead = Math.min(this.calmMinLead, this.minLead);
      this.minLead = Infinity;
      this.windowFrames = 0;
      if (++this.calmWindows >= CUSHION_DECAY_WINDOWS) {
        const room = this.calmMinLead > CUSHION_STEP_S + CUSHION_MARGIN_S;
        this.setCushion(room ? this.cushion - CUSHION_STEP_S : this.cushion);
      }
      if (trim) {
        this.values.framesTrimmed++;
        return;
      }
    }
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(this.gain);
    source.start(this.nextTime);
    this.nextTime += buffer.duration;
    this.values.framesPlayed++;
    // capture → now, plus the time until it starts and the output's own latency
    const outputS = (ctx.outputLatency || 0) + (ctx.baseLatency || 0);
    const ageMs = (wallClockMicros() - data.timestamp) / 1000;
    this.values.delayMs = Math.round((ageMs + (this.nextTime - buffer.duration - now + outputS) * 1000) * 10) / 10;
  }

  // The schedule ran dry: a frame came later than the cushion allowed for, so keep more.
  underrun() {
    this.values.underruns++;
    this.setCushion(this.cushion + CUSHION_STEP_S);
  }

  setCushion(s) {
    this.cushion = Math.min(CUSHION_MAX_S, Math.max(CUSHION_MIN_S, s));
    this.calmWindows = 0;
    this.calmMinLead = Infinity;
    this.values.cushionMs = Math.round(this.cushion * 1000);
  }

  // Call from a user gesture (a click): browsers start audio only then.
  unmute() {
    if (typeof window.AudioContext !== 'function') return;
    if (!this.ctx) {
      this.ctx = new AudioContext({ latencyHint: 'interactive', sampleRate: this.config?.sampleRate ?? 48000 });
      this.gain = this.ctx.createGain();
      this.gain.connect(this.ctx.destination);
    }
    this.ctx.resume().catch(() => {});
    this.nextTime = 0;
    this.values.muted = false;
  }

  mute() {
    this.values.muted = true;
    if (this.ctx) this.ctx.suspend().catch(() => {});
  }

  // The socket closed: the decoder goes; the AudioContext (and the user's choice) stays.
  close() {
    if (this.decoder && this.decoder.state !== 'closed') {
      try {
        this.decoder.close();
      } catch {
        /* closed meanwhile */
      }
    }
    this.decoder = null;
    this.config = null;
    this.values.configured = false;
  }
}
