// Sound and picture: how far apart they play (the A/V offset), and the lip-sync option.
//
// By default each plays as early as it can: the picture with zero playout delay, the sound
// as early as its jitter buffer (WebRTC) or its small Web Audio queue (Direct) allows. The
// sound usually comes out a little later than the picture (its own buffers; the picture has
// none). Lip sync (?lipsync=1 on the page's URL, else the server's audio-lipsync setting, read
// from /api/state) trades picture latency for sync: the picture waits for its sound. In WebRTC
// the answer loses its zero playout delay and its sound gets a stream of its own (so Chromium's
// own A/V sync, which lines up the tracks of one stream, stays out), and the page steers the
// video receiver's jitterBufferTarget by the measured offset (LipSyncSteer below).
// ?lipsyncstreams=1 keeps one stream (Chromium's sync acts too), ?lipsyncsteer=0 leaves the
// picture to Chromium's sync alone: both for comparison (bench/README.md). In Direct each
// decoded picture waits until its capture time + the sound's capture → heard delay
// (picture_hold.js); the sound is never delayed to meet the picture.
//
// The offset, WebRTC: framewire writes each packet's capture time into it (the abs-capture-time
// RTP header extension, which the page asks Chromium to negotiate: askForCaptureTimes), and each
// receiver's getSynchronizationSources() gives the capture time of what it last played
// (captureTimestamp, the server's clock) and when it played it (timestamp, the page's clock).
// Per track, timestamp − captureTimestamp is its capture → playout delay; the difference of the
// two is the offset, in which the two clocks cancel (captureOffset). It works whatever the
// tracks' stream grouping. Without capture times (a server or browser without the extension):
// getStats' estimatedPlayoutTimestamp of each inbound track, the sender's NTP time of what plays
// now, which Chromium gives only for tracks of one stream (webrtcOffset). Direct: the sound's
// capture → heard delay (audio_player.js) minus the picture's stamp latency (only with a stamped
// source).
//
// stats.values.sync = { audioMs, videoMs, offsetMs, lipsync, targetMs } (the e2e tests and
// bench/audio.mjs read it); audioMs / videoMs are capture → playout where known; targetMs is
// what the page holds the picture for its sound: WebRTC the video receiver's
// jitterBufferTarget, Direct the recent pictures' median hold. WebRTC adds `measure`:
// 'captureTimestamp' or 'estimatedPlayoutTimestamp', where the offset came from.

const NTP_EPOCH_OFFSET_MS = 2208988800000; // 1900 → 1970
export const ABS_CAPTURE_TIME_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time';
const STALE_MS = 1000; // one track's last playout this much older than the other's: no offset
const STEER_GAIN = 0.7; // of the measured offset, per step
const DEADBAND_MS = 8; // closer than this: leave the target alone
const MAX_TARGET_MS = 600; // never hold the picture longer than this

// The page's choice: { on, from }, from 'url' (?lipsync=0|1), 'server' (audio.lipsync in
// /api/state) or 'default' (off until the server says otherwise).
// `ready` resolves once the choice is known (the WebRTC player waits for it before it applies
// an answer: lip sync changes what it accepts).
// `steer`: WebRTC lip sync steers the video receiver's jitterBufferTarget (LipSyncSteer).
// ?lipsyncsteer=0 leaves the picture to Chromium's sync alone, for comparison: at load 11-22
// its offset was much less steady (bench/README.md).
// `streams`: WebRTC lip sync with sound and picture in 2 streams (Chromium's sync stays out,
// withSeparateAudioStream) or 1 (?lipsyncstreams=1: Chromium's sync acts too, for comparison;
// also with ?lipsyncsteer=0).
export const lipsync = { on: false, from: 'default', steer: true, streams: 2, ready: Promise.resolve() };

export function resolveLipsync(params) {
  lipsync.steer = params.get('lipsyncsteer') !== '0';
  // Chromium's sync alone needs both tracks in one stream
  lipsync.streams = params.get('lipsyncstreams') === '1' || !lipsync.steer ? 1 : 2;
  const fromUrl = params.get('lipsync');
  if (fromUrl !== null) {
    lipsync.on = fromUrl === '1' || fromUrl === 'true';
    lipsync.from = 'url';
    return;
  }
  lipsync.ready = fetch('/api/state', { cache: 'no-store', signal: AbortSignal.timeout(2000) })
    .then((r) => (r.ok ? r.json() : null))
    .then((state) => {
      if (lipsync.from !== 'default' || typeof state?.audio?.lipsync !== 'boolean') return;
      lipsync.on = state.audio.lipsync;
      lipsync.from = 'server';
    })
    .catch(() => {});
}

// Lip sync in WebRTC needs the picture to accept a delay: Chromium ignores jitterBufferTarget
// while the answer gives the picture zero playout delay (measured: target 765 ms, picture
// still at 27 ms). Without the playout-delay header extension in the answer, Chromium ignores
// that extension in the packets and the picture takes the target.
export function withoutZeroPlayoutDelay(sdp) {
  return sdp.replace(/a=extmap:\d+(?:\/\w+)? http:\/\/www\.webrtc\.org\/experiments\/rtp-hdrext\/playout-delay\r?\n/g, '');
}

// Chromium offers abs-capture-time only when asked (its default is "stopped"): asks for it on
// `transceiver` before the offer is made. Returns whether the offer will carry it.
export function askForCaptureTimes(transceiver) {
  if (!transceiver || typeof transceiver.getHeaderExtensionsToNegotiate !== 'function') return false;
  try {
    const extensions = transceiver.getHeaderExtensionsToNegotiate();
    const ours = extensions.find((e) => e.uri === ABS_CAPTURE_TIME_URI);
    if (!ours) return false;
    if (ours.direction !== 'stopped') return true;
    ours.direction = 'sendrecv';
    transceiver.setHeaderExtensionsToNegotiate(extensions);
    return true;
  } catch {
    return false;
  }
}

// The receiver's newest synchronization source that has a capture time, or null.
export function captureSource(receiver) {
  let best = null;
  try {
    for (const src of receiver?.getSynchronizationSources?.() ?? []) {
      if (Number.isFinite(src.captureTimestamp) && (!best || src.timestamp > best.timestamp)) best = src;
    }
  } catch {
    /* closed */
  }
  return best;
}

// WebRTC, from capture times: each track's capture → playout (its source's timestamp − its
// captureTimestamp (+ senderCaptureTimeOffset), ms; as a figure on its own it assumes the
// server's and the page's clocks agree) and the offset, audio − video (> 0: the sound is late),
// in which the clocks cancel. Nulls where unknown, or when one track has not played for a while.
export function captureOffset(audioSource, videoSource) {
  const delay = (src) => {
    if (!src || !Number.isFinite(src.captureTimestamp) || !Number.isFinite(src.timestamp)) return null;
    const capture = src.captureTimestamp + (Number.isFinite(src.senderCaptureTimeOffset) ? src.senderCaptureTimeOffset : 0);
    return src.timestamp - (capture - NTP_EPOCH_OFFSET_MS);
  };
  const a = delay(audioSource);
  const v = delay(videoSource);
  const fresh = a !== null && v !== null && Math.abs(audioSource.timestamp - videoSource.timestamp) < STALE_MS;
  return {
    audioMs: a === null ? null : round1(a),
    videoMs: v === null ? null : round1(v),
    offsetMs: fresh ? round1(a - v) : null,
  };
}

// Lip sync with the tracks in two streams: the answer's audio section gets a stream id of its
// own, so Chromium's A/V sync (which lines up the tracks of one stream) leaves both alone and
// only the page moves the picture (LipSyncSteer). The page still plays both from one <video>.
export function withSeparateAudioStream(sdp) {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  return sdp
    .split(new RegExp(`${eol}(?=m=)`))
    .map((section) => {
      if (!section.startsWith('m=audio')) return section;
      return section
        .replace(/^(a=msid:)(\S+)/gm, '$1$2-audio')
        .replace(/^(a=ssrc:\d+ msid:)(\S+)/gm, '$1$2-audio');
    })
    .join(eol);
}

// WebRTC: capture → playout of each track (now − estimatedPlayoutTimestamp, ms) and their
// difference, from one getStats() report's inbound audio and video. Nulls where unknown.
export function webrtcOffset(audioInbound, videoInbound, nowMs = Date.now()) {
  const nowNtp = nowMs + NTP_EPOCH_OFFSET_MS;
  const pa = audioInbound?.estimatedPlayoutTimestamp;
  const pv = videoInbound?.estimatedPlayoutTimestamp;
  const audioMs = pa ? round1(nowNtp - pa) : null;
  const videoMs = pv ? round1(nowNtp - pv) : null;
  return { audioMs, videoMs, offsetMs: pa && pv ? round1(pv - pa) : null };
}

// Lip sync in WebRTC: moves the video receiver's jitterBufferTarget (ms) towards the delay
// that makes the picture play with its sound (the answer without zero playout delay, above).
// `window`: samples per step (their median moves the target), `gain`: the part of that median
// one step takes, `maxStepMs`: the largest step, `settlePerMs`: samples skipped after a step,
// per ms of it (Chromium moves the picture's delay to a new target gradually, ~100 ms per
// second: samples taken on the way would count part of the step as still missing).
export class LipSyncSteer {
  constructor({ window = 3, gain = STEER_GAIN, deadbandMs = DEADBAND_MS, maxStepMs = Infinity, settlePerMs = 0 } = {}) {
    this.window = window;
    this.gain = gain;
    this.deadbandMs = deadbandMs;
    this.maxStepMs = maxStepMs;
    this.settlePerMs = settlePerMs;
    this.targetMs = 0;
    this.recent = [];
    this.skip = 0;
  }

  // One offset sample (ms, > 0: sound late); returns the target to set, or null to leave it as
  // it is.
  update(offsetMs) {
    if (!Number.isFinite(offsetMs)) return null;
    if (this.skip > 0) {
      this.skip--;
      return null;
    }
    this.recent.push(offsetMs);
    if (this.recent.length < this.window) return null;
    // the median of the window: one late sample does not move the picture
    const sorted = [...this.recent].sort((a, b) => a - b);
    const offset = sorted[(sorted.length - 1) >> 1];
    this.recent = [];
    if (Math.abs(offset) < this.deadbandMs) return null;
    const step = Math.max(-this.maxStepMs, Math.min(this.maxStepMs, this.gain * offset));
    const next = Math.round(Math.min(MAX_TARGET_MS, Math.max(0, this.targetMs + step)));
    if (next === this.targetMs) return null;
    this.skip = Math.ceil(Math.abs(next - this.targetMs) * this.settlePerMs);
    this.targetMs = next;
    return next;
  }

  reset() {
    this.targetMs = 0;
    this.recent = [];
    this.skip = 0;
  }
}

// The median of the newest `n` picture latency samples (ms), or null.
export function recentMedian(samples, n = 60) {
  const tail = samples.slice(-n);
  if (tail.length === 0) return null;
  const sorted = [...tail].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

// Direct: the sound's capture → heard estimate against the picture's stamp latency.
export function directOffset(audioValues, latencySamples) {
  const audioMs = audioValues && !audioValues.muted && Number.isFinite(audioValues.delayMs) ? audioValues.delayMs : null;
  const videoMs = recentMedian(latencySamples);
  return { audioMs, videoMs, offsetMs: audioMs !== null && videoMs !== null ? round1(audioMs - videoMs) : null };
}

function round1(x) {
  return Math.round(x * 10) / 10;
}
