// audio-test-signal burst: the test source plays silence with a 20 ms 1 kHz burst once a second,
// and /api/state says when the bursts were captured (audio.burst.epoch_us + whole periods), so a
// listener can measure the sound's delay on the sound itself (bench/audio.mjs). Checked here on
// the Direct socket: the Opus packets that hold a burst's onset (much larger than those of
// silence) carry capture times on that grid, to within a frame; the tone's server has no
// "burst" in its state. Delays are printed, never judged.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getJson, startFramewire, waitFor } from './lib/framewire.mjs';
import { median } from './lib/whep.mjs';
import { RecordingSocket } from './lib/ws_client.mjs';

test('audio-test-signal burst: bursts in the Opus packets at the capture times /api/state gives', async () => {
  const fw = await startFramewire({ size: '320x180', fps: 15, bitrate: 500, 'audio-test-signal': 'burst' });
  const ws = new RecordingSocket(`${fw.wsBase}/ws/direct?audio=1`);
  try {
    await ws.opened;
    const audio = () => ws.binaries().filter((m) => m.data[0] === 0x02);
    await ws.waitFor(() => audio().length >= 450, { timeoutMs: 25000, what: '4.5 s of audio packets' });
    const state = (await getJson(`${fw.base}/api/state`)).json;
    const burst = state.audio.burst;
    assert.ok(burst, `audio.burst in /api/state: ${JSON.stringify(state.audio)}`);
    assert.equal(burst.period_ms, 1000);
    assert.equal(burst.length_ms, 20);
    assert.equal(burst.frequency_hz, 1000);
    const packets = audio().map((m) => ({ at: m.at, captureMs: Number(m.data.readBigUInt64BE(2)) / 1000, size: m.data.length - 10 }));
    // capture times near the wall clock (same clock as epoch_us)
    assert.ok(Math.abs(burst.epoch_us / 1000 - packets[0].captureMs) < 60000, `epoch ${burst.epoch_us} near the packets' ${packets[0].captureMs}`);
    const silence = median(packets.map((p) => p.size));
    const loud = (p) => p.size > Math.max(silence * 2.5, silence + 20);
    const onsets = packets.filter((p, i) => loud(p) && (i === 0 || !loud(packets[i - 1])));
    assert.ok(onsets.length >= 3 && onsets.length <= 6, `one burst a second: ${onsets.length} onsets in ${packets.length} packets (sizes: silence ${silence}, loud ${onsets.map((p) => p.size)})`);
    // each onset packet was captured on the grid. The encoder stamps a packet 2.5 ms before
    // its input (its look-ahead), and the packet before the burst's carries its pre-echo (the
    // MDCT window overlaps the burst's first 2.5 ms): the first loud packet starts 12.5 ms
    // before the burst, or at the stream's start for the very first one (measured: -10.8, +1.7)
    const phases = onsets.map((p) => {
      const since = p.captureMs - burst.epoch_us / 1000;
      return since - Math.round(since / burst.period_ms) * burst.period_ms;
    });
    for (const ph of phases) assert.ok(ph > -21 && ph < 6, `onset packet captured ${ph.toFixed(1)} ms from a burst's time (${phases.map((x) => x.toFixed(1))})`);
    const delays = onsets.map((p) => p.at - p.captureMs);
    console.log(
      `burst: silence packets ${silence} bytes, onset packets ${onsets.map((p) => p.size).join('/')} bytes; onset packet phases ${phases.map((x) => x.toFixed(1)).join(', ')} ms; ` +
        `onset packets' capture → received on the socket ${delays.map((x) => x.toFixed(1)).join(', ')} ms`,
    );
  } finally {
    await ws.close();
    await fw.stop();
  }
  const tone = await startFramewire({ size: '320x180', fps: 15, bitrate: 500 });
  const ws2 = new RecordingSocket(`${tone.wsBase}/ws/direct?audio=1`);
  try {
    await ws2.opened;
    await ws2.waitFor((s) => s.binaries().filter((m) => m.data[0] === 0x02).length >= 20, { timeoutMs: 20000, what: 'tone packets' });
    const state = (await getJson(`${tone.base}/api/state`)).json;
    assert.equal(state.audio.burst, undefined, 'no bursts with the tone');
  } finally {
    await ws2.close();
    await tone.stop();
  }
});
