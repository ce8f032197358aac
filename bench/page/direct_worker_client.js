// Mode direct-worker: Direct received, decoded and drawn in a worker (direct_worker.js) on an
// OffscreenCanvas, as the app's player does by default (web/js/direct_worker.js). The page's
// main thread only starts it and waits for the session's samples.

// `script`: the worker to run (mjpeg_worker.js runs the MJPEG client the same way); `extra`
// goes with its start message.
export function runDirectWorker({ recorder, canvas, seconds, path = '/ws/direct', script = './direct_worker.js', extra = {} }) {
  const offscreen = canvas.transferControlToOffscreen();
  const worker = new Worker(new URL(script, import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('direct-worker: no result')), (seconds + 20) * 1000);
    const done = (fn) => {
      clearTimeout(timer);
      worker.terminate();
      fn();
    };
    worker.onmessage = ({ data }) => done(() => (data.error ? reject(new Error(data.error)) : resolve(data)));
    worker.onerror = (e) => done(() => reject(new Error(`direct-worker: ${e.message ?? 'worker failed to start'}`)));
    const startWallMs = performance.timeOrigin + recorder.t0;
    worker.postMessage({ ...extra, canvas: offscreen, seconds, path, startWallMs }, [offscreen]);
  });
}
