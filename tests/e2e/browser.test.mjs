// Headless Chromium plays the real page in Direct (WebCodecs) and MJPEG mode at 1280x720@60:
// frames are decoded and drawn, and the overlay shows a stamp latency. The medians are printed
// as diagnostics (the glass-to-glass numbers), never asserted beyond sanity.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startFramewire, tmpDir, waitFor } from './lib/framewire.mjs';
import { launchBrowser } from './lib/browser.mjs';

const W = Number(process.env.FW_E2E_WIDTH || 1280);
const H = Number(process.env.FW_E2E_HEIGHT || 720);
const FPS = Number(process.env.FW_E2E_FPS || 60);
const SAMPLE_MS = Number(process.env.FW_E2E_SAMPLE_MS || 5000);
let fw;
let browser;
let shots;

before(async () => {
  shots = process.env.FW_E2E_SHOTS || tmpDir('fw-shots-');
  fs.mkdirSync(shots, { recursive: true });
  fw = await startFramewire({ size: `${W}x${H}`, fps: FPS, bitrate: 4000, 'jpeg-fps': 30 });
  browser = await launchBrowser({ extraRules: ['MAP framewire.test 127.0.0.1'] });
});

after(async () => {
  if (browser) await browser.close();
  if (fw) await fw.stop();
});

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

async function play(t, mode, { counter }) {
  const page = await browser.context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  try {
    await page.goto(`${fw.base}/?mode=${mode}`);
    const hooks = await page.evaluate(() => ({ mode: window.framewire?.mode, direct: window.framewire?.directSupported }));
    assert.equal(hooks.mode, mode, `page runs mode ${hooks.mode} (direct supported: ${hooks.direct})\n${logs.join('\n')}`);
    await waitFor(() => page.evaluate((c) => window.framewire.stats[c] > 30, counter), {
      timeoutMs: 30000,
      what: `${counter} > 30 in ${mode} mode`,
    }).catch(async (e) => {
      const stats = await page.evaluate(() => JSON.stringify({ ...window.framewire.stats, latencySamples: undefined }));
      throw new Error(`${e.message}\nstats: ${stats}\nconsole:\n${logs.join('\n')}`);
    });
    // the overlay shows a number for the stamp latency
    const shown = await waitFor(
      async () => {
        const text = await page.textContent('#stat-latency');
        const ms = Number.parseFloat(text);
        return Number.isFinite(ms) ? ms : null;
      },
      { timeoutMs: 10000, what: 'a latency in #stat-latency' },
    );
    // a sanity bound for a misread stamp, not a timing check (a loaded machine showed seconds)
    assert.ok(shown >= 0 && shown < 30000, `overlay latency ${shown} ms`);
    assert.equal(await page.textContent('#stat-mode'), mode === 'direct' ? 'Direct' : 'MJPEG');
    const fps = Number.parseFloat(await page.textContent('#stat-fps'));
    assert.ok(fps > 0, `overlay fps ${fps}`);
    // collect samples for a while from a clean window
    const start = await page.evaluate(() => window.framewire.stats.latencySamples.length);
    await page.waitForTimeout(SAMPLE_MS);
    const s = await page.evaluate(() => {
      const v = window.framewire.stats;
      return { ...v, latencySamples: [...v.latencySamples] };
    });
    const samples = s.latencySamples.slice(start);
    assert.ok(samples.length > 10, `only ${samples.length} latency samples in ${SAMPLE_MS} ms`);
    for (const ms of samples) assert.ok(ms > -2 && ms < 5000, `latency sample ${ms} ms`);
    const file = path.join(shots, `${mode}.png`);
    await page.screenshot({ path: file });
    const sorted = [...samples].sort((a, b) => a - b);
    t.diagnostic(
      `${mode} ${W}x${H}@${FPS}: glass-to-glass median ${median(samples).toFixed(1)} ms ` +
        `(p10 ${sorted[Math.floor(sorted.length * 0.1)]}, p90 ${sorted[Math.floor(sorted.length * 0.9)]}, n=${samples.length}), ` +
        `overlay fps ${s.fps}, kbit/s ${s.kbps}, decoded ${s.framesDecoded}, drawn ${s.framesDrawn}, dropped ${s.framesDropped}, ` +
        `screenshot ${file}`,
    );
    return { samples, stats: s };
  } finally {
    await page.close();
  }
}

test('Direct mode: WebCodecs decodes, the overlay shows the stamp latency', async (t) => {
  const { stats } = await play(t, 'direct', { counter: 'framesDecoded' });
  assert.equal(stats.width, W);
  assert.equal(stats.height, H);
  assert.match(String(stats.codec), /^avc1\./);
  assert.ok(stats.kbps > 0, `kbit/s ${stats.kbps}`);
});

test('MJPEG mode: the stream is drawn, the overlay shows the stamp latency', async (t) => {
  const { stats } = await play(t, 'mjpeg', { counter: 'framesDrawn' });
  assert.equal(stats.width, W);
  assert.equal(stats.height, H);
});

test('the mode switch changes players and is remembered', async () => {
  const page = await browser.context.newPage();
  try {
    await page.goto(`${fw.base}/?mode=mjpeg`);
    await page.click('#mode-direct');
    await waitFor(() => page.evaluate(() => window.framewire.mode === 'direct' && window.framewire.stats.framesDecoded > 5), {
      timeoutMs: 20000,
      what: 'Direct frames after clicking Direct',
    });
    assert.match(page.url(), /mode=direct/);
    assert.equal(await page.evaluate(() => localStorage.getItem('framewire.mode')), 'direct');
    // without ?mode the remembered mode wins
    await page.goto(`${fw.base}/`);
    assert.equal(await page.evaluate(() => window.framewire.mode), 'direct');
    await page.click('#mode-mjpeg');
    await page.goto(`${fw.base}/`);
    assert.equal(await page.evaluate(() => window.framewire.mode), 'mjpeg');
  } finally {
    await page.close();
  }
});

test('without a secure context the page says so and plays MJPEG', async () => {
  const page = await browser.context.newPage();
  try {
    // same server, reached by a name that is not localhost: not a secure context
    await page.goto(`http://framewire.test:${fw.port}/?mode=direct`);
    assert.equal(await page.evaluate(() => window.isSecureContext), false);
    assert.equal(await page.evaluate(() => window.framewire.mode), 'mjpeg');
    assert.equal(await page.isVisible('#notice'), true);
    assert.match(await page.textContent('#notice'), /secure context/i);
    assert.equal(await page.isDisabled('#mode-direct'), true);
    await waitFor(() => page.evaluate(() => window.framewire.stats.framesDrawn > 5), {
      timeoutMs: 20000,
      what: 'MJPEG frames on the non-secure page',
    });
  } finally {
    await page.close();
  }
});

test('both players reconnect by themselves when the server comes back', async (t) => {
  // a server of its own, stopped and started again on the same port
  let own = await startFramewire({ size: '640x360', fps: 30 });
  const port = own.port;
  const pages = {};
  try {
    for (const mode of ['direct', 'mjpeg']) {
      pages[mode] = await browser.context.newPage();
      await pages[mode].goto(`${own.base}/?mode=${mode}`);
      await waitFor(() => pages[mode].evaluate(() => window.framewire.stats.framesDrawn > 10), {
        timeoutMs: 20000,
        what: `${mode} frames before the restart`,
      });
    }
    await own.stop();
    const drawnAt = {};
    for (const mode of Object.keys(pages)) {
      await waitFor(() => pages[mode].evaluate(() => window.framewire.stats.status !== 'playing'), {
        timeoutMs: 15000,
        what: `${mode} player to notice the server is gone`,
      });
      drawnAt[mode] = await pages[mode].evaluate(() => window.framewire.stats.framesDrawn);
    }
    own = await waitFor(() => startFramewire({ size: '640x360', fps: 30, port }).catch(() => null), {
      timeoutMs: 20000,
      intervalMs: 500,
      what: `framewire to listen again on port ${port}`,
    });
    for (const mode of Object.keys(pages)) {
      await waitFor(
        () => pages[mode].evaluate((n) => window.framewire.stats.framesDrawn > n + 10 && window.framewire.stats.status === 'playing', drawnAt[mode]),
        { timeoutMs: 30000, what: `${mode} frames after the restart` },
      );
      const s = await pages[mode].evaluate(() => window.framewire.stats);
      t.diagnostic(`${mode}: ${s.reconnects} reconnect attempt(s), playing again`);
      assert.ok(s.reconnects >= 1);
    }
  } finally {
    for (const p of Object.values(pages)) await p.close();
    await own.stop();
  }
});
