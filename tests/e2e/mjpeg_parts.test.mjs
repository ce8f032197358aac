// The page's MJPEG part reader (web/js/mjpeg_parts.js) against streams framed as the server
// frames them (src/transport/mjpeg/mjpeg_framing.cpp), cut into chunks at random places: each
// part comes out whole, with its X-Timestamp, as soon as its last byte is in (not at the next
// boundary). Parts without Content-Length end at the boundary. Damaged and random input
// (bounded loops, fixed seed) never throws and never yields a part larger than the input.
// No server needed.

import assert from 'node:assert/strict';
import test from 'node:test';
import { MultipartParts, boundaryOf, parsePartHead } from '../../web/js/mjpeg_parts.js';

const enc = new TextEncoder();
const BOUNDARY = 'framewireboundary';

// a small deterministic PRNG (mulberry32), so a failure can be replayed
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function jpegLike(n, seed, { embedBoundary = true } = {}) {
  const r = rng(seed);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  // boundary-looking bytes inside a JPEG must not end a part that has a length
  if (embedBoundary && n > 40) b.set(enc.encode(`\r\n--${BOUNDARY}\r\n\r\n`), 10);
  return b;
}

const stampText = (us) => `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;

// The server's body: "--b\r\n" then per part: headers, JPEG, "\r\n--b\r\n".
function body(parts, { withLength = true } = {}) {
  const pieces = [enc.encode(`--${BOUNDARY}\r\n`)];
  for (const p of parts) {
    const len = withLength ? `Content-Length: ${p.bytes.length}\r\n` : '';
    pieces.push(enc.encode(`Content-Type: image/jpeg\r\n${len}X-Timestamp: ${stampText(p.stampUs)}\r\n\r\n`));
    pieces.push(p.bytes);
    pieces.push(enc.encode(`\r\n--${BOUNDARY}\r\n`));
  }
  const out = new Uint8Array(pieces.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of pieces) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function chunks(bytes, r, maxChunk) {
  const out = [];
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + Math.floor(r() * maxChunk);
    out.push(bytes.slice(i, i + n));
    i += n;
  }
  return out;
}

test('boundary and part headers parse', () => {
  assert.equal(boundaryOf('multipart/x-mixed-replace;boundary=framewireboundary'), 'framewireboundary');
  assert.equal(boundaryOf('multipart/x-mixed-replace; boundary="--abc"'), 'abc');
  assert.equal(boundaryOf('image/jpeg'), null);
  assert.deepEqual(parsePartHead('--b\r\nContent-Type: image/jpeg\r\nContent-Length: 123\r\nX-Timestamp: 1700000000.000042'), { length: 123, stampUs: 1700000000000042 });
  assert.deepEqual(parsePartHead('Content-Length: 5\r\nX-Timestamp: 1700000000.5'), { length: 5, stampUs: 1700000000500000 });
  assert.deepEqual(parsePartHead('Content-Type: image/jpeg'), { length: null, stampUs: null });
});

test('parts come out whole, in order, with their stamps, however the stream is cut', () => {
  const r = rng(1);
  for (let round = 0; round < 200; round++) {
    for (const withLength of [true, false]) {
      // without a length a part ends at the boundary text, so those parts must not hold it
      const parts = Array.from({ length: 1 + Math.floor(r() * 5) }, (_, i) => ({
        bytes: jpegLike(Math.floor(r() * 3000), round * 10 + i, { embedBoundary: withLength }),
        stampUs: 1_700_000_000_000_000 + Math.floor(r() * 1e9),
      }));
      const got = [];
      const reader = new MultipartParts((bytes, { stampUs }) => got.push({ bytes, stampUs }));
      const stream = body(parts, { withLength });
      for (const c of chunks(stream, r, 1 + Math.floor(r() * 700))) reader.push(c);
      const expect = parts;
      assert.equal(got.length, expect.length, `round ${round} length ${withLength}`);
      for (let i = 0; i < expect.length; i++) {
        assert.deepEqual(got[i].bytes, expect[i].bytes, `round ${round} part ${i}`);
        assert.equal(got[i].stampUs, expect[i].stampUs);
      }
    }
  }
});

test('a part with a Content-Length is handed over before the next boundary arrives', () => {
  const part = { bytes: jpegLike(5000, 7), stampUs: 1_700_000_000_123_456 };
  const stream = body([part]);
  const trailer = `\r\n--${BOUNDARY}\r\n`.length;
  const got = [];
  const reader = new MultipartParts((bytes) => got.push(bytes));
  reader.push(stream.subarray(0, stream.length - trailer)); // everything but the boundary after it
  assert.equal(got.length, 1);
  assert.deepEqual(got[0], part.bytes);
});

test('damaged and random input: no throw, bounded parts', () => {
  const r = rng(99);
  const good = body([0, 1, 2, 3].map((i) => ({ bytes: jpegLike(800, i), stampUs: 1_700_000_000_000_000 + i })));
  for (let round = 0; round < 300; round++) {
    const input = round % 3 === 0 ? jpegLike(Math.floor(r() * 20000), 1000 + round) : good.slice();
    if (round % 3 !== 0) {
      // flip, drop or repeat bytes
      for (let k = 0; k < 1 + Math.floor(r() * 20); k++) input[Math.floor(r() * input.length)] = Math.floor(r() * 256);
    }
    let total = 0;
    const reader = new MultipartParts((bytes) => {
      total += bytes.length;
    });
    for (const c of chunks(input, r, 2000)) reader.push(c);
    assert.ok(total <= input.length, `round ${round}: ${total} bytes of parts from ${input.length}`);
  }
  // a huge Content-Length is not believed (no 4 GB allocation)
  const reader = new MultipartParts(() => assert.fail('no part'));
  reader.push(enc.encode(`--${BOUNDARY}\r\nContent-Length: 99999999999\r\n\r\nxyz`));
  assert.equal(reader.parts, 0);
});
