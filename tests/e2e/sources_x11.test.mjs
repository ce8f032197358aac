// x11 under an Xvfb this test starts, with xeyes drawing: MJPEG and Direct at the display's
// size; killing the display while viewers watch gives NO SIGNAL ("display closed") without
// dropping anyone; a new display brings the live picture back.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { run, sleep, startFramewire, waitFor } from './lib/framewire.mjs';
import { freeDisplay, hasCommand, mjpegReader, sourceState, startXvfb } from './lib/sources.mjs';
import { RecordingSocket } from './lib/ws_client.mjs';

const skip = !hasCommand('Xvfb') || !hasCommand('xeyes') ? 'Xvfb/xeyes not installed (xvfb, x11-apps)' : false;
let display;
let xvfb;
let fw;

before(async () => {
  if (skip) return;
  display = freeDisplay();
  xvfb = await startXvfb(display);
  // no --size: the display's own size is the stream's
  fw = await startFramewire({ source: 'x11', 'x11-display': `:${display}`, size: null, fps: 30 });
});

after(async () => {
  if (fw) await fw.stop();
  if (xvfb) await xvfb.stop();
});

test('MJPEG and Direct at the display size', { skip }, async () => {
  const probe = await run('ffprobe', ['-v', 'error', '-rw_timeout', '10000000', '-select_streams', 'v:0',
    '-show_entries', 'stream=codec_name,width,height', '-of', 'json', `${fw.base}/stream`], { timeoutMs: 30000 });
  assert.equal(probe.code, 0, probe.stderr);
  const s = JSON.parse(probe.stdout.toString()).streams?.[0];
  assert.equal(s?.codec_name, 'mjpeg');
  assert.equal(s.width, 1280);
  assert.equal(s.height, 720);
  const sock = new RecordingSocket(`${fw.wsBase}/ws/direct`);
  await sock.opened;
  await sock.waitFor((s) => s.binaryCount >= 30, { timeoutMs: 15000, what: '30 Direct frames' });
  const hello = sock.texts().find((m) => m.type === 'hello');
  assert.equal(hello.width, 1280);
  assert.equal(hello.height, 720);
  await sock.close();
  const src = await sourceState(fw.base);
  assert.equal(src.signal, 'live');
});

test('display killed: viewers stay, NO SIGNAL within 2 s; display back: live again', { skip }, async (t) => {
  const direct = new RecordingSocket(`${fw.wsBase}/ws/direct`, { keepBinary: false });
  await direct.opened;
  const mjpeg = mjpegReader(fw.base);
  let events = null;
  try {
    events = new RecordingSocket(`${fw.wsBase}/ws/events`);
    await events.opened;
  } catch {
    events = null; // /ws/events not there (yet)
  }
  await direct.waitFor((s) => s.binaryCount >= 30, { timeoutMs: 15000, what: 'Direct frames' });
  await waitFor(() => mjpeg.parts >= 10, { timeoutMs: 15000, what: 'MJPEG parts' });

  const killedAt = Date.now();
  await xvfb.stop();
  const lost = await waitFor(async () => {
    const s = await sourceState(fw.base);
    return s?.signal === 'lost' ? s : null;
  }, { timeoutMs: 5000, intervalMs: 50, what: 'signal lost' });
  const lostMs = Date.now() - killedAt;
  assert.equal(lost.signal_reason, 'display closed');
  const d0 = direct.binaryCount;
  const m0 = mjpeg.parts;
  await sleep(1500);
  assert.ok(!direct.closed, 'the Direct viewer was dropped');
  assert.ok(!mjpeg.closed, 'the MJPEG viewer was dropped');
  assert.ok(direct.binaryCount > d0 + 20, `Direct got ${direct.binaryCount - d0} NO SIGNAL frames in 1.5 s`);
  assert.ok(mjpeg.parts > m0 + 10, `MJPEG got ${mjpeg.parts - m0} NO SIGNAL pictures in 1.5 s`);
  if (events) {
    assert.ok(events.texts().some((e) => e.type === 'signal_lost'), `no signal_lost event: ${JSON.stringify(events.texts())}`);
  } else {
    t.diagnostic('/ws/events not available: event not checked');
  }

  const restartAt = Date.now();
  xvfb = await startXvfb(display);
  await waitFor(async () => (await sourceState(fw.base))?.signal === 'live', {
    timeoutMs: 8000, intervalMs: 50, what: 'signal restored',
  });
  const liveMs = Date.now() - restartAt;
  const d1 = direct.binaryCount;
  await sleep(1000);
  assert.ok(!direct.closed && !mjpeg.closed, 'a viewer was dropped on recovery');
  assert.ok(direct.binaryCount > d1 + 15);
  if (events) assert.ok(events.texts().some((e) => e.type === 'signal_restored'));
  t.diagnostic(`display killed -> signal lost in ${lostMs} ms; Xvfb restarted -> live in ${liveMs} ms (incl. Xvfb start)`);
  mjpeg.close();
  await direct.close();
  if (events) await events.close();
  assert.ok(!fw.exited, 'framewire exited');
});
