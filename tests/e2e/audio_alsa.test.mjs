// ALSA capture, for real without a sound card: a PulseAudio server of the test's own (a null
// sink) and the `pulse` ALSA plugin (libasound2-plugins) routing an ALSA PCM to it. A tone
// played into the null sink is captured by framewire's alsasrc (`audio-source: alsa`) from
//   - `audio-device: fwmon`, a PCM the test defines in an asoundrc (XDG_CONFIG_HOME/alsa/asoundrc:
//     `type pulse`, `device fwnull.monitor`), as a user names a PCM of their own;
//   - `audio-device: pulse`, the plugin's own PCM, on PulseAudio's default source (PULSE_SOURCE);
// and reaches a Direct client (?audio=1): Opus packets far larger than silence's while the tone
// plays, silence's once it stops. /api/state: audio.capturing, no error, capture → sent
// (printed: the capture time comes from the buffers' arrival, media/audio/capture_offset.hpp).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { tmpDir } from './lib/framewire.mjs';
import { describeCapture, expectToneThenSilence } from './lib/audio_capture.mjs';
import { startFramewireWithEnv, startPulse, stopChild } from './lib/pulse.mjs';

const children = []; // PulseAudio and the tone players, ended by PID
const numbers = [];

after(() => {
  for (const c of children) stopChild(c);
  if (numbers.length) console.log(`ALSA figures:\n  ${numbers.join('\n  ')}`);
});

function playTone(pulse) {
  const tone = spawn('gst-launch-1.0', ['-q', 'audiotestsrc', 'is-live=true', 'freq=1000', 'volume=0.5', '!', 'pulsesink', 'device=fwnull'], {
    env: pulse.env,
    stdio: 'ignore',
  });
  children.push(tone);
  return tone;
}

for (const device of ['fwmon', 'pulse']) {
  test(`ALSA (audio-device ${device}, the pulse plugin): a tone played into a null sink reaches a Direct client`, async () => {
    const pulse = await startPulse('fwnull', children);
    const config = tmpDir('fw-alsa-');
    fs.mkdirSync(path.join(config, 'alsa'));
    fs.writeFileSync(path.join(config, 'alsa', 'asoundrc'), 'pcm.fwmon {\n  type pulse\n  device "fwnull.monitor"\n}\n');
    const tone = playTone(pulse);
    const fw = await startFramewireWithEnv(
      { PULSE_SERVER: pulse.server, PULSE_SOURCE: 'fwnull.monitor', XDG_CONFIG_HOME: config },
      { size: '320x180', fps: 15, bitrate: 500, 'audio-source': 'alsa', 'audio-device': device },
    );
    try {
      const r = await expectToneThenSilence(fw, { label: `ALSA ${device}`, stopTone: () => stopChild(tone) });
      assert.equal(r.state.audio.source, 'alsa');
      numbers.push(describeCapture(`alsasrc device=${device}`, r));
    } finally {
      await fw.stop();
      stopChild(tone);
      pulse.stop();
      fs.rmSync(config, { recursive: true, force: true });
    }
  });
}
