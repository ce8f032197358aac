// The Direct worker's source (worker_player.js?kind=direct, drawn by worker_player_main.js):
// the Direct WebSocket decoded with WebCodecs' VideoDecoder (direct_session.js), and its frames
// drawn as on the main thread (frame_mailbox.js): at once, newest wins (no queue); a frame with
// newer chunks queued behind it is stale and waits in a one-slot mailbox, where a newer one
// replaces it, and the worker's next animation frame draws what is left there. With lip sync
// the page sends {type: 'hold', targetMs} (the sound's capture → heard delay, 0 for none) and
// each decoded frame first waits until its capture time + targetMs (picture_hold.js).
//
// The sound is the page's: the audio announcement and each audio message go to it
// (audio_player.js plays them), and so do the session's warnings, for its console.

import { DirectSession } from './direct_session.js';
import { FrameMailbox } from './frame_mailbox.js';

export default class DirectSource {
  static connection = 'socket';
  // what the session sets beside the status (stats.js names)
  static values = { codec: null, rttMs: null, decodeQueue: 0, keyframeRequests: 0 };

  // early: the socket the entry script opened while the modules loaded, with what it received
  constructor(player, { url, audio }, early) {
    this.player = player;
    this.stats = player.stats;
    this.rafPending = false;
    this.mailbox = new FrameMailbox({ draw: (frame) => player.draw(frame), stats: this.stats });
    this.stats.values.pictureHold = this.mailbox.hold.values;
    this.session = new DirectSession({
      url,
      early,
      stats: this.stats,
      onStatus: () => player.statusChanged(),
      onFrame: (frame) => this.onFrame(frame),
      onAudioConfig: audio ? (msg) => postMessage({ type: 'audio-config', msg }) : null,
      onAudio: audio ? (captureUs, buf) => postMessage({ type: 'audio', captureUs, buf }, [buf]) : null,
      onWarning: (text, e) => postMessage({ type: 'warning', text, error: String(e?.message ?? e) }),
    });
  }

  start() {
    this.session.start();
  }

  stop() {
    this.session.stop();
    this.mailbox.clear();
  }

  message(msg) {
    if (msg.type === 'hold') this.mailbox.hold.setTarget(msg.targetMs);
  }

  onFrame(frame) {
    if (!this.player.running) {
      frame.close();
      return;
    }
    if (this.mailbox.put(frame, this.session.decodeQueueSize !== 0)) this.drawAtNextAnimationFrame();
  }

  // A stale frame waits for the newer ones; if none comes out first, the next animation frame
  // draws it (as the main-thread player's requestAnimationFrame loop does).
  drawAtNextAnimationFrame() {
    if (this.rafPending) return;
    this.rafPending = true;
    const draw = () => {
      this.rafPending = false;
      if (this.player.running) this.mailbox.drawPending();
    };
    if (typeof self.requestAnimationFrame === 'function') self.requestAnimationFrame(draw);
    else setTimeout(draw, 16);
  }
}
