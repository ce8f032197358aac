// stdin: raw frames from ffmpeg reach viewers; closing stdin gives "input ended" NO SIGNAL
// frames, the page's NO SIGNAL banner (live from /ws/events, and at load from /api/state) and
// no exit. H.264 from ffmpeg is passed through: the raw Direct access units are
// byte for byte what was piped in.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { run, sleep, waitFor } from './lib/framewire.mjs';
import { sourceState, startFramewireWithStdin } from './lib/sources.mjs';
import { RecordingSocket } from './lib/ws_client.mjs';
import { launchBrowser } from './lib/browser.mjs';

test('raw frames from ffmpeg reach viewers; end of input gives NO SIGNAL and the page\'s banner, not an exit', async (t) => {
  const fw = await startFramewireWithStdin({
    source: 'stdin', format: 'i420', size: '640x360', fps: 30, linger: 5, 'log-level': 'info',
  });
  // ffmpeg runs until the test ends its input (at most 60 s)
  const ffmpeg = spawn('ffmpeg', ['-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=30',
    '-t', '60', '-pix_fmt', 'yuv420p', '-f', 'rawvideo', '-'], { stdio: ['ignore', 'pipe', 'ignore'] });
  ffmpeg.stdout.pipe(fw.proc.stdin);
  let browser = null;
  try {
    const sock = new RecordingSocket(`${fw.wsBase}/ws/direct`, { keepBinary: false });
    await sock.opened;
    await sock.waitFor((s) => s.binaryCount >= 30, { timeoutMs: 15000, what: 'Direct frames' });
    const hello = sock.texts().find((m) => m.type === 'hello');
    assert.equal(hello.width, 640);
    // Live (ffmpeg on a busy machine may pause past the 1 s signal timeout now and then).
    await waitFor(async () => (await sourceState(fw.base))?.signal === 'live', { timeoutMs: 10000, what: 'a live signal' });
    // The page: no banner while live.
    browser = await launchBrowser();
    const page = await browser.context.newPage();
    await page.goto(`${fw.base}/?mode=mjpeg`);
    await page.waitForFunction(() => document.getElementById('signal-banner')?.dataset.signal === 'live',
      null, { timeout: 15000 });
    assert.equal(await page.isVisible('#signal-banner'), false, 'the banner shows while live');

    // End of input.
    const endedAt = Date.now();
    ffmpeg.stdout.unpipe(fw.proc.stdin);
    process.kill(ffmpeg.pid, 'SIGKILL');
    fw.proc.stdin.end();
    const s = await waitFor(async () => {
      const st = await sourceState(fw.base);
      return st?.signal === 'lost' ? st : null;
    }, { timeoutMs: 10000, intervalMs: 50, what: 'input ended' });
    const lostMs = Date.now() - endedAt;
    assert.equal(s.signal_reason, 'input ended');
    // The page learns it live, from /ws/events.
    await page.waitForSelector('#signal-banner', { state: 'visible', timeout: 10000 });
    const text = await page.textContent('#signal-banner');
    assert.match(text, /NO SIGNAL/);
    assert.match(text, /input ended/);
    // And at load, from /api/state.
    await page.reload();
    await page.waitForSelector('#signal-banner', { state: 'visible', timeout: 10000 });
    assert.match(await page.textContent('#signal-banner'), /input ended/);
    const n = sock.binaryCount;
    await sleep(1500);
    assert.ok(!fw.exited(), 'framewire exited at the end of its input');
    assert.ok(!sock.closed, 'the viewer was dropped');
    assert.ok(sock.binaryCount > n + 20, `only ${sock.binaryCount - n} NO SIGNAL frames in 1.5 s`);
    await sock.close();
    t.diagnostic(`stdin closed -> signal lost in ${lostMs} ms`);
  } finally {
    if (browser) await browser.close();
    try { process.kill(ffmpeg.pid, 'SIGKILL'); } catch { /* gone */ }
    const code = await fw.stop();
    t.diagnostic(`framewire stopped with ${code}`);
  }
});

test('H.264 from ffmpeg is passed through byte for byte', async () => {
  const enc = await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=30', '-t', '4',
    '-c:v', 'libx264', '-tune', 'zerolatency', '-bf', '0', '-g', '30',
    // SPS/PPS in every IDR, as framewire sends them (h264parse adds them where missing)
    '-x264-params', 'repeat-headers=1', '-pix_fmt', 'yuv420p', '-f', 'h264', '-'],
  { timeoutMs: 60000 });
  assert.equal(enc.code, 0, enc.stderr);
  const input = enc.stdout;
  const fw = await startFramewireWithStdin({ source: 'stdin', codec: 'h264', fps: 30, linger: 5, 'signal-timeout': 3 });
  try {
    const sock = new RecordingSocket(`${fw.wsBase}/ws/direct?raw=1`);
    await sock.opened;
    // ~30 access units per second: 1/120 of the file every 33 ms
    const chunk = Math.ceil(input.length / 120);
    for (let off = 0; off < input.length; off += chunk) {
      fw.proc.stdin.write(input.subarray(off, off + chunk));
      await sleep(33);
    }
    await sock.waitFor((s) => s.binaryCount >= 60, { timeoutMs: 10000, what: '60 raw access units' });
    const aus = sock.binaries().map((m) => m.data);
    // Byte identity: the access units delivered, joined, are one unbroken piece of the input
    // (start codes, headers and all), beginning at an access unit of the input.
    const joined = Buffer.concat(aus);
    const first = input.indexOf(aus[0]);
    assert.ok(first >= 0, 'the first access unit delivered is not a piece of the input');
    assert.ok(joined.length > input.length / 3, `only ${joined.length} of ${input.length} bytes delivered`);
    const piece = input.subarray(first, first + joined.length);
    const differs = [...joined].findIndex((b, i) => b !== piece[i]);
    assert.equal(differs, -1, `delivered byte ${differs} differs from the input's byte ${first + differs}`);
    assert.equal(joined.length, piece.length);
    for (const au of aus) assert.deepEqual([...au.subarray(0, 4)], [0, 0, 0, 1], 'an access unit starts mid-way');
    const src = await sourceState(fw.base);
    assert.equal(src.passthrough, true);
    assert.equal(src.bframes, false);
    await sock.close();
  } finally {
    await fw.stop();
  }
});
