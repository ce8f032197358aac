// Plain HTTP clients against the real binary: ffprobe on /stream, snapshots with a readable
// stamp, the state API, and the web UI's files.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { getJson, http, run, startFramewire, tmpDir, waitFor } from './lib/framewire.mjs';
import { readStampGray, stampLatencyMs } from './lib/stamp.mjs';
import { findBranch } from './lib/state.mjs';

const W = 640;
const H = 360;
let fw;
let dir;

before(async () => {
  dir = tmpDir();
  fw = await startFramewire({ size: `${W}x${H}`, fps: 30, 'jpeg-fps': 30 });
});

after(async () => {
  if (fw) await fw.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('/api/health answers 200', async () => {
  const r = await http(`${fw.base}/api/health`);
  assert.equal(r.status, 200, r.text());
});

for (const urlPath of ['/stream', '/?action=stream']) {
  test(`ffprobe reads ${urlPath} as MJPEG at ${W}x${H}`, async () => {
    const r = await run(
      'ffprobe',
      ['-v', 'error', '-rw_timeout', '10000000', '-select_streams', 'v:0',
        '-show_entries', 'stream=codec_name,width,height', '-of', 'json', `${fw.base}${urlPath}`],
      { timeoutMs: 30000 },
    );
    assert.equal(r.code, 0, `ffprobe failed: ${r.stderr}`);
    const info = JSON.parse(r.stdout.toString());
    const s = info.streams?.[0];
    assert.ok(s, `no video stream: ${r.stdout}`);
    assert.equal(s.codec_name, 'mjpeg');
    assert.equal(s.width, W);
    assert.equal(s.height, H);
  });
}

test('/stream is multipart/x-mixed-replace', async () => {
  const ctrl = new AbortController();
  const res = await fetch(`${fw.base}/stream`, { signal: ctrl.signal });
  try {
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^multipart\/x-mixed-replace/i);
    // at least two JPEG parts arrive
    const reader = res.body.getReader();
    let seen = Buffer.alloc(0);
    await waitFor(
      async () => {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        seen = Buffer.concat([seen, Buffer.from(value)]);
        let n = 0;
        for (let i = seen.indexOf(Buffer.from([0xff, 0xd8, 0xff])); i >= 0; i = seen.indexOf(Buffer.from([0xff, 0xd8, 0xff]), i + 3)) n++;
        return n >= 2;
      },
      { timeoutMs: 15000, intervalMs: 0, what: 'two JPEG parts on /stream' },
    );
  } finally {
    ctrl.abort();
  }
});

async function checkSnapshot(urlPath) {
  const r = await waitFor(
    async () => {
      const x = await http(`${fw.base}${urlPath}`, { timeoutMs: 15000 });
      return x.status === 200 ? x : null;
    },
    { timeoutMs: 20000, intervalMs: 250, what: `200 from ${urlPath}` },
  );
  assert.match(r.headers.get('content-type') ?? '', /^image\/jpeg/i);
  assert.ok(r.body.length > 1000, `JPEG too small: ${r.body.length} bytes`);
  assert.deepEqual([...r.body.subarray(0, 2)], [0xff, 0xd8], 'no JPEG SOI marker');
  assert.deepEqual([...r.body.subarray(-2)], [0xff, 0xd9], 'no JPEG EOI marker');
  const receivedWallUs = BigInt(Date.now()) * 1000n;
  const file = path.join(dir, `snap${urlPath.replace(/\W+/g, '_')}.jpg`);
  fs.writeFileSync(file, r.body);
  const probe = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', file]);
  assert.equal(probe.code, 0, probe.stderr);
  const s = JSON.parse(probe.stdout.toString()).streams[0];
  assert.equal(s.codec_name, 'mjpeg');
  assert.equal(s.width, W);
  assert.equal(s.height, H);
  const gray = await run('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'gray', '-']);
  assert.equal(gray.code, 0, gray.stderr);
  assert.equal(gray.stdout.length, W * H, 'decoded picture has the wrong size');
  const value = readStampGray(gray.stdout, W, H);
  assert.notEqual(value, null, 'no valid latency stamp in the snapshot');
  // latency measured at the moment the body had arrived
  const ms = stampLatencyMs(value, receivedWallUs);
  assert.ok(ms >= 0 && ms < 5000, `implausible snapshot latency ${ms} ms`);
  return ms;
}

test('/snapshot is a JPEG with a readable stamp', async (t) => {
  const ms = await checkSnapshot('/snapshot');
  t.diagnostic(`snapshot stamp age ${ms.toFixed(1)} ms`);
});

test('/?action=snapshot is a JPEG with a readable stamp', async (t) => {
  const ms = await checkSnapshot('/?action=snapshot');
  t.diagnostic(`snapshot stamp age ${ms.toFixed(1)} ms`);
});

test('/api/state names the source and the h264 branch "main"', async () => {
  const r = await getJson(`${fw.base}/api/state`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /json/);
  assert.ok(r.json && typeof r.json === 'object', `not JSON: ${r.text()}`);
  assert.ok(r.json.source !== undefined, `no source in ${r.text()}`);
  assert.match(JSON.stringify(r.json.source), /test/, 'source is not the test source');
  const main = findBranch(r.json, 'main');
  assert.ok(main, `no branch "main" in ${r.text()}`);
  assert.match(String(main.codec), /h264/i);
});

test('/ serves the web UI and its modules', async () => {
  const r = await http(`${fw.base}/`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /text\/html/);
  const html = r.text();
  assert.match(html, /<script type="module" src="js\/app\.js">/);
  for (const file of ['js/app.js', 'js/direct_player.js', 'js/mjpeg_player.js', 'js/stamp.js', 'css/style.css']) {
    const f = await http(`${fw.base}/${file}`);
    assert.equal(f.status, 200, `${file}: ${f.status}`);
    const type = f.headers.get('content-type') ?? '';
    if (file.endsWith('.js')) assert.match(type, /javascript/, `${file} served as ${type}`);
    else assert.match(type, /text\/css/, `${file} served as ${type}`);
  }
});

// `nice`: every thread framewire starts (capture, encoder, GStreamer, network) runs at the
// priority it set for itself before starting them. Raising priority needs root; without it
// the server says so once and keeps its priority.
test('nice: every thread runs at the configured priority (or the log says why not)', async () => {
  const niced = await startFramewire({ size: `${W}x${H}`, fps: 30, nice: -5 });
  try {
    const r = await http(`${niced.base}/snapshot`); // starts capture and the JPEG encoder
    assert.equal(r.status, 200);
    const threads = fs.readdirSync(`/proc/${niced.pid}/task`).map((tid) => {
      const stat = fs.readFileSync(`/proc/${niced.pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), nice: Number(fields[16]) };
    });
    assert.ok(threads.length > 3, `only ${threads.length} threads`);
    const startedAt = os.getPriority(process.pid);
    if (process.getuid() === 0) {
      const wrong = threads.filter((t) => t.nice !== -5);
      assert.deepEqual(wrong, [], `threads not at nice -5: ${JSON.stringify(wrong)}`);
      assert.match(niced.log(), /running at nice -5/);
    } else {
      assert.match(niced.log(), /nice -5: not permitted/);
      assert.ok(threads.every((t) => t.nice === startedAt), JSON.stringify(threads));
    }
  } finally {
    await niced.stop();
  }
});
