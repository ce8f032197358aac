// Direct's one-slot mailbox of decoded frames, newest wins, with lip sync's hold in front of it:
// the same for the main-thread player (direct_player.js) and the worker
// (direct_worker_source.js). A decoded frame first waits for its sound when lip sync asks for
// it (picture_hold.js); then it is drawn at once, unless newer chunks are already queued in the
// decoder behind it: then it is stale and waits in the mailbox, where a newer frame replaces
// it (the old one is dropped and counted), until the player's next animation frame draws what
// is left there.

import { PictureHold } from './picture_hold.js';

export class FrameMailbox {
  // draw(frame): draws the frame now (and closes it); stats: dropped(n); now, timers: the
  // hold's clock and timers (PictureHold's own by default; the tests pass theirs).
  constructor({ draw, stats, now, timers }) {
    this.drawNow = draw;
    this.stats = stats;
    this.pending = null; // newest decoded VideoFrame not yet drawn
    this.hold = new PictureHold({ draw: (frame) => this.drawHeld(frame), dropped: (n) => stats.dropped(n), now, timers });
  }

  // A decoded frame; stale: newer chunks are queued behind it. True when the frame waits in
  // the mailbox for drawPending() (the player's next animation frame).
  put(frame, stale) {
    if (this.hold.take(frame)) return false; // lip sync: drawHeld() draws it when its sound plays
    this.replacePending(frame);
    if (stale) return true;
    this.drawPending();
    return false;
  }

  // A picture that waited for its sound: drawn now, ahead of anything older in the mailbox.
  drawHeld(frame) {
    this.replacePending(frame);
    this.drawPending();
  }

  // The mailbox keeps the newest picture: one not yet drawn is dropped (and counted).
  replacePending(frame) {
    if (this.pending) {
      this.pending.close();
      this.stats.dropped();
    }
    this.pending = frame;
  }

  drawPending() {
    const frame = this.pending;
    if (!frame) return;
    this.pending = null;
    this.drawNow(frame);
  }

  // The player stops: every frame still waiting is closed.
  clear() {
    this.hold.clear();
    if (this.pending) this.pending.close();
    this.pending = null;
  }
}
