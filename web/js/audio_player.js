// Direct mode's sound: Opus frames from the Direct WebSocket (?audio=1, message type 0x02,
// docs/protocol.md) decoded with WebCodecs AudioDecoder and played through Web Audio.
//
// Small and bounded: each decoded frame is scheduled right after the previous one; when the
// schedule runs dry (a late frame) it restarts TARGET_LEAD_S ahead of now, and a frame that
// would start more than MAX_LEAD_S ahead is dropped, so sound never drifts behind the picture.
// A burst of frames (a stalled main thread, a late socket) leaves the queue longer than it
// needs to be, and nothing would shorten it again: when it has not come down to TRIM_ABOVE_S
// for TRIM_WINDOW frames in a row, one frame is skipped (framesTrimmed), so the sound comes
// back to being as early as the arrival jitter allows.
// Frames are decoded (and counted) even while muted, so unmuting is immediate; browsers only
// start an AudioContext from a user gesture, which is what unmute() is called from.
//
// Test hooks (window.framewire.audio): configured, framesReceived, framesDecoded,
// framesPlayed, framesDropped, underruns, muted, delayMs (capture → heard, estimated).

import { wallClockMicros } from './stamp.js';

const TARGET_LEAD_S = 0.03; // cushion after an underrun
const MAX_LEAD_S = 0.12; // more queued than this: drop (the buffer's bound)
const TRIM_ABOVE_S = TARGET_LEAD_S + 0.02; // a queue that never got this short...
const TRIM_WINDOW = 50; // ...for this many frames in a row (0.5 s of 10 ms frames) is trimmed

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
    this.values = {
      configured: false,
      codec: null,
      framesReceived: 0,
      framesDecoded: 0,
      framesPlayed: 0,
      framesDropped: 0,
      framesTrimmed: 0,
      underruns: 0,
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
      if (this.nextTime > 0) this.values.underruns++;
      this.nextTime = now + TARGET_LEAD_S;
    }
    if (this.nextTime - now > MAX_LEAD_S) {
      this.values.framesDropped++;
      return;
    }
    this.minLead = Math.min(this.minLead, this.nextTime - now);
    if (++this.windowFrames >= TRIM_WINDOW) {
      const trim = this.minLead > TRIM_ABOVE_S;
      this.minLead = Infinity;
      this.windowFrames = 0;
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
