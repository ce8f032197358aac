// The MJPEG player off the main thread (?mjpegworker=1; the <img> is the default): in Chromium
// the page starts with its <img> and hands
// over to a worker (web/js/worker_player.js?kind=mjpeg: fetch, ImageDecoder, an OffscreenCanvas) once the
// worker has drawn its first picture; the worker then decodes and draws, and the overlay still
// gets its numbers. The <img> keeps playing by default and where the worker cannot: a page without
// ImageDecoder, and a worker whose stream the server refuses (max-viewers-mjpeg 1). A switch
// to Direct and back starts a new worker on a new canvas. Stamp latency medians are printed,
// never asserted.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { median, openPlayerPage, serverAndBrowser } from './lib/fixtures.mjs';
import { startFramewire, waitFor } from './lib/framewire.mjs';

const W = 1280;
const H = 720;
const env = serverAndBrowser({ size: `${W}x${H}`, fps: 60, bitrate: 4000, 'jpeg-fps': 60 });
const openPage = (base, query, options) => openPlayerPage(env.browser, `${base}/${query}`, options);

const mjpegWorkers = (page) => page.workers().filter((w) => /worker_player\.js\?kind=mjpeg/.test(w.url()));
const visible = (page, sel) => page.evaluate((s) => {
  const el = document.querySelector(s);
  return !!el && !el.hidden && el.getBoundingClientRect().width > 0;
}, sel);

test('MJPEG decodes and draws in a worker in Chromium; the overlay gets its numbers', async (t) => {
  const { page, stats, until } = await openPage(env.fw.base, '?mode=mjpeg&mjpegworker=1');
  try {
    assert.equal(await page.evaluate(() => window.framewire.mjpegWorker), true, 'the page offers the worker path');
    await until((s) => s.decodeThread === 'worker', 'the hand-over to the worker');
    const atHandOver = await stats();
    await until((s) => s.framesDrawn > atHandOver.framesDrawn + 60 && s.latencySamples > atHandOver.latencySamples + 20, '60 pictures drawn by the worker and 20 stamp samples');
    const s = await stats();
    assert.equal(s.status, 'playing');
    assert.equal(s.width, W);
    assert.equal(s.height, H);
    assert.ok(s.framesDecoded >= s.framesDrawn - atHandOver.framesDrawn, `decoded ${s.framesDecoded}, drawn ${s.framesDrawn}`);
    assert.ok(s.bytesReceived > 0 && s.framesReceived > 0, 'the worker counts what it receives');
    assert.ok(Number.isFinite(s.decodeMs) && s.decodeMs >= 0, `part → decoded ${s.decodeMs} ms`);
    assert.equal(mjpegWorkers(page).length, 1, `workers: ${page.workers().map((w) => w.url())}`);
    assert.equal(await visible(page, '#video-mjpeg-canvas'), true, 'the worker\'s canvas is shown');
    assert.equal(await visible(page, '#video-img'), false, 'the <img> is hidden');
    assert.equal(await page.evaluate(() => document.getElementById('video-img').getAttribute('src')), 'data:,', 'the <img> closed its stream');
    const fps = await waitFor(async () => {
      const v = Number.parseFloat(await page.textContent('#stat-fps'));
      return v > 0 ? v : null;
    }, { timeoutMs: 10000, what: 'fps in the overlay' });
    assert.match(await page.textContent('#stat-size'), /1280\D720/);
    const kbps = await waitFor(async () => {
      const v = Number.parseFloat(await page.textContent('#stat-kbps'));
      return v > 0 ? v : null;
    }, { timeoutMs: 10000, what: 'kbit/s in the overlay' });
    const samples = await page.evaluate(() => window.framewire.stats.latencySamples.slice(-120));
    for (const ms of samples) assert.ok(ms > -2 && ms < 5000, `latency sample ${ms} ms`);
    t.diagnostic(`worker: stamp latency median ${median(samples)} ms (n=${samples.length}), overlay fps ${fps}, kbit/s ${kbps}, part→decoded ${s.decodeMs} ms, <img> drew ${atHandOver.framesDrawn} before the hand-over, dropped ${s.framesDropped}`);
  } finally {
    await page.close();
  }
});

test('by default the <img> player plays, no worker', async (t) => {
  const { page, stats, until } = await openPage(env.fw.base, '?mode=mjpeg');
  try {
    assert.equal(await page.evaluate(() => window.framewire.mjpegWorker), false);
    await until((s) => s.framesDrawn > 30 && s.latencySamples > 10, '30 pictures through the <img>');
    const s = await stats();
    assert.equal(s.decodeThread, null);
    assert.equal(s.width, W);
    assert.equal(mjpegWorkers(page).length, 0);
    assert.equal(await visible(page, '#video-img'), true);
    assert.equal(await page.evaluate(() => document.getElementById('video-mjpeg-canvas')), null);
    const samples = await page.evaluate(() => window.framewire.stats.latencySamples.slice(-120));
    t.diagnostic(`<img>: stamp latency median ${median(samples)} ms (n=${samples.length})`);
  } finally {
    await page.close();
  }
});

test('a browser without ImageDecoder plays MJPEG through the <img>', async () => {
  const { page, stats, until } = await openPage(env.fw.base, '?mode=mjpeg&mjpegworker=1', { init: () => delete window.ImageDecoder });
  try {
    assert.equal(await page.evaluate(() => typeof window.ImageDecoder), 'undefined');
    assert.equal(await page.evaluate(() => window.framewire.mjpegWorker), false);
    await until((s) => s.framesDrawn > 30, '30 pictures through the <img>');
    assert.equal((await stats()).decodeThread, null);
    assert.equal(mjpegWorkers(page).length, 0);
    assert.equal(await visible(page, '#video-img'), true);
  } finally {
    await page.close();
  }
});

test('max-viewers-mjpeg 1: the worker\'s stream is refused, the <img> plays on', async (t) => {
  const own = await startFramewire({ size: '640x360', fps: 30, 'max-viewers-mjpeg': 1 });
  const { page, logs, stats, until } = await openPage(own.base, '?mode=mjpeg&mjpegworker=1');
  try {
    await until((s) => s.framesDrawn > 30, '30 pictures through the <img>');
    await waitFor(() => mjpegWorkers(page).length === 0, { timeoutMs: 20000, what: 'the refused worker to end' }).catch((e) => {
      throw new Error(`${e.message}\n${logs.slice(-10).join('\n')}`);
    });
    const s = await stats();
    assert.equal(s.decodeThread, null);
    assert.equal(s.status, 'playing');
    assert.equal(await page.evaluate(() => document.getElementById('video-mjpeg-canvas')), null, 'the worker\'s canvas is gone');
    const drawn = s.framesDrawn;
    await page.waitForTimeout(1500);
    assert.ok((await stats()).framesDrawn > drawn, 'the <img> player goes on');
    t.diagnostic(logs.filter((l) => /MJPEG plays/.test(l)).join(' | '));
  } finally {
    await page.close();
    await own.stop();
  }
});

test('MJPEG → Direct → MJPEG: a new worker on a new canvas, the old one gone', async () => {
  const { page, until } = await openPage(env.fw.base, '?mode=mjpeg&mjpegworker=1');
  try {
    await until((s) => s.decodeThread === 'worker' && s.framesDrawn > 10, 'the MJPEG worker draws');
    await page.click('#mode-direct');
    await until((s) => s.framesDrawn > 5 && s.codec !== null, 'Direct frames after the switch');
    await waitFor(() => mjpegWorkers(page).length === 0, { timeoutMs: 10000, what: 'the MJPEG worker to end' });
    assert.equal(await page.evaluate(() => document.getElementById('video-mjpeg-canvas')), null);
    await page.click('#mode-mjpeg');
    await until((s) => s.decodeThread === 'worker' && s.framesDrawn > 10, 'MJPEG pictures again, from a worker');
    assert.equal(mjpegWorkers(page).length, 1);
    assert.equal(await page.evaluate(() => document.querySelectorAll('#video-mjpeg-canvas').length), 1, 'one MJPEG canvas in the page');
    assert.equal(await visible(page, '#video-mjpeg-canvas'), true);
  } finally {
    await page.close();
  }
});
