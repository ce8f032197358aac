// The latency stamp reader (docs/protocol.md, "The latency stamp"): 40 blocks of 16x16 pixels
// in the top band carry the capture wall-clock time. Reading it from the pixels a client shows
// gives glass-to-glass latency without trusting any metadata.

export const STAMP_BLOCK = 16;
export const STAMP_BLOCKS = 40;
export const STAMP_WIDTH = STAMP_BLOCK * STAMP_BLOCKS; // 640
export const STAMP_HEIGHT = STAMP_BLOCK;
const VALUE_BITS = 36;
const MODULUS = 2 ** 36; // exact in a Number (< 2^53); no bitwise ops on these values

// Decodes the stamp from a luma accessor lumaAt(x, y) -> 0..255. Returns the 36-bit value V,
// or null when the band holds no valid stamp (calibration too weak or parity wrong).
export function decodeStamp(lumaAt) {
  const means = new Array(STAMP_BLOCKS);
  for (let k = 0; k < STAMP_BLOCKS; k++) {
    // central 8x8 pixels: codecs ring at block edges
    let sum = 0;
    const x0 = k * STAMP_BLOCK + 4;
    for (let y = 4; y < 12; y++) {
      for (let x = x0; x < x0 + 8; x++) sum += lumaAt(x, y);
    }
    means[k] = sum / 64;
  }
  const one = means[0];
  const zero = means[1];
  if (!(one > zero + 64)) return null;
  const threshold = (one + zero) / 2;
  let value = 0;
  let parity = 0;
  for (let i = 0; i < VALUE_BITS; i++) {
    const bit = means[2 + i] > threshold ? 1 : 0;
    parity ^= bit;
    value = value * 2 + bit;
  }
  const b38 = means[38] > threshold ? 1 : 0;
  const b39 = means[39] > threshold ? 1 : 0;
  if (b38 !== parity || b39 === parity) return null;
  return value;
}

// RGBA pixels (ImageData.data) of a band at least 640x16; luma by BT.601 weights (the
// relative threshold makes full/limited range differences harmless).
export function decodeStampRGBA(data, width) {
  return decodeStamp((x, y) => {
    const i = (y * width + x) * 4;
    return 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
  });
}

// 8-bit gray pixels with the given stride.
export function decodeStampGray(data, stride) {
  return decodeStamp((x, y) => data[y * stride + x]);
}

// Wall clock in µs with sub-millisecond resolution where the browser gives it. The
// high-resolution clock can drift from the wall clock over a long page life; fall back to
// Date.now() when the two disagree by more than 2 ms.
export function wallClockMicros() {
  const nowMs = Date.now();
  if (typeof performance !== 'undefined' && performance.timeOrigin) {
    const hr = performance.timeOrigin + performance.now();
    if (Math.abs(hr - nowMs) < 2) return Math.floor(hr * 1000);
  }
  return nowMs * 1000;
}

// Latency in ms between a stamp value and a wall-clock time in µs (handles the 2^36 wrap;
// a stamp slightly in the future, from clock granularity, gives a small negative number).
export function stampLatencyMs(value, nowUs = wallClockMicros()) {
  const nowValue = Math.floor(nowUs / 10) % MODULUS;
  let diff = (((nowValue - value) % MODULUS) + MODULUS) % MODULUS;
  if (diff > MODULUS / 2) diff -= MODULUS;
  return (diff * 10) / 1000;
}

// Reads the stamp from anything drawImage accepts (VideoFrame, <img>, canvas), copying only
// the 640x16 band into a small canvas of its own so the big video canvas stays on the GPU.
export class StampReader {
  constructor() {
    // a page's canvas element, or an OffscreenCanvas in a worker (the Direct worker)
    this.canvas = typeof document !== 'undefined' ? document.createElement('canvas') : new OffscreenCanvas(STAMP_WIDTH, STAMP_HEIGHT);
    this.canvas.width = STAMP_WIDTH;
    this.canvas.height = STAMP_HEIGHT;
    this.ctx = this.canvas.getContext('2d', { willReadFrequently: true, alpha: false });
  }

  // Returns the stamp value, or null (no stamp, picture narrower than 640, or unreadable).
  read(source, sourceWidth, sourceHeight) {
    if (!(sourceWidth >= STAMP_WIDTH && sourceHeight >= STAMP_HEIGHT)) return null;
    try {
      this.ctx.drawImage(source, 0, 0, STAMP_WIDTH, STAMP_HEIGHT, 0, 0, STAMP_WIDTH, STAMP_HEIGHT);
      const img = this.ctx.getImageData(0, 0, STAMP_WIDTH, STAMP_HEIGHT);
      return decodeStampRGBA(img.data, STAMP_WIDTH);
    } catch {
      return null; // e.g. an image not yet decoded
    }
  }

  // Reads the stamp of a VideoFrame from its luma plane with copyTo: 640x16 bytes, no colour
  // conversion and no canvas. In software Chromium, drawing a whole 720p frame to read 16 rows
  // costs milliseconds of main thread per frame; this costs microseconds. Resolves the value,
  // null (no valid stamp), or undefined when this frame cannot be read this way (no planar
  // CPU format, too small, or another read still running): use read() then.
  async readFrame(frame) {
    if (this.busy || !frame || !/^(I420|I422|I444|NV12)/.test(frame.format ?? '')) return undefined;
    const vr = frame.visibleRect;
    if (!vr || vr.width < STAMP_WIDTH || vr.height < STAMP_HEIGHT) return undefined;
    const rect = { x: vr.x, y: vr.y, width: STAMP_WIDTH, height: STAMP_HEIGHT };
    this.busy = true;
    try {
      const size = frame.allocationSize({ rect });
      if (!this.buf || this.buf.byteLength < size) this.buf = new Uint8Array(size);
      const layout = await frame.copyTo(this.buf, { rect });
      return decodeStampGray(this.buf.subarray(layout[0].offset), layout[0].stride);
    } catch {
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  // A cheap signature of the band, to notice a new picture when there is no stamp.
  signature() {
    const d = this.ctx.getImageData(0, 0, STAMP_WIDTH, 1).data;
    let h = 0;
    for (let i = 0; i < d.length; i += 16) h = (h * 31 + d[i]) | 0;
    return h;
  }
}
