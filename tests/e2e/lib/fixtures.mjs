// Per-file set-up shared by the e2e files. Each fixture registers the file's before() and
// after() (node:test) and returns an object that its before() fills in; its after() ends what
// was started (processes by PID).

import { after, before } from 'node:test';
import { launchBrowser } from './browser.mjs';
import { startFramewire, waitFor } from './framewire.mjs';
import { startPulse, stopChild } from './pulse.mjs';
import { launchWebRtcBrowser } from './whep.mjs';

// One framewire (startFramewire(options)) and one headless Chromium for the file: { fw, browser }.
export function serverAndBrowser(options) {
  const env = { fw: null, browser: null };
  before(async () => {
    env.fw = await startFramewire(options);
    env.browser = await launchBrowser();
  });
  after(async () => {
    if (env.browser) await env.browser.close();
    if (env.fw) await env.fw.stop();
  });
  return env;
}

// A PulseAudio server with a null sink `sink` and a Chromium for WebRTC whose fake microphone (a
// beep) pages may use without asking: { browser, pulse, children, numbers }. children: the
// processes the file starts (PulseAudio's own too), ended by PID; numbers: figures printed
// under `title` after the file's tests.
export function pulseAndMicBrowser(sink, title) {
  const env = { browser: null, pulse: null, children: [], numbers: [] };
  before(async () => {
    env.browser = await launchWebRtcBrowser({
      extraArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
    });
    env.pulse = await startPulse(sink, env.children);
  });
  after(async () => {
    if (env.browser) await env.browser.close();
    for (const c of env.children) stopChild(c);
    if (env.pulse) env.pulse.stop();
    if (env.numbers.length) console.log(`${title}:\n  ${env.numbers.join('\n  ')}`);
  });
  return env;
}

// The app's page at `url` in a new tab of `browser` (init: a script run before the page's own),
// its console kept: { page, logs, stats, until }. stats(): window.framewire.stats, with
// latencySamples as their count; until(pred, what, timeoutMs): waits until pred(stats()),
// failing with the stats and the console's last lines.
export async function openPlayerPage(browser, url, { init = null } = {}) {
  const page = await browser.context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  try {
    if (init) await page.addInitScript(init);
    await page.goto(url);
  } catch (e) {
    await page.close();
    throw e;
  }
  const stats = () => page.evaluate(() => ({ ...window.framewire.stats, latencySamples: window.framewire.stats.latencySamples.length }));
  const until = (pred, what, timeoutMs = 30000) =>
    waitFor(async () => pred(await stats()), { timeoutMs, what }).catch(async (e) => {
      throw new Error(`${e.message}\nstats: ${JSON.stringify(await stats())}\nconsole:\n${logs.slice(-20).join('\n')}`);
    });
  return { page, logs, stats, until };
}

// The upper median (for printed figures; NaN for none).
export const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[s.length >> 1] : NaN;
};
