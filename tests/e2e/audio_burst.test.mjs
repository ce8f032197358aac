// audio-test-signal burst: the test source plays silence with a 20 ms 1 kHz burst once a second,
// each followed by a marker whose distance codes the burst's index mod 5, and /api/state says
// when the bursts were captured (audio.burst.epoch_us + whole periods), so a listener can measure
// the sound's delay on the sound itself, unambiguous up to 5 s (bench/audio.mjs). Checked here on
// the Direct socket: the Opus packets that hold an onset (much larger than those of silence),
// read by bench/lib/burst_code.mjs, give each burst's index, and the burst's packet was
// captured on the grid at that index, to within a frame; in Chromium, the page's AudioWorklet
// detector hears the Direct player's sound 1.5 s late (a DelayNode) and the bursts read 1.5 s
// and more, not that modulo a second; the tone's server has no "burst" in its state. Delays are
// printed, never judged.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBurstOnsets } from '../../bench/lib/burst_code.mjs';
import { installBurstDetector, takeHeardOnsets } from '../../bench/lib/burst_delay.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { getJson, startFramewire, waitFor } from './lib/framewire.mjs';
import { median } from './lib/whep.mjs';
import { RecordingSocket } from './lib/ws_client.mjs';

test('audio-test-signal burst: bursts and markers in the Opus packets; each decoded index puts its burst at its capture time', async () => {
  const fw = await startFramewire({ size: '320x180', fps: 15, bitrate: 500, 'audio-test-signal': 'burst' });
  const ws = new RecordingSocket(`${fw.wsBase}/ws/direct?audio=1`);
  try {
    await ws.opened;
    const audio = () => ws.binaries().filter((m) => m.data[0] === 0x02);
    await ws.waitFor(() => audio().length >= 650, { timeoutMs: 30000, what: '6.5 s of audio packets' });
    const state = (await getJson(`${fw.base}/api/state`)).json;
    const burst = state.audio.burst;
    assert.ok(burst, `audio.burst in /api/state: ${JSON.stringify(state.audio)}`);
    assert.equal(burst.period_ms, 1000);
    assert.equal(burst.length_ms, 20);
    assert.equal(burst.frequency_hz, 1000);
    assert.equal(burst.codes, 5);
    assert.equal(burst.marker_base_ms, 300);
    assert.equal(burst.marker_step_ms, 40);
    const packets = audio().map((m) => ({ at: m.at, captureMs: Number(m.data.readBigUInt64BE(2)) / 1000, size: m.data.length - 10 }));
    // capture times near the wall clock (same clock as epoch_us)
    assert.ok(Math.abs(burst.epoch_us / 1000 - packets[0].captureMs) < 60000, `epoch ${burst.epoch_us} near the packets' ${packets[0].captureMs}`);
    const silence = median(packets.map((p) => p.size));
    const loud = (p) => p.size > Math.max(silence * 2.5, silence + 20);
    // an onset: a loud packet after at least 3 quiet ones (Opus sends full-size packets for
    // ~210 ms after a burst; its marker comes 300 ms or more after it)
    const onsets = packets.filter((p, i) => loud(p) && i >= 3 && !packets.slice(i - 3, i).some(loud));
    const sizes = `silence ${silence}, loud ${onsets.map((p) => p.size)}`;
    assert.ok(onsets.length >= 6 && onsets.length <= 18, `a burst and its marker a second: ${onsets.length} onsets in ${packets.length} packets (${sizes})`);
    // which burst each is, read from its marker's distance (the index mod 5), against the capture
    // times: each decoded burst's packet was captured on the grid at that index. The encoder
    // stamps a packet 2.5 ms before its input (its look-ahead), and the packet before the
    // burst's carries its pre-echo (the MDCT window overlaps the burst's first 2.5 ms): the first
    // loud packet starts 12.5 ms before the burst (measured before the markers: -10.8). A wrong
    // index would put it a whole second or more off.
    const decoded = decodeBurstOnsets(onsets.map((p) => p.captureMs), burst);
    const since = onsets.map((p) => (p.captureMs - burst.epoch_us / 1000).toFixed(1));
    assert.ok(decoded.length >= 3, `bursts with their markers: ${decoded.length} of ${onsets.length} onsets (at ${since} ms after the epoch; ${sizes}; ${JSON.stringify(decoded)})`);
    for (const d of decoded) {
      assert.ok(d.delayMs > -21 && d.delayMs < 6, `burst ${d.index} (code ${d.code}): its packet captured ${d.delayMs.toFixed(1)} ms from its time`);
      assert.equal(d.index, Math.round((d.onsetMs - burst.epoch_us / 1000) / burst.period_ms), `burst index from the marker: ${JSON.stringify(d)}`);
    }
    const delays = decoded.map((d) => onsets.find((p) => p.captureMs === d.onsetMs)).map((p) => p.at - p.captureMs);
    console.log(
      `burst: silence packets ${silence} bytes, onset packets ${onsets.map((p) => p.size).join('/')} bytes at ${since.join(', ')} ms after the epoch; bursts ${decoded.map((d) => `#${d.index} code ${d.code} (marker +${d.gapMs.toFixed(0)} ms)`).join(', ')}; ` +
        `packet capture − burst time ${decoded.map((d) => d.delayMs.toFixed(1)).join(', ')} ms; ` +
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

test('Chromium: the page hears the bursts 1.5 s late and reads 1.5 s, not that modulo a second', async () => {
  const fw = await startFramewire({ size: '320x180', fps: 15, bitrate: 500, 'audio-test-signal': 'burst' });
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const logs = [];
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    await page.goto(`${fw.base}/?mode=direct`);
    await page.waitForFunction(() => window.framewire && window.framewire.audio && window.framewire.audio.framesDecoded > 10, null, { timeout: 20000 });
    await page.click('#sound-button'); // the gesture that starts Direct's AudioContext
    await page.waitForFunction(() => window.framewire.audioPlayer?.ctx && window.framewire.audioPlayer.gain, null, { timeout: 10000 });
    // the detector hears what the player plays, through a 1.5 s DelayNode
    const installed = await installBurstDetector(page, 'direct', { delayS: 1.5 });
    assert.equal(installed, 'ok', `burst detector: ${installed}\n${logs.slice(-10).join('\n')}`);
    const heard = [];
    const decodedNow = async () => {
      heard.push(...(await takeHeardOnsets(page)));
      const burst = (await getJson(`${fw.base}/api/state`)).json.audio.burst;
      return { burst, decoded: decodeBurstOnsets(heard, burst) };
    };
    const { burst, decoded } = await waitFor(
      async () => {
        const r = await decodedNow();
        return r.decoded.length >= 6 ? r : null;
      },
      { timeoutMs: 25000, what: 'six bursts heard with their markers' },
    ).catch(async (e) => {
      throw new Error(`${e.message}: onsets heard ${heard.length}, ${JSON.stringify(await page.evaluate(() => window.framewire.audio))}\n${logs.slice(-10).join('\n')}`);
    });
    // each burst read with its own index: consecutive ones as far apart as their indices say.
    // A gap in what the player plays (an underrun on a loaded machine restarts its schedule)
    // between a burst and its marker moves the marker and can misread that one burst, so most
    // pairs, not all, must agree; a broken code agrees by chance in one pair of five at most.
    const pairs = decoded.slice(1).map((d, i) => {
      const apart = Math.round((d.onsetMs - decoded[i].onsetMs) / burst.period_ms);
      return { ok: d.index - decoded[i].index === apart, text: `${decoded[i].index} → ${d.index} ${apart} periods apart` };
    });
    const agreeing = pairs.filter((p) => p.ok).length;
    assert.ok(agreeing >= pairs.length - 2, `consecutive bursts whose indices agree with their spacing: ${agreeing} of ${pairs.length} (${pairs.map((p) => p.text).join('; ')})`);
    // 1.5 s of DelayNode plus the player's own delay: read as more than a second (modulo the
    // period it would have read 0.5 s and more); < 5 s by construction
    const late = decoded.filter((d) => d.delayMs > 1400 && d.delayMs < 5000);
    assert.ok(late.length >= decoded.length - 1, `bursts heard 1.4-5 s after capture, with 1.5 s added: ${decoded.map((d) => d.delayMs.toFixed(1)).join(', ')} ms`);
    console.log(
      `burst in Chromium (Direct, +1.5 s DelayNode): ${heard.length} onsets, bursts ${decoded.map((d) => `#${d.index}`).join(' ')}; ` +
        `capture → heard ${decoded.map((d) => d.delayMs.toFixed(1)).join(', ')} ms (less 1500: the player's own delay)`,
    );
    await page.close();
  } finally {
    await browser.close();
    await fw.stop();
  }
});
