// The binary's side of branches: `framewire --list-encoders` on this machine, start-up errors
// of a bad `branches:` config (one line naming the branch, the key and the reason), and the
// default (no `branches:`) still serving one H.264 branch "main".

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { framewireBinary, getJson, run, startFramewire, tmpDir } from './lib/framewire.mjs';
import { postSettings } from './lib/branches.mjs';

test('--list-encoders prints the table and exits 0', async (t) => {
  const r = await run(framewireBinary(), ['--list-encoders'], { timeoutMs: 30000 });
  const out = r.stdout.toString();
  t.diagnostic(`\n${out}`);
  assert.equal(r.code, 0, r.stderr);
  assert.match(out, /^h264\s+x264enc\s+software\s+available/m);
  assert.match(out, /^vp8\s+vp8enc\s+software\s+available/m);
  // no GPU here: hardware encoders say why they cannot be used
  assert.match(out, /^h264\s+vaapih264enc\s+vaapi\s+unavailable: /m);
  assert.match(out, /^h264\s+nvh264enc\s+nvenc\s+unavailable: /m);
});

async function startupError(yaml) {
  const dir = tmpDir('fw-badcfg-');
  const file = path.join(dir, 'bad.yaml');
  fs.writeFileSync(file, yaml);
  try {
    return await run(framewireBinary(), ['--config', file, '--listen', '127.0.0.1:0'], { timeoutMs: 30000 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('a bad branches: config stops start-up with one line naming branch, key and reason', async () => {
  const cases = [
    ['branches:\n  - id: lq\n    width: (width / 3\n', 2, /branch 'lq' in .*bad\.yaml: width: '\(width \/ 3' is not a valid expression/],
    ['branches:\n  - id: lq\n    fps: frames\n', 2, /branch 'lq'.*fps: 'frames' is not a valid expression/],
    ['branches:\n  - id: lq\n    speed: 3\n', 2, /branch 'lq'.*unknown key 'speed'/],
    ['branches:\n  - id: lq\n    codec: vp8\n    params: {bogus: 1}\n', 1, /branch 'lq': params\.bogus: unknown parameter for vp8 encoders/],
    ['branches:\n  - id: lq\n    codec: h264\n    encoder: vaapih264enc\n', 1, /branch 'lq': encoder: encoder vaapih264enc is unavailable/],
    ['branches:\n  - id: lq\n    pipeline: x264enc bitrate={speed}\n', 1, /branch 'lq': pipeline: unknown placeholder \{speed\}/],
  ];
  for (const [yaml, code, message] of cases) {
    const r = await startupError(yaml);
    assert.equal(r.code, code, `${yaml} → exit ${r.code}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('framewire:'));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], message);
  }
});

test('without branches: one H.264 branch "main"; its bitrate changes live, fps and GOP by a rebuild', async () => {
  const fw = await startFramewire({ size: '640x360', fps: 30 });
  try {
    const state = (await getJson(`${fw.base}/api/state`)).json;
    assert.deepEqual(state.branches.map((b) => b.id), ['main', 'jpeg']);
    assert.equal(state.branches[0].encoder, 'x264enc');
    const ok = await postSettings(fw.base, { bitrate: 2500 });
    assert.equal(ok.status, 200, ok.body);
    assert.equal(ok.json.branch, 'main');
    const rebuilt = await postSettings(fw.base, { fps: 10, gop: 30 });
    assert.equal(rebuilt.status, 200, rebuilt.body);
    assert.equal(rebuilt.json.applied, 'rebuilt');
    const refused = await postSettings(fw.base, { width: 641 });
    assert.equal(refused.status, 400);
    assert.match(refused.json.error, /width: 641 is not valid: must be even/);
    const after = (await getJson(`${fw.base}/api/state`)).json;
    assert.equal(after.branches[0].settings.bitrate, 2500);
    assert.equal(after.branches[0].settings.fps, 10);
    assert.equal(after.branches[0].settings.gop, 30);
  } finally {
    await fw.stop();
  }
});
