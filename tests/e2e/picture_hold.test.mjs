// Direct lip sync's picture hold (web/js/picture_hold.js) without a browser: a fake clock,
// fake timers and fake VideoFrames. Off: every picture is drawn at once. On: a picture waits
// until capture + target, never more than MAX_HOLD_MS, the queue is bounded (oldest dropped),
// the newest due picture wins, and turning lip sync off draws what waits at once. The
// follower: the sound's smoothed delay, 0 when off, muted, unknown or stale.

import assert from 'node:assert/strict';
import test from 'node:test';
import { MAX_HELD, MAX_HOLD_MS, PictureHold, SoundDelayFollower } from '../../web/js/picture_hold.js';
import { T0, fakeClock, fakeFrames } from './lib/fake_clock.mjs';

function rig() {
  const fake = fakeClock(T0);
  const frames = fakeFrames(fake.clock);
  let dropped = 0;
  const hold = new PictureHold({ draw: frames.draw, dropped: (n) => (dropped += n), now: fake.now, timers: fake.timers });
  const { drawn, closed, frame } = frames;
  return { hold, clock: fake.clock, advance: fake.advance, frame, drawn, closed, timers: fake.pending, dropped: () => dropped };
}

test('PictureHold off: nothing waits, nothing is counted', () => {
  const r = rig();
  assert.equal(r.hold.take(r.frame('a', 20)), false, 'the caller draws it at once');
  assert.equal(r.timers.size, 0);
  assert.deepEqual(r.hold.values, { targetMs: 0, holdMs: 0, framesHeld: 0, framesDropped: 0 });
});

test('PictureHold on: a picture waits until capture + target, and one already late is drawn at once', () => {
  const r = rig();
  r.hold.setTarget(120);
  // captured 30 ms ago: waits 90 ms
  assert.equal(r.hold.take(r.frame('a', 30)), true);
  r.advance(T0 + 89);
  assert.deepEqual(r.drawn, []);
  r.advance(T0 + 91);
  assert.deepEqual(r.drawn, ['a']);
  assert.equal(r.hold.values.framesHeld, 1);
  assert.equal(r.hold.values.holdMs, 90);
  // captured 150 ms ago, later than its sound: drawn by the caller at once
  assert.equal(r.hold.take(r.frame('late', 150)), false);
  assert.equal(r.hold.values.holdMs, 45, 'median of 90 and 0');
});

test('PictureHold: never more than MAX_HOLD_MS, and the queue is bounded (oldest dropped)', () => {
  const r = rig();
  r.hold.setTarget(5000);
  assert.equal(r.hold.take(r.frame('a', 0)), true);
  r.advance(T0 + MAX_HOLD_MS - 1);
  assert.deepEqual(r.drawn, []);
  r.advance(T0 + MAX_HOLD_MS + 1);
  assert.deepEqual(r.drawn, ['a']);
  for (let i = 0; i < MAX_HELD + 5; i++) r.hold.take(r.frame(`f${i}`, 0));
  assert.equal(r.hold.queue.length, MAX_HELD);
  assert.deepEqual(r.closed.slice(-5), ['f0', 'f1', 'f2', 'f3', 'f4'], 'the oldest five dropped');
  assert.equal(r.dropped(), 5);
  assert.equal(r.hold.values.framesDropped, 5);
  r.hold.clear();
  assert.equal(r.hold.queue.length, 0);
  assert.equal(r.timers.size, 0);
  assert.equal(r.closed.length, 1 + MAX_HELD + 5, 'every picture closed');
});

test('PictureHold: pictures leave in order, each at its own time; a late timer draws the newest due one', () => {
  const r = rig();
  r.hold.setTarget(100);
  r.hold.take(r.frame('a', 0)); // due T0+100
  r.advance(T0 + 16);
  r.hold.take(r.frame('b', 0)); // due T0+116
  r.advance(T0 + 32);
  r.hold.take(r.frame('c', 0)); // due T0+132
  r.advance(T0 + 117);
  assert.deepEqual(r.drawn, ['a', 'b']);
  // the page stalls: when it comes back both c and d are due; d wins, c is dropped
  r.hold.take(r.frame('d', 90)); // due T0+127
  r.clock.now = T0 + 140;
  r.hold.run();
  assert.deepEqual(r.drawn, ['a', 'b', 'd']);
  assert.ok(r.closed.includes('c'));
  assert.equal(r.dropped(), 1);
});

test('PictureHold: lip sync off draws the newest waiting picture at once', () => {
  const r = rig();
  r.hold.setTarget(200);
  r.hold.take(r.frame('a', 0));
  r.hold.take(r.frame('b', 0));
  r.hold.setTarget(0);
  assert.deepEqual(r.drawn, ['b']);
  assert.equal(r.dropped(), 1);
  assert.equal(r.timers.size, 0);
  assert.equal(r.hold.values.holdMs, 0);
  assert.equal(r.hold.take(r.frame('c', 0)), false);
});

test('SoundDelayFollower: the median of the sound delay, 0 when off, muted, unknown or stale', () => {
  const f = new SoundDelayFollower();
  const a = { muted: false, delayMs: 100, framesPlayed: 1 };
  assert.equal(f.update(a, false, 0), 0, 'lip sync off');
  assert.equal(f.update({ ...a, muted: true }, true, 0), 0, 'muted: nothing heard');
  assert.equal(f.update({ ...a, delayMs: null }, true, 0), 0, 'no sound played yet');
  assert.equal(f.update(null, true, 0), 0);
  assert.equal(f.update(a, true, 0), 100);
  assert.equal(f.update({ ...a, delayMs: 400, framesPlayed: 2 }, true, 250), 250, 'median of 100, 400');
  assert.equal(f.update({ ...a, delayMs: 110, framesPlayed: 3 }, true, 500), 110, 'one outlier does not move it');
  assert.equal(f.update({ ...a, delayMs: 110, framesPlayed: 3 }, true, 1000), 110);
  assert.equal(f.update({ ...a, delayMs: 110, framesPlayed: 3 }, true, 1600), 0, 'no sound frame played for over a second');
});
