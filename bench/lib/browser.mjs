// Headless Chromium through playwright-core (Debian's /usr/bin/chromium, never a downloaded
// one), in a fresh profile removed afterwards. The bench page is served by routing
// /__bench/* at the origin of the server under test, so everything it opens is same-origin.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { benchDir, repoRoot } from './process.mjs';

const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

const files = {
  'bench.html': path.join(benchDir, 'page', 'bench.html'),
  'bench.js': path.join(benchDir, 'page', 'bench.js'),
  'recorder.js': path.join(benchDir, 'page', 'recorder.js'),
  'direct_client.js': path.join(benchDir, 'page', 'direct_client.js'),
  'direct_worker_client.js': path.join(benchDir, 'page', 'direct_worker_client.js'),
  'direct_worker.js': path.join(benchDir, 'page', 'direct_worker.js'),
  'mjpeg_client.js': path.join(benchDir, 'page', 'mjpeg_client.js'),
  'mjpeg_worker.js': path.join(benchDir, 'page', 'mjpeg_worker.js'),
  'mjpeg_parts.js': path.join(repoRoot, 'web', 'js', 'mjpeg_parts.js'), // the app's own part reader
  'webrtc_client.js': path.join(benchDir, 'page', 'webrtc_client.js'),
  'webrtc_load.js': path.join(benchDir, 'page', 'webrtc_load.js'),
  'stamp.js': path.join(repoRoot, 'web', 'js', 'stamp.js'), // the app's own stamp reader
  'audio_player.js': path.join(repoRoot, 'web', 'js', 'audio_player.js'), // the app's Direct sound player
  'chart.html': path.join(benchDir, 'page', 'chart.html'),
};

export async function launchBrowser() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      '--allow-loopback-in-peer-connection',
      // The routed bench page has no IP address of its own, so Chromium would treat it as a
      // public origin and block its WebSocket to 127.0.0.1 (Local Network Access).
      '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests',
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1',
    ],
  });
  await context.route('**/__bench/*', (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop();
    const file = files[name];
    if (!file || !fs.existsSync(file)) return route.fulfill({ status: 404, body: 'not a bench file' });
    const type = name.endsWith('.html') ? 'text/html' : 'text/javascript';
    return route.fulfill({ status: 200, contentType: type, body: fs.readFileSync(file) });
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// One session: a fresh page at the server's origin, one run, the page closed again.
export async function runSession(browser, base, { mode, seconds, path: p, jitterBufferTarget = null, pageBusyMs = 0, offerWaitMs = 0 }) {
  const page = await browser.context.newPage();
  try {
    await page.goto(`${base}/__bench/bench.html`);
    await page.waitForFunction(() => window.bench?.ready, null, { timeout: 10000 });
    // bounded: a page that never answers must not hold the whole run
    let timer;
    const limit = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`session did not end within ${seconds + 30} s`)), (seconds + 30) * 1000);
    });
    return await Promise.race([page.evaluate((opts) => window.bench.run(opts), { mode, seconds, path: p, jitterBufferTarget, pageBusyMs, offerWaitMs }), limit]).finally(() => clearTimeout(timer));
  } finally {
    await page.close().catch(() => {});
  }
}
