// MJPEG mode: fetch('/stream') split into parts by the app's own reader (web/js/mjpeg_parts.js:
// a part is handed over as soon as its Content-Length bytes are in), each JPEG decoded
// (ImageDecoder or createImageBitmap) and drawn at once, newest wins. Runs on the page's main
// thread (mode mjpeg) or in a worker on an OffscreenCanvas (mode mjpeg-worker, mjpeg_worker.js).
// received = part complete − X-Timestamp; decoded and presented read the stamp's pixels;
// socketToDecoded = part complete → decoded (a wait for the decode before it included);
// decodeCall = the decode call alone.

import { MultipartParts, boundaryOf } from './mjpeg_parts.js';
import { CanvasPresenter, perfToWallUs } from './recorder.js';
import { stampLatencyMs } from './stamp.js';

// One JPEG → a picture: createImageBitmap (RGB, what an <img> does), or WebCodecs'
// ImageDecoder ('webcodecs': a YUV VideoFrame, no colour conversion before the draw).
async function decodeBitmap(part) {
  const bitmap = await createImageBitmap(new Blob([part], { type: 'image/jpeg' }));
  return { picture: bitmap, width: bitmap.width, height: bitmap.height, close: () => bitmap.close() };
}

async function decodeWebCodecs(part) {
  const decoder = new ImageDecoder({ data: part, type: 'image/jpeg', colorSpaceConversion: 'none' });
  try {
    const { image } = await decoder.decode();
    return { picture: image, width: image.displayWidth, height: image.displayHeight, close: () => image.close(), frame: image };
  } finally {
    decoder.close();
  }
}

// inflight: how many parts may be decoding at once (1: the newest part waits for the decode
// before it; 2: it starts at once when one decode runs, and a picture older than the last
// one drawn is dropped).
export async function runMjpeg({ recorder, canvas, seconds, path = '/stream', decodeWith = 'bitmap', inflight = 1 }) {
  const decode = decodeWith === 'webcodecs' ? decodeWebCodecs : decodeBitmap;
  const presenter = new CanvasPresenter(canvas, recorder);
  const abort = new AbortController();
  const stopAt = performance.now() + seconds * 1000;
  let pending = null; // newest part not yet decoding { bytes, seq, arrived } (latest wins)
  let decoding = 0;
  let seq = 0;
  let lastDrawn = -1;

  const decodeNext = async () => {
    if (decoding >= inflight || !pending) return;
    decoding++;
    const part = pending;
    pending = null;
    try {
      const started = performance.now();
      const pic = await decode(part.bytes);
      const now = performance.now();
      recorder.add('decodeCall', now - started, now);
      if (part.seq < lastDrawn) {
        recorder.counts.staleSkipped = (recorder.counts.staleSkipped ?? 0) + 1;
        pic.close();
      } else {
        lastDrawn = part.seq;
        recorder.firstFrame(now);
        recorder.counts.decoded++;
        recorder.add('socketToDecoded', now - part.arrived, now);
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
      }
    } catch {
      /* a damaged part: skip it */
    }
    decoding--;
    decodeNext();
  };

  const run = async () => {
    const res = await fetch(path, { signal: abort.signal, cache: 'no-store' });
    const parts = new MultipartParts(
      (bytes, { stampUs }) => {
        const now = performance.now();
        recorder.counts.messages++;
        if (stampUs !== null) recorder.add('received', (perfToWallUs(now) - stampUs) / 1000, now);
        pending = { bytes, seq: seq++, arrived: now };
        decodeNext();
      },
      { boundary: boundaryOf(res.headers.get('Content-Type')) ?? undefined },
    );
    const reader = res.body.getReader();
    while (performance.now() < stopAt) {
      const { value, done } = await reader.read();
      if (done) break;
      parts.push(value);
    }
  };

  const done = run().catch(() => {});
  await new Promise((r) => setTimeout(r, seconds * 1000));
  abort.abort();
  await done;
  presenter.stop();
  return recorder.result();
}

// Mode mjpeg-img: the browser's own multipart decoder through <img src="/stream">, sampled at
// each animation frame as the app's <img> player does (web/js/mjpeg_player.js): a changed
// stamp is a new picture, presented at that frame. Nothing says when a part arrived or was
// decoded, so this row has presented samples only.
export async function runMjpegImg({ recorder, seconds, path = '/stream' }) {
  const img = document.createElement('img');
  img.style.width = '640px';
  document.body.append(img);
  let last = null;
  let running = true;
  const loop = (now) => {
    if (!running) return;
    if (img.naturalWidth > 0) {
      const v = recorder.reader.read(img, img.naturalWidth, img.naturalHeight);
      if (v !== null && v !== last) {
        last = v;
        recorder.firstFrame(now);
        recorder.counts.decoded++;
        recorder.counts.presented++;
        recorder.add('presented', stampLatencyMs(v, perfToWallUs(now)), now);
      }
    }
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  img.src = `${path}?t=${Date.now()}`;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  img.removeAttribute('src');
  img.src = 'data:,';
  img.remove();
  return recorder.result();
}
