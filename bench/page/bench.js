// Entry point of the bench page: window.bench.run({mode, seconds, path}) plays one session and
// resolves with its samples (see recorder.js). The page holds one session per load.

import { Recorder } from './recorder.js';
import { runDirect } from './direct_client.js';
import { runMjpeg } from './mjpeg_client.js';
import { runWebrtc } from './webrtc_client.js';
import { runWebrtcLoad } from './webrtc_load.js';

const runners = {
  direct: runDirect,
  // Direct decoded the same way, presented through a <video> (see VideoPresenter)
  'direct-video': (o) => runDirect({ ...o, present: 'video' }),
  // Direct decoded but neither read nor drawn: what the page's own work costs
  'direct-nodraw': (o) => runDirect({ ...o, present: 'none' }),
  // MJPEG parts decoded with WebCodecs' ImageDecoder (a YUV VideoFrame, like Direct's), or
  // with createImageBitmap (RGB, as an <img> would) where ImageDecoder is missing
  mjpeg: (o) => runMjpeg({ ...o, decodeWith: 'ImageDecoder' in window ? 'webcodecs' : 'bitmap' }),
  'mjpeg-bitmap': (o) => runMjpeg({ ...o, decodeWith: 'bitmap' }),
  webrtc: runWebrtc,
};

window.bench = {
  ready: true,
  // fan-out load: many WHEP peers in this page
  runWebrtcLoad,
  async run({ mode, seconds, path, jitterBufferTarget = null, offerWaitMs = 0 }) {
    const runner = runners[mode];
    if (!runner) throw new Error(`unknown mode ${mode}`);
    const recorder = new Recorder();
    const canvas = document.getElementById('screen');
    const video = document.getElementById('video');
    return runner({ recorder, canvas, video, seconds, path, jitterBufferTarget, offerWaitMs });
  },
};
