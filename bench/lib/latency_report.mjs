// The latency tables: one per setting, a row per mode, framewire / baseline ratios, and the
// per-stage breakdown with the floor (x264's own encode time, the browser's decode time).

import { round } from './stats.mjs';
import { markdownTable, textTable } from './table.mjs';

const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? round(a / b, 2) : null);

export const LATENCY_HEADERS = ['mode', 'recv p50', 'decoded p50', 'presented p50', 'p95', 'p99', 'max', 'fps', 'decoded fps', 'first frame ms', 'decode ms', 'jitter buf ms', 'creep first→last p50', 'server CPU', 'p50 / base', 'p99 / base', 'recv p50 / base'];

export function latencyRows(entry) {
  const b = entry.modes.baseline;
  const rows = [];
  for (const [key, m] of Object.entries(entry.modes)) {
    if (m.skipped || !m.presented) continue; // listed under the table by notes()
    const decodeMs = m.webrtc?.decodeMsPerFrame ?? m.socketToDecoded?.p50 ?? null;
    const isBase = key.startsWith('baseline');
    rows.push([
      key === 'baseline' ? 'baseline (webrtc)' : key,
      m.received?.p50,
      m.decoded?.p50,
      m.presented.p50,
      m.presented.p95,
      m.presented.p99,
      m.presented.max,
      m.fps,
      m.decodedFps,
      m.firstFrameMs,
      decodeMs,
      m.webrtc?.jitterBufferMs,
      m.creep.firstP50 !== null ? `${m.creep.firstP50}→${m.creep.lastP50} (${m.creep.windowS}s)` : null,
      m.serverCpuCores,
      isBase ? null : ratio(m.presented.p50, b?.presented?.p50),
      isBase ? null : ratio(m.presented.p99, b?.presented?.p99),
      isBase ? null : ratio(m.received?.p50, b?.received?.p50),
    ]);
  }
  return rows;
}

// Modes without numbers, and why (skipped, or every session failed).
export function notes(entry) {
  return Object.entries(entry.modes)
    .filter(([, m]) => m.skipped || !m.presented)
    .map(([key, m]) => `${key}: ${m.skipped ? `skipped: ${m.skipped}` : `no samples: ${m.errors?.[0] ?? 'no frames'}`}`)
    .concat(
      Object.entries(entry.modes)
        .filter(([, m]) => m.audio)
        .map(([key, m]) => `${key}: sound played, ${m.audio.played} ${m.audio.unit}${m.audio.directDelayMs != null ? `; capture → heard ${m.audio.directDelayMs} ms (the player's estimate)` : ''}`),
    );
}

export const STAGE_HEADERS = ['mode', 'source→encoder', 'encode (x264 floor)', 'encoded→sent', 'capture→sent', 'recv p50', 'socket→decoded (browser floor)', 'presented − decoded p50'];

export function stageRows(entry) {
  const rows = [];
  for (const [key, m] of Object.entries(entry.modes)) {
    if (!m.presented) continue;
    const s = m.stages || {};
    const browserDecode = m.webrtc?.decodeMsPerFrame ?? m.socketToDecoded?.p50 ?? (m.decoded && m.received ? round(m.decoded.p50 - m.received.p50, 2) : null);
    rows.push([
      key === 'baseline' ? 'baseline (webrtc)' : key,
      s.sourceToEncoder,
      s.encode,
      s.encodedToSent,
      s.captureToSent,
      m.received?.p50,
      browserDecode,
      m.decoded ? round(m.presented.p50 - m.decoded.p50, 2) : null,
    ]);
  }
  return rows;
}

export const PHASE_HEADERS = ['mode', 'offer sent (ICE gathered)', 'answer in', 'connected', 'first frame'];

// WebRTC set-up, median ms from the session's start: where the time to first frame goes.
export function phaseRows(entry) {
  const rows = [];
  for (const [key, m] of Object.entries(entry.modes)) {
    const p = m.webrtc?.phases;
    if (!m.presented || !p) continue;
    rows.push([key === 'baseline' ? 'baseline (webrtc)' : key, p.gathered, p.answered, p.connected, m.firstFrameMs]);
  }
  return rows;
}

// Long sessions: one row per mode, one column per 30 s window, "p50 ms (busy cores/runnable)".
export function timelineTable(entry) {
  const modes = Object.entries(entry.modes).filter(([, m]) => m.timeline?.length);
  if (!modes.length) return null;
  const windows = modes[0][1].timeline;
  const headers = ['mode', ...windows.map((w) => `${w.fromS}-${w.toS}s`)];
  const rows = modes.map(([key, m]) => [key, ...m.timeline.map((w) => (w.presentedP50 === null ? '–' : `${w.presentedP50} / ${w.decodedP50 ?? '–'} (${w.machineBusyCores ?? '?'}/${w.machineRunnable ?? '?'})`))]);
  return { headers, rows };
}
const TIMELINE_TITLE = 'presented p50 / decoded p50 per 30 s window, ms (the machine\'s busy cores / median runnable threads, all processes, in that window)';

export function printLatency(results) {
  console.log(`\nframewire latency bench "${results.name}" — ms; load average ${results.loadAverageStart.join(' ')} → ${results.loadAverageEnd.join(' ')}`);
  console.log(`${results.opts.sessions} session(s) x ${results.opts.seconds} s per mode; "base" = the dedicated webrtcbin baseline in the same run\n`);
  for (const entry of results.configs) {
    console.log(`== ${entry.config.label}`);
    console.log(textTable(LATENCY_HEADERS, latencyRows(entry)));
    for (const n of notes(entry)) console.log(`  ${n}`);
    console.log('\nper stage (p50, ms): server side from /api/state (baseline: its x264 pads), browser side from the page');
    console.log(textTable(STAGE_HEADERS, stageRows(entry)));
    if (phaseRows(entry).length) {
      console.log('\nWebRTC set-up (median ms from the session start)');
      console.log(textTable(PHASE_HEADERS, phaseRows(entry)));
    }
    const tl = timelineTable(entry);
    if (tl) console.log(`\n${TIMELINE_TITLE}\n${textTable(tl.headers, tl.rows)}`);
    console.log('');
  }
}

export function latencyMarkdown(results) {
  return results.configs
    .map((entry) => {
      const tl = timelineTable(entry);
      return `**${entry.config.label}**\n\n${markdownTable(LATENCY_HEADERS, latencyRows(entry))}${notes(entry).map((n) => `\n\n_${n}_`).join('')}\n\nPer stage (p50, ms):\n\n${markdownTable(STAGE_HEADERS, stageRows(entry))}${phaseRows(entry).length ? `\n\nWebRTC set-up (median ms from the session start):\n\n${markdownTable(PHASE_HEADERS, phaseRows(entry))}` : ''}${tl ? `\n\n${TIMELINE_TITLE[0].toUpperCase()}${TIMELINE_TITLE.slice(1)}:\n\n${markdownTable(tl.headers, tl.rows)}` : ''}`;
    })
    .join('\n\n');
}
