// The fan-out table.

import { markdownTable, textTable } from './table.mjs';

export const FANOUT_HEADERS = ['mode', 'N', 'slow viewer', 'server CPU (cores)', 'RSS MB', 'egress Mbit/s', 'fps min', 'fps median', 'probe p50 ms', 'probe p95 ms', 'fast viewers p50 ms', 'slow viewer fps', 'errors'];

export function fanoutRows(results) {
  return results.rows.map((r) => [
    r.mode,
    r.n,
    r.slowPair ? (r.slow ? 'with' : 'without') : '',
    r.cpuCores,
    r.rssMB,
    r.egressMbps,
    r.fpsMin,
    r.fpsMedian,
    r.probeP50,
    r.probeP95,
    r.fastViewersP50,
    r.slowViewerFps,
    r.errors.length + (r.peerErrors?.length ?? 0) ? [...r.errors, ...(r.peerErrors ?? [])][0].slice(0, 40) : 0,
  ]);
}

const legend = 'probe p50: Direct/MJPEG = arrival − capture time in the header (node client); WebRTC = stamp → presented in Chromium. fast viewers p50: median over the load viewers\' own p50 (their node process is busy, so it reads higher).';

export function printFanout(results) {
  console.log(`\nframewire fan-out bench "${results.name}" — ${results.config.label}; load average ${results.loadAverageStart.join(' ')} → ${results.loadAverageEnd.join(' ')}`);
  console.log(`${results.opts.seconds} s window per step after ${results.opts.warmup} s warm-up\n`);
  console.log(textTable(FANOUT_HEADERS, fanoutRows(results)));
  for (const s of results.skipped) console.log(`  ${s}`);
  console.log(`\n${legend}`);
}

export function fanoutMarkdown(results) {
  return `${markdownTable(FANOUT_HEADERS, fanoutRows(results))}${results.skipped.map((s) => `\n\n_${s}_`).join('')}\n\n${legend}`;
}
