// Draws a decoded VideoFrame over owner.canvas (resized to it first) with owner.ctx, counts
// it, then reads its stamp timed at the draw and closes it. Returns that time (wall µs).
export function drawAndReadStamp(owner, frame) {
  const w = frame.displayWidth;
  const h = frame.displayHeight;
  if (owner.canvas.width !== w || owner.canvas.height !== h) {
    owner.canvas.width = w;
    owner.canvas.height = h;
  }
  owner.ctx.drawImage(frame, 0, 0, w, h);
  owner.stats.drawn(w, h);
  const nowUs = wallClockMicros();
  readStampAndClose(owner, frame, w, h, nowUs);
  return nowUs;
}

// The latency stamp of a frame just drawn, for the stats overlay: shared by the Direct
// player on the main thread and the Direct worker.

import { stampLatencyMs, wallClockMicros } from './stamp.js';

// Reads the stamp of `frame` (w x h), timed at the draw (`nowUs`), into owner.stats.latency(),
// and closes the frame. From the frame's luma plane with copyTo (cheap) where it can, else
// from a small canvas. `owner` holds a StampReader (stampReader), stats, and canCopyFrames
// (false once copyTo turned out not to work for these frames).
export function readStampAndClose(owner, frame, w, h, nowUs) {
  if (owner.canCopyFrames !== false && !owner.stampReader.busy) {
    owner.stampReader.readFrame(frame).then((value) => {
      if (value === undefined) {
        owner.canCopyFrames = false;
        value = owner.stampReader.read(frame, w, h);
      }
      frame.close();
      if (value !== null) owner.stats.latency(stampLatencyMs(value, nowUs));
    });
    return;
  }
  const value = owner.canCopyFrames === false ? owner.stampReader.read(frame, w, h) : null;
  frame.close();
  if (value !== null) owner.stats.latency(stampLatencyMs(value, nowUs));
}
