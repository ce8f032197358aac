// The Direct player off the main thread: in Chromium the page starts on the main thread and
// hands over to a worker (web/js/worker_player.js?kind=direct: WebSocket, VideoDecoder and an
// OffscreenCanvas) once the worker has drawn its first picture; the worker then decodes and
// draws, and the overlay still gets its numbers; ?worker=0 keeps the main-thread player, which
// plays too; a mode switch away and back starts a new worker on a fresh canvas. The stamp
// latency medians of both paths are printed, never asserted.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { median, openPlayerPage, serverAndBrowser } from './lib/fixtures.mjs';
import { startFramewire, waitFor } from './lib/framewire.mjs';

const W = 1280;
const H = 720;
const env = serverAndBrowser({ size: `${W}x${H}`, fps: 60, bitrate: 4000, 'jpeg-fps': 30 });
const openPage = (query) => openPlayerPage(env.browser, `${env.fw.base}/${query}`);

// The canvas was handed to a worker: the page cannot take a 2D context on it any more.
const canvasTransferred = (page) =>
  page.evaluate(() => {
    try {
      return document.getElementById('video-canvas').getContext('2d') === null;
    } catch {
      return true; // InvalidStateError: its control went to an OffscreenCanvas
    }
  });

const directWorkers = (page) => page.workers().filter((w) => /worker_player\.js\?kind=direct/.test(w.url()));

test('Direct decodes and draws in a worker in Chromium; the overlay gets its numbers', async (t) => {
  const { page, stats, until } = await openPage('?mode=direct');
  try {
    assert.equal(await page.evaluate(() => window.framewire.directWorker), true, 'the page offers the worker path');
    await until((s) => s.decodeThread === 'worker', 'the hand-over to the worker');
    const atHandOver = await stats();
    await until((s) => s.framesDrawn > atHandOver.framesDrawn + 60 && s.latencySamples > atHandOver.latencySamples + 20, '60 frames drawn by the worker and 20 stamp samples');
    const s = await stats();
    assert.equal(s.decodeThread, 'worker');
    assert.equal(s.status, 'playing');
    assert.equal(s.width, W);
    assert.equal(s.height, H);
    assert.match(String(s.codec), /^avc1\./);
    assert.ok(s.framesDecoded >= s.framesDrawn, `decoded ${s.framesDecoded}, drawn ${s.framesDrawn}`);
    assert.ok(s.bytesReceived > 0 && s.framesReceived > 0);
    assert.ok(Number.isFinite(s.decodeMs) && s.decodeMs >= 0, `decode ms ${s.decodeMs}`);
    assert.ok(Number.isFinite(s.firstFrameMs) && s.firstFrameMs >= 0, `first frame ${s.firstFrameMs} ms`);
    assert.ok(await canvasTransferred(page), 'the page canvas still has its own 2D context: no OffscreenCanvas');
    assert.equal(directWorkers(page).length, 1, `workers: ${page.workers().map((w) => w.url())}`);
    assert.equal(await page.evaluate(() => document.querySelectorAll('.stage canvas').length), 1, 'the main thread\'s canvas is gone');
    // the overlay shows what the worker posts
    const fps = await waitFor(async () => {
      const v = Number.parseFloat(await page.textContent('#stat-fps'));
      return v > 0 ? v : null;
    }, { timeoutMs: 10000, what: 'fps in the overlay' });
    assert.match(await page.textContent('#stat-size'), /1280\D720/);
    await waitFor(async () => Number.isFinite(Number.parseFloat(await page.textContent('#stat-rtt'))), { timeoutMs: 10000, what: 'rtt (ping/pong in the worker)' });
    const samples = await page.evaluate(() => window.framewire.stats.latencySamples.slice(-120));
    for (const ms of samples) assert.ok(ms > -2 && ms < 5000, `latency sample ${ms} ms`);
    t.diagnostic(`worker: stamp latency median ${median(samples)} ms (n=${samples.length}), overlay fps ${fps}, socket→decoded ${s.decodeMs} ms, first frame ${s.firstFrameMs} ms (main thread), worker after ${atHandOver.framesDrawn} frames, dropped ${s.framesDropped}`);
  } finally {
    await page.close();
  }
});

test('?worker=0: the main-thread player still plays', async (t) => {
  const { page, stats, until } = await openPage('?mode=direct&worker=0');
  try {
    assert.equal(await page.evaluate(() => window.framewire.directWorker), false);
    await until((s) => s.framesDrawn > 60 && s.latencySamples > 20, '60 frames drawn on the main thread');
    const s = await stats();
    assert.equal(s.decodeThread, 'main');
    assert.equal(s.width, W);
    assert.equal(directWorkers(page).length, 0, 'no Direct worker with ?worker=0');
    assert.equal(await canvasTransferred(page), false, 'the canvas stays the page\'s');
    const samples = await page.evaluate(() => window.framewire.stats.latencySamples.slice(-120));
    assert.ok(Number.isFinite(s.firstFrameMs) && s.firstFrameMs >= 0, `first frame ${s.firstFrameMs} ms`);
    t.diagnostic(`main thread: stamp latency median ${median(samples)} ms (n=${samples.length}), socket→decoded ${s.decodeMs} ms, first frame ${s.firstFrameMs} ms`);
  } finally {
    await page.close();
  }
});

test('max-viewers-direct 1: the worker\'s socket is refused, the main-thread player plays on', async (t) => {
  const own = await startFramewire({ size: '640x360', fps: 30, 'max-viewers-direct': 1 });
  t.after(() => own.stop());
  const { page, logs, stats, until } = await openPlayerPage(env.browser, `${own.base}/?mode=direct`);
  try {
    await until((s) => s.framesDrawn > 30, 'frames on the main thread');
    await waitFor(() => directWorkers(page).length === 0, { timeoutMs: 20000, what: 'the refused worker to end' }).catch((e) => {
      throw new Error(`${e.message}\n${logs.slice(-10).join('\n')}`);
    });
    const s = await stats();
    assert.equal(s.decodeThread, 'main');
    assert.equal(s.status, 'playing');
    const drawn = s.framesDrawn;
    await page.waitForTimeout(1500);
    assert.ok((await stats()).framesDrawn > drawn, 'the main-thread player goes on drawing');
    t.diagnostic(logs.filter((l) => /main thread/.test(l)).join(' | '));
  } finally {
    await page.close();
  }
});

test('Direct → MJPEG → Direct: a new worker on a fresh canvas, the old one gone', async () => {
  const { page, stats, until } = await openPage('?mode=direct');
  try {
    await until((s) => s.framesDrawn > 10, 'first Direct frames');
    await page.click('#mode-mjpeg');
    // codec: only Direct sets it (the MJPEG player may hand over to its own worker: decodeThread)
    await until((s) => s.framesDrawn > 5 && s.codec === null, 'MJPEG frames after the switch');
    await waitFor(() => directWorkers(page).length === 0, { timeoutMs: 10000, what: 'the Direct worker to end' });
    assert.equal(await page.isHidden('#video-canvas'), true);
    await page.click('#mode-direct');
    await until((s) => s.framesDrawn > 10 && s.decodeThread === 'worker', 'Direct frames again, from a worker');
    assert.equal(directWorkers(page).length, 1);
    assert.equal(await page.isVisible('#video-canvas'), true);
    assert.equal(await page.evaluate(() => document.querySelectorAll('#video-canvas').length), 1, 'one canvas in the page');
    assert.equal((await stats()).status, 'playing');
  } finally {
    await page.close();
  }
});
