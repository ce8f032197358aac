// Sound and picture: how far apart they play (the A/V offset), and the lip-sync option.
//
// By default each plays as early as it can: the picture with zero playout delay, the sound
// as early as its jitter buffer (WebRTC) or its small Web Audio queue (Direct) allows. The
// sound usually comes out a little later than the picture (its own buffers; the picture has
// none). Lip sync (?lipsync=1 on the page's URL, else the server's audio-lipsync setting, read
// from /api/state) trades picture latency for sync: the picture waits for its sound. In WebRTC
// the answer loses its zero playout delay, so Chromium's own A/V sync (both tracks are one
// MediaStream) can delay the picture, and the page also steers the video receiver's
// jitterBufferTarget by the measured offset (LipSyncSteer below): Chromium's sync alone
// measured much less steady (?lipsyncsteer=0 compares). In Direct each decoded picture waits until its capture time + the sound's
// capture → heard delay (picture_hold.js); the sound is never delayed to meet the picture.
//
// The offset, WebRTC: getStats() gives each inbound track's estimatedPlayoutTimestamp, the
// sender's NTP time of what plays now; framewire's RTP times are capture times (one clock for
// both tracks), so picture − sound is how much older the sound that plays is than the picture
// (> 0: the sound is late). Direct: the sound's capture → heard delay (audio_player.js) minus
// the picture's stamp latency (only with a stamped source).
//
// stats.values.sync = { audioMs, videoMs, offsetMs, lipsync, targetMs } (the e2e tests and
// bench/audio.mjs read it); audioMs / videoMs are capture → playout where known; targetMs is
// what the page holds the picture for its sound: WebRTC the video receiver's
// jitterBufferTarget, Direct the recent pictures' median hold.

const NTP_EPOCH_OFFSET_MS = 2208988800000; // 1900 → 1970
const STEER_GAIN = 0.7; // of the measured offset, per step
const DEADBAND_MS = 8; // closer than this: leave the target alone
const MAX_TARGET_MS = 600; // never hold the picture longer than this

// The page's choice: { on, from }, from 'url' (?lipsync=0|1), 'server' (audio.lipsync in
// /api/state) or 'default' (off until the server says otherwise).
// `ready` resolves once the choice is known (the WebRTC player waits for it before it applies
// an answer: lip sync changes what it accepts).
// `steer`: WebRTC lip sync steers the video receiver's jitterBufferTarget (LipSyncSteer) on
// top of Chromium's own A/V sync. ?lipsyncsteer=0 leaves the picture to Chromium's sync alone,
// for comparison: at load 11-22 its offset was much less steady (bench/README.md).
export const lipsync = { on: false, from: 'default', steer: true, ready: Promise.resolve() };

export function resolveLipsync(params) {
  lipsync.steer = params.get('lipsyncsteer') !== '0';
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
export class LipSyncSteer {
  constructor() {
    this.targetMs = 0;
    this.recent = [];
  }

  // One offset sample (ms, > 0: sound late) every stats poll; returns the target to set, or
  // null to leave it as it is.
  update(offsetMs) {
    if (!Number.isFinite(offsetMs)) return null;
    this.recent.push(offsetMs);
    if (this.recent.length < 3) return null;
    // the median of three polls: one late stats report does not move the picture
    const sorted = [...this.recent].sort((a, b) => a - b);
    const offset = sorted[1];
    this.recent = [];
    if (Math.abs(offset) < DEADBAND_MS) return null;
    const next = Math.round(Math.min(MAX_TARGET_MS, Math.max(0, this.targetMs + STEER_GAIN * offset)));
    if (next === this.targetMs) return null;
    this.targetMs = next;
    return next;
  }

  reset() {
    this.targetMs = 0;
    this.recent = [];
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
