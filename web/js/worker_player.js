// The entry script of a player's worker (started by worker_player_host.js as a module worker,
// worker_player.js?kind=direct or ?kind=mjpeg). It has no static imports, so it runs as soon as
// this one file is fetched: on the page's {type: 'start'} it checks that this worker can decode
// the kind's pictures and, for Direct, opens the WebSocket at once and keeps what arrives,
// while the player (worker_player_main.js and the kind's source) loads; the player then takes
// the socket over. A worker's start-up and its module loads are slow on a busy machine
// (100-400 ms each were seen at load 14); this way the socket's connect and the server's first
// keyframe overlap them.
//
// From the page: {type: 'start', url, canvas, ...the kind's options}, {type: 'stop'}, and the
// kind's own messages (Direct: {type: 'hold', targetMs}, lip sync: how long after capture
// pictures are drawn, 0 for at once), the latest of each type kept here while the player
// loads. To the page: what worker_player_main.js posts, {type: 'unsupported'} when this worker
// cannot decode the kind's pictures (the page then keeps its main-thread player), {type:
// 'failed'} when the player could not load.

const KINDS = {
  // the Direct WebSocket decoded with WebCodecs' VideoDecoder (direct_worker_source.js)
  direct: {
    label: 'Direct',
    source: './direct_worker_source.js',
    missing: () =>
      typeof self.VideoDecoder !== 'function' || typeof self.EncodedVideoChunk !== 'function' ? 'no VideoDecoder in workers' : null,
    early: ({ url }) => {
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      const early = { ws, messages: [] };
      ws.onmessage = (e) => early.messages.push(e.data);
      return early;
    },
  },
  // /stream's JPEGs decoded with WebCodecs' ImageDecoder (mjpeg_worker_source.js)
  mjpeg: {
    label: 'MJPEG',
    source: './mjpeg_worker_source.js',
    missing: async () =>
      typeof self.ImageDecoder === 'function' && (await self.ImageDecoder.isTypeSupported('image/jpeg').catch(() => false))
        ? null
        : 'no ImageDecoder for JPEG in workers',
    early: () => null,
  },
};

const kind = KINDS[new URLSearchParams(self.location.search).get('kind')];
let player = null;
let early = null; // { ws, messages } until the player takes the socket
let starting = false;
let stopped = false;
const waiting = new Map(); // message type → the latest of the kind's own, for a player still loading

self.onmessage = async (ev) => {
  const msg = ev.data;
  if (msg.type === 'start') {
    if (starting) return;
    starting = true;
    if (!kind) {
      postMessage({ type: 'failed', reason: `no worker player of kind ${self.location.search}` });
      return;
    }
    const missing = await kind.missing();
    if (stopped) return;
    if (missing) {
      postMessage({ type: 'unsupported', reason: missing });
      return;
    }
    early = kind.early(msg);
    Promise.all([import('./worker_player_main.js'), import(kind.source)]).then(
      ([{ WorkerPlayer }, { default: Source }]) => {
        if (stopped) return;
        player = new WorkerPlayer(msg, Source, early);
        player.start();
        for (const m of waiting.values()) player.message(m);
        waiting.clear();
        early = null;
      },
      (e) => postMessage({ type: 'failed', reason: `the ${kind.label} worker could not load: ${e?.message ?? e}` }),
    );
  } else if (msg.type === 'stop') {
    stopped = true;
    if (player) player.stop();
    else if (early) early.ws.close();
    player = early = null;
    self.close();
  } else if (player) {
    player.message(msg);
  } else {
    waiting.set(msg.type, msg);
  }
};
