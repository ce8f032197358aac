// MJPEG mode with decode and draw off the main thread (?mjpegworker=1; the <img> player is the
// default: in bench/latency.mjs this path presented later than the <img> once the machine was
// busy, because ImageDecoder decodes on Chromium's thread pool, which then waits for a core,
// while the <img> is decoded on the page's own thread when it is drawn; bench/README.md): a
// worker player (worker_player_host.js) whose worker reads /stream with fetch and decodes each
// JPEG with ImageDecoder (mjpeg_worker_source.js): nothing waits behind the page's main
// thread, and the page can time every step, which an <img> hides (bench/README.md).
//
// Until the worker's first picture the <img> player (mjpeg_player.js) plays; then the worker's
// canvas (#video-mjpeg-canvas, created for each start) is shown in the <img>'s place. Where the
// worker cannot play (also: no ImageDecoder for JPEG in workers) the <img> simply goes on.

import { MjpegPlayer } from './mjpeg_player.js';
import { WorkerPlayerHost, workerPlayerSupported } from './worker_player_host.js';

export function mjpegWorkerSupported() {
  return workerPlayerSupported() && typeof window.ImageDecoder === 'function';
}

export class MjpegWorkerPlayer extends WorkerPlayerHost {
  constructor({ img, stats, onStatus = () => {}, path = '/stream' }) {
    super({ kind: 'mjpeg', label: 'MJPEG', fallbackNote: 'MJPEG plays through <img>', stats, onStatus });
    this.img = img;
    this.path = path;
  }

  startMain() {
    const main = new MjpegPlayer({ img: this.img, stats: this.stats, onStatus: this.onStatus, path: this.path });
    main.start();
    return main;
  }

  workerCanvasInPage() {
    const canvas = document.createElement('canvas');
    canvas.id = 'video-mjpeg-canvas';
    canvas.hidden = true;
    this.img.after(canvas);
    return canvas;
  }

  startMessage() {
    // a fresh URL each time so the browser opens a new connection (as the <img> player's)
    const url = new URL(`${this.path}${this.path.includes('?') ? '&' : '?'}t=${Date.now()}`, location.href).href;
    return { url };
  }

  // The worker's canvas is shown instead of the <img> (and removed when this player stops).
  takeOver() {
    this.workerCanvas.hidden = false;
    this.img.hidden = true;
  }
}
