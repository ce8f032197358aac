// Reading framewire's test bursts (`audio-test-signal: burst`, src/media/audio/test_burst.hpp)
// from the onsets a listener heard: which burst each one was, so its delay is known without the
// ambiguity of a whole period. Pure: no page, no clock; bench/lib/burst_delay.mjs feeds it the
// onsets the page's AudioWorklet (bench/page/burst_detector.js) found, and the e2e tests the
// capture times of the Opus packets holding them.
//
// The signal: a burst at every whole period after `epoch_us` (index i = 0, 1, ...), and after
// each a second one, its marker, `marker_base_ms + (i mod codes) * marker_step_ms` later (all in
// /api/state audio.burst). A marker comes less than half a period after its burst, the next
// burst more than half a period after the marker, so the two are told apart by the time since
// the previous onset; a lost burst or marker loses that one pair only.

// The default signal, as /api/state gives it (for tests and older states).
export const DEFAULT_BURST = { period_ms: 1000, length_ms: 20, codes: 5, marker_base_ms: 300, marker_step_ms: 40 };

// `onsetsMs`: onset times (ms, on the clock of `burst.epoch_us`), in any order. `slackMs`: how
// early an onset may be against its burst's capture time (an Opus packet's pre-echo, a capture
// time rounded to a frame) and still be that burst. Returns one entry per burst whose marker
// was heard: {onsetMs, code, index, captureMs, delayMs, gapMs}; delayMs is in
// [-slackMs, codes * period_ms - slackMs): unambiguous for delays up to 5 s by default.
export function decodeBurstOnsets(onsetsMs, burst, { slackMs = 100 } = {}) {
  const b = { ...DEFAULT_BURST, ...burst };
  if (!(b.codes > 0) || !(b.period_ms > 0) || !(b.marker_step_ms > 0)) return [];
  const epochMs = b.epoch_us / 1000;
  const tolerance = b.marker_step_ms / 2;
  const latestMarker = b.marker_base_ms + (b.codes - 1) * b.marker_step_ms + tolerance;
  const cycleMs = b.codes * b.period_ms;
  const out = [];
  let pending = null; // a burst's onset waiting for its marker
  for (const t of [...onsetsMs].filter(Number.isFinite).sort((x, y) => x - y)) {
    if (pending !== null && t - pending <= latestMarker) {
      const gap = t - pending;
      const code = Math.round((gap - b.marker_base_ms) / b.marker_step_ms);
      if (code >= 0 && code < b.codes && Math.abs(gap - (b.marker_base_ms + code * b.marker_step_ms)) < tolerance) {
        // the burst's index: ≡ code (mod codes), and the delay within [-slack, cycle - slack)
        const m = Math.floor((pending - epochMs + slackMs - code * b.period_ms) / cycleMs);
        const index = code + m * b.codes;
        const captureMs = epochMs + index * b.period_ms;
        out.push({ onsetMs: pending, code, index, captureMs, delayMs: pending - captureMs, gapMs: gap });
      }
      pending = null; // a pair, or two onsets too close to be a burst and the next one's start
    } else {
      pending = t;
    }
  }
  return out;
}

// The signal itself, sample by sample (as test_burst.hpp makes it), for tests: the value at
// sample `n` at `rate` (n = 0 at the epoch).
export function burstSignal(n, rate, burst = DEFAULT_BURST, frequencyHz = 1000, amplitude = 0.5) {
  const b = { ...DEFAULT_BURST, ...burst };
  if (n < 0) return 0;
  const period = Math.round((rate * b.period_ms) / 1000);
  const length = Math.round((rate * b.length_ms) / 1000);
  const index = Math.floor(n / period);
  const phase = n % period;
  const marker = Math.round((rate * (b.marker_base_ms + (index % b.codes) * b.marker_step_ms)) / 1000);
  let k = -1;
  if (phase < length) k = phase;
  else if (phase >= marker && phase < marker + length) k = phase - marker;
  return k < 0 ? 0 : amplitude * Math.sin((2 * Math.PI * frequencyHz * k) / rate);
}
