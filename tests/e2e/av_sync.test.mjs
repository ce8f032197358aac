// The page's A/V offset and lip-sync steering (web/js/av_sync.js) without a browser: the
// offset's sign and units from getStats-like reports, and the jitterBufferTarget steps
// (median of three polls, deadband, bounds, reset).

import assert from 'node:assert/strict';
import test from 'node:test';
import { LipSyncSteer, directOffset, recentMedian, webrtcOffset } from '../../web/js/av_sync.js';

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
