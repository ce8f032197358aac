// Direct mode: H.264 access units over a WebSocket (/ws/direct), decoded with WebCodecs.
// Framing (docs/protocol.md): a text hello {type, codec, width, height, fps}, then one binary
// message per access unit: byte 0 = 0x01, byte 1 = flags (bit 0 keyframe), bytes 2..9 =
// capture time in µs (big-endian uint64), then the Annex-B access unit.
//
// Latest wins: each decoded frame is drawn as soon as it comes out of the decoder, unless newer
// chunks are queued behind it (then it is stale and dropped); requestAnimationFrame draws what
// is left in the one-slot mailbox. When the decoder falls behind, a keyframe resets it.

import { Backoff } from './reconnect.js';
import { StampReader, stampLatencyMs, wallClockMicros } from './stamp.js';

const HEADER_BYTES = 10;
const STALL_MS = 4000; // no message for this long: reconnect
const KEYFRAME_REQUEST_MIN_MS = 1000;
const BACKLOG_RESET = 3; // queued chunks at a keyframe that make us drop the backlog
const BACKLOG_REQUEST_KEY = 12; // queued chunks (~200 ms at 60 fps) that make us ask for a keyframe early

export function directSupported() {
  return window.isSecureContext && typeof window.VideoDecoder === 'function';
}

export class DirectPlayer {
  // `audio`: an AudioPlayer (audio_player.js): the socket then asks for sound (?audio=1).
  constructor({ canvas, stats, onStatus = () => {}, path = '/ws/direct', audio = null }) {
    this.audio = audio;
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d', { alpha: false, desynchronized: true });
    this.stats = stats;
    this.onStatus = onStatus;
    this.path = path;
    this.backoff = new Backoff();
    this.stampReader = new StampReader();
    this.ws = null;
    this.decoder = null;
    this.config = null;
    this.waitingKey = true;
    this.pending = null; // newest decoded VideoFrame not yet drawn
    this.lastKeyRequest = 0;
    this.lastMessage = 0;
    this.running = false;
    this.raf = 0;
    this.timers = [];
  }

  start() {
    this.running = true;
    this.connect();
    const draw = () => {
      if (!this.running) return;
      this.drawPending();
      this.raf = requestAnimationFrame(draw);
    };
    this.raf = requestAnimationFrame(draw);
    this.timers.push(setInterval(() => this.housekeeping(), 1000));
  }

  stop() {
    this.running = false;
    cancelAnimationFrame(this.raf);
    this.timers.forEach(clearInterval);
    this.timers = [];
    this.backoff.cancel();
    this.closeSocket();
    this.closeDecoder();
    this.dropPending();
    if (this.audio) this.audio.close();
  }

  connect() {
    if (!this.running) return;
    const url = new URL(this.path, location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    if (this.audio) url.searchParams.set('audio', '1');
    const ws = new WebSocket(url.href);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.lastMessage = performance.now();
    this.onStatus('connecting');
    this.stats.values.status = 'connecting';
    ws.onmessage = (ev) => {
      if (ws !== this.ws) return;
      this.lastMessage = performance.now();
      if (typeof ev.data === 'string') this.onText(ev.data);
      else this.onBinary(ev.data);
    };
    ws.onclose = () => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.reconnectLater('disconnected');
    };
    ws.onerror = () => {}; // onclose follows
  }

  reconnectLater(reason) {
    if (!this.running) return;
    this.closeSocket();
    this.closeDecoder();
    this.stats.values.reconnects++;
    this.stats.values.status = reason;
    this.onStatus(reason);
    this.backoff.schedule(() => this.connect());
  }

  closeSocket() {
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = ws.onmessage = ws.onerror = null;
      try {
        ws.close();
      } catch {
        /* already closed */
      }
    }
  }

  send(obj) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(obj));
  }

  onText(text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (msg.type === 'hello') this.onHello(msg);
    else if (msg.type === 'audio' && this.audio) this.audio.configure(msg);
    else if (msg.type === 'pong' && typeof msg.t === 'number') {
      this.stats.values.rttMs = Math.round((performance.now() - msg.t) * 10) / 10;
    }
  }

  onHello(hello) {
    const config = {
      codec: hello.codec,
      optimizeForLatency: true,
      hardwareAcceleration: 'no-preference',
    };
    if (hello.width > 0 && hello.height > 0) {
      config.codedWidth = hello.width;
      config.codedHeight = hello.height;
    }
    // no `description`: the stream is Annex-B with SPS/PPS in band
    const same =
      this.decoder &&
      this.decoder.state === 'configured' &&
      this.config &&
      this.config.codec === config.codec &&
      this.config.codedWidth === config.codedWidth &&
      this.config.codedHeight === config.codedHeight;
    if (same) return;
    this.config = config;
    this.stats.values.codec = hello.codec;
    this.configureDecoder();
  }

  configureDecoder() {
    this.closeDecoder();
    this.decoder = new VideoDecoder({
      output: (frame) => this.onFrame(frame),
      error: (e) => this.onDecoderError(e),
    });
    try {
      this.decoder.configure(this.config);
    } catch (e) {
      this.onStatus(`unsupported codec ${this.config.codec}`);
      this.stats.values.status = 'unsupported';
      console.warn('VideoDecoder.configure failed', e);
      this.decoder = null;
      return;
    }
    this.waitingKey = true;
  }

  closeDecoder() {
    if (this.decoder && this.decoder.state !== 'closed') {
      try {
        this.decoder.close();
      } catch {
        /* closed meanwhile */
      }
    }
    this.decoder = null;
  }

  onDecoderError(e) {
    console.warn('decoder error', e);
    this.decoder = null; // a decoder that reported an error is closed
    if (this.config && this.running) {
      this.configureDecoder();
      this.requestKeyframe(true);
    }
  }

  requestKeyframe(force = false) {
    const now = performance.now();
    if (!force && now - this.lastKeyRequest < KEYFRAME_REQUEST_MIN_MS) return;
    this.lastKeyRequest = now;
    this.stats.values.keyframeRequests++;
    this.send({ type: 'keyframe' });
  }

  onBinary(buf) {
    if (buf.byteLength > HEADER_BYTES && new Uint8Array(buf, 0, 1)[0] === 0x02) {
      // audio (asked for with ?audio=1): same header, one Opus packet; not counted as video
      const captureUs = Number(new DataView(buf).getBigUint64(2, false));
      if (this.audio) this.audio.decode(captureUs, new Uint8Array(buf, HEADER_BYTES));
      return;
    }
    this.stats.received(buf.byteLength);
    if (buf.byteLength <= HEADER_BYTES) return;
    const view = new DataView(buf);
    if (view.getUint8(0) !== 0x01) return; // not video: ignore what we do not know
    const key = (view.getUint8(1) & 1) === 1;
    const captureUs = Number(view.getBigUint64(2, false));
    const decoder = this.decoder;
    if (decoder) this.stats.values.decodeQueue = decoder.decodeQueueSize;
    if (!decoder || decoder.state !== 'configured') {
      this.stats.dropped();
      return;
    }
    if (key) {
      if (decoder.decodeQueueSize >= BACKLOG_RESET && !this.waitingKey) {
        // behind: throw the backlog away and start again from this keyframe
        this.stats.dropped(decoder.decodeQueueSize);
        decoder.reset();
        decoder.configure(this.config);
      }
      this.waitingKey = false;
      this.backoff.succeeded();
      if (this.stats.values.status !== 'playing') {
        this.stats.values.status = 'playing';
        this.onStatus('playing');
      }
    } else if (this.waitingKey) {
      this.stats.dropped();
      this.requestKeyframe();
      return;
    } else if (decoder.decodeQueueSize >= BACKLOG_REQUEST_KEY) {
      this.requestKeyframe();
    }
    try {
      decoder.decode(
        new EncodedVideoChunk({
          type: key ? 'key' : 'delta',
          timestamp: captureUs,
          data: new Uint8Array(buf, HEADER_BYTES),
        }),
      );
    } catch (e) {
      console.warn('decode failed', e);
      this.waitingKey = true;
      this.requestKeyframe(true);
    }
  }

  onFrame(frame) {
    this.stats.decoded();
    if (!this.running) {
      frame.close();
      return;
    }
    if (this.pending) {
      this.pending.close();
      this.stats.dropped();
    }
    this.pending = frame;
    // Draw at once (the canvas is desynchronized: it shows without waiting for the next
    // animation frame) unless newer chunks are already in the decoder: then this frame is stale,
    // and the newest one, or requestAnimationFrame, draws instead.
    if (!this.decoder || this.decoder.decodeQueueSize === 0) this.drawPending();
  }

  dropPending() {
    if (this.pending) this.pending.close();
    this.pending = null;
  }

  drawPending() {
    const frame = this.pending;
    if (!frame) return;
    this.pending = null;
    const w = frame.displayWidth;
    const h = frame.displayHeight;
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    this.ctx.drawImage(frame, 0, 0, w, h);
    this.stats.drawn(w, h);
    // the stamp from the frame's luma plane (cheap), else from a small canvas; timed at the draw
    const nowUs = wallClockMicros();
    if (this.canCopyFrames !== false && !this.stampReader.busy) {
      this.stampReader.readFrame(frame).then((value) => {
        if (value === undefined) {
          this.canCopyFrames = false;
          value = this.stampReader.read(frame, w, h);
        }
        frame.close();
        if (value !== null) this.stats.latency(stampLatencyMs(value, nowUs));
      });
      return;
    }
    const value = this.canCopyFrames === false ? this.stampReader.read(frame, w, h) : null;
    frame.close();
    if (value !== null) this.stats.latency(stampLatencyMs(value, nowUs));
  }

  housekeeping() {
    if (!this.running) return;
    if (this.ws && performance.now() - this.lastMessage > STALL_MS) {
      this.reconnectLater('stalled');
      return;
    }
    this.send({ type: 'ping', t: performance.now() });
  }
}
