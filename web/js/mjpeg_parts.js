// Splits an MJPEG body (GET /stream: multipart/x-mixed-replace, docs/protocol.md) into its JPEG
// parts as the bytes arrive. A part with a Content-Length header (framewire, mjpg-streamer,
// µStreamer send one) is handed over as soon as its last byte is in, without waiting for the
// boundary after it; a part without one ends at the next boundary line. Each part is copied
// once, into a buffer of its own (the caller may keep it or transfer it).
//
//   const parts = new MultipartParts((jpeg, { stampUs }) => ..., { boundary });
//   parts.push(chunk); // every chunk of the response body, in order (Uint8Array)
//
// stampUs: the part's X-Timestamp in wall-clock µs, or null. Bytes that do not parse (a
// damaged stream, a part header over MAX_HEAD bytes) are skipped up to the next boundary.

const CRLF2 = [13, 10, 13, 10];
const MAX_HEAD = 4096; // part headers are a few dozen bytes
const MAX_PART = 64 * 1024 * 1024; // a Content-Length above this is not believed

function indexOfSeq(buf, seq, from = 0) {
  const first = seq[0];
  outer: for (let i = buf.indexOf(first, from); i >= 0 && i <= buf.length - seq.length; i = buf.indexOf(first, i + 1)) {
    for (let j = 1; j < seq.length; j++) if (buf[i + j] !== seq[j]) continue outer;
    return i;
  }
  return -1;
}

function concat(a, b) {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

// The boundary from a Content-Type value ('multipart/x-mixed-replace;boundary=x'), or null.
export function boundaryOf(contentType) {
  const m = /boundary="?([^";,\s]+)"?/i.exec(contentType ?? '');
  return m ? m[1].replace(/^--/, '') : null;
}

// Parses one part's header block: { length, stampUs } (either may be null).
export function parsePartHead(text) {
  const len = /(?:^|\n)\s*Content-Length:\s*(\d+)/i.exec(text);
  const ts = /(?:^|\n)\s*X-Timestamp:\s*(\d+)(?:\.(\d{1,6}))?/i.exec(text);
  const length = len ? Number(len[1]) : null;
  const stampUs = ts ? Number(ts[1]) * 1e6 + Number((ts[2] ?? '').padEnd(6, '0')) : null;
  return { length: length !== null && length <= MAX_PART ? length : null, stampUs };
}

export class MultipartParts {
  constructor(onPart, { boundary = 'framewireboundary' } = {}) {
    this.onPart = onPart;
    this.delimiter = new TextEncoder().encode(`\r\n--${boundary}`);
    this.decoder = new TextDecoder();
    this.head = new Uint8Array(0); // bytes before a part's body (boundary line, headers)
    this.part = null; // { bytes, filled, stampUs } while a Content-Length part is read
    this.open = null; // { bytes, stampUs } while a part without a length is read
    this.parts = 0;
    this.skipped = 0; // header blocks that did not parse
  }

  push(chunk) {
    let data = chunk;
    while (data.length > 0) {
      if (this.part) data = this.fill(data);
      else if (this.open) data = this.scanOpen(data);
      else data = this.readHead(data);
    }
  }

  // Accumulates header bytes; returns what follows the header block (or nothing yet).
  readHead(data) {
    const from = Math.max(0, this.head.length - 3);
    this.head = concat(this.head, data);
    const end = indexOfSeq(this.head, CRLF2, from);
    if (end < 0) {
      if (this.head.length > MAX_HEAD) this.resync();
      return new Uint8Array(0);
    }
    const text = this.decoder.decode(this.head.subarray(0, end));
    const rest = this.head.subarray(end + 4);
    this.head = new Uint8Array(0);
    const { length, stampUs } = parsePartHead(text);
    if (length !== null) {
      this.part = { bytes: new Uint8Array(length), filled: 0, stampUs };
      if (length === 0) this.finish();
    } else if (/content-type:\s*image\//i.test(text)) {
      this.open = { bytes: new Uint8Array(0), stampUs };
    } else {
      this.skipped++;
    }
    return rest;
  }

  fill(data) {
    const p = this.part;
    const n = Math.min(data.length, p.bytes.length - p.filled);
    p.bytes.set(data.subarray(0, n), p.filled);
    p.filled += n;
    if (p.filled === p.bytes.length) this.finish();
    return data.subarray(n);
  }

  finish() {
    const { bytes, stampUs } = this.part;
    this.part = null;
    this.deliver(bytes, stampUs);
  }

  // A part without a length ends at the next "\r\n--boundary".
  scanOpen(data) {
    const o = this.open;
    const from = Math.max(0, o.bytes.length - this.delimiter.length + 1);
    o.bytes = concat(o.bytes, data);
    const at = indexOfSeq(o.bytes, this.delimiter, from);
    if (at < 0) {
      if (o.bytes.length > MAX_PART) {
        this.open = null;
        this.skipped++;
      }
      return new Uint8Array(0);
    }
    this.open = null;
    const rest = o.bytes.subarray(at);
    this.deliver(o.bytes.slice(0, at), o.stampUs);
    return rest;
  }

  deliver(bytes, stampUs) {
    this.parts++;
    this.onPart(bytes, { stampUs });
  }

  // Header bytes that never end: keep only the tail, which may hold the start of a boundary.
  resync() {
    this.skipped++;
    this.head = this.head.slice(this.head.length - 8);
  }
}
