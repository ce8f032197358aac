// Branches of every browser codec from one capture, decoded by headless Chromium over Direct
// (WebCodecs configured from the hello's codec string): H.264, VP8, VP9 and AV1, an H.264 and a
// VP8 viewer at once, and each branch encodes only while it has viewers.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getJson, waitFor } from './lib/framewire.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { startWithConfig } from './lib/branches.mjs';

const YAML = `size: 640x360
fps: 30
branches:
  - id: hq
    codec: h264
    bitrate: 1500
  - id: vp8
    codec: vp8
    bitrate: 800
  - id: vp9
    codec: vp9
    width: width / 2
    height: height / 2
    bitrate: 400
  - id: av1
    codec: av1
    width: width / 2
    height: height / 2
    fps: min(fps, 15)
    bitrate: 300
`;

let fw;
let browser;

before(async () => {
  fw = await startWithConfig(YAML);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (fw) await fw.stop();
});

async function openDirect(branch) {
  const page = await browser.context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  await page.goto(`${fw.base}/?mode=direct&branch=${branch}`);
  const stats = () =>
    page.evaluate(() => ({
      mode: window.framewire.mode,
      codec: window.framewire.stats.codec,
      decoded: window.framewire.stats.framesDecoded,
      drawn: window.framewire.stats.framesDrawn,
      status: window.framewire.stats.status,
    }));
  const decodes = async (n, what) => {
    await waitFor(async () => (await stats()).drawn > n, { timeoutMs: 30000, what }).catch(async (e) => {
      throw new Error(`${e.message}\nstats: ${JSON.stringify(await stats())}\n${logs.slice(-20).join('\n')}`);
    });
    return stats();
  };
  return { page, stats, decodes };
}

const branchState = async (id) => (await getJson(`${fw.base}/api/state`)).json.branches.find((b) => b.id === id);

test('an H.264 and a VP8 viewer share one server and one capture, each decoding its branch', async (t) => {
  const h264 = await openDirect('hq');
  const vp8 = await openDirect('vp8');
  try {
    const a = await h264.decodes(20, 'H.264 frames drawn');
    const b = await vp8.decodes(20, 'VP8 frames drawn');
    assert.equal(a.mode, 'direct');
    assert.match(a.codec, /^avc1\./);
    assert.equal(b.codec, 'vp8');
    const state = (await getJson(`${fw.base}/api/state`)).json;
    const byId = Object.fromEntries(state.branches.map((x) => [x.id, x]));
    t.diagnostic(`encoders: ${state.branches.map((x) => `${x.id}=${x.encoder}`).join(', ')}`);
    assert.equal(byId.hq.encoding, true);
    assert.equal(byId.vp8.encoding, true);
    assert.equal(byId.vp9.encoding, false, 'vp9 encodes with nobody watching');
    assert.equal(byId.av1.encoding, false, 'av1 encodes with nobody watching');
    assert.equal(state.source.restarts, 0, 'the capture restarted');
    assert.equal(byId.hq.default, true);
    // one capture: frames captured per second is the source's rate, not one per branch
    const c0 = state.source.frames_captured;
    await new Promise((r) => setTimeout(r, 2000));
    const c1 = (await getJson(`${fw.base}/api/state`)).json.source.frames_captured;
    t.diagnostic(`capture ran at ${((c1 - c0) / 2).toFixed(1)} fps with two branches encoding`);
    assert.ok((c1 - c0) / 2 < 45, 'more frames captured than the source rate: capture runs twice?');
  } finally {
    await h264.page.close();
    await vp8.page.close();
  }
});

for (const [branch, codec, size] of [
  ['vp9', /^vp09\.00\.\d\d\.08$/, '320x180'],
  ['av1', /^av01\.0\.\d\dM\.08$/, '320x180'],
]) {
  test(`a ${branch} branch decodes in Chromium over Direct`, async (t) => {
    const viewer = await openDirect(branch);
    try {
      const s = await viewer.decodes(15, `${branch} frames drawn`);
      assert.match(s.codec, codec);
      const state = await branchState(branch);
      t.diagnostic(`${branch}: codec ${s.codec}, encoder ${state.encoder}, ${state.fps} fps, ${state.kbps} kbit/s, encode p50 ${state.latency_us.encode.p50} µs`);
      assert.equal(`${state.settings.width}x${state.settings.height}`, size);
      assert.equal(state.encoding, true);
    } finally {
      await viewer.page.close();
    }
  });
}
