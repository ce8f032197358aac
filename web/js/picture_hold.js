// Direct mode's lip sync: each decoded picture waits until its sound is heard.
//
// With lip sync on (av_sync.js `lipsync`) and the sound playing, the page knows the sound's
// capture → heard delay (audio_player.js delayMs: capture time → its scheduled start + the
// AudioContext's output latency). A picture captured at t is then drawn at t + that delay, so
// picture and sound of one moment leave together; a picture already later than its sound is
// drawn at once (the sound is never delayed for the picture). Bounded: no picture waits more
// than MAX_HOLD_MS after it was decoded, and at most MAX_HELD wait at once (the oldest is
// dropped), so lip sync costs the picture latency, never a growing backlog. With lip sync off,
// the sound muted, or no sound played for a second, the target is 0 and every picture is drawn
// at once, exactly as without this file (latency first).
//
// Clocks: capture times are the server's; the sound's delay was measured on the page's clock
// against the server's capture time, so the difference of the two clocks is inside it and
// capture + delay lands on the page's clock. The server and the page need not agree on the time.
//
// SoundDelayFollower runs on the main thread (where the sound plays) and gives the target;
// PictureHold runs where pictures are drawn (the Direct worker, or the main-thread player).

import { wallClockMicros } from './stamp.js';

export const MAX_HOLD_MS = 300; // never hold a decoded picture longer than this
export const MAX_HELD = 20; // pictures waiting at once (333 ms at 60 fps); more: oldest dropped
const FOLLOW_SAMPLES = 8; // the target is the median of the sound's last 8 delays (2 s of 250 ms ticks)
const SOUND_STALE_MS = 1000; // no sound frame played for this long: nothing to wait for
const HOLD_SAMPLES = 30; // holdMs: median of the last 30 pictures' holds

// The capture → drawn delay pictures should wait for: the sound's capture → heard delay,
// smoothed (one late frame does not move the picture), or 0 for none.
export class SoundDelayFollower {
  constructor() {
    this.samples = [];
    this.lastPlayed = -1;
    this.lastPlayedAt = 0;
  }

  // Call every 250 ms. audioValues: AudioPlayer.values (or null); on: lip sync wanted.
  update(audioValues, on, nowMs = performance.now()) {
    const a = audioValues;
    if (!on || !a || a.muted || !Number.isFinite(a.delayMs)) return this.reset();
    if (a.framesPlayed !== this.lastPlayed) {
      this.lastPlayed = a.framesPlayed;
      this.lastPlayedAt = nowMs;
    } else if (nowMs - this.lastPlayedAt > SOUND_STALE_MS) {
      return this.reset();
    }
    this.samples.push(a.delayMs);
    if (this.samples.length > FOLLOW_SAMPLES) this.samples.shift();
    return Math.max(0, Math.round(median(this.samples)));
  }

  reset() {
    this.samples = [];
    this.lastPlayed = -1;
    return 0;
  }
}

export class PictureHold {
  // draw(frame): draws the picture now (and closes it); dropped(n): n pictures thrown away.
  // now(): the page's wall clock, ms (capture times are µs since the Unix epoch); timers:
  // setTimeout and clearTimeout (the tests pass their own clock and timers).
  constructor({ draw, dropped, now = () => wallClockMicros() / 1000, timers = { set: (f, ms) => setTimeout(f, ms), clear: (t) => clearTimeout(t) } }) {
    this.draw = draw;
    this.dropped = dropped;
    this.now = now;
    this.timers = timers;
    this.queue = []; // { frame, dueMs, heldAt }, in decode order
    this.timer = 0;
    this.holds = [];
    // targetMs: capture → drawn the pictures wait for; holdMs: median decoded → drawn wait of
    // the recent pictures (0 when none waited); framesHeld, framesDropped: since the start
    this.values = { targetMs: 0, holdMs: 0, framesHeld: 0, framesDropped: 0 };
  }

  setTarget(ms) {
    const target = Number.isFinite(ms) && ms > 0 ? Math.round(ms) : 0;
    this.values.targetMs = target;
    if (target === 0) {
      this.flush();
      this.holds = [];
      this.values.holdMs = 0;
    }
  }

  // A decoded picture: true when it waits (draw() gets it later), false: draw it now.
  take(frame) {
    const target = this.values.targetMs;
    if (target === 0) return false;
    const now = this.now();
    const hold = Math.min(MAX_HOLD_MS, frame.timestamp / 1000 + target - now);
    if (hold <= 0 && this.queue.length === 0) {
      this.noteHold(0);
      return false;
    }
    this.queue.push({ frame, dueMs: now + Math.max(0, hold), heldAt: now });
    this.values.framesHeld++;
    if (this.queue.length > MAX_HELD) this.drop(this.queue.splice(0, this.queue.length - MAX_HELD));
    this.schedule(now);
    return true;
  }

  schedule(now) {
    this.timers.clear(this.timer);
    this.timer = 0;
    if (this.queue.length === 0) return;
    let due = Infinity;
    for (const q of this.queue) due = Math.min(due, q.dueMs);
    this.timer = this.timers.set(() => this.run(), Math.max(0, due - now));
  }

  // Draws the newest picture that is due; older ones (also due) are dropped: latest wins.
  run() {
    this.timer = 0;
    const now = this.now();
    let last = -1;
    for (let i = 0; i < this.queue.length; i++) if (this.queue[i].dueMs <= now + 1) last = i;
    if (last >= 0) {
      const due = this.queue.splice(0, last + 1);
      const { frame, heldAt } = due.pop();
      this.drop(due);
      this.noteHold(now - heldAt);
      this.draw(frame);
    }
    this.schedule(now);
  }

  // Lip sync ended: the newest waiting picture is drawn now, the others dropped.
  flush() {
    this.timers.clear(this.timer);
    this.timer = 0;
    const queue = this.queue;
    this.queue = [];
    const newest = queue.pop();
    this.drop(queue);
    if (newest) this.draw(newest.frame);
  }

  // The player stops: every waiting picture is closed.
  clear() {
    this.timers.clear(this.timer);
    this.timer = 0;
    for (const q of this.queue) q.frame.close();
    this.queue = [];
  }

  drop(entries) {
    if (entries.length === 0) return;
    for (const q of entries) q.frame.close();
    this.values.framesDropped += entries.length;
    this.dropped(entries.length);
  }

  noteHold(ms) {
    this.holds.push(Math.max(0, ms));
    if (this.holds.length > HOLD_SAMPLES) this.holds.shift();
    this.values.holdMs = Math.round(median(this.holds) * 10) / 10;
  }
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
