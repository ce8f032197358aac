// The page's A/V offset and lip-sync steering (web/js/av_sync.js) without a browser: the
// offset's sign and units from synchronization sources (capture times) and getStats-like
// reports, asking for abs-capture-time, the answer's audio on a stream of its own, and the
// jitterBufferTarget steps (median of a window, deadband, largest step, bounds, reset).

import assert from 'node:assert/strict';
import test from 'node:test';
import {
  ABS_CAPTURE_TIME_URI,
  LipSyncSteer,
  askForCaptureTimes,
  captureOffset,
  captureSource,
  directOffset,
  recentMedian,
  webrtcOffset,
  withSeparateAudioStream,
} from '../../web/js/av_sync.js';

const NTP = 2208988800000;

test('webrtcOffset: capture → playout per track and picture − sound (> 0: the sound is late)', () => {
  const now = 1_700_000_000_000;
  const r = webrtcOffset({ estimatedPlayoutTimestamp: now + NTP - 120 }, { estimatedPlayoutTimestamp: now + NTP - 50 }, now);
  assert.deepEqual(r, { audioMs: 120, videoMs: 50, offsetMs: 70 });
  const early = webrtcOffset({ estimatedPlayoutTimestamp: now + NTP - 30 }, { estimatedPlayoutTimestamp: now + NTP - 50 }, now);
  assert.equal(early.offsetMs, -20);
  assert.deepEqual(webrtcOffset(null, { estimatedPlayoutTimestamp: now + NTP - 50 }, now), { audioMs: null, videoMs: 50, offsetMs: null });
  assert.deepEqual(webrtcOffset({}, {}, now), { audioMs: null, videoMs: null, offsetMs: null });
});

test('LipSyncSteer: moves on the median of three polls, by a part of the offset, within bounds', () => {
  const s = new LipSyncSteer();
  assert.equal(s.update(100), null);
  assert.equal(s.update(NaN), null, 'an unknown offset is not a sample');
  assert.equal(s.update(300), null);
  // median of 100, 300, 80 = 100 → 0 + 0.7 × 100
  assert.equal(s.update(80), 70);
  assert.equal(s.targetMs, 70);
  // the offset shrank to 30 (the picture waits 70 ms now): 70 + 21
  for (const x of [30, 30]) assert.equal(s.update(x), null);
  assert.equal(s.update(30), 91);
  // inside the deadband: no step
  for (const x of [5, -5]) assert.equal(s.update(x), null);
  assert.equal(s.update(3), null);
  assert.equal(s.targetMs, 91);
  // the sound early: the target comes down, never below 0
  for (const x of [-500, -500]) s.update(x);
  assert.equal(s.update(-500), 0);
  // never above 600 ms
  for (let i = 0; i < 30; i++) s.update(10_000);
  assert.equal(s.targetMs, 600);
  s.reset();
  assert.equal(s.targetMs, 0);
});

test('recentMedian and directOffset: the sound heard against the picture shown', () => {
  assert.equal(recentMedian([]), null);
  assert.equal(recentMedian([5, 1, 3]), 3);
  assert.equal(recentMedian([1000, ...Array(60).fill(40)]), 40, 'only the newest 60 samples');
  assert.deepEqual(directOffset({ muted: false, delayMs: 75 }, [40, 42, 44]), { audioMs: 75, videoMs: 42, offsetMs: 33 });
  assert.deepEqual(directOffset({ muted: true, delayMs: 75 }, [40]), { audioMs: null, videoMs: 40, offsetMs: null }, 'muted: no sound heard');
  assert.deepEqual(directOffset(null, []), { audioMs: null, videoMs: null, offsetMs: null });
});

test('captureOffset: each track\'s playout − capture, audio − video (> 0: the sound is late); the clocks cancel', () => {
  const t = 1_700_000_000_000;
  // the server's clock 5 s ahead of the page's: the offset does not see it
  const server = (pageMs) => pageMs + 5000 + NTP;
  const audio = { timestamp: t, captureTimestamp: server(t - 120) };
  const video = { timestamp: t - 10, captureTimestamp: server(t - 10 - 50) };
  const r = captureOffset(audio, video);
  assert.equal(r.offsetMs, 70);
  assert.equal(r.audioMs, 120 - 5000, 'on its own a figure assumes the clocks agree');
  // senderCaptureTimeOffset is added to the capture time
  assert.equal(captureOffset({ ...audio, senderCaptureTimeOffset: 20 }, video).offsetMs, 50);
  // one track not played for over a second: no offset
  assert.equal(captureOffset(audio, { ...video, timestamp: t - 1500 }).offsetMs, null);
  assert.deepEqual(captureOffset(null, video), { audioMs: null, videoMs: 50 - 5000, offsetMs: null });
  assert.deepEqual(captureOffset({ timestamp: t }, {}), { audioMs: null, videoMs: null, offsetMs: null });
});

test('captureSource: the newest source with a capture time', () => {
  const receiver = (sources) => ({ getSynchronizationSources: () => sources });
  assert.equal(captureSource(receiver([])), null);
  assert.equal(captureSource(receiver([{ timestamp: 5 }])), null, 'no capture time');
  assert.deepEqual(captureSource(receiver([{ timestamp: 5, captureTimestamp: 1 }, { timestamp: 9, captureTimestamp: 2 }])), { timestamp: 9, captureTimestamp: 2 });
  assert.equal(captureSource(null), null);
  assert.equal(captureSource({ getSynchronizationSources: () => { throw new Error('closed'); } }), null);
});

test('askForCaptureTimes: abs-capture-time from stopped to negotiated, when the browser can', () => {
  const transceiver = (extensions) => {
    const t = { set: null, getHeaderExtensionsToNegotiate: () => extensions.map((e) => ({ ...e })) };
    t.setHeaderExtensionsToNegotiate = (list) => (t.set = list);
    return t;
  };
  const stopped = transceiver([{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', direction: 'sendrecv' }, { uri: ABS_CAPTURE_TIME_URI, direction: 'stopped' }]);
  assert.equal(askForCaptureTimes(stopped), true);
  assert.equal(stopped.set.find((e) => e.uri === ABS_CAPTURE_TIME_URI).direction, 'sendrecv');
  assert.equal(stopped.set.length, 2, 'the other extensions are kept');
  const already = transceiver([{ uri: ABS_CAPTURE_TIME_URI, direction: 'sendrecv' }]);
  assert.equal(askForCaptureTimes(already), true);
  assert.equal(already.set, null, 'nothing to change');
  assert.equal(askForCaptureTimes(transceiver([])), false, 'not known to this browser');
  assert.equal(askForCaptureTimes({}), false, 'no header extension control');
  assert.equal(askForCaptureTimes(undefined), false);
});

test('withSeparateAudioStream: the answer\'s audio gets a stream id of its own, video keeps its', () => {
  const sdp =
    'v=0\r\nt=0 0\r\na=msid-semantic: WMS\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=ssrc:11 msid:user1@host-1 webrtctransceiver1\r\na=ssrc:11 cname:x\r\n' +
    'm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=msid:user1@host-1 webrtctransceiver0\r\na=ssrc:22 msid:user1@host-1 webrtctransceiver0\r\n';
  const out = withSeparateAudioStream(sdp);
  assert.match(out, /m=audio[^]*a=ssrc:11 msid:user1@host-1-audio webrtctransceiver1\r\n/);
  assert.match(out, /m=video[^]*a=msid:user1@host-1 webrtctransceiver0\r\na=ssrc:22 msid:user1@host-1 webrtctransceiver0\r\n$/);
  assert.equal(out.length, sdp.length + '-audio'.length);
  assert.equal(withSeparateAudioStream(sdp.replace(/\r\n/g, '\n')), out.replace(/\r\n/g, '\n'), 'LF-only SDP too');
});

test('LipSyncSteer with a window of ten readings, a largest step and a wait after each step', () => {
  const s = new LipSyncSteer({ window: 10, gain: 0.5, maxStepMs: 100, settlePerMs: 0.1 });
  for (let i = 0; i < 9; i++) assert.equal(s.update(i === 0 ? 900 : 60), null);
  // median 60 (one outlier ignored) → 30
  assert.equal(s.update(60), 30);
  // a 30 ms step: the next 3 readings are skipped (the picture is still moving)
  for (let i = 0; i < 3; i++) assert.equal(s.update(10_000), null);
  for (let i = 0; i < 9; i++) assert.equal(s.update(500), null);
  assert.equal(s.update(500), 130, 'a step is at most 100 ms');
  assert.equal(s.skip, 10);
  for (let i = 0; i < 10 + 9; i++) assert.equal(s.update(-1000), null);
  assert.equal(s.update(-1000), 30);
  s.reset();
  assert.deepEqual({ target: s.targetMs, skip: s.skip }, { target: 0, skip: 0 });
});
