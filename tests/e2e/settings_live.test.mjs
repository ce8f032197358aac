// Live settings with three viewers (WebRTC in Chromium, Direct and MJPEG as node clients) on
// one H.264 branch of a `branches:` config: a bitrate change 4000 → 1000 kbit/s goes to the
// running encoder and the measured rate follows, an fps / size / GOP change rebuilds the branch
// behind its bus, and in both cases nobody disconnects. Rates and times are printed.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getJson, sleep, waitFor } from './lib/framewire.mjs';
import { directMeter, postSettings, startWithConfig } from './lib/branches.mjs';
import { mjpegReader } from './lib/sources.mjs';
import { launchWebRtcBrowser, webrtcPeers } from './lib/whep.mjs';
import { RecordingSocket } from './lib/ws_client.mjs';

const YAML = `size: 1280x720
fps: 30
jpeg-fps: 10
branches:
  - id: hq
    codec: h264
    encoder: x264enc
    bitrate: 4000
    gop: 0
  - id: lq
    codec: vp8
    width: width / 2
    height: height / 2
    fps: min(fps, 15)
    bitrate: 800
`;

let fw;
let browser;
let page;
const logs = [];

before(async () => {
  fw = await startWithConfig(YAML);
  browser = await launchWebRtcBrowser();
  page = await browser.context.newPage();
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  await page.goto(`${fw.base}/?mode=webrtc&branch=hq`);
});

after(async () => {
  if (browser) await browser.close();
  if (fw) await fw.stop();
});

const pageStats = () =>
  page.evaluate(() => ({
    mode: window.framewire.mode,
    decoded: window.framewire.stats.framesDecoded,
    drawn: window.framewire.stats.framesDrawn,
    fallbacks: window.framewire.fallbacks.length,
  }));

test('three viewers stay connected through a live bitrate change, and the rate follows', async (t) => {
  const events = new RecordingSocket(`${fw.wsBase}/ws/events`);
  const direct = directMeter(`${fw.wsBase}/ws/direct?branch=hq`);
  const mjpeg = mjpegReader(fw.base);
  try {
    await events.opened;
    await direct.opened;
    await waitFor(() => direct.frames.length > 10 && mjpeg.parts > 2, { timeoutMs: 20000, what: 'Direct and MJPEG pictures' });
    await waitFor(async () => (await pageStats()).drawn > 10, { timeoutMs: 30000, what: 'WebRTC frames shown' }).catch((e) => {
      throw new Error(`${e.message}\n${logs.slice(-20).join('\n')}`);
    });
    const peersBefore = webrtcPeers((await getJson(`${fw.base}/api/state`)).json).map((p) => p.id);
    assert.equal(peersBefore.length, 1, 'one WebRTC peer');

    await sleep(3000);
    const t0 = Date.now();
    const before = direct.kbpsBetween(t0 - 3000, t0);
    const changed = await postSettings(fw.base, { branch: 'hq', bitrate: 1000 });
    assert.equal(changed.status, 200, changed.body);
    assert.equal(changed.json.applied, 'live', 'x264enc takes its bitrate live');
    assert.equal(changed.json.settings.bitrate, 1000);
    // the rate per second after the change, for 4 s
    await sleep(4000);
    const perSecond = [0, 1, 2, 3].map((s) => Math.round(direct.kbpsBetween(t0 + s * 1000, t0 + (s + 1) * 1000)));
    const after = direct.kbpsBetween(t0 + 1000, t0 + 4000);
    t.diagnostic(`Direct rate before ${Math.round(before)} kbit/s; after the change per second: ${perSecond.join(', ')} kbit/s`);
    const firstBelow = perSecond.findIndex((k) => k < 1300);
    t.diagnostic(`the measured rate was under 1300 kbit/s from second ${firstBelow} after the POST`);
    assert.ok(after < 1400, `the rate did not follow: ${Math.round(after)} kbit/s over 1–4 s after the change (target 1000)`);
    assert.ok(after < before, `the rate did not drop: before ${Math.round(before)}, after ${Math.round(after)}`);

    const event = events.texts().find((m) => m.type === 'settings_changed');
    assert.ok(event, 'a settings_changed event on /ws/events');
    assert.equal(event.branch, 'hq');
    assert.equal(event.settings.bitrate, 1000);

    const state = (await getJson(`${fw.base}/api/state`)).json;
    const hq = state.branches.find((b) => b.id === 'hq');
    assert.equal(hq.settings.bitrate, 1000);
    assert.equal(hq.encoder, 'x264enc');
    assert.ok(!direct.closed, 'the Direct viewer was disconnected');
    assert.ok(!mjpeg.closed, 'the MJPEG viewer was disconnected');
    assert.deepEqual(webrtcPeers(state).map((p) => p.id), peersBefore, 'the WebRTC peer changed');
    const s = await pageStats();
    assert.equal(s.fallbacks, 0, 'the page fell back');
    assert.equal(direct.hellos().length, 1, 'a bitrate change needs no new hello');
  } finally {
    await direct.close();
    mjpeg.close();
    await events.close();
  }
});

test('fps, size and GOP changes rebuild the branch: every viewer keeps decoding, Direct gets a new hello', async (t) => {
  const direct = directMeter(`${fw.wsBase}/ws/direct?branch=hq`);
  const mjpeg = mjpegReader(fw.base);
  try {
    await direct.opened;
    await waitFor(() => direct.frames.length > 5 && mjpeg.parts > 1, { timeoutMs: 20000, what: 'Direct and MJPEG pictures' });
    const peersBefore = webrtcPeers((await getJson(`${fw.base}/api/state`)).json).map((p) => p.id);
    const drawnBefore = (await pageStats()).drawn;
    const t0 = Date.now();
    const changed = await postSettings(fw.base, { branch: 'hq', fps: 15, width: 640, height: 360, gop: 30 });
    assert.equal(changed.status, 200, changed.body);
    assert.equal(changed.json.applied, 'rebuilt');
    t.diagnostic(`POST answered in ${Date.now() - t0} ms`);
    await waitFor(() => direct.hellos().some((h) => h.width === 640 && h.height === 360), {
      timeoutMs: 10000,
      what: 'a new Direct hello at 640x360',
    });
    const helloAt = direct.messages.find((m) => m.text && JSON.parse(m.text).width === 640).at;
    t.diagnostic(`new hello ${helloAt - t0} ms after the POST`);
    const framesAtHello = direct.frames.filter((f) => f.at >= helloAt);
    await waitFor(() => direct.frames.filter((f) => f.at >= helloAt).length >= 20, { timeoutMs: 10000, what: '20 frames after the new hello' });
    const afterHello = direct.frames.filter((f) => f.at >= helloAt);
    assert.ok(afterHello[0].key, 'the first frame after the new hello is a keyframe');
    // GOP 30 at 15 fps: keyframes come by themselves now
    await sleep(4500);
    const keys = direct.frames.filter((f) => f.at >= helloAt && f.key).length;
    const fps = direct.frames.filter((f) => f.at >= Date.now() - 3000).length / 3;
    t.diagnostic(`after the rebuild: ${fps.toFixed(1)} fps at Direct, ${keys} keyframes in ${((Date.now() - helloAt) / 1000).toFixed(1)} s (${framesAtHello.length} frames at the hello)`);
    assert.ok(keys >= 2, `GOP 30 should bring keyframes by itself; saw ${keys}`);
    assert.ok(fps < 22, `the branch still runs at ${fps} fps after asking for 15`);

    await waitFor(async () => (await pageStats()).drawn > drawnBefore + 15, { timeoutMs: 15000, what: 'WebRTC keeps showing frames after the rebuild' });
    const state = (await getJson(`${fw.base}/api/state`)).json;
    assert.deepEqual(webrtcPeers(state).map((p) => p.id), peersBefore, 'the WebRTC peer changed');
    const hq = state.branches.find((b) => b.id === 'hq');
    assert.deepEqual([hq.settings.width, hq.settings.height, hq.settings.fps, hq.settings.gop], [640, 360, 15, 30]);
    const parts = mjpeg.parts;
    await waitFor(() => mjpeg.parts > parts + 2, { timeoutMs: 10000, what: 'MJPEG keeps going' });
    assert.ok(!direct.closed && !mjpeg.closed, 'a viewer was disconnected');
    assert.equal((await pageStats()).fallbacks, 0, 'the page fell back');

    const quality = await postSettings(fw.base, { jpeg_quality: 40 });
    assert.equal(quality.status, 200, quality.body);
  } finally {
    await direct.close();
    mjpeg.close();
  }
});

test('invalid values are refused with 400 and the reason; an unknown branch is 404', async () => {
  const settingsNow = async () => (await getJson(`${fw.base}/api/state`)).json.branches.find((b) => b.id === 'hq').settings;
  const before = await settingsNow();
  const cases = [
    [{ branch: 'hq', bitrate: 5 }, /bitrate: 5 is not valid/],
    [{ branch: 'hq', fps: 0 }, /fps: 0 is not valid/],
    [{ branch: 'hq', width: 641 }, /width: 641 is not valid: must be even/],
    [{ branch: 'hq', gop: -1 }, /gop/],
    [{ branch: 'hq', speed: 3 }, /unknown key "speed"/],
    [{ branch: 'hq', bitrate: 'fast' }, /must be an integer/],
    [{ jpeg_quality: 0 }, /jpeg_quality: 0 is not valid/],
    ['{"bitrate":', /not valid JSON/],
    [{ branch: 'hq' }, /nothing to change/],
  ];
  for (const [body, reason] of cases) {
    const r = await postSettings(fw.base, body);
    assert.equal(r.status, 400, `${JSON.stringify(body)} → ${r.status} ${r.body}`);
    assert.match(r.json?.error ?? '', reason, JSON.stringify(body));
  }
  const unknown = await postSettings(fw.base, { branch: 'nope', bitrate: 1000 });
  assert.equal(unknown.status, 404);
  assert.match(unknown.json.error, /no branch 'nope'/);
  assert.deepEqual(await settingsNow(), before, 'a refused change changed something');
  const ws = new RecordingSocket(`${fw.wsBase}/ws/direct?branch=nope`);
  await assert.rejects(ws.opened, /HTTP 404/);
});
