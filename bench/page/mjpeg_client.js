// MJPEG mode: fetch('/stream') parsed as multipart by hand (an <img> says nothing about when
// a part arrived), each JPEG decoded (ImageDecoder or createImageBitmap) and drawn at once,
// newest wins.
// received = part complete − X-Timestamp; decoded and presented read the stamp's pixels.

import { CanvasPresenter, perfToWallUs } from './recorder.js';

const CRLF2 = [13, 10, 13, 10];

function indexOfSeq(buf, seq, from) {
  outer: for (let i = from; i <= buf.length - seq.length; i++) {
    for (let j = 0; j < seq.length; j++) if (buf[i + j] !== seq[j]) continue outer;
    return i;
  }
  return -1;
}

// One JPEG → a picture: createImageBitmap (RGB, what an <img> does), or WebCodecs'
// ImageDecoder ('webcodecs': a YUV VideoFrame, no colour conversion before the draw).
async function decodeBitmap(part) {
  const bitmap = await createImageBitmap(new Blob([part], { type: 'image/jpeg' }));
  return { picture: bitmap, width: bitmap.width, height: bitmap.height, close: () => bitmap.close() };
}

async function decodeWebCodecs(part) {
  const decoder = new ImageDecoder({ data: part, type: 'image/jpeg' });
  try {
    const { image } = await decoder.decode();
    return { picture: image, width: image.displayWidth, height: image.displayHeight, close: () => image.close(), frame: image };
  } finally {
    decoder.close();
  }
}

export async function runMjpeg({ recorder, canvas, seconds, path = '/stream', decodeWith = 'bitmap' }) {
  const decode = decodeWith === 'webcodecs' ? decodeWebCodecs : decodeBitmap;
  const presenter = new CanvasPresenter(canvas, recorder);
  const abort = new AbortController();
  const stopAt = performance.now() + seconds * 1000;
  let pending = null; // newest JPEG not yet decoded (latest wins)
  let decoding = false;

  const decodeNext = async () => {
    if (decoding || !pending) return;
    decoding = true;
    const part = pending;
    pending = null;
    try {
      const pic = await decode(part);
      const now = performance.now();
      recorder.firstFrame(now);
      recorder.counts.decoded++;
      if (pic.frame) {
        recorder.frameStampLatency(pic.frame.clone(), perfToWallUs(now)).then((lat) => {
          if (lat !== null) recorder.add('decoded', lat, now);
        });
      } else {
        const lat = recorder.stampLatency(pic.picture, pic.width, pic.height, perfToWallUs(now));
        if (lat !== null) recorder.add('decoded', lat, now);
      }
      presenter.draw(pic.picture, pic.width, pic.height);
      pic.close();
    } catch {
      /* a damaged part: skip it */
    }
    decoding = false;
    decodeNext();
  };

  const run = async () => {
    const res = await fetch(path, { signal: abort.signal, cache: 'no-store' });
    const reader = res.body.getReader();
    let buf = new Uint8Array(0);
    let need = null; // { length, stampUs } once a part's headers are parsed
    while (performance.now() < stopAt) {
      const { value, done } = await reader.read();
      if (done) break;
      const merged = new Uint8Array(buf.length + value.length);
      merged.set(buf);
      merged.set(value, buf.length);
      buf = merged;
      for (;;) {
        if (!need) {
          const end = indexOfSeq(buf, CRLF2, 0);
          if (end < 0) break;
          const head = new TextDecoder().decode(buf.subarray(0, end));
          const len = /Content-Length:\s*(\d+)/i.exec(head);
          const ts = /X-Timestamp:\s*([\d.]+)/i.exec(head);
          buf = buf.subarray(end + 4);
          if (!len) continue;
          need = { length: Number(len[1]), stampUs: ts ? Math.round(Number(ts[1]) * 1e6) : null };
        }
        if (buf.length < need.length) break;
        const now = performance.now();
        recorder.counts.messages++;
        if (need.stampUs !== null) recorder.add('received', (perfToWallUs(now) - need.stampUs) / 1000, now);
        pending = buf.slice(0, need.length);
        buf = buf.subarray(need.length);
        need = null;
        decodeNext();
      }
    }
  };

  const done = run().catch(() => {});
  await new Promise((r) => setTimeout(r, seconds * 1000));
  abort.abort();
  await done;
  presenter.stop();
  return recorder.result();
}
