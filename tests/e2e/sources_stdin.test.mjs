// stdin: raw frames from ffmpeg reach viewers; closing stdin gives "input ended" NO SIGNAL
// frames and no exit. H.264 from ffmpeg is passed through: the raw Direct access units are
// byte-for-byte pieces of what was piped in.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { run, sleep, waitFor } from './lib/framewire.mjs';
import { sourceState, startFramewireWithStdin } from './lib/sources.mjs';
import { RecordingSocket } from './lib/ws_client.mjs';

test('raw frames from ffmpeg reach viewers; end of input gives NO SIGNAL, not an exit', async (t) => {
  const fw = await startFramewireWithStdin({
    source: 'stdin', format: 'i420', size: '640x360', fps: 30, linger: 5, 'log-level': 'info',
  });
  const ffmpeg = spawn('ffmpeg', ['-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=30',
    '-t', '4', '-pix_fmt', 'yuv420p', '-f', 'rawvideo', '-'], { stdio: ['ignore', 'pipe', 'ignore'] });
  ffmpeg.stdout.pipe(fw.proc.stdin);
  try {
    const sock = new RecordingSocket(`${fw.wsBase}/ws/direct`, { keepBinary: false });
    await sock.opened;
    await sock.waitFor((s) => s.binaryCount >= 30, { timeoutMs: 15000, what: 'Direct frames' });
    const hello = sock.texts().find((m) => m.type === 'hello');
    assert.equal(hello.width, 640);
    assert.equal((await sourceState(fw.base)).signal, 'live');
    // ffmpeg stops after 4 s: stdin ends
    const s = await waitFor(async () => {
      const st = await sourceState(fw.base);
      return st?.signal === 'lost' ? st : null;
    }, { timeoutMs: 10000, what: 'input ended' });
    assert.equal(s.signal_reason, 'input ended');
    const n = sock.binaryCount;
    await sleep(1500);
    assert.ok(!fw.exited(), 'framewire exited at the end of its input');
    assert.ok(!sock.closed, 'the viewer was dropped');
    assert.ok(sock.binaryCount > n + 20, `only ${sock.binaryCount - n} NO SIGNAL frames in 1.5 s`);
    await sock.close();
  } finally {
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
    // h264parse (which finds the access units) writes every start code as 00 00 00 01 and
    // puts no delimiter framewire keeps: the NAL units themselves must be byte-identical.
    const inNals = nalPayloads(input).map((n) => n.toString('hex'));
    const outNals = aus.flatMap((au) => nalPayloads(au)).map((n) => n.toString('hex'));
    const first = inNals.indexOf(outNals[0]);
    assert.ok(first >= 0, 'the first NAL unit delivered is not one of the input');
    let same = 0;
    for (let i = 0; i < outNals.length && first + i < inNals.length; i++) {
      assert.equal(outNals[i], inNals[first + i], `NAL unit ${i} differs from the input's`);
      same++;
    }
    assert.ok(same >= 120, `only ${same} NAL units compared`);
    const src = await sourceState(fw.base);
    assert.equal(src.passthrough, true);
    assert.equal(src.bframes, false);
    await sock.close();
  } finally {
    await fw.stop();
  }
});

// NAL unit payloads of an Annex-B stream (start codes of 3 or 4 bytes removed, trailing zero
// bytes of a 4-byte start code not counted), access unit delimiters left out.
function nalPayloads(buf) {
  const starts = [];
  for (let i = 0; i + 2 < buf.length; i++) {
    if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1) {
      starts.push(i + 3);
      i += 2;
    }
  }
  const out = [];
  for (let k = 0; k < starts.length; k++) {
    let end = k + 1 < starts.length ? starts[k + 1] - 3 : buf.length;
    while (end > starts[k] && buf[end - 1] === 0) end--;
    const nal = buf.subarray(starts[k], end);
    if (nal.length > 0 && (nal[0] & 0x1f) !== 9) out.push(nal);
  }
  return out;
}
