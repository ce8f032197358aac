// No server: reading the test bursts (`audio-test-signal: burst`). The onset detector the page
// runs in an AudioWorklet (bench/page/burst_detector.js, run here with a stand-in for the
// worklet's globals) on the signal framewire makes (burst + marker coding the index mod 5), and
// the decoder (bench/lib/burst_code.mjs) that tells bursts from markers and reads each burst's
// index, so a delay of several seconds is not read modulo one: delays up to 4.85 s, jittered
// onsets, lost bursts and markers, a spurious onset, onsets a little before their burst.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { test } from 'node:test';
import { burstSignal, decodeBurstOnsets, DEFAULT_BURST } from '../../bench/lib/burst_code.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const detectorCode = fs.readFileSync(path.join(here, '..', '..', 'bench', 'page', 'burst_detector.js'), 'utf8');
const burst = { ...DEFAULT_BURST, epoch_us: 1_700_000_000_000_000, frequency_hz: 1000 };
const epochMs = burst.epoch_us / 1000;

// Runs the worklet's processor over `samples` in 128-sample render quanta; returns the onsets'
// context times (s).
function runDetector(samples, sampleRate) {
  const posted = [];
  const context = {
    sampleRate,
    currentFrame: 0,
    AudioWorkletProcessor: class {
      constructor() {
        this.port = { postMessage: (m) => posted.push(m) };
      }
    },
    registerProcessor(name, cls) {
      context.registered = cls;
    },
  };
  vm.createContext(context);
  vm.runInContext(detectorCode, context);
  const node = new context.registered();
  for (let at = 0; at < samples.length; at += 128) {
    context.currentFrame = at;
    node.process([[samples.subarray(at, at + 128)]]);
  }
  return posted.map((m) => m.contextTime);
}

test('the worklet finds every burst and marker of the signal; the decoder reads their indices', () => {
  const rate = 48000;
  const seconds = 12;
  const lead = rate / 2; // the page starts listening between bursts
  const samples = new Float32Array(lead + rate * seconds);
  for (let n = 0; n < samples.length; n++) samples[n] = burstSignal(n - lead, rate);
  const onsetsS = runDetector(samples, rate);
  assert.equal(onsetsS.length, 2 * seconds, `a burst and a marker a second: ${onsetsS.map((x) => x.toFixed(3))}`);
  // heard 2.5 s after capture (the signal's sample 0 is the epoch): 2500 ms, not 500
  const heardMs = onsetsS.map((s) => epochMs + 2500 + (s - 0.5) * 1000);
  const decoded = decodeBurstOnsets(heardMs, burst);
  assert.equal(decoded.length, seconds);
  decoded.forEach((d, i) => {
    assert.equal(d.index, i, `burst ${i}: ${JSON.stringify(d)}`);
    assert.equal(d.code, i % 5);
    assert.ok(Math.abs(d.delayMs - 2500) < 1, `delay ${d.delayMs}`);
  });
});

test('delays from -0.08 to 4.85 s read as themselves, with jitter and an onset a frame early', () => {
  for (const delayMs of [-80, 0, 12.5, 480, 999, 1000, 1200, 2750, 4321, 4850]) {
    const onsets = [];
    for (let i = 0; i < 20; i++) {
      const jitter = () => (Math.random() - 0.5) * 20; // ±10 ms on each onset
      const burstAt = epochMs + i * burst.period_ms + delayMs;
      onsets.push(burstAt + jitter(), burstAt + burst.marker_base_ms + (i % burst.codes) * burst.marker_step_ms + jitter());
    }
    const decoded = decodeBurstOnsets(onsets, burst);
    assert.equal(decoded.length, 20, `delay ${delayMs}: ${decoded.length} decoded`);
    decoded.forEach((d, i) => {
      assert.equal(d.index, i, `delay ${delayMs}, burst ${i}: ${JSON.stringify(d)}`);
      assert.ok(Math.abs(d.delayMs - delayMs) <= 10, `delay ${delayMs} read ${d.delayMs}`);
    });
  }
});

test('lost bursts, lost markers and a stray onset lose only their own pair, never misread one', () => {
  const delayMs = 1300;
  const onsets = [];
  for (let i = 0; i < 24; i++) {
    const burstAt = epochMs + i * burst.period_ms + delayMs;
    if (i % 5 !== 2) onsets.push(burstAt); // bursts 2, 7, 12... lost
    if (i % 7 !== 4) onsets.push(burstAt + burst.marker_base_ms + (i % burst.codes) * burst.marker_step_ms); // markers 4, 11, 18 lost
    if (i === 15) onsets.push(burstAt + 150); // ringing heard as an onset 150 ms after burst 15
  }
  const decoded = decodeBurstOnsets(onsets.reverse(), burst); // any order
  const indices = decoded.map((d) => d.index);
  for (const d of decoded) assert.ok(Math.abs(d.delayMs - delayMs) < 1, `misread: ${JSON.stringify(d)}`);
  for (const lost of [2, 7, 12, 17, 22, 4, 11, 18, 15]) assert.ok(!indices.includes(lost), `burst ${lost} has no pair`);
  assert.ok(decoded.length >= 14, `the others decode: ${indices}`);
  // nothing, or garbage, decodes to nothing
  assert.deepEqual(decodeBurstOnsets([], burst), []);
  assert.deepEqual(decodeBurstOnsets([NaN, 'x', epochMs], burst), []);
  assert.deepEqual(decodeBurstOnsets([epochMs, epochMs + 30], burst), []); // 30 ms: no code
  assert.deepEqual(decodeBurstOnsets([epochMs, epochMs + 100], { ...burst, codes: 0 }), []);
});
