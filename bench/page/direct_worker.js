// The bench's Direct client run inside a dedicated worker (mode direct-worker): the very same
// runDirect() as the main-thread row (direct_client.js: socket, decoder, the app's backlog
// policy, draw at once, newest wins), on an OffscreenCanvas transferred from the page, so
// the two rows differ only in the thread they run on. The worker's own requestAnimationFrame
// (Chromium drives it from the compositor, like the page's) times the presented samples.

import { runDirect } from './direct_client.js';
import { Recorder } from './recorder.js';

self.onmessage = async ({ data }) => {
  const recorder = new Recorder();
  // the page's start time on this worker's clock: first frame counts the worker's start-up too
  recorder.t0 = data.startWallMs - performance.timeOrigin;
  try {
    // with sound, as the app's worker does: each Opus frame goes to the page, which plays it
    const audio = data.audio
      ? {
          configure: (msg) => self.postMessage({ kind: 'audio-config', msg }),
          decode: (captureUs, bytes) => self.postMessage({ kind: 'audio', captureUs, bytes: bytes.slice() }),
        }
      : null;
    self.postMessage(await runDirect({ recorder, canvas: data.canvas, seconds: data.seconds, path: data.path, audio }));
  } catch (e) {
    self.postMessage({ error: `direct-worker: ${e?.message ?? e}` });
  }
};
