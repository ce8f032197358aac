// Turns the sessions of one mode into the numbers the table shows.

import { median, round, summarize } from './stats.mjs';

// p50 of the presented samples in the first and the last `window` ms of each session.
function creep(sessions, windowMs) {
  const first = [];
  const last = [];
  for (const s of sessions) {
    const t = s.times.presented;
    const v = s.series.presented;
    const end = s.activeSeconds * 1000;
    for (let i = 0; i < v.length; i++) {
      if (t[i] < windowMs) first.push(v[i]);
      if (t[i] >= end - windowMs) last.push(v[i]);
    }
  }
  return { windowS: windowMs / 1000, firstP50: round(median(first), 2), lastP50: round(median(last), 2) };
}

// Long sessions (creep checks): presented and decoded p50 per 30 s window, next to the machine's busy cores
// and median runnable threads (all processes) in the same window, so a rise from other work on the machine is told apart
// from latency creeping up in the player. Windows are placed back from each session's end.
function timeline(sessions, windowMs = 30000) {
  const windows = [];
  for (const s of sessions) {
    const activeMs = s.activeSeconds * 1000;
    const startWall = s.endedAt ? s.endedAt - activeMs : null;
    for (let w = 0; w * windowMs < activeMs; w++) {
      const from = w * windowMs;
      const to = Math.min(activeMs, from + windowMs);
      windows[w] ??= { fromS: from / 1000, toS: to / 1000, values: [], decoded: [], busy: [], runnable: [] };
      s.times.presented.forEach((t, i) => {
        if (t >= from && t < to) windows[w].values.push(s.series.presented[i]);
      });
      (s.times.decoded ?? []).forEach((t, i) => {
        if (t >= from && t < to) windows[w].decoded.push(s.series.decoded[i]);
      });
      for (const b of s.machineBusy ?? []) {
        if (startWall !== null && b.at >= startWall + from && b.at < startWall + to) {
          windows[w].busy.push(b.busyCores);
          if (Number.isFinite(b.runnable)) windows[w].runnable.push(b.runnable);
        }
      }
    }
  }
  return windows.map((w) => ({
    fromS: round(w.fromS, 0),
    toS: round(w.toS, 0),
    presentedP50: round(median(w.values), 2),
    // before the display: free of the slow beat between the source's and the display's clocks
    decodedP50: round(median(w.decoded), 2),
    machineBusyCores: w.busy.length ? round(w.busy.reduce((a, b) => a + b, 0) / w.busy.length, 2) : null,
    machineRunnable: w.runnable.length ? round(median(w.runnable), 1) : null,
  }));
}

const r2 = (s) => (s ? Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'n' ? v : round(v, 2)])) : null);

export function aggregateMode(sessions, { seconds }) {
  const ok = sessions.filter((s) => !s.error);
  const cat = (name) => ok.flatMap((s) => s.series[name] ?? []);
  const perSessionP50 = ok.map((s) => median(s.series.presented)).filter(Number.isFinite);
  const out = {
    sessions: sessions.length,
    failed: sessions.length - ok.length,
    errors: [
      ...sessions.filter((s) => s.error).map((s) => s.error),
      // WebRTC that decodes but never shows a picture: say so instead of "no frames"
      ...ok.filter((s) => s.webrtc?.framesDecoded > 0 && s.counts.presented === 0).map((s) => `getStats counted ${s.webrtc.framesDecoded} frames decoded, but the <video> presented none (videoWidth stayed 0)`),
    ].slice(0, 3),
    received: r2(summarize(cat('received'))),
    decoded: r2(summarize(cat('decoded'))),
    presented: r2(summarize(cat('presented'))),
    socketToDecoded: r2(summarize(cat('socketToDecoded'))),
    decodeCall: r2(summarize(cat('decodeCall'))), // MJPEG: the decode call alone
    sessionPresentedP50: { min: round(Math.min(...perSessionP50), 1), max: round(Math.max(...perSessionP50), 1) },
    fps: round(median(ok.map((s) => (s.activeSeconds > 0 ? s.counts.presented / s.activeSeconds : null))), 1),
    // decoded pictures per second: what arrived and decoded, whatever the display's rate let
    // the page present (WebRTC: getStats framesDecoded)
    decodedFps: round(median(ok.map((s) => s.webrtc?.decodedFps ?? (s.activeSeconds > 0 && s.counts.decoded > 0 ? s.counts.decoded / s.activeSeconds : null))), 1),
    firstFrameMs: round(median(ok.map((s) => s.connectToFirstFrameMs)), 0),
    creep: creep(ok, Math.min(10000, (seconds * 1000) / 2)),
    ...(seconds >= 60 ? { timeline: timeline(ok) } : {}),
    serverCpuCores: round(median(ok.map((s) => s.serverCpu)), 2),
    // a sorted sample of presented latencies for the distribution chart (at most 400 points)
    presentedSample: sampleSorted(cat('presented'), 400),
  };
  const rtc = ok.map((s) => s.webrtc).filter(Boolean);
  if (rtc.length) {
    out.webrtc = {
      decodeMsPerFrame: round(median(rtc.map((w) => w.decodeMsPerFrame)), 2),
      jitterBufferMs: round(median(rtc.map((w) => w.jitterBufferMs)), 1),
      framesDropped: rtc.reduce((a, w) => a + (w.framesDropped || 0), 0),
      decoder: rtc[0].decoder,
      // median ms from the session's start to: ICE gathered (offer sent), answer, connected
      phases: Object.fromEntries(['gathered', 'answered', 'connected'].map((k) => [k, round(median(rtc.map((w) => w.phases?.[k] ?? null)), 0)])),
    };
  }
  // the *-audio modes: proof the sound played (WebRTC: samples out of the audio jitter buffer;
  // Direct: frames the app's AudioPlayer scheduled) and Direct's capture → heard estimate
  const played = ok.map((s) => s.webrtc?.audioSamplesPlayed ?? s.counts?.audioFramesPlayed).filter(Number.isFinite);
  if (played.length) {
    out.audio = {
      played: played.reduce((a, b) => a + b, 0),
      unit: ok.some((s) => s.webrtc) ? 'samples' : 'frames',
      directDelayMs: round(median(ok.map((s) => s.counts?.audioDelayMs ?? null)), 1),
    };
  }
  const stages = ok.map((s) => s.stages).filter(Boolean);
  if (stages.length) {
    out.stages = {};
    for (const k of Object.keys(stages[0])) out.stages[k] = round(median(stages.map((x) => x[k])), 2);
  }
  return out;
}

function sampleSorted(values, n) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length <= n) return v.map((x) => round(x, 2));
  return Array.from({ length: n }, (_, i) => round(v[Math.floor((i * (v.length - 1)) / (n - 1))], 2));
}
