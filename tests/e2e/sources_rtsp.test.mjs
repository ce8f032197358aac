// rtsp against a small RTSP camera this test starts (lib/rtsp_server.py: GStreamer's RTSP
// server library, videotestsrc + x264enc): framewire passes its H.264 through (no encoder runs
// for the live picture), ffmpeg decodes the Direct stream and ffprobe the MJPEG one; stopping
// the camera gives NO SIGNAL "camera unreachable" with signal_lost, at the camera's size,
// without dropping anyone; starting it again brings the live picture back with signal_restored.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { freePort, getJson, run, sleep, startFramewire, waitFor } from './lib/framewire.mjs';
import { mjpegReader, rtspServerMissing, sourceState, startRtspServer } from './lib/sources.mjs';
import { findBranch } from './lib/state.mjs';
import { RecordingSocket } from './lib/ws_client.mjs';

const skip = rtspServerMissing();
// Not framewire's default size, so NO SIGNAL frames at this size show they follow the stream.
const W = 480;
const H = 270;
let cam;
let camPort;
let fw;

before(async () => {
  if (skip) return;
  camPort = await freePort();
  cam = await startRtspServer(camPort, { width: W, height: H, fps: 30 });
  fw = await startFramewire({ source: 'rtsp', url: cam.url, size: null, fps: 30 });
});

after(async () => {
  if (fw) await fw.stop();
  if (cam) await cam.stop();
});

// Decodes Annex-B H.264 with ffmpeg; resolves to {frames, width, height, errors}.
async function decodeH264(annexB) {
  const r = await run('ffprobe', ['-v', 'error', '-f', 'h264', '-count_frames', '-select_streams', 'v:0',
    '-show_entries', 'stream=width,height,nb_read_frames', '-of', 'json', '-i', 'pipe:'],
  { input: annexB, timeoutMs: 30000 });
  const s = JSON.parse(r.stdout.toString() || '{}').streams?.[0] ?? {};
  return { frames: Number(s.nb_read_frames ?? 0), width: s.width, height: s.height, errors: r.stderr };
}

test('the camera\'s H.264 is passed through and decodes; no encoder runs', { skip }, async () => {
  const raw = new RecordingSocket(`${fw.wsBase}/ws/direct?raw=1`);
  await raw.opened;
  await raw.waitFor((s) => s.binaryCount >= 60, { timeoutMs: 20000, what: '60 raw access units' });
  const state = (await getJson(`${fw.base}/api/state`)).json;
  assert.equal(state.source.passthrough, true);
  assert.equal(state.source.signal, 'live');
  assert.equal(state.source.bframes, false);
  const main = findBranch(state, 'main');
  assert.equal(main.encoding, false, `the H.264 encoder runs for a pass-through source: ${JSON.stringify(main)}`);
  await raw.close();
  const decoded = await decodeH264(Buffer.concat(raw.binaries().map((m) => m.data)));
  assert.ok(decoded.frames >= 60, `ffmpeg decoded ${decoded.frames} frames: ${decoded.errors}`);
  assert.equal(decoded.width, W);
  assert.equal(decoded.height, H);

  // MJPEG: the JPEG branch decodes the camera's stream for MJPEG viewers.
  const probe = await run('ffprobe', ['-v', 'error', '-rw_timeout', '10000000', '-select_streams', 'v:0',
    '-show_entries', 'stream=codec_name,width,height', '-of', 'json', `${fw.base}/stream`], { timeoutMs: 30000 });
  assert.equal(probe.code, 0, probe.stderr);
  const s = JSON.parse(probe.stdout.toString()).streams?.[0];
  assert.equal(s?.codec_name, 'mjpeg');
  assert.equal(`${s.width}x${s.height}`, `${W}x${H}`);
});

test('camera stopped: NO SIGNAL "camera unreachable", viewers stay; camera back: live', { skip }, async (t) => {
  const direct = new RecordingSocket(`${fw.wsBase}/ws/direct`, { keepBinary: false });
  await direct.opened;
  const raw = new RecordingSocket(`${fw.wsBase}/ws/direct?raw=1`);
  await raw.opened;
  const mjpeg = mjpegReader(fw.base);
  const events = new RecordingSocket(`${fw.wsBase}/ws/events`);
  await events.opened;
  try {
    await direct.waitFor((s) => s.binaryCount >= 30, { timeoutMs: 15000, what: 'Direct frames' });
    await waitFor(() => mjpeg.parts >= 10, { timeoutMs: 15000, what: 'MJPEG parts' });

    const rStop = raw.binaryCount;
    const stoppedAt = Date.now();
    await cam.stop();
    cam = null;
    const lost = await waitFor(async () => {
      const s = await sourceState(fw.base);
      return s?.signal === 'lost' ? s : null;
    }, { timeoutMs: 10000, intervalMs: 50, what: 'signal lost' });
    const lostMs = Date.now() - stoppedAt;
    // The camera's silence may be noticed before its connection's end: the reason settles on
    // "camera unreachable" once the reconnection fails.
    const reason = await waitFor(async () => {
      const s = await sourceState(fw.base);
      return s?.signal_reason === 'camera unreachable' ? s.signal_reason : null;
    }, { timeoutMs: 10000, intervalMs: 100, what: `reason "camera unreachable" (first: ${lost.signal_reason})` });
    assert.equal(reason, 'camera unreachable');
    const d0 = direct.binaryCount;
    const m0 = mjpeg.parts;
    await sleep(2500);
    assert.ok(!direct.closed && !raw.closed && !mjpeg.closed, 'a viewer was dropped');
    assert.ok(direct.binaryCount > d0 + 15, `Direct got ${direct.binaryCount - d0} NO SIGNAL frames in 2.5 s`);
    assert.ok(mjpeg.parts > m0 + 10, `MJPEG got ${mjpeg.parts - m0} NO SIGNAL pictures in 2.5 s`);
    assert.equal(mjpeg.size, `${W}x${H}`, 'NO SIGNAL pictures are not at the stream\'s size');
    // The NO SIGNAL picture decodes, at the stream's size (from its first IDR on: what came
    // after the camera stopped, the last live frames first).
    const noSignalAus = raw.binaries().slice(rStop).map((m) => m.data);
    const decoded = await decodeH264(Buffer.concat(noSignalAus));
    assert.ok(decoded.frames >= 15, `ffmpeg decoded ${decoded.frames} NO SIGNAL frames: ${decoded.errors}`);
    assert.equal(`${decoded.width}x${decoded.height}`, `${W}x${H}`);
    const lostEvent = events.texts().find((e) => e.type === 'signal_lost');
    assert.ok(lostEvent, `no signal_lost event: ${JSON.stringify(events.texts())}`);
    for (const hello of direct.texts().filter((m) => m.type === 'hello')) {
      assert.equal(`${hello.width}x${hello.height}`, `${W}x${H}`, `hello ${JSON.stringify(hello)}`);
    }

    const startedAt = Date.now();
    cam = await startRtspServer(camPort, { width: W, height: H, fps: 30 });
    await waitFor(async () => (await sourceState(fw.base))?.signal === 'live', {
      timeoutMs: 15000, intervalMs: 50, what: 'signal restored',
    });
    const liveMs = Date.now() - startedAt;
    const d1 = direct.binaryCount;
    await sleep(1500);
    assert.ok(!direct.closed && !raw.closed && !mjpeg.closed, 'a viewer was dropped on recovery');
    assert.ok(direct.binaryCount > d1 + 15, `Direct got ${direct.binaryCount - d1} live frames in 1.5 s`);
    assert.ok(events.texts().some((e) => e.type === 'signal_restored'), 'no signal_restored event');
    const state = (await getJson(`${fw.base}/api/state`)).json;
    assert.equal(state.source.signal, 'live');
    assert.equal(findBranch(state, 'main').encoding, false, 'the encoder still runs after the camera came back');
    // Everything the raw viewer got (live, NO SIGNAL, live) is one decodable stream.
    await raw.close();
    const all = await decodeH264(Buffer.concat(raw.binaries().map((m) => m.data)));
    assert.ok(all.frames >= raw.binaryCount - 5, `ffmpeg decoded ${all.frames} of ${raw.binaryCount} access units: ${all.errors}`);
    t.diagnostic(`camera stopped -> signal lost in ${lostMs} ms (first reason "${lost.signal_reason}"); ` +
      `camera restarted -> live in ${liveMs} ms (incl. the server's start)`);
  } finally {
    mjpeg.close();
    await direct.close();
    await raw.close();
    await events.close();
  }
  assert.ok(!fw.exited, 'framewire exited');
});
