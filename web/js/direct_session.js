// Direct mode's socket and decoder, with no page in it: the same code runs in the Direct
// worker (direct_worker_source.js, the default) and on the main thread (direct_player.js, the
// fallback), so both follow one backlog and reconnect policy.
//
// Framing (docs/protocol.md): a text hello {type, codec, width, height, fps}, then one binary
// message per access unit: byte 0 = 0x01 (video) or 0x02 (audio, with ?audio=1), byte 1 =
// flags (bit 0 keyframe), bytes 2..9 = capture time in µs (big-endian uint64), then the
// Annex-B access unit (or one Opus packet).
//
// Backlog: when the decoder falls behind, a keyframe resets it (the queued chunks are
// dropped), and a long queue asks the server for a keyframe early. A socket silent for
// STALL_MS, or closed, reconnects with backoff; the next hello reconfigures the decoder when
// the codec or size changed (a branch switch, another source size).

import { Backoff } from './reconnect.js';

export const HEADER_BYTES = 10;
const STALL_MS = 4000; // no message for this long: reconnect
const KEYFRAME_REQUEST_MIN_MS = 1000;
const BACKLOG_RESET = 3; // queued chunks at a keyframe that make us drop the backlog
const BACKLOG_REQUEST_KEY = 12; // queued chunks (~200 ms at 60 fps) that make us ask for a keyframe early
const MAX_ARRIVALS = 300; // chunks remembered for socket → decoded (bounded: some never come out)

export class DirectSession {
  // url: the absolute ws:// or wss:// URL (with ?audio=1 when sound is wanted).
  // stats: received(bytes), decoded(), dropped(n) and a `values` object (stats.js, or the
  //   worker's batch of them).
  // onFrame(frame): each decoded VideoFrame, which the callee then owns.
  // onStatus(text): the status changed (stats.values.status holds the short form).
  // onAudioConfig(msg), onAudio(captureUs, buffer): the audio announcement and each audio
  //   message (the whole ArrayBuffer; the Opus packet starts at HEADER_BYTES).
  // early: { ws, messages } a socket to this url opened before the session existed (the
  //   worker opens it while its modules load) and what it received meanwhile; used once.
  constructor({ url, stats, onFrame, onStatus = () => {}, onAudioConfig = null, onAudio = null, onWarning = () => {}, early = null }) {
    this.url = url;
    this.early = early;
    this.stats = stats;
    this.onFrame = onFrame;
    this.onStatus = onStatus;
    this.onAudioConfig = onAudioConfig;
    this.onAudio = onAudio;
    this.onWarning = onWarning; // (text, error): something the console should show
    this.backoff = new Backoff();
    this.ws = null;
    this.decoder = null;
    this.config = null;
    this.waitingKey = true;
    this.lastKeyRequest = 0;
    this.lastMessage = 0;
    this.arrivals = new Map(); // chunk timestamp (capture µs) → arrival, for socket → decoded
    this.running = false;
    this.timer = 0;
  }

  get decodeQueueSize() {
    return this.decoder ? this.decoder.decodeQueueSize : 0;
  }

  start() {
    this.running = true;
    this.connect();
    this.timer = setInterval(() => this.housekeeping(), 1000);
  }

  stop() {
    this.running = false;
    clearInterval(this.timer);
    this.backoff.cancel();
    this.closeSocket();
    this.closeDecoder();
  }

  setStatus(status, text = status) {
    this.stats.values.status = status;
    this.onStatus(text);
  }

  connect() {
    if (!this.running) return;
    const early = this.early;
    this.early = null;
    const ws = early ? early.ws : new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.lastMessage = performance.now();
    this.setStatus('connecting');
    const onMessage = (data) => {
      if (ws !== this.ws) return;
      this.lastMessage = performance.now();
      if (typeof data === 'string') this.onText(data);
      else this.onBinary(data);
    };
    ws.onmessage = (ev) => onMessage(ev.data);
    ws.onclose = () => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.reconnectLater('disconnected');
    };
    ws.onerror = () => {}; // onclose follows
    if (early) {
      for (const data of early.messages) onMessage(data);
      if (ws.readyState === WebSocket.CLOSED && ws === this.ws) ws.onclose();
    }
  }

  reconnectLater(reason) {
    if (!this.running) return;
    this.closeSocket();
    this.closeDecoder();
    this.stats.values.reconnects++;
    this.setStatus(reason);
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
    else if (msg.type === 'audio' && this.onAudioConfig) this.onAudioConfig(msg);
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
      output: (frame) => this.onOutput(frame),
      error: (e) => this.onDecoderError(e),
    });
    try {
      this.decoder.configure(this.config);
    } catch (e) {
      this.onWarning(`VideoDecoder.configure(${this.config.codec}) failed`, e);
      this.decoder = null;
      this.setStatus('unsupported', `unsupported codec ${this.config.codec}`);
      return;
    }
    this.waitingKey = true;
    this.arrivals.clear();
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
    this.onWarning('decoder error', e);
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
      if (this.onAudio) this.onAudio(Number(new DataView(buf).getBigUint64(2, false)), buf);
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
        this.arrivals.clear();
      }
      this.waitingKey = false;
      this.backoff.succeeded();
      if (this.stats.values.status !== 'playing') this.setStatus('playing');
    } else if (this.waitingKey) {
      this.stats.dropped();
      this.requestKeyframe();
      return;
    } else if (decoder.decodeQueueSize >= BACKLOG_REQUEST_KEY) {
      this.requestKeyframe();
    }
    if (this.arrivals.size >= MAX_ARRIVALS) this.arrivals.clear();
    this.arrivals.set(captureUs, performance.now());
    try {
      decoder.decode(
        new EncodedVideoChunk({
          type: key ? 'key' : 'delta',
          timestamp: captureUs,
          data: new Uint8Array(buf, HEADER_BYTES),
        }),
      );
    } catch (e) {
      this.onWarning('decode failed', e);
      this.waitingKey = true;
      this.requestKeyframe(true);
    }
  }

  onOutput(frame) {
    this.stats.decoded();
    if (!this.running) {
      frame.close();
      return;
    }
    // socket → decoded, smoothed (the overlay's decode ms)
    const arrived = this.arrivals.get(frame.timestamp);
    if (arrived !== undefined) {
      this.arrivals.delete(frame.timestamp);
      const ms = performance.now() - arrived;
      const prev = this.stats.values.decodeMs;
      this.stats.values.decodeMs = Math.round((prev === null ? ms : prev * 0.9 + ms * 0.1) * 10) / 10;
    }
    this.onFrame(frame);
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
