// Measures framewire's CPU per branch codec/encoder: one branch, one Direct viewer (a node
// client), the test source, N seconds; prints cores used (utime+stime of the process over
// wall time), the fps and kbit/s the viewer received. Not a test: numbers for the README.
//
//   FRAMEWIRE_BIN=build-x/src/app/framewire node tests/e2e/tools/branch_cpu.mjs [seconds] [sizes]
//   sizes default "1280x720,1920x1080"; 30 fps; bitrate 4000 kbit/s.

import fs from 'node:fs';
import { sleep, waitFor } from '../lib/framewire.mjs';
import { directMeter, startWithConfig } from '../lib/branches.mjs';

const SECONDS = Number(process.argv[2] || 10);
const SIZES = (process.argv[3] || '1280x720,1920x1080').split(',');
const ENCODERS = [
  ['h264', 'x264enc'],
  ['h264', 'openh264enc'],
  ['vp8', 'vp8enc'],
  ['vp9', 'vp9enc'],
  ['av1', 'av1enc'],
];
const TICK = 100; // USER_HZ on Linux

function cpuTicks(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]);
}

const rows = [];
for (const size of SIZES) {
  for (const [codec, encoder] of ENCODERS) {
    const fw = await startWithConfig(
      `size: ${size}\nfps: 30\nbranches:\n  - id: b\n    codec: ${codec}\n    encoder: ${encoder}\n    bitrate: 4000\n`,
    );
    const viewer = directMeter(`${fw.wsBase}/ws/direct`);
    try {
      await viewer.opened;
      await waitFor(() => viewer.frames.length > 0, { timeoutMs: 20000, what: 'first frame' });
      await sleep(2000);
      const c0 = cpuTicks(fw.pid);
      const t0 = Date.now();
      await sleep(SECONDS * 1000);
      const t1 = Date.now();
      const cores = (cpuTicks(fw.pid) - c0) / TICK / ((t1 - t0) / 1000);
      const frames = viewer.frames.filter((f) => f.at >= t0 && f.at < t1).length;
      rows.push({ size, codec, encoder, cores: cores.toFixed(2), fps: (frames / SECONDS).toFixed(1), kbps: Math.round(viewer.kbpsBetween(t0, t1)) });
    } catch (e) {
      rows.push({ size, codec, encoder, cores: 'error', fps: '-', kbps: e.message.slice(0, 60) });
    } finally {
      await viewer.close();
      await fw.stop();
    }
    console.log(JSON.stringify(rows.at(-1)));
  }
}
console.log(`\n| size | codec | encoder | server CPU (cores) | fps received | kbit/s received |\n|---|---|---|---:|---:|---:|`);
for (const r of rows) console.log(`| ${r.size} | ${r.codec} | ${r.encoder} | ${r.cores} | ${r.fps} | ${r.kbps} |`);
console.log(`\n(30 fps test source, bitrate 4000 kbit/s, ${SECONDS} s each; load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`);
