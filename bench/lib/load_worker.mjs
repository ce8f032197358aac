// A child process holding N load viewers, so their parsing does not share an event loop with
// the probe viewer. argv: JSON {base, mode, n, warmupMs, windowMs}. Prints one line
// "measuring" when the window opens and a JSON line with per-viewer results at the end.

import { directViewer, mjpegViewer } from './viewers.mjs';
import { median } from './stats.mjs';

const { base, mode, n, warmupMs, windowMs } = JSON.parse(process.argv[2]);

const make = mode === 'mjpeg' ? (s) => mjpegViewer(base, s) : (s) => directViewer(base.replace('http', 'ws'), s);
const viewers = [];
for (let i = 0; i < n; i++) viewers.push(make());

setTimeout(() => {
  for (const v of viewers) v.measuring = true;
  process.stdout.write('measuring\n');
  setTimeout(() => {
    for (const v of viewers) v.measuring = false;
    const secs = windowMs / 1000;
    const summary = (v) => ({ fps: v.frames / secs, bytes: v.bytes, p50: median(v.latencies), errors: v.errors });
    process.stdout.write(`${JSON.stringify({ viewers: viewers.map(summary) })}\n`);
    for (const v of viewers) v.close();
    setTimeout(() => process.exit(0), 200);
  }, windowMs);
}, warmupMs);
