// v4l2 without a device (this machine has no /dev/video*): framewire starts, says clearly in
// its log which device is missing, and viewers get NO SIGNAL "device missing" frames; no crash.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sleep, startFramewire, waitFor } from './lib/framewire.mjs';
import { mjpegReader, sourceState } from './lib/sources.mjs';
import { RecordingSocket } from './lib/ws_client.mjs';

test('v4l2 without its device: a clear log line and NO SIGNAL frames', async () => {
  const device = '/dev/video-framewire-e2e-missing';
  const fw = await startFramewire({ source: 'v4l2', device, size: '640x360', fps: 30 });
  try {
    const direct = new RecordingSocket(`${fw.wsBase}/ws/direct`, { keepBinary: false });
    await direct.opened;
    const mjpeg = mjpegReader(fw.base);
    await direct.waitFor((s) => s.binaryCount >= 20, { timeoutMs: 15000, what: 'NO SIGNAL frames on Direct' });
    await waitFor(() => mjpeg.parts >= 10, { timeoutMs: 15000, what: 'NO SIGNAL pictures on MJPEG' });
    const s = await sourceState(fw.base);
    assert.equal(s.signal, 'lost');
    assert.equal(s.signal_reason, 'device missing');
    assert.equal(mjpeg.size, '640x360');
    const line = fw.log().split('\n').find((l) => l.includes(device));
    assert.ok(line, `no log line names ${device}:\n${fw.log()}`);
    assert.match(line, /does not exist/);
    // Looked for again every second, logged once, and framewire keeps serving.
    await sleep(2500);
    assert.ok(!fw.exited, 'framewire exited');
    assert.ok(!direct.closed && !mjpeg.closed, 'a viewer was dropped');
    assert.ok((await sourceState(fw.base)).restarts >= 2, 'the device was not looked for again');
    assert.equal(fw.log().split('\n').filter((l) => l.includes(device) && /does not exist/.test(l)).length, 1,
      'the missing device is logged more than once');
    mjpeg.close();
    await direct.close();
  } finally {
    await fw.stop();
  }
});
