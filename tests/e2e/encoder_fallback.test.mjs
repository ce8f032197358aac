// Runtime encoder fallback without hardware: FRAMEWIRE_TEST_FAIL_ENCODER=x264enc (test only)
// makes x264enc's branches fail on their first frame (a caps mismatch before the encoder), as a
// broken hardware encoder would. A branch with `encoder: auto` then moves to the next encoder of
// the registry (openh264enc here): /api/state says which and why, and a Direct viewer that was
// connected through the failure gets frames from the software encoder on the same socket.
// A branch that names its encoder has no fallback (it keeps retrying x264enc).

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { getJson, waitFor } from './lib/framewire.mjs';
import { directMeter, startWithConfig } from './lib/branches.mjs';

const YAML = `size: 640x360
fps: 30
branches:
  - id: hq
    codec: h264
    encoder: auto
    bitrate: 1000
  - id: named
    codec: h264
    encoder: x264enc
    bitrate: 500
`;

let fw;

after(async () => {
  if (fw) await fw.stop();
});

const branch = async (id) => (await getJson(`${fw.base}/api/state`)).json.branches.find((b) => b.id === id);

test('an auto branch whose encoder fails at run time moves to the next one; its viewer stays', async (t) => {
  process.env.FRAMEWIRE_TEST_FAIL_ENCODER = 'x264enc';
  try {
    fw = await startWithConfig(YAML);
  } finally {
    delete process.env.FRAMEWIRE_TEST_FAIL_ENCODER;
  }
  assert.match(fw.log(), /TEST ONLY: branch hq's x264enc is made to fail at run time/);
  const before = await branch('hq');
  assert.equal(before.encoder, 'x264enc');
  assert.equal(before.encoder_fallback, '');

  const direct = directMeter(`${fw.wsBase}/ws/direct?branch=hq`);
  try {
    await direct.opened;
    const t0 = Date.now();
    await waitFor(() => direct.frames.length >= 30, { timeoutMs: 30000, what: '30 frames on the Direct viewer' }).catch((e) => {
      throw new Error(`${e.message}\n${fw.log().split('\n').slice(-30).join('\n')}`);
    });
    t.diagnostic(`first frame ${direct.frames[0].at - t0} ms after joining, through the failure and the rebuild`);
    const now = await branch('hq');
    assert.equal(now.encoder, 'openh264enc');
    assert.match(now.encoder_fallback, /^x264enc failed \(.+\); now openh264enc$/);
    t.diagnostic(`encoder_fallback: ${now.encoder_fallback}`);
    assert.equal(direct.closed, false, 'the Direct viewer kept its connection');
    assert.ok(direct.frames[0].key, 'it started at a keyframe');
    assert.ok(direct.hellos().length >= 1);
    const settings = (await getJson(`${fw.base}/api/settings`)).json.branches.find((b) => b.id === 'hq');
    assert.equal(settings.encoder, 'openh264enc');
    assert.match(fw.log(), /branch hq: x264enc failed .*now openh264enc/);
  } finally {
    await direct.close();
  }
});

test('a named encoder has no fallback: it is retried and says so', async () => {
  const direct = directMeter(`${fw.wsBase}/ws/direct?branch=named`);
  try {
    await direct.opened;
    await waitFor(() => /branch named failed/.test(fw.log()), { timeoutMs: 20000, what: 'the named branch failing' });
    const named = await branch('named');
    assert.equal(named.encoder, 'x264enc');
    assert.equal(named.encoder_fallback, '');
    assert.equal(direct.frames.length, 0);
  } finally {
    await direct.close();
  }
});
