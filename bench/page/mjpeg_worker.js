// The bench's MJPEG client run inside a dedicated worker (mode mjpeg-worker): the very same
// runMjpeg() as the main-thread row (mjpeg_client.js: fetch, the app's part reader, decode,
// draw at once, newest wins), on an OffscreenCanvas transferred from the page, as the app's
// MJPEG worker does (web/js/mjpeg_worker_source.js). Started and measured like direct_worker.js.

import { runMjpeg } from './mjpeg_client.js';
import { Recorder } from './recorder.js';

self.onmessage = async ({ data }) => {
  const recorder = new Recorder();
  // the page's start time on this worker's clock: first frame counts the worker's start-up too
  recorder.t0 = data.startWallMs - performance.timeOrigin;
  try {
    const decodeWith = typeof self.ImageDecoder === 'function' ? 'webcodecs' : 'bitmap';
    self.postMessage(await runMjpeg({ recorder, canvas: data.canvas, seconds: data.seconds, path: data.path, decodeWith, inflight: data.inflight ?? 1 }));
  } catch (e) {
    self.postMessage({ error: `mjpeg-worker: ${e?.message ?? e}` });
  }
};
