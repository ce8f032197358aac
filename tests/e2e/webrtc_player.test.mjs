// Headless Chromium plays the real page in WebRTC mode (WHEP) at 1280x720@60: H.264 frames are
// decoded, the overlay shows the stamp latency and the receiver's numbers, leaving the page
// ends the session, and a page that cannot get WebRTC falls back to Direct and says why.
// Measured numbers (WebRTC stamp latency median/p95, POST → first frame, jitter buffer,
// decode time, and Direct/MJPEG medians beside them) are printed, never asserted beyond sanity.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getJson, startFramewire, waitFor } from './lib/framewire.mjs';
import { launchWebRtcBrowser, h264Branches, median, percentile, webrtcPeers } from './lib/whep.mjs';

const W = Number(process.env.FW_E2E_WIDTH || 1280);
const H = Number(process.env.FW_E2E_HEIGHT || 720);
const FPS = Number(process.env.FW_E2E_FPS || 60);
const SAMPLE_MS = Number(process.env.FW_E2E_SAMPLE_MS || 5000);
const WINDOW_MS = 5000; // the issue's "≥ 100 frames in 5 s"
let fw;
let browser;
const numbers = {};

before(async () => {
  fw = await startFramewire({ size: `${W}x${H}`, fps: FPS, bitrate: 4000, 'jpeg-fps': 30 });
  browser = await launchWebRtcBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (fw) await fw.stop();
  const f = (x) => (Number.isFinite(x) ? x.toFixed(1) : String(x));
  const lines = Object.entries(numbers).map(
    ([mode, n]) => `  ${mode.padEnd(7)} median ${f(n.median)} ms, p95 ${f(n.p95)} ms (n=${n.n})${n.extra ? `, ${n.extra}` : ''}`,
  );
  if (lines.length) console.log(`glass-to-glass stamp latency in Chromium at ${W}x${H}@${FPS}:\n${lines.join('\n')}`);
});

async function openPage(url, { route } = {}) {
  const page = await browser.context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  if (route) await page.route('**/whep*', route);
  await page.goto(url);
  return { page, logs };
}

const snapshot = (page) =>
  page.evaluate(() => {
    const v = window.framewire.stats;
    return { ...v, latencySamples: [...v.latencySamples], mode: window.framewire.mode, fallbackReason: window.framewire.fallbackReason };
  });

function explain(e, s, logs) {
  const { latencySamples, ...rest } = s ?? {};
  return new Error(`${e.message}\nstats: ${JSON.stringify(rest)}\nconsole:\n${logs.slice(-30).join('\n')}`);
}

async function samplesFor(page, ms) {
  const start = await page.evaluate(() => window.framewire.stats.latencySamples.length);
  await page.waitForTimeout(ms);
  const s = await snapshot(page);
  return { s, samples: s.latencySamples.slice(start) };
}

test('WebRTC mode decodes H.264 at 720p60 and shows the stamp latency and receiver stats', async (t) => {
  const { page, logs } = await openPage(`${fw.base}/?mode=webrtc`);
  try {
    let s = await snapshot(page);
    assert.equal(s.mode, 'webrtc', `page runs mode ${s.mode}`);
    // shown, not only decoded (getStats counts frames that never reach the <video> too)
    await waitFor(() => page.evaluate(() => window.framewire.stats.framesDecoded > 0 && window.framewire.stats.framesDrawn > 0), {
      timeoutMs: 20000,
      what: 'a first WebRTC frame decoded and shown',
    }).catch(async (e) => {
      throw explain(e, await snapshot(page), logs);
    });
    const first = await snapshot(page);
    const t0 = Date.now();
    await page.waitForTimeout(WINDOW_MS);
    s = await snapshot(page);
    const elapsed = Date.now() - t0;
    const decoded = s.framesDecoded - first.framesDecoded;
    const drawn = s.framesDrawn - first.framesDrawn;
    t.diagnostic(`decoded ${decoded} frames in ${elapsed} ms after the first (getStats framesDecoded ${first.framesDecoded} → ${s.framesDecoded}), shown ${drawn}, dropped ${s.framesDropped}`);
    assert.ok(decoded >= 100, `only ${decoded} frames decoded in the ${WINDOW_MS} ms after the first one\n${JSON.stringify({ ...s, latencySamples: undefined })}`);
    assert.ok(drawn >= 50, `only ${drawn} frames shown by the <video> in ${WINDOW_MS} ms (decoded ${decoded})`);
    assert.equal(s.mode, 'webrtc', `fell back: ${s.fallbackReason}`);
    assert.equal(s.fallbackReason, null);
    assert.match(String(s.codec), /H264/i);
    assert.equal(s.width, W);
    assert.equal(s.height, H);

    // the overlay: mode, a stamp latency, jitter buffer and decode time
    assert.equal(await page.textContent('#stat-mode'), 'WebRTC');
    const shown = await waitFor(
      async () => {
        const ms = Number.parseFloat(await page.textContent('#stat-latency'));
        return Number.isFinite(ms) ? ms : null;
      },
      { timeoutMs: 10000, what: 'a latency in #stat-latency' },
    );
    // a sanity bound for a misread stamp, not a timing check: one run at load 15 showed 5 s
    assert.ok(shown >= 0 && shown <= 30000, `overlay latency ${shown} ms`);
    for (const id of ['#stat-fps', '#stat-kbps', '#stat-jitter', '#stat-decode']) {
      const text = await page.textContent(id);
      assert.ok(Number.isFinite(Number.parseFloat(text)), `${id} shows ${text}`);
      assert.equal(await page.isVisible(id), true, `${id} visible`);
    }

    // the server sees one WebRTC peer on the shared H.264 branch
    const state = (await getJson(`${fw.base}/api/state`)).json;
    const peers = webrtcPeers(state);
    assert.equal(peers.length, 1, `peers in /api/state: ${JSON.stringify(state?.webrtc)}`);
    assert.equal(h264Branches(state).length, 1);

    const { s: end, samples } = await samplesFor(page, SAMPLE_MS);
    assert.ok(samples.length > 10, `only ${samples.length} latency samples in ${SAMPLE_MS} ms`);
    for (const ms of samples) assert.ok(ms > -2 && ms < 5000, `latency sample ${ms} ms`);
    numbers.webrtc = {
      median: median(samples),
      p95: percentile(samples, 95),
      n: samples.length,
      extra: `POST→answer ${end.answerMs} ms, →connected ${end.connectMs} ms, →first frame shown ${end.firstFrameMs} ms, jitter buffer ${end.jitterBufferMs} ms/frame, decode ${end.decodeMs} ms/frame, fps ${end.fps}, ${end.kbps} kbit/s, lost ${end.packetsLost}, NACK ${end.nacks}, PLI ${end.plis}, rtt ${end.rttMs} ms`,
    };
    t.diagnostic(`WebRTC ${W}x${H}@${FPS}: stamp latency median ${median(samples)} ms, p95 ${percentile(samples, 95)} ms (n=${samples.length}); ${numbers.webrtc.extra}`);
    t.diagnostic(`server peer: ${JSON.stringify(webrtcPeers((await getJson(`${fw.base}/api/state`)).json)[0])}`);
  } finally {
    await page.close();
  }
});

test('closing the page ends its WHEP session (DELETE on pagehide)', async () => {
  const { page, logs } = await openPage(`${fw.base}/?mode=webrtc`);
  await waitFor(() => page.evaluate(() => window.framewire.stats.framesDrawn > 0), { timeoutMs: 20000, what: 'WebRTC frames' }).catch(
    async (e) => {
      throw explain(e, await snapshot(page), logs);
    },
  );
  await waitFor(async () => webrtcPeers((await getJson(`${fw.base}/api/state`)).json).length === 1, { timeoutMs: 5000, what: 'one peer' });
  await page.close({ runBeforeUnload: true });
  // well before any disconnect/RTCP timeout (10 s and more by default): it was the DELETE
  const t0 = Date.now();
  await waitFor(async () => webrtcPeers((await getJson(`${fw.base}/api/state`)).json).length === 0, {
    timeoutMs: 5000,
    what: 'no peer after the page closed',
  });
  console.log(`# peer gone ${Date.now() - t0} ms after the page closed`);
});

test('without ?mode the page starts in WebRTC', async () => {
  const page = await browser.context.newPage();
  try {
    await page.goto(`${fw.base}/?mode=webrtc`); // same origin, to reach its storage
    await page.evaluate(() => localStorage.removeItem('framewire.mode'));
    await page.goto(`${fw.base}/`);
    assert.equal(await page.evaluate(() => window.framewire.mode), 'webrtc');
    assert.equal(await page.evaluate(() => window.framewire.explicit), false);
    assert.equal(await page.getAttribute('#mode-webrtc', 'aria-pressed'), 'true');
    await waitFor(() => page.evaluate(() => window.framewire.stats.framesDrawn > 10 || window.framewire.mode !== 'webrtc'), {
      timeoutMs: 20000,
      what: 'WebRTC frames',
    });
    const s = await snapshot(page);
    assert.equal(s.mode, 'webrtc', `fell back: ${s.fallbackReason}`);
  } finally {
    await page.close();
  }
});

test('WebRTC refused (503): the page falls back to Direct and says why', async (t) => {
  let posts = 0;
  const route = (r) => {
    if (r.request().method() !== 'POST') return r.continue();
    posts++;
    return r.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"too many peers (test)"}' });
  };
  const page = await browser.context.newPage();
  try {
    await page.goto(`${fw.base}/?mode=mjpeg`);
    await page.evaluate(() => localStorage.removeItem('framewire.mode'));
    await page.route('**/whep*', route);
    await page.goto(`${fw.base}/`);
    await waitFor(() => page.evaluate(() => window.framewire.mode === 'direct' && window.framewire.stats.framesDecoded > 10), {
      timeoutMs: 20000,
      what: 'Direct frames after the fallback',
    });
    const reason = await page.evaluate(() => window.framewire.fallbackReason);
    assert.match(reason, /503/);
    assert.match(reason, /too many peers/);
    assert.equal(await page.isVisible('#notice'), true);
    const notice = await page.textContent('#notice');
    assert.match(notice, /Direct/);
    assert.match(notice, /WebRTC/);
    assert.equal(await page.textContent('#stat-mode'), 'Direct');
    assert.ok(posts >= 1);
    // a fallback is not remembered: the next visit tries WebRTC again
    assert.equal(await page.evaluate(() => localStorage.getItem('framewire.mode')), null);
    t.diagnostic(`fallback reason: ${reason}; notice: ${notice}`);
  } finally {
    await page.close();
  }
});

test('WebRTC with no picture (media blocked): the page falls back to Direct after the wait', async (t) => {
  // the answer arrives but names an address nobody listens on: ICE never connects
  const route = async (r) => {
    if (r.request().method() !== 'POST') return r.continue();
    const res = await r.fetch();
    let sdp = await res.text();
    if (res.status() === 201) {
      sdp = sdp
        .split('\r\n')
        .filter((l) => !l.startsWith('a=candidate') || /127\.0\.0\.1/.test(l))
        .map((l) => (l.startsWith('a=candidate') ? l.replace(/ (\d+) typ host/, ' 9 typ host') : l))
        .join('\r\n');
    }
    return r.fulfill({ response: res, body: sdp });
  };
  const page = await browser.context.newPage();
  try {
    await page.route('**/whep*', route);
    const t0 = Date.now();
    await page.goto(`${fw.base}/?fallbackMs=3000`);
    await waitFor(() => page.evaluate(() => window.framewire.mode === 'direct' && window.framewire.stats.framesDecoded > 5), {
      timeoutMs: 25000,
      what: 'Direct frames after the fallback',
    });
    const reason = await page.evaluate(() => window.framewire.fallbackReason);
    assert.match(reason, /no picture within 3 s/);
    t.diagnostic(`fell back after ${Date.now() - t0} ms: ${reason}`);
  } finally {
    await page.close();
  }
  // every WHEP session of this file ends: by its page's DELETE; for a page that went away while
  // its offer was being answered (the test before this one navigates at once), by the server
  // noticing the client left; and for a page that went away between the answer's arrival and
  // its script reading it (it never learnt the resource to DELETE), by webrtc-connect-timeout
  // (20 s), which the wait covers. How they ended is printed.
  try {
    await waitFor(async () => webrtcPeers((await getJson(`${fw.base}/api/state`)).json).length === 0, {
      timeoutMs: 25000,
      what: 'no WebRTC peer left',
    });
    const ends = fw.log().split('\n').filter((l) => /webrtc \w+: (removed|never connected|the client left)/.test(l));
    t.diagnostic(`how the sessions ended: ${ends.map((l) => l.replace(/^.*webrtc /, '')).join('; ')}`);
  } catch (e) {
    const lines = fw.log().split('\n').filter((l) => /webrtc|whep/i.test(l));
    t.diagnostic(`server log (webrtc lines):\n${lines.slice(-40).join('\n')}`);
    throw e;
  }
});

test('an explicit ?mode=webrtc is kept when refused: no fallback, retries with backoff', async () => {
  let posts = 0;
  const route = (r) => {
    if (r.request().method() !== 'POST') return r.continue();
    posts++;
    return r.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"too many peers (test)"}' });
  };
  const { page } = await openPage(`${fw.base}/?mode=webrtc&fallbackMs=1000`, { route });
  try {
    await waitFor(() => posts >= 3, { timeoutMs: 15000, what: 'three POST attempts' });
    const s = await snapshot(page);
    assert.equal(s.mode, 'webrtc');
    assert.equal(s.fallbackReason, null);
    assert.match(String(s.lastError), /503/);
    assert.ok(s.reconnects >= 2, `reconnects ${s.reconnects}`);
    assert.match(await page.textContent('#stat-status'), /failed|connecting/);
    // the route is lifted: the player gets in by itself
    await page.unroute('**/whep*');
    await waitFor(() => page.evaluate(() => window.framewire.stats.framesDrawn > 5 && window.framewire.stats.status === 'playing'), {
      timeoutMs: 20000,
      what: 'WebRTC frames once the server accepts',
    });
  } finally {
    await page.close();
  }
});

for (const [mode, counter] of [
  ['direct', 'framesDecoded'],
  ['mjpeg', 'framesDrawn'],
]) {
  test(`for comparison: ${mode} stamp latency on the same server`, async (t) => {
    const { page, logs } = await openPage(`${fw.base}/?mode=${mode}`);
    try {
      await waitFor(() => page.evaluate((c) => window.framewire.stats[c] > 30, counter), { timeoutMs: 20000, what: `${mode} frames` }).catch(
        async (e) => {
          throw explain(e, await snapshot(page), logs);
        },
      );
      const { s, samples } = await samplesFor(page, SAMPLE_MS);
      assert.ok(samples.length > 10, `only ${samples.length} latency samples`);
      numbers[mode] = { median: median(samples), p95: percentile(samples, 95), n: samples.length, extra: `fps ${s.fps}, ${s.kbps} kbit/s` };
      t.diagnostic(`${mode}: median ${median(samples)} ms, p95 ${percentile(samples, 95)} ms (n=${samples.length})`);
    } finally {
      await page.close();
    }
  });
}
