// Direct's sound queue (web/js/audio_player.js) without a browser: a fake AudioContext whose
// clock the test moves, fake decoded frames of 10 ms. What must hold: steady arrivals bring the
// queue down from the starting cushion (30 ms) to the smallest (20 ms) without a gap; a late frame (a gap) grows the cushion; calm
// with room to spare brings it back down; a queue left long by a burst is trimmed; the bound
// drops what would start too far ahead.

import assert from 'node:assert/strict';
import test from 'node:test';
import { AudioPlayer } from '../../web/js/audio_player.js';

const FRAME_S = 0.01;

function rig() {
  const ctx = {
    currentTime: 1,
    state: 'running',
    outputLatency: 0,
    baseLatency: 0,
    createBuffer: (channels, frames, rate) => ({ duration: frames / rate, copyToChannel() {} }),
    createBufferSource: () => ({ connect() {}, start() {} }),
  };
  const player = new AudioPlayer();
  player.ctx = ctx;
  player.gain = {};
  player.values.muted = false;
  const frame = () => ({ numberOfChannels: 2, numberOfFrames: 480, sampleRate: 48000, timestamp: 0, copyTo() {} });
  const leads = [];
  // one frame arrives, `afterS` after the previous one
  const arrive = (afterS = FRAME_S) => {
    ctx.currentTime += afterS;
    player.play(frame());
    leads.push(player.nextTime - ctx.currentTime);
  };
  return { player, arrive, leads, v: player.values };
}

test('steady arrivals: down to the smallest cushion, no gaps, nothing dropped', () => {
  const r = rig();
  assert.equal(r.v.cushionMs, 30, 'the starting cushion');
  for (let i = 0; i < 1000; i++) r.arrive();
  assert.equal(r.v.underruns, 0);
  assert.equal(r.v.cushionMs, 20);
  assert.equal(r.v.framesDropped, 0);
  assert.equal(r.v.framesTrimmed, 1, 'one frame: the queue followed the cushion down');
  const queued = Math.max(...r.leads.slice(700));
  assert.ok(queued <= 0.03 + 1e-9, `queue after each frame ${queued * 1000} ms: the cushion plus the frame`);
});

test('a late frame is a gap: the cushion grows a step each time, up to its bound', () => {
  const r = rig();
  for (let i = 0; i < 10; i++) r.arrive();
  r.arrive(0.05); // 40 ms late against a 30 ms cushion
  assert.equal(r.v.underruns, 1);
  assert.equal(r.v.cushionMs, 40);
  for (let k = 0; k < 10; k++) {
    for (let i = 0; i < 5; i++) r.arrive();
    r.arrive(0.2);
  }
  assert.equal(r.v.underruns, 11);
  assert.equal(r.v.cushionMs, 80, 'bounded');
});

test('calm with room to spare brings the cushion back down, one step per 5 s', () => {
  const r = rig();
  for (let i = 0; i < 10; i++) r.arrive();
  for (let k = 0; k < 2; k++) r.arrive(0.2); // two gaps: 50 ms
  assert.equal(r.v.cushionMs, 50);
  for (let i = 0; i < 500; i++) r.arrive(); // 5 s steady
  assert.equal(r.v.cushionMs, 40);
  for (let i = 0; i < 2000; i++) r.arrive(); // 20 s more
  assert.equal(r.v.cushionMs, 20, 'back to the smallest');
  assert.equal(r.v.underruns, 2);
  assert.ok(r.v.framesTrimmed >= 3, `the queue followed the cushion down (${r.v.framesTrimmed} trimmed)`);
});

test('jitter: the cushion comes down only as far as it can without a new gap', () => {
  const r = rig();
  for (let i = 0; i < 10; i++) r.arrive();
  r.arrive(0.2); // one gap: 40 ms
  // every 5th frame 22 ms late, the next 22 ms early: a step down is taken only while the
  // queue's low point leaves room for it, so coming down never makes a gap of its own
  for (let i = 0; i < 3000; i++) r.arrive(i % 5 === 0 ? FRAME_S + 0.022 : i % 5 === 1 ? FRAME_S - 0.022 : FRAME_S);
  assert.equal(r.v.underruns, 1, 'no new gap');
  assert.ok(r.v.cushionMs < 40, `came down (${r.v.cushionMs} ms)`);
});

test('a burst leaves the queue long: trimmed back; beyond the bound: dropped', () => {
  const r = rig();
  for (let i = 0; i < 10; i++) r.arrive();
  for (let i = 0; i < 6; i++) r.arrive(0); // six frames at once: 60 ms more queued
  const long = r.leads.at(-1);
  for (let i = 0; i < 300; i++) r.arrive();
  assert.ok(r.v.framesTrimmed >= 3, `${r.v.framesTrimmed} trimmed`);
  assert.ok(r.leads.at(-1) < long - 0.03, `queue ${long * 1000} → ${r.leads.at(-1) * 1000} ms`);
  for (let i = 0; i < 20; i++) r.arrive(0); // 200 ms at once: over the 120 ms bound
  assert.ok(r.v.framesDropped > 0);
  assert.ok(Math.max(...r.leads) <= 0.12 + FRAME_S + 1e-9);
  assert.equal(r.v.underruns, 0);
});
