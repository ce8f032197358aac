// Audio end to end: the test tone reaches headless Chromium over WebRTC (inbound audio with
// packets and a non-zero level) and over Direct (?audio=1: AudioDecoder output grows alongside
// the video); Direct clients that do not ask get no audio messages; a real PulseAudio server
// started here (a null sink, a tone played into it, its monitor captured) reaches the browser;
// with no PulseAudio server: one clear log line and the video keeps playing.
// Measured delays (capture → socket on the server, capture → decoded in the page) are printed.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { getJson, startFramewire, tmpDir, waitFor } from './lib/framewire.mjs';
import { startFramewireWithEnv, startPulse, stopChild } from './lib/pulse.mjs';
import { launchWebRtcBrowser, median } from './lib/whep.mjs';
import { RecordingSocket } from './lib/ws_client.mjs';

let browser;
const numbers = [];
const children = []; // processes this file started (PulseAudio, the tone player), ended by PID

before(async () => {
  browser = await launchWebRtcBrowser();
});

after(async () => {
  if (browser) await browser.close();
  for (const c of children) stopChild(c);
  if (numbers.length) console.log(`audio figures:\n  ${numbers.join('\n  ')}`);
});

async function openPage(url) {
  const page = await browser.context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  await page.goto(url);
  return { page, logs };
}

const webrtcAudio = (page) =>
  page.evaluate(() => ({ audio: window.framewire.stats.audio, shown: window.framewire.stats.framesDrawn }));

// WebRTC in the page: the inbound audio has packets and a level above silence.
async function expectWebRtcSound(fw, label) {
  const { page, logs } = await openPage(`${fw.base}/?mode=webrtc`);
  try {
    // Chromium renders (and measures) a remote audio track only while it plays unmuted: the
    // Sound button (this click is the user gesture) unmutes the <video> it plays in.
    await page.click('#sound-button');
    const got = await waitFor(
      async () => {
        const s = await webrtcAudio(page);
        return s.audio && s.audio.packetsReceived > 100 && s.audio.totalAudioEnergy > 0 && s.shown > 0 ? s : null;
      },
      { timeoutMs: 25000, what: `${label}: inbound WebRTC audio with packets and energy, and a picture` },
    ).catch(async (e) => {
      throw new Error(`${e.message}\nstats: ${JSON.stringify(await webrtcAudio(page))}\nconsole:\n${logs.slice(-20).join('\n')}\nlog:\n${fw.log().slice(-3000)}`);
    });
    // audioLevel is instantaneous: sample it a few times
    let level = got.audio.audioLevel;
    for (let i = 0; i < 10 && !(level > 0); i++) {
      await page.waitForTimeout(300);
      level = (await webrtcAudio(page)).audio.audioLevel;
    }
    assert.ok(level > 0, `${label}: audioLevel ${level} (stats ${JSON.stringify(got.audio)})`);
    const state = (await getJson(`${fw.base}/api/state`)).json;
    numbers.push(
      `${label} WebRTC: ${got.audio.packetsReceived} packets, level ${level.toFixed(3)}, codec ${got.audio.codec}, ` +
        `jitter buffer ${got.audio.jitterBufferMs} ms/sample, server capture→sent p50 ${(state.audio.capture_to_sent.p50 / 1000).toFixed(1)} ms`,
    );
    return got;
  } finally {
    await page.close();
  }
}

test('test tone → Chromium over WebRTC: audio packets with a level, beside the picture', async () => {
  const fw = await startFramewire({ size: '640x360', fps: 30, bitrate: 1500 });
  try {
    const state = (await getJson(`${fw.base}/api/state`)).json;
    assert.equal(state.audio.source, 'test');
    assert.equal(state.audio.codec, 'opus');
    await expectWebRtcSound(fw, 'test tone');
  } finally {
    await fw.stop();
  }
});

test('Direct: ?audio=1 gets Opus frames the page decodes alongside video; others get none', async () => {
  const fw = await startFramewire({ size: '640x360', fps: 30, bitrate: 1500 });
  const plain = new RecordingSocket(`${fw.wsBase}/ws/direct`);
  const withAudio = new RecordingSocket(`${fw.wsBase}/ws/direct?audio=1`);
  try {
    await Promise.all([plain.opened, withAudio.opened]);
    await withAudio.waitFor((s) => s.binaries().filter((m) => m.data[0] === 0x02).length >= 100, {
      timeoutMs: 20000,
      what: '100 audio messages on ?audio=1',
    });
    const announce = withAudio.texts().find((m) => m.type === 'audio');
    assert.ok(announce, 'an "audio" announcement');
    assert.equal(announce.codec, 'opus');
    assert.equal(announce.sampleRate, 48000);
    const audio = withAudio.binaries().filter((m) => m.data[0] === 0x02);
    const ages = audio.map((m) => m.at - Number(m.data.readBigUInt64BE(2)) / 1000);
    assert.ok(ages.every((a) => a > -1000 && a < 5000), `capture times near now: ${ages.slice(0, 5)}`);
    assert.ok(withAudio.binaries().some((m) => m.data[0] === 0x01), 'video on the same socket');
    assert.ok(plain.binaries().length > 10, 'video for the client without ?audio=1');
    assert.ok(plain.binaries().every((m) => m.data[0] === 0x01), 'no audio without ?audio=1');
    assert.ok(!plain.texts().some((m) => m.type === 'audio'));
    numbers.push(`Direct socket: capture → received median ${median(ages).toFixed(1)} ms over ${ages.length} audio frames`);
  } finally {
    await plain.close();
    await withAudio.close();
  }

  const { page, logs } = await openPage(`${fw.base}/?mode=direct`);
  try {
    const first = await waitFor(
      () =>
        page.evaluate(() => {
          const a = window.framewire.audio;
          const v = window.framewire.stats;
          return a && a.framesDecoded > 20 && v.framesDecoded > 5 ? { audio: a.framesDecoded, video: v.framesDecoded } : null;
        }),
      { timeoutMs: 20000, what: 'AudioDecoder output in the Direct page' },
    ).catch(async (e) => {
      throw new Error(`${e.message}\n${JSON.stringify(await page.evaluate(() => window.framewire.audio))}\n${logs.slice(-20).join('\n')}`);
    });
    // unmute (the test's click is the user gesture) and let it play
    await page.click('#sound-button');
    await page.waitForTimeout(2000);
    const later = await page.evaluate(() => ({ a: { ...window.framewire.audio }, video: window.framewire.stats.framesDecoded }));
    assert.ok(later.a.framesDecoded > first.audio + 50, `audio decoded keeps growing: ${first.audio} → ${later.a.framesDecoded}`);
    assert.ok(later.video > first.video, `video decoded keeps growing: ${first.video} → ${later.video}`);
    assert.equal(later.a.muted, false);
    assert.ok(later.a.framesPlayed > 0, `frames scheduled for playback: ${JSON.stringify(later.a)}`);
    numbers.push(
      `Direct page: ${later.a.framesDecoded} audio frames decoded, ${later.a.framesPlayed} played, ${later.a.underruns} underruns, ` +
        `capture → heard (estimated) ${later.a.delayMs} ms`,
    );
  } finally {
    await page.close();
    await fw.stop();
  }
});

test('PulseAudio: a tone played into a null sink, captured from its monitor, reaches the browser', async () => {
  const pulse = await startPulse('fwnull', children);
  // the tone: 1 kHz into the null sink, for as long as the test runs
  const tone = spawn('gst-launch-1.0', ['-q', 'audiotestsrc', 'is-live=true', 'freq=1000', 'volume=0.5', '!', 'pulsesink', 'device=fwnull'], {
    env: pulse.env,
    stdio: 'ignore',
  });
  children.push(tone);
  const fw = await startFramewireWithEnv({ PULSE_SERVER: pulse.server }, {
    size: '640x360',
    fps: 30,
    bitrate: 1500,
    'audio-source': 'pulse',
    'audio-device': 'fwnull.monitor',
  });
  try {
    await expectWebRtcSound(fw, 'PulseAudio');
    const state = (await getJson(`${fw.base}/api/state`)).json;
    assert.equal(state.audio.source, 'pulse');
    assert.equal(state.audio.error, '');
    // framewire's record stream asked PulseAudio for one frame per fragment (latency-time
    // 10 ms, audio-frame-ms): the monitor, recorded by framewire alone, is configured so.
    const sources = execFileSync('pactl', ['list', 'sources'], { env: pulse.env, timeout: 10000 }).toString();
    const monitor = sources.split(/\n(?=Source #)/).find((s) => /Name: fwnull\.monitor/.test(s)) ?? '';
    const configured = /Latency: \d+ usec, configured (\d+) usec/.exec(monitor);
    assert.ok(configured, `the monitor's latency in pactl list sources:\n${monitor}`);
    assert.equal(Number(configured[1]), state.audio.frame_ms * 1000, 'the capture asks PulseAudio for one frame at a time');
    // Its capture times are when the sound reached framewire, not PulseAudio's stream clock
    // (which ran 50-330 ms ahead of the samples under load): printed, never judged.
    numbers.push(`PulseAudio: monitor configured latency ${configured[1]} usec; capture → sent p50 ${(state.audio.capture_to_sent.p50 / 1000).toFixed(1)} ms, p95 ${(state.audio.capture_to_sent.p95 / 1000).toFixed(1)} ms`);
  } finally {
    await fw.stop();
    stopChild(tone);
    pulse.stop();
  }
});

test('no audio device: one clear log line, and the video keeps playing', async () => {
  const missing = tmpDir('fw-nopulse-');
  const fw = await startFramewireWithEnv({ PULSE_SERVER: `unix:${missing}/nothing.sock` }, {
    size: '640x360',
    fps: 30,
    bitrate: 1500,
    'audio-source': 'pulse',
  });
  const ws = new RecordingSocket(`${fw.wsBase}/ws/direct?audio=1`);
  try {
    await ws.opened;
    await waitFor(() => /audio: cannot capture from pulse/.test(fw.log()), { timeoutMs: 15000, what: 'the audio failure log line' });
    const before = ws.binaries().length;
    await ws.waitFor((s) => s.binaries().length > before + 30, { timeoutMs: 15000, what: 'video after the audio failure' });
    assert.ok(ws.binaries().every((m) => m.data[0] === 0x01), 'only video');
    // retried quietly: still one warning line after a retry or two
    await new Promise((r) => setTimeout(r, 5000));
    const lines = fw.log().split('\n').filter((l) => /audio: cannot capture/.test(l));
    assert.equal(lines.length, 1, `one line, not one per retry:\n${lines.join('\n')}`);
    const state = (await getJson(`${fw.base}/api/state`)).json;
    assert.equal(state.audio.capturing, false);
    assert.notEqual(state.audio.error, '');
    numbers.push(`no device: "${lines[0].replace(/^\[[^\]]*\] \[[^\]]*\] /, '')}"`);
  } finally {
    await ws.close();
    await fw.stop();
    fs.rmSync(missing, { recursive: true, force: true });
  }
});
