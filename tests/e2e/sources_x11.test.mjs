// x11 under an Xvfb this test starts, with xeyes drawing: MJPEG and Direct at the display's
// size; killing the display (its PID) while viewers watch gives NO SIGNAL ("display closed")
// without dropping anyone or ending framewire; a new display on the same number brings the
// live picture back by itself. framewire grabs the display in a child process
// (src/media/sources/x11_source.cpp): none may outlive framewire.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
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

// Processes (other than Xvfb and its client) whose command line names our display: framewire's
// capture children. Read from /proc only; nothing is killed here.
function captureChildren() {
  const found = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd = '';
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue; // gone
    }
    if (cmd.includes('ximagesrc') && cmd.includes(`display-name=:${display} `)) found.push(`${pid}: ${cmd}`);
  }
  return found;
}

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
  assert.ok(!fw.exited, 'framewire exited when the display closed');
  assert.equal(lost.signal_reason, 'display closed');
  const d0 = direct.binaryCount;
  const m0 = mjpeg.parts;
  // Several capture retries (one a second) against the missing display happen meanwhile.
  await sleep(2500);
  assert.ok(!fw.exited, 'framewire exited while the display was away');
  assert.ok(!direct.closed, 'the Direct viewer was dropped');
  assert.ok(!mjpeg.closed, 'the MJPEG viewer was dropped');
  assert.ok(direct.binaryCount > d0 + 15, `Direct got ${direct.binaryCount - d0} NO SIGNAL frames in 2.5 s`);
  assert.ok(mjpeg.parts > m0 + 10, `MJPEG got ${mjpeg.parts - m0} NO SIGNAL pictures in 2.5 s`);
  assert.equal((await sourceState(fw.base))?.signal, 'lost');
  if (events) {
    assert.ok(events.texts().some((e) => e.type === 'signal_lost'), `no signal_lost event: ${JSON.stringify(events.texts())}`);
  } else {
    t.diagnostic('/ws/events not available: event not checked');
  }

  const restartAt = Date.now();
  xvfb = await startXvfb(display);
  await waitFor(async () => (await sourceState(fw.base))?.signal === 'live', {
    timeoutMs: 15000, intervalMs: 50, what: 'signal restored',
  });
  const liveMs = Date.now() - restartAt;
  const d1 = direct.binaryCount;
  await sleep(1000);
  assert.ok(!direct.closed && !mjpeg.closed, 'a viewer was dropped on recovery');
  assert.ok(direct.binaryCount > d1 + 10, `Direct got ${direct.binaryCount - d1} live frames in 1 s`);
  if (events) assert.ok(events.texts().some((e) => e.type === 'signal_restored'));
  assert.equal((await sourceState(fw.base))?.signal, 'live');
  t.diagnostic(`display killed -> signal lost in ${lostMs} ms; Xvfb restarted -> live in ${liveMs} ms (incl. Xvfb start)`);
  mjpeg.close();
  await direct.close();
  if (events) await events.close();
  assert.ok(!fw.exited, 'framewire exited');
});

test('no capture process outlives framewire', { skip }, async () => {
  assert.equal(captureChildren().length, 1, `capture processes: ${captureChildren().join('\n')}`);
  assert.ok(!fw.exited, 'framewire exited');
  await fw.stop();
  fw = null;
  // The child is reaped on shutdown (or dies of SIGPIPE at its next frame if it was not).
  await waitFor(() => captureChildren().length === 0, { timeoutMs: 3000, intervalMs: 50, what: 'capture process gone' });
});
