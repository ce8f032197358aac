// Direct mode with decode and draw off the main thread (the default where the browser can): a
// worker player (worker_player_host.js) whose worker reads the Direct WebSocket and decodes with
// WebCodecs' VideoDecoder (direct_worker_source.js). Until the worker's first picture, the
// main-thread player (direct_player.js) plays on the page canvas; then the worker's canvas
// takes that canvas's place (same id). The main thread plays the sound (audio_player.js, Web
// Audio) from the audio messages the worker hands over, and with lip sync tells the worker how
// long its pictures wait for their sound (picture_hold.js).
//
// A canvas can be handed to a worker only once, and not after a 2D context was taken on it:
// each start replaces the page's canvas element with fresh copies (same id and attributes).

import { lipsync } from './av_sync.js';
import { DirectPlayer, directUrl } from './direct_player.js';
import { HEADER_BYTES } from './direct_session.js';
import { SoundDelayFollower } from './picture_hold.js';
import { WorkerPlayerHost, workerPlayerSupported } from './worker_player_host.js';

export const directWorkerSupported = workerPlayerSupported;

// Replaces `canvas` in the page by a copy of it (same id, class, hidden, size) and returns the copy.
function freshCanvas(canvas) {
  const copy = canvas.cloneNode(false);
  canvas.replaceWith(copy);
  return copy;
}

export class DirectWorkerPlayer extends WorkerPlayerHost {
  constructor({ canvas, stats, onStatus = () => {}, path = '/ws/direct', audio = null }) {
    super({ kind: 'direct', label: 'Direct', fallbackNote: 'Direct decodes on the main thread', stats, onStatus });
    this.options = { stats, onStatus, path, audio };
    this.canvas = canvas; // the page's canvas (#video-canvas)
    this.audio = audio;
    this.url = directUrl(path, !!audio);
    this.workerAudioConfig = null; // the worker socket's audio announcement, for the hand-over
    this.follower = new SoundDelayFollower(); // lip sync: the worker's picture hold target
    this.holdTargetMs = 0;
    this.holdTimer = 0;
  }

  startMain() {
    this.canvas = freshCanvas(this.canvas);
    const main = new DirectPlayer({ canvas: this.canvas, ...this.options });
    main.start();
    return main;
  }

  workerCanvasInPage() {
    const wc = this.canvas.cloneNode(false);
    wc.removeAttribute('id');
    wc.hidden = true;
    this.canvas.after(wc);
    return wc;
  }

  startMessage() {
    return { url: this.url, audio: !!this.audio };
  }

  start() {
    super.start();
    if (this.worker) this.holdTimer = setInterval(() => this.followSound(), 250);
  }

  // Lip sync: the worker's pictures wait for the sound the page plays (sent when it changes).
  followSound() {
    const target = this.follower.update(this.audio?.values, lipsync.on);
    if (target === this.holdTargetMs || !this.worker) return;
    this.holdTargetMs = target;
    this.worker.postMessage({ type: 'hold', targetMs: target });
  }

  stop() {
    clearInterval(this.holdTimer);
    super.stop();
    if (this.audio) this.audio.close();
  }

  // The worker's canvas becomes the page canvas (it stays when this player stops).
  takeOver() {
    const old = this.canvas;
    const wc = this.workerCanvas;
    this.workerCanvas = null;
    wc.hidden = old.hidden;
    old.remove();
    wc.id = old.id;
    this.canvas = wc;
    if (this.audio && this.workerAudioConfig) this.audio.configure(this.workerAudioConfig);
  }

  onWorkerMessage(msg) {
    if (msg.type === 'audio') {
      if (this.handedOver && this.audio) this.audio.decode(msg.captureUs, new Uint8Array(msg.buf, HEADER_BYTES));
    } else if (msg.type === 'audio-config') {
      this.workerAudioConfig = msg.msg;
      if (this.handedOver && this.audio) this.audio.configure(msg.msg);
    }
  }
}
