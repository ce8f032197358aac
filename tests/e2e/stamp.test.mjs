// The browser's stamp reader (web/js/stamp.js) against the tests' own writer and reader:
// no server needed, so a wrong reader shows up here rather than as odd latencies later.

import assert from 'node:assert/strict';
import test from 'node:test';
import { readStampGray, stampLatencyMs as testLatencyMs, writeStampGray } from './lib/stamp.mjs';
import { decodeStampGray, decodeStampRGBA, stampLatencyMs } from '../../web/js/stamp.js';

const W = 640;
const H = 16;

function grayToRGBA(gray, { lo = 0, hi = 255 } = {}) {
  // full-range expansion like a browser's YUV->RGB, to show range differences are harmless
  const rgba = new Uint8ClampedArray(gray.length * 4);
  for (let i = 0; i < gray.length; i++) {
    const v = lo + ((gray[i] - 16) * (hi - lo)) / 219;
    rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = v;
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

test('web reader and test reader agree on a written stamp', () => {
  const gray = new Uint8Array(W * H);
  const t = 1_700_000_123_456_789n;
  const v = writeStampGray(gray, W, t);
  assert.equal(readStampGray(gray, W, H), v);
  assert.equal(decodeStampGray(gray, W), Number(v));
  assert.equal(decodeStampRGBA(grayToRGBA(gray), W), Number(v));
  // latency: 12.34 ms later
  const later = t + 12_340n;
  assert.equal(testLatencyMs(v, later), 12.34);
  assert.equal(stampLatencyMs(Number(v), Number(later)), 12.34);
});

test('latency handles the 2^36 wrap and small negative offsets', () => {
  const mod = 2 ** 36;
  // a stamp written just before the wrap, read just after it
  const tBefore = (mod - 5) * 10; // V = mod - 5
  const gray = new Uint8Array(W * H);
  const v = writeStampGray(gray, W, BigInt(tBefore));
  assert.equal(Number(v), mod - 5);
  assert.equal(stampLatencyMs(Number(v), (mod + 3) * 10), 0.08);
  assert.equal(testLatencyMs(v, BigInt((mod + 3) * 10)), 0.08);
  // a stamp 0.5 ms in the future reads as -0.5 ms, not as ~8 days
  assert.equal(stampLatencyMs(1000, 1000 * 10 - 500), -0.5);
});

test('a damaged stamp reads as nothing', () => {
  const gray = new Uint8Array(W * H);
  writeStampGray(gray, W, 1_700_000_000_000_000n);
  // flip one value bit without fixing the parity
  for (let y = 0; y < 16; y++) for (let x = 5 * 16; x < 6 * 16; x++) gray[y * W + x] = 251 - gray[y * W + x];
  assert.equal(readStampGray(gray, W, H), null);
  assert.equal(decodeStampGray(gray, W), null);
  // no calibration contrast: no stamp
  assert.equal(decodeStampGray(new Uint8Array(W * H).fill(128), W), null);
});
