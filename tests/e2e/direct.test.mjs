// Direct (H.264 over WebSocket) against the real binary: the framing, the control messages,
// the raw mode decoding with ffmpeg, and the state API listing the client.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getJson, run, startFramewire } from './lib/framewire.mjs';
import { hasDirectClient } from './lib/state.mjs';
import { nalTypes, RecordingSocket } from './lib/ws_client.mjs';

const W = 640;
const H = 360;
const FPS = 60;
let fw;

before(async () => {
  fw = await startFramewire({ size: `${W}x${H}`, fps: FPS, bitrate: 2000, gop: 0 });
});

after(async () => {
  if (fw) await fw.stop();
});

test('/ws/direct?raw=1 for 3 s decodes with ffmpeg to at least 60 frames', async (t) => {
  const sock = new RecordingSocket(`${fw.wsBase}/ws/direct?raw=1`);
  await sock.opened;
  // wait for the first access unit, then record 3 s from there
  await sock.waitFor((s) => s.binaryCount > 0, { timeoutMs: 15000, what: 'first raw access unit' });
  await new Promise((r) => setTimeout(r, 3000));
  await sock.close();
  assert.equal(sock.texts().length, 0, 'raw mode sent text messages');
  const aus = sock.binaries().map((m) => m.data);
  const first = aus[0];
  assert.ok(first[0] === 0 && first[1] === 0 && (first[2] === 1 || (first[2] === 0 && first[3] === 1)), 'raw message does not start with a start code');
  const types = nalTypes(first);
  assert.ok(types.includes(7) && types.includes(8) && types.includes(5), `first raw AU is not an IDR with SPS/PPS: NAL types ${types}`);
  const stream = Buffer.concat(aus);
  const r = await run('ffmpeg', ['-v', 'error', '-f', 'h264', '-i', 'pipe:0', '-f', 'framemd5', '-'], {
    input: stream,
    timeoutMs: 60000,
  });
  assert.equal(r.code, 0, `ffmpeg failed: ${r.stderr}`);
  const frames = r.stdout.toString().split('\n').filter((l) => l && !l.startsWith('#')).length;
  t.diagnostic(`${aus.length} access units, ${stream.length} bytes, ${frames} decoded frames`);
  assert.ok(frames >= 60, `only ${frames} frames decoded from ${aus.length} access units`);
  assert.ok(!/error|invalid/i.test(r.stderr), `decoder complained: ${r.stderr}`);
});

function parseVideo(buf) {
  return {
    kind: buf[0],
    key: (buf[1] & 1) === 1,
    captureUs: buf.readBigUInt64BE(2),
    au: buf.subarray(10),
  };
}

test('Direct framing: hello, keyframe first, capture times rising and near now', async (t) => {
  const sock = new RecordingSocket(`${fw.wsBase}/ws/direct`);
  try {
    await sock.opened;
    await sock.waitFor((s) => s.binaryCount >= 60, { timeoutMs: 20000, what: '60 video messages' });
    const first = sock.messages[0];
    assert.ok(first.text !== undefined, 'first message is not text');
    const hello = JSON.parse(first.text);
    assert.equal(hello.type, 'hello');
    assert.match(hello.codec, /^avc1\.[0-9A-F]{6}$/, `codec string ${hello.codec}`);
    assert.equal(hello.width, W);
    assert.equal(hello.height, H);
    if (hello.fps !== undefined) assert.equal(Number(hello.fps), FPS);

    const videos = sock.binaries().map((m) => ({ ...parseVideo(m.data), at: m.at }));
    assert.equal(videos[0].kind, 0x01, 'byte 0 is not 0x01 (video)');
    assert.ok(videos[0].key, 'first video message is not flagged as a keyframe');
    const types = nalTypes(videos[0].au);
    assert.ok(types.includes(7) && types.includes(8) && types.includes(5), `first AU NAL types ${types}`);
    // the codec string matches the SPS it came from (profile_idc, constraints, level_idc)
    const au = videos[0].au;
    const spsAt = (() => {
      for (let i = 0; i + 4 < au.length; i++) {
        if (au[i] === 0 && au[i + 1] === 0 && au[i + 2] === 1 && (au[i + 3] & 0x1f) === 7) return i + 4;
      }
      return -1;
    })();
    assert.ok(spsAt > 0, 'no SPS found');
    const fromSps = [...au.subarray(spsAt, spsAt + 3)].map((b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
    assert.equal(hello.codec, `avc1.${fromSps}`, 'codec string does not match the SPS');

    let keyframes = 0;
    for (let i = 0; i < videos.length; i++) {
      const v = videos[i];
      assert.equal(v.kind, 0x01, `message ${i}: byte 0 = ${v.kind}`);
      assert.ok(v.au.length > 0, `message ${i}: empty access unit`);
      const nt = nalTypes(v.au);
      if (v.key) {
        keyframes++;
        assert.ok(nt.includes(5) && nt.includes(7) && nt.includes(8), `keyframe ${i} NAL types ${nt}`);
      } else {
        assert.ok(!nt.includes(5), `message ${i} holds an IDR but is not flagged as keyframe`);
      }
      if (i > 0) assert.ok(v.captureUs > videos[i - 1].captureUs, `capture time did not increase at message ${i}`);
      const ageMs = Number(BigInt(v.at) * 1000n - v.captureUs) / 1000;
      assert.ok(ageMs > -1000 && ageMs < 5000, `message ${i}: capture time ${ageMs} ms from arrival`);
    }
    const spanMs = Number(videos.at(-1).captureUs - videos[0].captureUs) / 1000;
    t.diagnostic(`${videos.length} AUs, ${keyframes} keyframes, capture span ${spanMs.toFixed(0)} ms`);
    // sanity only: about FPS apart on average, never assert tight timing
    assert.ok(spanMs > 0 && spanMs < 60 * (videos.length - 1) * (1000 / FPS), `capture span ${spanMs} ms`);
  } finally {
    await sock.close();
  }
});

test('Direct control: ping gets its pong, a keyframe request yields a keyframe', async () => {
  const sock = new RecordingSocket(`${fw.wsBase}/ws/direct`);
  try {
    await sock.opened;
    await sock.waitFor((s) => s.binaryCount >= 10, { timeoutMs: 20000, what: 'video' });
    sock.send({ type: 'ping', t: 12345.5 });
    await sock.waitFor((s) => s.texts().some((m) => m.type === 'pong'), { timeoutMs: 5000, what: 'pong' });
    const pong = sock.texts().find((m) => m.type === 'pong');
    assert.equal(pong.t, 12345.5);

    // with gop 0 only the join keyframe exists; a request must bring another one
    const before = sock.binaries().length;
    const keysBefore = sock.binaries().filter((m) => (m.data[1] & 1) === 1).length;
    sock.send({ type: 'keyframe' });
    await sock.waitFor(
      (s) => s.binaries().slice(before).some((m) => (m.data[1] & 1) === 1),
      { timeoutMs: 10000, what: 'a keyframe after {"type":"keyframe"}' },
    );
    assert.ok(sock.binaries().filter((m) => (m.data[1] & 1) === 1).length > keysBefore);
    assert.equal(sock.closed, false, 'the server closed the session after a valid request');
  } finally {
    await sock.close();
  }
});

test('/api/state lists a Direct client while one is connected', async () => {
  const sock = new RecordingSocket(`${fw.wsBase}/ws/direct`);
  try {
    await sock.opened;
    await sock.waitFor((s) => s.binaryCount >= 5, { timeoutMs: 20000, what: 'video' });
    let last;
    const { json } = await (async () => {
      const deadline = Date.now() + 10000;
      for (;;) {
        last = await getJson(`${fw.base}/api/state`);
        if (last.status === 200 && hasDirectClient(last.json)) return last;
        if (Date.now() > deadline) assert.fail(`no Direct client in /api/state: ${last.text()}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    assert.ok(json);
  } finally {
    await sock.close();
  }
});
