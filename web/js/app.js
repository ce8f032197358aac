// The page: picks a mode (URL ?mode=direct|mjpeg, then localStorage, then Direct where
// WebCodecs works), runs one player at a time and keeps the overlay current.
// Test hooks: window.framewire = { mode, stats, setMode(mode), directSupported, version }.

import { DirectPlayer, directSupported } from './direct_player.js';
import { MjpegPlayer } from './mjpeg_player.js';
import { Stats } from './stats.js';
import { StatsOverlay } from './stats_overlay.js';

const STORAGE_KEY = 'framewire.mode';
const MODES = ['direct', 'mjpeg'];

const $ = (sel) => document.querySelector(sel);

const stats = new Stats();
const overlay = new StatsOverlay($('#overlay'));
const canDirect = directSupported();
let player = null;

const api = {
  mode: null,
  stats: stats.values,
  directSupported: canDirect,
  setMode,
  version: 1,
};
window.framewire = api;

function initialMode() {
  const fromUrl = new URLSearchParams(location.search).get('mode');
  if (MODES.includes(fromUrl)) return fromUrl;
  let stored = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    /* storage may be blocked */
  }
  if (MODES.includes(stored)) return stored;
  return 'direct';
}

function setMode(mode) {
  if (!MODES.includes(mode)) return;
  if (mode === 'direct' && !canDirect) mode = 'mjpeg';
  if (player && api.mode === mode) return;
  if (player) player.stop();
  player = null;
  stats.reset();
  api.mode = mode;
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
  document.body.dataset.mode = mode;
  for (const btn of document.querySelectorAll('[data-mode-button]')) {
    btn.setAttribute('aria-pressed', String(btn.dataset.modeButton === mode));
  }
  const canvas = $('#video-canvas');
  const img = $('#video-img');
  canvas.hidden = mode !== 'direct';
  img.hidden = mode !== 'mjpeg';
  const onStatus = () => overlay.render(api.mode, stats.values);
  player =
    mode === 'direct'
      ? new DirectPlayer({ canvas, stats, onStatus })
      : new MjpegPlayer({ img, stats, onStatus });
  player.start();
  overlay.render(mode, stats.values);
}

function explainMissingDirect() {
  const notice = $('#notice');
  const why = !window.isSecureContext
    ? 'This page is not a secure context (use HTTPS, or open it as http://localhost or http://127.0.0.1), so the browser offers no WebCodecs.'
    : 'This browser has no WebCodecs VideoDecoder.';
  notice.textContent = `Direct mode is unavailable: ${why} Playing MJPEG instead.`;
  notice.hidden = false;
  const btn = document.querySelector('[data-mode-button="direct"]');
  if (btn) {
    btn.disabled = true;
    btn.title = why;
  }
}

function main() {
  if (!canDirect) explainMissingDirect();
  for (const btn of document.querySelectorAll('[data-mode-button]')) {
    btn.addEventListener('click', () => setMode(btn.dataset.modeButton));
  }
  document.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLInputElement) return;
    if (e.key === 'd') setMode('direct');
    else if (e.key === 'm') setMode('mjpeg');
    else if (e.key === 'o') $('#overlay').classList.toggle('collapsed');
  });
  setInterval(() => {
    stats.tick();
    overlay.render(api.mode, stats.values);
  }, 250);
  setMode(initialMode());
}

main();
