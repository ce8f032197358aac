// The NO SIGNAL banner: while the source's signal is lost (the server sends NO SIGNAL frames),
// a banner over the picture says why ("display closed", "input ended", ...); it goes away
// when the live picture returns. The state comes from /api/state at load, then live from
// /ws/events (its hello carries the whole state again after every reconnect).

import { Backoff } from './reconnect.js';

const banner = document.getElementById('signal-banner');
const text = document.getElementById('signal-banner-reason');
const backoff = new Backoff({ initialMs: 500, maxMs: 5000 });

function show(lost, reason) {
  if (!banner) return;
  banner.hidden = !lost;
  banner.dataset.signal = lost ? 'lost' : 'live';
  if (lost) text.textContent = reason || 'no signal';
}

function showSource(source) {
  if (source && typeof source.signal === 'string') show(source.signal === 'lost', source.signal_reason);
}

async function loadState() {
  try {
    const res = await fetch('/api/state', { cache: 'no-store' });
    if (res.ok) showSource((await res.json()).source);
  } catch {
    /* the events socket will tell */
  }
}

function listen() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(`${scheme}//${location.host}/ws/events`);
  ws.onmessage = (ev) => {
    let msg;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (msg.type === 'hello') {
      backoff.succeeded();
      showSource(msg.state && msg.state.source);
    } else if (msg.type === 'signal_lost') {
      show(true, msg.reason);
    } else if (msg.type === 'signal_restored') {
      show(false, '');
    } else if (msg.type === 'events_dropped') {
      loadState();
    }
  };
  ws.onclose = () => backoff.schedule(listen);
}

if (banner) {
  loadState();
  listen();
}
