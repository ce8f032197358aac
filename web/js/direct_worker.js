// The Direct worker's entry script (started by direct_worker_player.js as a module worker).
// It has no static imports, so it runs as soon as this one file is fetched: on the page's
// {type: 'start'} it opens the Direct WebSocket at once and keeps what arrives, while the
// player (direct_worker_main.js and its modules) loads; the player then takes the socket over.
// A worker's start-up and its module loads are slow on a busy machine (100-400 ms each were
// seen at load 14); this way the socket's connect and the server's first keyframe overlap them.
//
// From the page: {type: 'start', url, canvas, audio}, {type: 'hold', targetMs} (lip sync: how
// long after capture pictures are drawn, 0 for at once), {type: 'stop'}. To the page: what
// direct_worker_main.js posts, {type: 'unsupported'} when this worker has no VideoDecoder (the
// page then plays on its main thread), {type: 'failed'} when the player could not load (or,
// from direct_worker_main.js, when its socket was lost before its first picture).

let player = null;
let early = null; // { ws, messages } until the player takes the socket
let stopped = false;
let holdTargetMs = 0; // the page's last lip-sync target, for a player that is still loading

self.onmessage = (ev) => {
  const msg = ev.data;
  if (msg.type === 'start' && !early && !player) {
    if (typeof self.VideoDecoder !== 'function' || typeof self.EncodedVideoChunk !== 'function') {
      postMessage({ type: 'unsupported', reason: 'no VideoDecoder in workers' });
      return;
    }
    const ws = new WebSocket(msg.url);
    ws.binaryType = 'arraybuffer';
    early = { ws, messages: [] };
    ws.onmessage = (e) => early.messages.push(e.data);
    import('./direct_worker_main.js').then(
      ({ startDirectWorker }) => {
        if (stopped) return;
        player = startDirectWorker(msg, early);
        player.hold.setTarget(holdTargetMs);
        early = null;
      },
      (e) => postMessage({ type: 'failed', reason: `the Direct worker could not load: ${e?.message ?? e}` }),
    );
  } else if (msg.type === 'hold') {
    holdTargetMs = msg.targetMs;
    if (player) player.hold.setTarget(holdTargetMs);
  } else if (msg.type === 'stop') {
    stopped = true;
    if (player) player.stop();
    else if (early) early.ws.close();
    player = early = null;
    self.close();
  }
};
