// Direct's mailbox of decoded frames (web/js/frame_mailbox.js, the main-thread player's and the
// worker's) without a browser: fake frames, a fake clock and fake timers. A frame with nothing
// queued behind it is drawn at once; a stale one waits, a newer one replaces it (the old one
// closed and counted as dropped) and drawPending() draws the newest; with lip sync a held
// picture is drawn when due, ahead of an older stale one; clear() closes what waits.

import assert from 'node:assert/strict';
import test from 'node:test';
import { FrameMailbox } from '../../web/js/frame_mailbox.js';
import { T0, fakeClock, fakeFrames } from './lib/fake_clock.mjs';

function rig() {
  const fake = fakeClock(T0);
  const frames = fakeFrames(fake.clock);
  let dropped = 0;
  const mailbox = new FrameMailbox({ draw: frames.draw, stats: { dropped: (n = 1) => (dropped += n) }, now: fake.now, timers: fake.timers });
  const { drawn, closed, frame } = frames;
  return { mailbox, advance: fake.advance, frame, drawn, closed, dropped: () => dropped };
}

test('a frame with nothing queued behind it is drawn at once', () => {
  const r = rig();
  assert.equal(r.mailbox.put(r.frame('a'), false), false);
  assert.deepEqual(r.drawn, ['a']);
  assert.equal(r.mailbox.pending, null);
  assert.equal(r.dropped(), 0);
});

test('stale frames wait, the newest wins, the replaced one is dropped and counted', () => {
  const r = rig();
  assert.equal(r.mailbox.put(r.frame('a'), true), true, 'waits for the next animation frame');
  assert.equal(r.mailbox.put(r.frame('b'), true), true);
  assert.deepEqual(r.drawn, []);
  assert.deepEqual(r.closed, ['a']);
  assert.equal(r.dropped(), 1);
  r.mailbox.drawPending();
  assert.deepEqual(r.drawn, ['b']);
  r.mailbox.drawPending();
  assert.deepEqual(r.drawn, ['b'], 'nothing left to draw');
  // a fresh frame behind a stale one: the stale one is dropped, the fresh one drawn
  r.mailbox.put(r.frame('c'), true);
  r.mailbox.put(r.frame('d'), false);
  assert.deepEqual(r.drawn, ['b', 'd']);
  assert.equal(r.dropped(), 2);
});

test('lip sync: a held picture is drawn when due, ahead of an older stale one', () => {
  const r = rig();
  r.mailbox.hold.setTarget(100);
  assert.equal(r.mailbox.put(r.frame('held', 20), false), false, 'held: not in the mailbox, nothing to schedule');
  assert.deepEqual(r.drawn, []);
  r.mailbox.hold.setTarget(0); // off: what waits is drawn at once
  assert.deepEqual(r.drawn, ['held']);
  r.mailbox.hold.setTarget(100);
  r.mailbox.put(r.frame('late', 500), true); // already later than its sound: not held, stale
  r.mailbox.put(r.frame('h2', 0), false); // due in 100 ms
  assert.deepEqual(r.drawn, ['held']);
  r.advance(T0 + 100);
  assert.deepEqual(r.drawn, ['held', 'h2'], 'the held picture replaces the stale one');
  assert.ok(r.closed.includes('late'));
  assert.equal(r.mailbox.pending, null);
});

test('clear() closes the waiting and the held frames', () => {
  const r = rig();
  r.mailbox.put(r.frame('stale'), true);
  r.mailbox.hold.setTarget(200);
  r.mailbox.put(r.frame('held', 0), false);
  r.mailbox.clear();
  assert.deepEqual(r.closed.sort(), ['held', 'stale']);
  assert.deepEqual(r.drawn, []);
  r.advance(T0 + 1000);
  assert.deepEqual(r.drawn, [], 'nothing is drawn after clear()');
});
