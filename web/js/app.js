// The page: picks a mode, runs one player at a time and keeps the overlay current.
//
// Modes, in fallback order: webrtc (WHEP, the default), direct (WebCodecs over a WebSocket),
// mjpeg. The first mode is ?mode=, else the remembered choice (localStorage), else WebRTC.
//
// Fallback: a mode that shows no picture within FALLBACK_MS (or is refused outright, e.g.
// POST /whep answered 503) hands over to the next one, and the page says which mode plays
// and why. A mode named in ?mode= (or picked with a button) is the user's choice: it is never
// left automatically, unless this browser cannot run it at all (no RTCPeerConnection, no
// WebCodecs). Fallbacks are not remembered: the next visit tries the preferred mode again.
// Once a mode has shown a picture, failures only reconnect it (with backoff).
//
// Test hooks: window.framewire = { mode, stats, fallbackReason, fallbacks, explicit,
// setMode(mode), directSupported, directWorker, mjpegWorker, webrtcSupported, version }.

import { AudioPlayer, audioSupported } from './audio_player.js';
import { directOffset, lipsync, resolveLipsync } from './av_sync.js';
import { DirectPlayer, directSupported } from './direct_player.js';
import { DirectWorkerPlayer, directWorkerSupported } from './direct_worker_player.js';
import { MjpegPlayer } from './mjpeg_player.js';
import { MjpegWorkerPlayer, mjpegWorkerSupported } from './mjpeg_worker_player.js';
import { Stats } from './stats.js';
import { MODE_LABELS, StatsOverlay } from './stats_overlay.js';
import { WebRtcPlayer, webrtcSupported } from './webrtc_player.js';

const STORAGE_KEY = 'framewire.mode';
const MODES = ['webrtc', 'direct', 'mjpeg'];
const params = new URLSearchParams(location.search);
// ?fallbackMs= tunes the wait (tests, slow machines); 5 s by default
const FALLBACK_MS = clamp(Number(params.get('fallbackMs')) || 5000, 500, 60000);
// ?branch=ID: which encoded branch Direct and WebRTC play (js/settings_panel.js sets it)
const BRANCH = params.get('branch');
const branchPath = (path) => (BRANCH ? `${path}?branch=${encodeURIComponent(BRANCH)}` : path);
// Direct decodes and draws in a worker where the browser can (js/direct_worker_player.js);
// ?worker=0 keeps it on the main thread
const DIRECT_WORKER = params.get('worker') !== '0' && directWorkerSupported();
// MJPEG plays through the <img>; ?mjpegworker=1 decodes in a worker instead
// (js/mjpeg_worker_player.js: fetch + ImageDecoder + OffscreenCanvas), which was slower under
// load in bench/latency.mjs (ImageDecoder waits for Chromium's thread pool; bench/README.md)
const MJPEG_WORKER = params.get('mjpegworker') === '1' && mjpegWorkerSupported();

const $ = (sel) => document.querySelector(sel);

const stats = new Stats();
const overlay = new StatsOverlay($('#overlay'));
const canDirect = directSupported();
const canWebRtc = webrtcSupported();
// Direct mode's sound (WebRTC plays it in its <video>); js/sound_button.js unmutes both.
const audioPlayer = audioSupported() ? new AudioPlayer() : null;
let player = null;
let watchdog = 0;
let autoFallback = true;
const notices = { support: null, fallback: null };

const api = {
  mode: null,
  stats: stats.values,
  fallbackReason: null,
  fallbacks: [], // [{from, to, reason}]
  explicit: false,
  directSupported: canDirect,
  directWorker: DIRECT_WORKER, // stats.decodeThread says where Direct actually runs
  mjpegWorker: MJPEG_WORKER, // ?mjpegworker=1: MJPEG's decodeThread is 'worker' once it draws
  webrtcSupported: canWebRtc,
  setMode: (mode) => choose(mode),
  audio: audioPlayer ? audioPlayer.values : null, // Direct sound counters (audio_player.js)
  audioPlayer,
  lipsync, // { on, from }: the picture waits for its sound (av_sync.js, ?lipsync=0|1)
  version: 2,
};
window.framewire = api;

function supported(mode) {
  if (mode === 'webrtc') return canWebRtc;
  if (mode === 'direct') return canDirect;
  return true;
}

function whyUnsupported(mode) {
  if (mode === 'webrtc') return 'this browser has no RTCPeerConnection';
  if (mode === 'direct') {
    return !window.isSecureContext
      ? 'this page is not a secure context (use HTTPS, or open it as http://localhost or http://127.0.0.1), so the browser offers no WebCodecs'
      : 'this browser has no WebCodecs VideoDecoder';
  }
  return null;
}

function storedMode() {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return MODES.includes(stored) ? stored : null;
  } catch {
    return null; // storage may be blocked
  }
}

function remember(mode) {
  try {
    localStorage.setItem(STORAGE_KEY, mode);
  } catch {
    /* storage may be blocked */
  }
  const url = new URL(location.href);
  if (url.searchParams.get('mode') !== mode) {
    url.searchParams.set('mode', mode);
    history.replaceState(null, '', url);
  }
}

// The next mode after `mode` this browser can run.
function nextMode(mode) {
  for (let i = MODES.indexOf(mode) + 1; i < MODES.length; i++) {
    if (supported(MODES[i])) return MODES[i];
  }
  return null;
}

// The user picked a mode (button, key, ?mode=, setMode()): no automatic fallback from it.
function choose(mode) {
  if (!MODES.includes(mode)) return;
  autoFallback = false;
  api.explicit = true;
  if (api.mode === mode && player && !api.fallbackReason) {
    // the mode already playing becomes the user's choice
    clearTimeout(watchdog);
    remember(mode);
    return;
  }
  api.fallbackReason = null;
  notices.fallback = null;
  if (!supported(mode)) {
    const to = nextMode(mode);
    fallBack(mode, to, `${MODE_LABELS[mode]} is unavailable: ${whyUnsupported(mode)}`);
    return;
  }
  remember(mode);
  run(mode);
}

function fallBack(from, to, reason) {
  if (!to) return;
  api.fallbackReason = reason;
  api.fallbacks.push({ from, to, reason });
  notices.fallback = `Playing ${MODE_LABELS[to]}: ${reason}.`;
  console.info(`framewire: ${from} → ${to}: ${reason}`);
  run(to);
}

function run(mode) {
  clearTimeout(watchdog);
  if (player) player.stop();
  player = null;
  stats.reset();
  stats.values.sync = null;
  api.mode = mode;
  document.body.dataset.mode = mode;
  for (const btn of document.querySelectorAll('[data-mode-button]')) {
    btn.setAttribute('aria-pressed', String(btn.dataset.modeButton === mode));
  }
  const video = $('#video-el');
  const canvas = $('#video-canvas');
  const img = $('#video-img');
  video.hidden = mode !== 'webrtc';
  canvas.hidden = mode !== 'direct';
  img.hidden = mode !== 'mjpeg';
  const onStatus = () => overlay.render(api.mode, stats.values);
  let p;
  if (mode === 'webrtc') {
    p = new WebRtcPlayer({
      video,
      stats,
      onStatus,
      path: branchPath('/whep'),
      audio: true, // an audio section in the offer: the server answers it when it has sound
      onFailure: (reason, { definitive }) => {
        // refused outright before any picture: no use waiting for the watchdog
        if (p === player && definitive && autoFallback && !hasPicture()) giveUp(mode, `WebRTC failed: ${reason}`);
      },
    });
  } else if (mode === 'direct') {
    const Player = DIRECT_WORKER ? DirectWorkerPlayer : DirectPlayer;
    p = new Player({ canvas, stats, onStatus, path: branchPath('/ws/direct'), audio: audioPlayer });
  } else {
    p = new (MJPEG_WORKER ? MjpegWorkerPlayer : MjpegPlayer)({ img, stats, onStatus });
  }
  player = p;
  player.start();
  if (autoFallback && nextMode(mode)) {
    watchdog = setTimeout(() => {
      if (player !== p || hasPicture()) return;
      const detail = p.lastError ? ` (${p.lastError})` : '';
      giveUp(mode, `${MODE_LABELS[mode]} showed no picture within ${FALLBACK_MS / 1000} s${detail}`);
    }, FALLBACK_MS);
  }
  showNotice();
  overlay.render(mode, stats.values);
}

// A picture on screen, not merely decoded: WebRTC can decode frames that never reach the
// <video> (e.g. RTP on an SSRC the answer did not announce).
function hasPicture() {
  return stats.values.framesDrawn > 0;
}

function giveUp(mode, reason) {
  if (api.mode !== mode) return;
  const to = nextMode(mode);
  if (to) fallBack(mode, to, reason);
}

function showNotice() {
  const notice = $('#notice');
  const text = [notices.support, notices.fallback].filter(Boolean).join(' ');
  notice.textContent = text;
  notice.hidden = text === '';
}

function markUnsupported() {
  const lines = [];
  for (const mode of ['webrtc', 'direct']) {
    if (supported(mode)) continue;
    const why = whyUnsupported(mode);
    lines.push(`${MODE_LABELS[mode]} mode is unavailable: ${why}.`);
    const btn = document.querySelector(`[data-mode-button="${mode}"]`);
    if (btn) {
      btn.disabled = true;
      btn.title = why;
    }
  }
  if (lines.length > 0) notices.support = lines.join(' ');
}

function main() {
  markUnsupported();
  for (const btn of document.querySelectorAll('[data-mode-button]')) {
    btn.addEventListener('click', () => choose(btn.dataset.modeButton));
  }
  document.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLInputElement) return;
    if (e.key === 'w') choose('webrtc');
    else if (e.key === 'd') choose('direct');
    else if (e.key === 'm') choose('mjpeg');
    else if (e.key === 'o') $('#overlay').classList.toggle('collapsed');
  });
  resolveLipsync(params);
  setInterval(() => {
    stats.tick();
    // WebRTC's figure comes with its stats poll (webrtc_player.js); Direct's from the stamp,
    // with lip sync's hold of the picture as its target (picture_hold.js)
    if (api.mode === 'direct') {
      const hold = stats.values.pictureHold;
      stats.values.sync = { ...directOffset(api.audio, stats.values.latencySamples), lipsync: lipsync.on, targetMs: hold ? hold.holdMs : 0 };
    }
    overlay.render(api.mode, stats.values);
  }, 250);
  // leaving the page ends the WHEP session (DELETE with keepalive) and closes sockets;
  // coming back from the back/forward cache starts the mode again
  window.addEventListener('pagehide', () => {
    clearTimeout(watchdog);
    if (player) player.stop();
    player = null;
  });
  window.addEventListener('pageshow', (e) => {
    if (e.persisted && api.mode && !player) run(api.mode);
  });

  const fromUrl = params.get('mode');
  if (MODES.includes(fromUrl)) {
    choose(fromUrl);
    return;
  }
  const first = storedMode() ?? 'webrtc';
  if (supported(first)) run(first);
  else fallBack(first, nextMode(first), `${MODE_LABELS[first]} is unavailable: ${whyUnsupported(first)}`);
}

function clamp(x, lo, hi) {
  return Math.min(hi, Math.max(lo, x));
}

main();
