// WebRTC mode: WHEP playback (draft-ietf-wish-whep, docs/protocol.md). One RTCPeerConnection
// receives the branch's H.264 (recvonly video; audio recvonly optional) into a <video>.
//
//   offer (at once, without waiting for local candidates) ── POST /whep ──► 201, answer with the
//   server's candidates, Location: /whep/<id>, ETag, Link: <stun:…>; rel="ice-server"
//   late local candidates ── PATCH /whep/<id> (application/trickle-ice-sdpfrag)
//   stop / page hidden ── DELETE /whep/<id> (keepalive fetch, so it survives unload)
//
// Latency: the receiver's jitter buffer target is 0 (play as soon as decodable). Each
// presented frame (requestVideoFrameCallback) has its latency stamp read from the pixels,
// giving glass-to-glass latency like the other modes. getStats() every 500 ms gives the
// numbers the overlay shows: fps, kbit/s, jitter buffer delay per frame, decode time per
// frame, packets lost, NACKs/PLIs sent, RTT.
//
// Failures (POST refused, ICE failed, pictures stop) end the session (DELETE) and reconnect
// with backoff; onFailure(reason, {definitive}) tells the page, which may fall back instead.

import {
  LipSyncSteer,
  askForCaptureTimes,
  captureOffset,
  captureSource,
  lipsync,
  webrtcOffset,
  withSeparateAudioStream,
  withoutZeroPlayoutDelay,
} from './av_sync.js';
import { microphone, answerTakesMicrophone } from './microphone.js';
import { Backoff } from './reconnect.js';
import { WhepError, answerCodec, errorText, gathered, parseIceServerLinks, sdpFragment } from './whep_signaling.js';
import { StampReader, stampLatencyMs, wallClockMicros } from './stamp.js';

// The offer goes out at once and local candidates follow by PATCH: gathering takes ~150 ms,
// and the server needs none of them to connect when the browser can reach one of its own
// candidates (peer-reflexive pairs; Chromium's host candidates are mDNS names anyway).
// Waiting for them put that whole time in front of the first picture.
const GATHER_WAIT_MS = 0;
const STATS_MS = 500;
// The A/V offset from the receivers' capture times is read this often (cheap: no getStats), and
// lip sync steers the picture on the median of CAPTURE_STEER.window readings, waiting after
// each step until Chromium has moved the picture that far (~100 ms per second: 1 reading per
// 10 ms of step).
const SYNC_MS = 100;
const CAPTURE_STEER = { window: 10, gain: 0.8, maxStepMs: 150, settlePerMs: 0.1 };
const RATE_WINDOW_MS = 1000;
const STALL_MS = 5000; // had pictures, then none for this long: reconnect
const NO_PICTURE_MS = 10000; // never a picture this long after POST: reconnect
const DISCONNECTED_GRACE_MS = 3000; // ICE "disconnected" may recover by itself

export function webrtcSupported() {
  return typeof window.RTCPeerConnection === 'function';
}

export class WebRtcPlayer {
  constructor({ video, stats, onStatus = () => {}, onFailure = () => {}, path = '/whep', audio = false }) {
    this.video = video;
    this.stats = stats;
    this.onStatus = onStatus;
    this.onFailure = onFailure;
    this.url = new URL(path, location.href).href;
    this.audio = audio;
    this.backoff = new Backoff();
    this.stampReader = new StampReader();
    this.iceServers = [];
    this.session = null;
    this.running = false;
    this.lastError = null;
    this.onMicrophone = (track) => this.useMicrophone(track);
  }

  start() {
    this.running = true;
    microphone.listen(this.onMicrophone);
    this.video.muted = true;
    this.video.playsInline = true;
    this.video.autoplay = true;
    this.connect();
  }

  stop() {
    this.running = false;
    microphone.unlisten(this.onMicrophone);
    this.backoff.cancel();
    this.endSession(this.session);
    this.session = null;
  }

  setStatus(status) {
    if (this.stats.values.status === status) return;
    this.stats.values.status = status;
    this.onStatus(status);
  }

  async connect() {
    if (!this.running) return;
    const s = {
      pc: null,
      resource: null,
      etag: null,
      timers: [],
      pending: [], // local candidates not yet sent
      trickle: true,
      patching: false,
      postAt: performance.now(),
      connectedAt: 0,
      firstFrameAt: 0,
      lastProgressAt: performance.now(),
      disconnectedAt: 0,
      prev: null, // previous getStats sample, for per-second rates
      steer: null, // the picture's delay with lip sync on (av_sync.js), made with the first offset
      playoutSync: null, // the last stats poll's offset from estimatedPlayoutTimestamp
      captureSync: false, // an offset from capture times came (then it is the one used)
      ended: false,
    };
    this.session = s;
    this.setStatus('connecting');
    try {
      await this.negotiate(s);
    } catch (e) {
      if (s.ended) return;
      const err = e instanceof WhepError ? e : new WhepError(`WebRTC setup failed: ${e.message ?? e}`);
      this.fail(s, err.message, err.definitive);
      return;
    }
    if (s.ended) return;
    s.timers.push(setInterval(() => this.poll(s), STATS_MS));
    if (s.audioTransceiver) s.timers.push(setInterval(() => this.sampleSync(s), SYNC_MS));
    this.watchFrames(s);
  }

  async negotiate(s) {
    let pc;
    try {
      pc = new RTCPeerConnection({ iceServers: this.iceServers, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    } catch (e) {
      throw new WhepError(`RTCPeerConnection refused: ${e.message}`, { definitive: true });
    }
    s.pc = pc;
    const video = pc.addTransceiver('video', { direction: 'recvonly' });
    s.videoReceiver = video.receiver;
    if (this.audio) {
      // with the viewer's microphone open (the Mic button): sendrecv, the server may take it
      const mic = microphone.track;
      s.audioTransceiver = pc.addTransceiver(mic ?? 'audio', { direction: mic ? 'sendrecv' : 'recvonly' });
      s.micOffered = !!mic;
    }
    lowLatency(video.receiver);
    // capture times in every packet (the A/V offset: av_sync.js), when this Chromium can ask
    if (s.audioTransceiver) {
      askForCaptureTimes(video);
      askForCaptureTimes(s.audioTransceiver);
    }
    pc.ontrack = (ev) => {
      if (s.ended) return;
      if (ev.track.kind === 'audio') {
        // sound plays from the same <video> (muted until the page's sound button unmutes it)
        lowLatency(ev.receiver);
        s.audioTrack = ev.track;
        if (this.video.srcObject instanceof MediaStream) this.video.srcObject.addTrack(ev.track);
        return;
      }
      if (ev.track.kind !== 'video') return;
      lowLatency(ev.receiver);
      this.video.srcObject = new MediaStream(s.audioTrack ? [ev.track, s.audioTrack] : [ev.track]);
      this.video.play().catch(() => {}); // muted autoplay is allowed; a refusal shows no picture
    };
    pc.onicecandidate = (ev) => {
      if (s.ended) return;
      s.pending.push(ev.candidate); // null = end of candidates
      this.trickle(s);
    };
    pc.onconnectionstatechange = () => this.onConnectionState(s);
    pc.oniceconnectionstatechange = () => {
      if (!s.ended) this.stats.values.iceState = pc.iceConnectionState;
    };

    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    if (GATHER_WAIT_MS > 0) await gathered(pc, GATHER_WAIT_MS);
    if (s.ended) return;
    // what the offer carries needs no trickling
    s.pending = [];
    const sdp = pc.localDescription.sdp;
    s.postAt = performance.now();
    let res;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/sdp' },
        body: sdp,
        cache: 'no-store',
      });
    } catch (e) {
      throw new WhepError(`POST ${new URL(this.url).pathname} failed: ${e.message}`);
    }
    const answer = await res.text();
    this.stats.values.answerMs = Math.round(performance.now() - s.postAt);
    if (res.status !== 201 && res.status !== 200) {
      // 404 (no WHEP on this server), 415/400/422 (it cannot serve this browser), 503 (full):
      // the same offer would get the same answer, so the page may fall back at once
      throw new WhepError(`server answered ${res.status}: ${errorText(answer, res.statusText)}`, {
        status: res.status,
        definitive: res.status >= 400,
      });
    }
    const location = res.headers.get('Location');
    if (location) s.resource = new URL(location, this.url).href;
    s.etag = res.headers.get('ETag');
    const servers = parseIceServerLinks(res.headers.get('Link'));
    if (servers.length > 0) this.iceServers = servers; // used from the next connection on
    if (s.ended) {
      this.deleteResource(s);
      return;
    }
    await lipsync.ready;
    if (s.ended) return;
    s.lipsync = lipsync.on; // for this session: the answer decides whether the picture can wait
    let applied = answer;
    if (s.lipsync) {
      applied = withoutZeroPlayoutDelay(applied);
      // two streams: Chromium's own A/V sync stays out, the page alone moves the picture
      if (lipsync.streams === 2) applied = withSeparateAudioStream(applied);
    }
    await pc.setRemoteDescription({ type: 'answer', sdp: applied });
    this.stats.values.codec = answerCodec(answer);
    if (s.micOffered) this.stats.values.microphone = answerTakesMicrophone(answer) ? 'sending' : 'refused';
    this.trickle(s);
  }

  // Late local candidates go out in one PATCH per batch (RFC 8840 fragment). A server that
  // refuses trickle (405/501, or any error) is left alone: its own candidates are enough for
  // peer-reflexive pairs.
  async trickle(s) {
    if (!s.trickle || s.patching || !s.resource || s.pending.length === 0 || s.ended) return;
    const batch = s.pending;
    s.pending = [];
    const frag = sdpFragment(s.pc.localDescription?.sdp ?? '', batch);
    if (!frag) return;
    s.patching = true;
    try {
      const headers = { 'Content-Type': 'application/trickle-ice-sdpfrag' };
      if (s.etag) headers['If-Match'] = s.etag;
      const res = await fetch(s.resource, { method: 'PATCH', headers, body: frag });
      if (!res.ok) s.trickle = false;
    } catch {
      s.trickle = false;
    } finally {
      s.patching = false;
    }
    if (s.pending.length > 0) this.trickle(s);
  }

  onConnectionState(s) {
    if (s.ended) return;
    const state = s.pc.connectionState;
    this.stats.values.connectionState = state;
    if (state === 'connected') {
      s.disconnectedAt = 0;
      if (!s.connectedAt) {
        s.connectedAt = performance.now();
        this.stats.values.connectMs = Math.round(s.connectedAt - s.postAt);
      }
      if (!s.firstFrameAt) this.setStatus('connected');
    } else if (state === 'failed') {
      this.fail(s, 'ICE/DTLS connection failed', !s.firstFrameAt);
    } else if (state === 'disconnected') {
      s.disconnectedAt = performance.now();
    }
  }

  // Every presented frame: count it, read its stamp.
  watchFrames(s) {
    const video = this.video;
    if (typeof video.requestVideoFrameCallback !== 'function') {
      // no rVFC: sample at animation-frame rate, count a changed stamp as a new picture
      let last = null;
      const tick = () => {
        if (s.ended) return;
        if (video.videoWidth > 0 && video.readyState >= 2) {
          const value = this.stampReader.read(video, video.videoWidth, video.videoHeight);
          if (value !== null && value !== last) {
            last = value;
            this.onPresented(s, 1, value);
          }
        }
        s.raf = requestAnimationFrame(tick);
      };
      s.raf = requestAnimationFrame(tick);
      return;
    }
    let lastPresented = null;
    const onFrame = (_now, meta) => {
      if (s.ended) return;
      const presented = meta.presentedFrames ?? 0;
      const n = lastPresented === null ? 1 : Math.max(1, Math.min(10, presented - lastPresented));
      lastPresented = presented;
      const w = meta.width || video.videoWidth;
      const h = meta.height || video.videoHeight;
      this.onPresented(s, n, undefined, w, h);
      this.readStamp(video, w, h);
      s.rvfc = video.requestVideoFrameCallback(onFrame);
    };
    s.rvfc = video.requestVideoFrameCallback(onFrame);
  }

  // The stamp of the frame the <video> presents now, timed now: its luma band through a
  // VideoFrame (cheap), else through a small canvas.
  readStamp(video, w, h) {
    const nowUs = wallClockMicros();
    if (this.canCopyFrames !== false && typeof VideoFrame === 'function') {
      if (this.stampReader.busy) return; // the previous frame's read is still running: skip this one
      let frame = null;
      try {
        frame = new VideoFrame(video);
      } catch {
        this.canCopyFrames = false;
      }
      if (frame) {
        this.stampReader.readFrame(frame).then((value) => {
          frame.close();
          if (value === undefined) this.canCopyFrames = false; // not a planar CPU frame: use the canvas
          else if (value !== null) this.stats.latency(stampLatencyMs(value, nowUs));
        });
        return;
      }
    }
    const value = this.stampReader.read(video, w, h);
    if (value !== null) this.stats.latency(stampLatencyMs(value, nowUs));
  }

  onPresented(s, n, stampValue, w = this.video.videoWidth, h = this.video.videoHeight) {
    const now = performance.now();
    s.lastProgressAt = now;
    this.stats.drawn(w, h, n);
    if (stampValue !== null && stampValue !== undefined) this.stats.latency(stampLatencyMs(stampValue));
    if (!s.firstFrameAt) {
      s.firstFrameAt = now;
      this.stats.values.firstFrameMs = Math.round(now - s.postAt);
      this.backoff.succeeded();
      this.lastError = null;
      this.setStatus('playing');
    }
  }

  async poll(s) {
    if (s.ended) return;
    const now = performance.now();
    if (s.disconnectedAt && now - s.disconnectedAt > DISCONNECTED_GRACE_MS) {
      this.fail(s, 'ICE disconnected', false);
      return;
    }
    if (s.firstFrameAt && now - s.lastProgressAt > STALL_MS) {
      this.fail(s, 'pictures stopped', false);
      return;
    }
    if (!s.firstFrameAt && now - s.postAt > NO_PICTURE_MS) {
      const state = s.pc ? `${s.pc.iceConnectionState}/${s.pc.connectionState}` : 'none';
      this.fail(s, `no picture ${NO_PICTURE_MS / 1000} s after the answer (ICE/connection ${state})`, true);
      return;
    }
    let report;
    try {
      report = await s.pc.getStats();
    } catch {
      return;
    }
    if (s.ended) return;
    this.applyStats(s, report, now);
  }

  applyStats(s, report, now) {
    let inbound = null;
    let audio = null;
    let transport = null;
    const byId = new Map();
    report.forEach((r) => {
      byId.set(r.id, r);
      if (r.type === 'inbound-rtp' && (r.kind ?? r.mediaType) === 'video') inbound = r;
      else if (r.type === 'inbound-rtp' && (r.kind ?? r.mediaType) === 'audio') audio = r;
      else if (r.type === 'transport') transport = r;
    });
    const v = this.stats.values;
    if (audio) {
      v.audio = {
        packetsReceived: audio.packetsReceived ?? 0,
        packetsLost: audio.packetsLost ?? 0,
        audioLevel: audio.audioLevel ?? 0,
        totalAudioEnergy: audio.totalAudioEnergy ?? 0,
        totalSamplesReceived: audio.totalSamplesReceived ?? 0,
        concealedSamples: audio.concealedSamples ?? 0,
        // the jitter buffer's delay per sample played out, ms
        jitterBufferMs: audio.jitterBufferEmittedCount ? round1((audio.jitterBufferDelay / audio.jitterBufferEmittedCount) * 1000) : null,
        codec: audio.codecId ? (byId.get(audio.codecId)?.mimeType ?? null) : null,
      };
    }
    if (transport?.selectedCandidatePairId) {
      const pair = byId.get(transport.selectedCandidatePairId);
      if (pair && typeof pair.currentRoundTripTime === 'number') v.rttMs = round1(pair.currentRoundTripTime * 1000);
    }
    if (audio) {
      s.playoutSync = webrtcOffset(audio, inbound);
      if (!s.captureSync) this.applySync(s, s.playoutSync, 'estimatedPlayoutTimestamp');
    }
    if (!inbound) return;
    if (!s.firstFrameAt && (inbound.framesDecoded ?? 0) > 0 && performance.now() - s.postAt > 2000) {
      // decoded but never shown: the decoder's output reaches no track (an RTP SSRC other than
      // the one the answer announced leaves inbound-rtp without a trackIdentifier)
      this.lastError = `${inbound.framesDecoded} frames decoded but none shown${inbound.trackIdentifier ? '' : ' (the RTP stream is not bound to the track: SSRC not announced in the answer?)'}`;
      this.stats.values.lastError = this.lastError;
    }
    const cur = {
      at: now,
      bytes: inbound.bytesReceived ?? 0,
      decoded: inbound.framesDecoded ?? 0,
      jbDelay: inbound.jitterBufferDelay ?? 0,
      jbCount: inbound.jitterBufferEmittedCount ?? 0,
      decodeTime: inbound.totalDecodeTime ?? 0,
    };
    v.framesDecoded = cur.decoded;
    v.framesReceived = inbound.framesReceived ?? v.framesReceived;
    v.framesDropped = inbound.framesDropped ?? v.framesDropped;
    v.bytesReceived = cur.bytes;
    v.packetsLost = inbound.packetsLost ?? null;
    v.nacks = inbound.nackCount ?? null;
    v.plis = inbound.pliCount ?? null;
    v.firs = inbound.firCount ?? null;
    if (inbound.decoderImplementation) v.decoder = inbound.decoderImplementation;
    const codec = inbound.codecId ? byId.get(inbound.codecId) : null;
    if (codec?.mimeType) v.codec = codec.sdpFmtpLine ? `${codec.mimeType} ${codec.sdpFmtpLine}` : codec.mimeType;
    if (!s.prev) {
      s.prev = cur;
      return;
    }
    const dt = (cur.at - s.prev.at) / 1000;
    if (dt * 1000 < RATE_WINDOW_MS) return;
    this.stats.setKbps(Math.round(((cur.bytes - s.prev.bytes) * 8) / 1000 / dt));
    const emitted = cur.jbCount - s.prev.jbCount;
    if (emitted > 0) v.jitterBufferMs = round1(((cur.jbDelay - s.prev.jbDelay) / emitted) * 1000);
    const decoded = cur.decoded - s.prev.decoded;
    if (decoded > 0) v.decodeMs = round1(((cur.decodeTime - s.prev.decodeTime) / decoded) * 1000);
    s.prev = cur;
  }

  // Every SYNC_MS: the A/V offset from the receivers' capture times. Once that works it is the
  // offset; until then (or without abs-capture-time) the stats poll's playout estimate is.
  sampleSync(s) {
    if (s.ended || !s.audioTransceiver) return;
    const sync = captureOffset(captureSource(s.audioTransceiver.receiver), captureSource(s.videoReceiver));
    if (sync.offsetMs === null) return;
    s.captureSync = true;
    this.applySync(s, sync, 'captureTimestamp');
  }

  // The A/V offset, and with lip sync on the picture's delay that follows it (av_sync.js;
  // ?lipsyncsteer=0: Chromium's own A/V sync alone holds the picture). `measure` says where the
  // offset came from (captureTimestamp or estimatedPlayoutTimestamp).
  applySync(s, sync, measure) {
    if (s.lipsync && lipsync.steer) {
      s.steer ??= new LipSyncSteer(measure === 'captureTimestamp' ? CAPTURE_STEER : {});
      const target = s.steer.update(sync.offsetMs);
      if (target !== null) setJitterBufferTarget(s.videoReceiver, target);
    } else if (s.steer && s.steer.targetMs > 0) {
      s.steer.reset();
      setJitterBufferTarget(s.videoReceiver, 0);
    }
    this.stats.values.sync = { ...sync, lipsync: !!s.lipsync, targetMs: s.steer?.targetMs ?? 0, measure };
  }

  // Ends this session and, unless stopped, tries again after the backoff delay.
  fail(s, reason, definitive) {
    if (s.ended || s !== this.session) return;
    this.lastError = reason;
    this.stats.values.lastError = reason;
    this.endSession(s);
    this.session = null;
    if (!this.running) return;
    this.stats.values.reconnects++;
    this.setStatus(definitive ? 'failed' : 'disconnected');
    this.onFailure(reason, { definitive });
    if (!this.running) return; // the page moved on (fallback)
    this.backoff.schedule(() => this.connect());
  }

  endSession(s) {
    if (!s || s.ended) return;
    s.ended = true;
    s.timers.forEach(clearInterval);
    s.timers = [];
    if (s.rvfc && typeof this.video.cancelVideoFrameCallback === 'function') this.video.cancelVideoFrameCallback(s.rvfc);
    if (s.raf) cancelAnimationFrame(s.raf);
    this.deleteResource(s);
    if (s.pc) {
      s.pc.ontrack = s.pc.onicecandidate = s.pc.onconnectionstatechange = s.pc.oniceconnectionstatechange = null;
      try {
        s.pc.close();
      } catch {
        /* closed */
      }
    }
    if (this.video.srcObject) this.video.srcObject = null;
  }

  // The Mic button opened or closed the microphone. An offer that had it switches tracks in
  // place; otherwise a new session offers it (WHEP has no renegotiation).
  useMicrophone(track) {
    const s = this.session;
    if (!track) this.stats.values.microphone = 'off';
    if (s && !s.ended && s.micOffered && s.audioTransceiver) {
      s.audioTransceiver.sender.replaceTrack(track).catch(() => {});
      if (track && this.stats.values.microphone === 'off') this.stats.values.microphone = 'sending';
      return;
    }
    if (!track || !this.running || !this.audio) return;
    this.endSession(s);
    this.session = null;
    this.connect();
  }

  deleteResource(s) {
    const url = s.resource;
    s.resource = null;
    if (!url) return;
    // keepalive: the request outlives the page when this runs on pagehide
    fetch(url, { method: 'DELETE', keepalive: true }).catch(() => {});
  }
}

function lowLatency(receiver) {
  if (!receiver) return;
  setJitterBufferTarget(receiver, 0);
  try {
    receiver.playoutDelayHint = 0; // older Chromium
  } catch {
    /* unknown */
  }
}

function setJitterBufferTarget(receiver, ms) {
  try {
    if (receiver && 'jitterBufferTarget' in receiver) receiver.jitterBufferTarget = ms;
  } catch {
    /* not settable here */
  }
}

const round1 = (x) => Math.round(x * 10) / 10;
