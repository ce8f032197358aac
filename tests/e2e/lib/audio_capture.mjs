// Checks for a capture device test (audio_alsa, audio_pipewire): a tone played into the device
// reaches a Direct client (?audio=1) as Opus packets far larger than silence's, and once the
// tone stops they shrink back to silence's, so it is the played sound that arrived, not noise;
// /api/state says the capture runs and gives capture → sent. Figures are returned for printing.

import assert from 'node:assert/strict';
import { getJson, sleep } from './framewire.mjs';
import { RecordingSocket } from './ws_client.mjs';

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

const audioPackets = (ws) =>
  ws
    .binaries()
    .filter((m) => m.data[0] === 0x02)
    .map((m) => ({ at: m.at, captureMs: Number(m.data.readBigUInt64BE(2)) / 1000, size: m.data.length - 10 }));

// Opens a Direct client with sound on `fw`; `duringTone()` (optional) runs while the tone plays
// and framewire captures it; `stopTone()` ends the tone. Returns {socket capture → received ms,
// packet sizes, state}.
export async function expectToneThenSilence(fw, { label, stopTone, duringTone }) {
  const ws = new RecordingSocket(`${fw.wsBase}/ws/direct?audio=1`);
  try {
    await ws.opened;
    // 1.5 s of sound after the first packet (the device may take a moment to start)
    await ws.waitFor(() => audioPackets(ws).length >= 150, {
      timeoutMs: 20000,
      what: `${label}: 150 audio packets on ?audio=1 (log:\n${fw.log().slice(-2000)})`,
    });
    const withTone = audioPackets(ws).slice(-100);
    const toneSize = median(withTone.map((p) => p.size));
    assert.ok(toneSize > 20, `${label}: the tone's Opus packets (median ${toneSize} bytes) are larger than silence's (~3)`);
    const ages = withTone.map((p) => p.at - p.captureMs);
    assert.ok(ages.every((a) => a > -1000 && a < 5000), `${label}: capture times near now: ${ages.slice(0, 5)}`);
    const state = (await getJson(`${fw.base}/api/state`)).json;
    assert.equal(state.audio.capturing, true, `${label}: audio.capturing`);
    assert.equal(state.audio.error, '');
    assert.ok(state.audio.capture_to_sent && state.audio.capture_to_sent.count > 0, `${label}: capture_to_sent ${JSON.stringify(state.audio.capture_to_sent)}`);

    if (duringTone) await duringTone();

    // the tone stops: silence follows (what arrived was the tone)
    stopTone();
    const stoppedAt = Date.now();
    await sleep(800);
    await ws.waitFor(() => audioPackets(ws).filter((p) => p.at > stoppedAt + 800).length >= 50, {
      timeoutMs: 15000,
      what: `${label}: audio packets after the tone stopped`,
    });
    const silent = audioPackets(ws).filter((p) => p.at > stoppedAt + 800);
    const silenceSize = median(silent.map((p) => p.size));
    assert.ok(silenceSize < toneSize / 3, `${label}: after the tone stopped packets shrink (median ${silenceSize} bytes, tone ${toneSize})`);
    return { toneSize, silenceSize, ageP50: median(ages), state };
  } finally {
    await ws.close();
  }
}

// One line for the figures of expectToneThenSilence.
export function describeCapture(label, r) {
  const c = r.state.audio.capture_to_sent;
  return (
    `${label}: Opus packets ${r.toneSize} bytes with the tone, ${r.silenceSize} after it; capture → sent p50 ${(c.p50 / 1000).toFixed(1)} ms, ` +
    `p95 ${(c.p95 / 1000).toFixed(1)} ms (${c.count} writes); capture → received on the socket p50 ${r.ageP50.toFixed(1)} ms`
  );
}
