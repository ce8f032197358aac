// Mode direct-worker: Direct received, decoded and drawn in a worker (direct_worker.js) on an
// OffscreenCanvas, as the app's player does by default (web/js/direct_worker_source.js). The page's
// main thread only starts it and waits for the session's samples.

import { startAudioPlayer } from './direct_client.js';

// `script`: the worker to run (mjpeg_worker.js runs the MJPEG client the same way); `extra`
// goes with its start message.
// `audio`: the worker relays the sound's frames and this page plays them (the app's
// AudioPlayer), as the app's worker player does.
export function runDirectWorker({ recorder, canvas, seconds, path = '/ws/direct', script = './direct_worker.js', extra = {}, audio = false }) {
  const offscreen = canvas.transferControlToOffscreen();
  const worker = new Worker(new URL(script, import.meta.url), { type: 'module' });
  const sound = audio ? startAudioPlayer() : null;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('direct-worker: no result')), (seconds + 20) * 1000);
    const done = (fn) => {
      clearTimeout(timer);
      worker.terminate();
      if (sound) sound.close();
      fn();
    };
    const withSound = (result) => {
      if (sound && result.counts) {
        result.counts.audioFramesPlayed = sound.values.framesPlayed;
        result.counts.audioDelayMs = sound.values.delayMs;
      }
      return result;
    };
    worker.onmessage = ({ data }) => {
      if (data.kind === 'audio') return sound?.decode(data.captureUs, data.bytes);
      if (data.kind === 'audio-config') return sound?.configure(data.msg);
      done(() => (data.error ? reject(new Error(data.error)) : resolve(withSound(data))));
    };
    worker.onerror = (e) => done(() => reject(new Error(`direct-worker: ${e.message ?? 'worker failed to start'}`)));
    const startWallMs = performance.timeOrigin + recorder.t0;
    worker.postMessage({ ...extra, canvas: offscreen, seconds, path, startWallMs, audio }, [offscreen]);
  });
}
