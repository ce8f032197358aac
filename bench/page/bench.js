// Entry point of the bench page: window.bench.run({mode, seconds, path}) plays one session and
// resolves with its samples (see recorder.js). The page holds one session per load.

import { Recorder } from './recorder.js';
import { runDirect, startAudioPlayer } from './direct_client.js';
import { runDirectWorker } from './direct_worker_client.js';
import { runMjpeg, runMjpegImg } from './mjpeg_client.js';
import { runWebrtc } from './webrtc_client.js';
import { runWebrtcLoad } from './webrtc_load.js';

const runners = {
  direct: runDirect,
  // the same client in a worker, drawing on an OffscreenCanvas (the app's default player)
  'direct-worker': runDirectWorker,
  // Direct decoded the same way, presented through a <video> (see VideoPresenter)
  'direct-video': (o) => runDirect({ ...o, present: 'video' }),
  // Direct decoded but neither read nor drawn: what the page's own work costs
  'direct-nodraw': (o) => runDirect({ ...o, present: 'none' }),
  // MJPEG parts decoded with WebCodecs' ImageDecoder (a YUV VideoFrame, like Direct's), or
  // with createImageBitmap (RGB, as an <img> would) where ImageDecoder is missing
  mjpeg: (o) => runMjpeg({ ...o, decodeWith: 'ImageDecoder' in window ? 'webcodecs' : 'bitmap' }),
  'mjpeg-bitmap': (o) => runMjpeg({ ...o, decodeWith: 'bitmap' }),
  // the same MJPEG client in a worker on an OffscreenCanvas (the app's MJPEG player)
  'mjpeg-worker': (o) => runDirectWorker({ ...o, path: '/stream', script: './mjpeg_worker.js' }),
  // two decodes at once: the newest part does not wait for the decode before it
  'mjpeg-x2': (o) => runMjpeg({ ...o, decodeWith: 'ImageDecoder' in window ? 'webcodecs' : 'bitmap', inflight: 2 }),
  'mjpeg-worker-x2': (o) => runDirectWorker({ ...o, path: '/stream', script: './mjpeg_worker.js', extra: { inflight: 2 } }),
  // <img src=/stream> sampled at each animation frame (the app's fallback player)
  'mjpeg-img': runMjpegImg,
  webrtc: runWebrtc,
  // the same with sound: the offer takes the audio track too and the <video> plays it unmuted;
  // Direct asks for ?audio=1 and plays the Opus frames through the app's AudioPlayer. Against
  // the plain rows: what sound costs the picture.
  'webrtc-audio': (o) => runWebrtc({ ...o, audio: true }),
  'direct-audio': async (o) => {
    const audio = startAudioPlayer();
    try {
      return await runDirect({ ...o, audio });
    } finally {
      audio.close();
    }
  },
  // the app's default Direct player: picture in a worker, sound relayed to the page's AudioPlayer
  'direct-worker-audio': (o) => runDirectWorker({ ...o, audio: true }),
};

// Keeps the main thread busy `ms` ms in every 16 ms (--page-busy): a page with more to do than
// this one (layout, overlays, other scripts). Returns the function that stops it.
function busyMainThread(ms) {
  if (!(ms > 0)) return () => {};
  const timer = setInterval(() => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  }, 16);
  return () => clearInterval(timer);
}

window.bench = {
  ready: true,
  // fan-out load: many WHEP peers in this page
  runWebrtcLoad,
  async run({ mode, seconds, path, jitterBufferTarget = null, pageBusyMs = 0, offerWaitMs = 0 }) {
    const runner = runners[mode];
    if (!runner) throw new Error(`unknown mode ${mode}`);
    const recorder = new Recorder();
    const canvas = document.getElementById('screen');
    const video = document.getElementById('video');
    const stopBusy = busyMainThread(pageBusyMs);
    try {
      return await runner({ recorder, canvas, video, seconds, path, jitterBufferTarget, offerWaitMs });
    } finally {
      stopBusy();
    }
  },
};
