// Collects per-frame latency samples in ms, each tagged with the time since the first frame
// (so the node side can compare the first and the last 10 s for creep).

import { StampReader, STAMP_WIDTH, STAMP_HEIGHT, decodeStampGray, decodeStampRGBA, stampLatencyMs } from './stamp.js';

// performance timestamps (ms since timeOrigin) as wall-clock µs, the stamp's clock.
export const perfToWallUs = (t) => Math.round((performance.timeOrigin + t) * 1000);

export class Recorder {
  constructor() {
    this.t0 = performance.now();
    this.firstFrameAt = null; // performance time of the first decoded frame
    // decodeCall: MJPEG's decode call alone (socketToDecoded also counts a wait before it)
    this.series = { received: [], decoded: [], presented: [], socketToDecoded: [], decodeCall: [] };
    this.times = { received: [], decoded: [], presented: [], socketToDecoded: [], decodeCall: [] };
    this.counts = { messages: 0, decoded: 0, presented: 0, unreadable: 0 };
    this.reader = new StampReader();
  }

  firstFrame(t = performance.now()) {
    if (this.firstFrameAt === null) this.firstFrameAt = t;
  }

  add(name, ms, at = performance.now()) {
    if (!Number.isFinite(ms)) return;
    this.series[name].push(Math.round(ms * 1000) / 1000);
    this.times[name].push(this.firstFrameAt === null ? 0 : Math.round(at - this.firstFrameAt));
  }

  // Stamp latency of a picture source (VideoFrame, ImageBitmap, video, canvas) at wall time nowUs.
  stampLatency(source, width, height, nowUs) {
    const v = this.reader.read(source, width, height);
    if (v === null) {
      this.counts.unreadable++;
      return null;
    }
    return stampLatencyMs(v, nowUs);
  }

  // Stamp latency of a decoded VideoFrame from its luma plane: copies only the 640x16 band
  // (no colour conversion, no canvas), so measuring costs the page almost nothing. Drawing a
  // whole VideoFrame to a canvas to read it cost tens of ms per frame in software Chromium and
  // delayed everything else on the main thread. Takes ownership of `frame` (closes it).
  async frameStampLatency(frame, nowUs) {
    try {
      const rect = { x: 0, y: 0, width: STAMP_WIDTH, height: STAMP_HEIGHT };
      if (!/^(I4|NV12)/.test(frame.format ?? '') || frame.codedWidth < STAMP_WIDTH) {
        return this.stampLatency(frame, frame.displayWidth, frame.displayHeight, nowUs);
      }
      const buf = new Uint8Array(frame.allocationSize({ rect }));
      const layout = await frame.copyTo(buf, { rect });
      const v = decodeStampGray(buf.subarray(layout[0].offset), layout[0].stride);
      if (v === null) {
        this.counts.unreadable++;
        return null;
      }
      return stampLatencyMs(v, nowUs);
    } catch {
      return null;
    } finally {
      frame.close();
    }
  }

  result(extra = {}) {
    return {
      connectToFirstFrameMs: this.firstFrameAt === null ? null : this.firstFrameAt - this.t0,
      activeSeconds: this.firstFrameAt === null ? 0 : (performance.now() - this.firstFrameAt) / 1000,
      series: this.series,
      times: this.times,
      counts: this.counts,
      ...extra,
    };
  }
}

// Draws pictures onto the visible canvas and, at the next animation frame, reads the stamp
// back from the drawn pixels: that is the picture the page presents at that frame.
export class CanvasPresenter {
  constructor(canvas, recorder) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d', { alpha: false, willReadFrequently: true });
    this.recorder = recorder;
    this.dirty = false;
    this.running = true;
    const loop = (now) => {
      if (!this.running) return;
      if (this.dirty) {
        this.dirty = false;
        const band = this.ctx.getImageData(0, 0, STAMP_WIDTH, STAMP_HEIGHT);
        const v = decodeStampRGBA(band.data, STAMP_WIDTH);
        if (v !== null) {
          this.recorder.counts.presented++;
          this.recorder.add('presented', stampLatencyMs(v, perfToWallUs(now)), now);
        }
      }
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  }

  draw(picture, width, height) {
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.ctx.drawImage(picture, 0, 0);
    this.dirty = true;
  }

  stop() {
    this.running = false;
  }
}
