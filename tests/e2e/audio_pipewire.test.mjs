// PipeWire capture, for real without a sound card or a desktop: a PipeWire of the test's own
// (lib/pipewire.mjs: the daemon with `pipewire -c` as root, no systemd, a private D-Bus session
// bus and WirePlumber, the session manager that links streams as on a desktop; a null sink
// `fwnull`). A tone (gst-launch ... pipewiresink target-object=fwnull) plays into the null sink;
// framewire captures what it plays with `audio-source: pipewire`, `audio-device: fwnull.monitor`
// (pipewiresrc target-object=fwnull with stream.capture.sink, which WirePlumber links to the
// sink's monitor ports). The sound reaches a Direct client (?audio=1: Opus packets far larger
// than silence's while the tone plays, silence's once it stops); framewire's stream asks for one
// frame per graph cycle (node.latency 480/48000) in stereo; /api/state: audio.capturing, no
// error, capture → sent (printed: pipewiresrc's buffers carry no duration and are restamped on a
// sample-exact timeline, media/audio/sample_timeline.hpp).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, test } from 'node:test';
import { describeCapture, expectToneThenSilence } from './lib/audio_capture.mjs';
import { waitFor } from './lib/framewire.mjs';
import { startPipeWire } from './lib/pipewire.mjs';
import { startFramewireWithEnv, stopChild } from './lib/pulse.mjs';

const children = []; // PipeWire, D-Bus, WirePlumber and the tone player, ended by PID
const numbers = [];

after(() => {
  for (const c of children) stopChild(c);
  if (numbers.length) console.log(`PipeWire figures:\n  ${numbers.join('\n  ')}`);
});

test('PipeWire: a tone played into a null sink, captured from its monitor, reaches a Direct client', async () => {
  const pipewire = await startPipeWire('fwnull', children);
  const tone = spawn(
    'gst-launch-1.0',
    ['-q', 'audiotestsrc', 'is-live=true', 'freq=1000', 'volume=0.5', '!', 'audio/x-raw,rate=48000,channels=2', '!', 'pipewiresink', 'client-name=fwtone', 'target-object=fwnull'],
    { env: pipewire.env, stdio: 'ignore' },
  );
  children.push(tone);
  let fw;
  try {
    await waitFor(() => pipewire.links().includes('fwtone:output_FL -> fwnull:playback_FL'), {
      timeoutMs: 20000,
      what: `WirePlumber linking the tone to the null sink (links: ${pipewire.links()}; ${pipewire.log()})`,
    });
    fw = await startFramewireWithEnv(
      { XDG_RUNTIME_DIR: pipewire.dir, PIPEWIRE_RUNTIME_DIR: pipewire.dir },
      { size: '320x180', fps: 15, bitrate: 500, 'audio-source': 'pipewire', 'audio-device': 'fwnull.monitor' },
    );
    let stream;
    let links;
    const r = await expectToneThenSilence(fw, {
      label: 'PipeWire',
      stopTone: () => stopChild(tone),
      duringTone: () => {
        stream = pipewire.nodes().framewire;
        links = pipewire.links().filter((l) => l.includes('framewire:'));
      },
    });
    assert.equal(r.state.audio.source, 'pipewire');
    assert.ok(stream, `framewire's stream node in pw-dump`);
    assert.equal(stream.props['target.object'], 'fwnull', JSON.stringify(stream.props));
    assert.equal(String(stream.props['stream.capture.sink']), 'true', JSON.stringify(stream.props));
    assert.equal(stream.props['node.latency'], '480/48000', `one frame per cycle: ${JSON.stringify(stream.props)}`);
    assert.deepEqual(links.sort(), ['fwnull:monitor_FL -> framewire:input_FL', 'fwnull:monitor_FR -> framewire:input_FR'], 'both channels of the monitor');
    numbers.push(describeCapture('pipewiresrc target-object=fwnull (monitor)', r));
  } finally {
    if (fw) await fw.stop();
    stopChild(tone);
    pipewire.stop();
  }
});
