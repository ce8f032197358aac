// The tests' own latency stamp reader (independent of web/js/stamp.js on purpose), for 8-bit
// gray pictures as `ffmpeg -f rawvideo -pix_fmt gray` writes them.

const MOD = 2n ** 36n;

export function readStampGray(gray, width, height) {
  if (width < 640 || height < 16) return null;
  const mean = (k) => {
    let s = 0;
    for (let y = 4; y < 12; y++) for (let x = k * 16 + 4; x < k * 16 + 12; x++) s += gray[y * width + x];
    return s / 64;
  };
  const m = Array.from({ length: 40 }, (_, k) => mean(k));
  if (!(m[0] > m[1] + 64)) return null;
  const thr = (m[0] + m[1]) / 2;
  let v = 0n;
  let parity = 0;
  for (let i = 0; i < 36; i++) {
    const bit = m[2 + i] > thr ? 1 : 0;
    parity ^= bit;
    v = (v << 1n) | BigInt(bit);
  }
  const b38 = m[38] > thr ? 1 : 0;
  const b39 = m[39] > thr ? 1 : 0;
  if (b38 !== parity || b39 === parity) return null;
  return v;
}

export function nowMicros() {
  return BigInt(Date.now()) * 1000n;
}

// Latency in ms of a stamp value against now (µs, BigInt); a stamp up to 1 ms "in the future"
// (Date.now() resolution) comes out slightly negative rather than wrapping.
export function stampLatencyMs(value, nowUs = nowMicros()) {
  let diff = (((nowUs / 10n) % MOD) - value + MOD) % MOD;
  if (diff > MOD / 2n) diff -= MOD;
  return Number(diff * 10n) / 1000;
}

// Writes a stamp into a gray picture (for checking the readers themselves).
export function writeStampGray(gray, width, timeUs) {
  const v = (BigInt(timeUs) / 10n) % MOD;
  const bits = [1, 0];
  let parity = 0;
  for (let i = 35; i >= 0; i--) {
    const b = Number((v >> BigInt(i)) & 1n);
    parity ^= b;
    bits.push(b);
  }
  bits.push(parity, parity ^ 1);
  bits.forEach((b, k) => {
    for (let y = 0; y < 16; y++) for (let x = k * 16; x < k * 16 + 16; x++) gray[y * width + x] = b ? 235 : 16;
  });
  return v;
}
