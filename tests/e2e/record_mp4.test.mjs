// Recording to MP4 against the real binary: 10 s of 720p60 read back by ffprobe/ffmpeg,
// a SIGKILL mid-recording, downloads with Range (and a seek in Chromium's <video>), path
// traversal, deletion, and a full disk (a small tmpfs the test mounts when it runs as root).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { launchBrowser } from './lib/browser.mjs';
import { getJson, http, rawRequest, run, sleep, startFramewire, statusOf, tmpDir, waitFor } from './lib/framewire.mjs';
import { RecordingSocket } from './lib/ws_client.mjs';

const cleanups = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function eventsSocket(fw) {
  const sock = new RecordingSocket(`${fw.wsBase}/ws/events`);
  await sock.opened;
  cleanups.push(() => sock.close());
  return sock;
}

function events(sock, type) {
  return sock.texts().filter((e) => e.type === type); // texts() are parsed JSON
}

async function ffprobeJson(file, extra) {
  const r = await run('ffprobe', ['-v', 'error', '-of', 'json', ...extra, file], { timeoutMs: 120000 });
  assert.equal(r.code, 0, `ffprobe failed on ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout.toString());
}

// Packets of the video stream: pts and key flag, in file (decode) order.
async function packets(file) {
  const j = await ffprobeJson(file, ['-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags']);
  return j.packets.map((p) => ({ pts: Number(p.pts_time), key: p.flags.startsWith('K') }));
}

// Decodes every frame (ffprobe -count_frames): no decoder message, and as many frames decoded
// as packets stored. (ffmpeg -f null would re-time the variable-rate stamps onto a 1/fps grid
// and complain about its own output, not the file.)
async function decodesCleanly(file, packetCount) {
  const r = await run('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file], { timeoutMs: 180000 });
  const frames = Number(r.stdout.toString().trim());
  return { ok: r.code === 0 && r.stderr.trim() === '' && frames === packetCount, stderr: `${r.stderr} (decoded ${frames} of ${packetCount})` };
}

test('10 s of 720p60: every frame the recorder took is in the MP4, from a keyframe, in order, for the wall time', async (t) => {
  const dir = tmpDir('fw-rec-');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const fw = await startFramewire({ size: '1280x720', fps: 60, bitrate: 4000, 'record-dir': dir });
  cleanups.push(() => fw.stop());
  const ev = await eventsSocket(fw);

  const start = await getJson(`${fw.base}/api/record/start`, { method: 'POST' });
  assert.equal(start.status, 200, start.text());
  const again = await getJson(`${fw.base}/api/record/start`, { method: 'POST' });
  assert.equal(again.status, 409);
  assert.match(again.json.error, /already recording/);
  await waitFor(() => events(ev, 'record_started').length > 0, { what: 'record_started' });
  const started = events(ev, 'record_started')[0];
  const state = await getJson(`${fw.base}/api/state`);
  assert.equal(state.json.recording.active, true);
  assert.equal(state.json.recording.file, started.file);

  await sleep(10000);
  const stopSentUs = Date.now() * 1000;
  const stop = await getJson(`${fw.base}/api/record/stop`, { method: 'POST' });
  assert.equal(stop.status, 200, stop.text());
  await waitFor(() => events(ev, 'record_stopped').length > 0, { what: 'record_stopped' });
  const stopped = events(ev, 'record_stopped')[0];
  assert.equal((await getJson(`${fw.base}/api/record/stop`, { method: 'POST' })).status, 409);

  const file = path.join(dir, started.file);
  const wallS = (stopSentUs - started.time_us) / 1e6;
  const fmt = await ffprobeJson(file, ['-show_entries', 'format=duration,start_time:stream=codec_name,width,height']);
  const pk = await packets(file);
  // The span the frames cover: first to last stamp plus one mean frame interval.
  const duration = (pk.at(-1).pts - pk[0].pts) * (pk.length / (pk.length - 1));
  t.diagnostic(`ffprobe format duration ${fmt.format.duration}, start_time ${fmt.format.start_time}, first pts ${pk[0].pts}, last pts ${pk.at(-1).pts}`);
  t.diagnostic(`wall ${wallS.toFixed(3)} s, file ${duration.toFixed(3)} s (${(((duration - wallS) / wallS) * 100).toFixed(2)} %), ` +
    `${pk.length} packets, recorder took ${stopped.frames} frames, dropped ${stopped.dropped}, ${stopped.bytes} bytes`);
  assert.equal(fmt.streams[0].codec_name, 'h264');
  assert.equal(fmt.streams[0].width, 1280);
  assert.equal(fmt.streams[0].height, 720);
  assert.equal(pk.length, stopped.frames, 'frames in the file differ from the frames the recorder took');
  assert.equal(stopped.dropped, 0, 'the recorder dropped frames');
  assert.ok(pk[0].key, 'the first frame is not a keyframe');
  for (let i = 1; i < pk.length; i++) assert.ok(pk[i].pts > pk[i - 1].pts, `pts not increasing at ${i}: ${pk[i - 1].pts} → ${pk[i].pts}`);
  assert.ok(Math.abs(duration - wallS) / wallS < 0.02, `duration ${duration} s vs wall ${wallS} s: more than 2 % apart`);
  const decoded = await decodesCleanly(file, pk.length);
  assert.ok(decoded.ok, `ffmpeg could not decode it cleanly: ${decoded.stderr}`);

  const list = await getJson(`${fw.base}/api/recordings`);
  const entry = list.json.recordings.find((r) => r.name === started.file);
  assert.ok(entry, `not listed: ${list.text()}`);
  assert.equal(entry.size, fs.statSync(file).size);
  assert.equal(entry.recording, false);
});

test('SIGKILL mid-recording: the file so far is a valid MP4 that decodes to the end', async (t) => {
  const dir = tmpDir('fw-rec-kill-');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const fw = await startFramewire({ size: '640x360', fps: 30, 'record-dir': dir, 'record-autostart': 'true' });
  cleanups.push(() => fw.stop());
  await waitFor(async () => {
    const s = (await getJson(`${fw.base}/api/state`)).json;
    return s.recording.active && s.recording.elapsed_s > 3.5 && s.recording.frames > 60;
  }, { what: 'an autostarted recording of 3.5 s', timeoutMs: 30000 });
  process.kill(fw.pid, 'SIGKILL');
  await waitFor(() => fw.exited, { what: 'framewire to die' });
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.mp4'));
  assert.equal(files.length, 1);
  const file = path.join(dir, files[0]);
  const pk = await packets(file);
  const decoded = await decodesCleanly(file, pk.length);
  t.diagnostic(`${fs.statSync(file).size} bytes on disk, ${pk.length} frames readable, last pts ${pk.at(-1)?.pts}`);
  assert.ok(pk.length >= 60, `only ${pk.length} frames readable after the kill`);
  assert.ok(pk[0].key);
  assert.ok(decoded.ok, `ffmpeg could not decode the killed recording to the end: ${decoded.stderr}`);
});

test('downloads: Range answers 206 with the right bytes, 416 past the end; traversal refused; delete', async () => {
  const dir = tmpDir('fw-rec-dl-');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const fw = await startFramewire({ size: '640x360', fps: 30, 'record-dir': dir });
  cleanups.push(() => fw.stop());
  assert.equal((await getJson(`${fw.base}/api/record/start`, { method: 'POST' })).status, 200);
  await sleep(6000);
  assert.equal((await getJson(`${fw.base}/api/record/stop`, { method: 'POST' })).status, 200);
  const [rec] = (await getJson(`${fw.base}/api/recordings`)).json.recordings;
  const bytes = fs.readFileSync(path.join(dir, rec.name));

  const whole = await http(`${fw.base}${rec.url}`);
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get('content-type'), 'video/mp4');
  assert.equal(whole.headers.get('accept-ranges'), 'bytes');
  assert.ok(whole.body.equals(bytes), 'whole download differs from the file');

  const mid = await http(`${fw.base}${rec.url}`, { headers: { Range: 'bytes=1000-1999' } });
  assert.equal(mid.status, 206);
  assert.equal(mid.headers.get('content-range'), `bytes 1000-1999/${bytes.length}`);
  assert.ok(mid.body.equals(bytes.subarray(1000, 2000)));
  const tail = await http(`${fw.base}${rec.url}`, { headers: { Range: 'bytes=-100' } });
  assert.equal(tail.status, 206);
  assert.ok(tail.body.equals(bytes.subarray(bytes.length - 100)));
  const open = await http(`${fw.base}${rec.url}`, { headers: { Range: `bytes=${bytes.length - 10}-` } });
  assert.equal(open.status, 206);
  assert.equal(open.body.length, 10);
  const past = await http(`${fw.base}${rec.url}`, { headers: { Range: `bytes=${bytes.length}-` } });
  assert.equal(past.status, 416);
  assert.equal(past.headers.get('content-range'), `bytes */${bytes.length}`);
  const head = await http(`${fw.base}${rec.url}`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers.get('content-length')), bytes.length);

  // Traversal, encoded or not, and odd names: a JSON 400 or 404, never a file.
  fs.writeFileSync(path.join(path.dirname(dir), 'fw-secret.mp4'), 'secret');
  cleanups.push(() => fs.rmSync(path.join(path.dirname(dir), 'fw-secret.mp4'), { force: true }));
  for (const target of ['/recordings/..%2ffw-secret.mp4', '/recordings/%2e%2e%2ffw-secret.mp4', '/recordings/../fw-secret.mp4',
    '/recordings/..%5cfw-secret.mp4', '/recordings/.hidden.mp4', '/recordings/x%00.mp4', '/recordings/', '/recordings/nope.mp4',
    '/recordings/%2fetc%2fpasswd']) {
    const raw = await rawRequest(fw.port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    const status = statusOf(raw.text);
    assert.ok(status === 400 || status === 404, `${target}: status ${status}`);
    assert.ok(!raw.text.includes('secret'), `${target} leaked a file`);
  }
  const bad = await getJson(`${fw.base}/recordings/..%2f..%2fetc%2fpasswd`);
  assert.ok(bad.status === 400 || bad.status === 404);
  assert.ok(bad.json && typeof bad.json.error === 'string', 'the refusal is not JSON with an error');

  // Chromium's <video> plays it and seeks (Range requests under the hood).
  const browser = await launchBrowser();
  cleanups.push(() => browser.close());
  const page = await browser.context.newPage();
  await page.goto(`${fw.base}/`);
  const seek = await page.evaluate(async (url) => {
    const v = document.createElement('video');
    v.muted = true;
    v.src = url;
    document.body.append(v);
    await new Promise((resolve, reject) => {
      v.onloadedmetadata = resolve;
      v.onerror = () => reject(new Error(`video error ${v.error && v.error.code}`));
      setTimeout(() => reject(new Error('no metadata in 15 s')), 15000);
    });
    const duration = v.duration;
    await v.play();
    v.currentTime = duration / 2;
    await new Promise((resolve, reject) => {
      v.onseeked = resolve;
      setTimeout(() => reject(new Error('no seeked in 15 s')), 15000);
    });
    const frames = await new Promise((resolve) => {
      v.requestVideoFrameCallback((_now, meta) => resolve(meta.presentedFrames));
      setTimeout(() => resolve(-1), 5000);
    });
    return { duration, currentTime: v.currentTime, frames, w: v.videoWidth };
  }, rec.url);
  assert.ok(seek.duration > 4, `duration ${seek.duration}`);
  assert.ok(Math.abs(seek.currentTime - seek.duration / 2) < 1.5, `seek landed at ${seek.currentTime}`);
  assert.equal(seek.w, 640);
  assert.ok(seek.frames > 0, 'no frame presented after the seek');

  const del = await getJson(`${fw.base}${rec.url}`, { method: 'DELETE' });
  assert.equal(del.status, 200);
  assert.equal(fs.existsSync(path.join(dir, rec.name)), false);
  assert.equal((await getJson(`${fw.base}${rec.url}`, { method: 'DELETE' })).status, 404);
});

function canMountTmpfs() {
  return process.getuid && process.getuid() === 0;
}

test('a full disk stops the recording with an event; the file so far is readable; viewers keep being served', { skip: !canMountTmpfs() && 'needs root to mount a small tmpfs' }, async (t) => {
  const dir = tmpDir('fw-rec-full-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1536k', 'tmpfs', dir]);
  } catch (e) {
    t.skip(`cannot mount a tmpfs: ${e.message}`);
    fs.rmSync(dir, { recursive: true, force: true });
    return;
  }
  cleanups.push(() => {
    try {
      execFileSync('umount', [dir]);
    } catch { /* already gone */ }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const fw = await startFramewire({ size: '1280x720', fps: 30, bitrate: 4000, 'record-dir': dir });
  cleanups.push(() => fw.stop());
  const ev = await eventsSocket(fw);
  const viewer = new RecordingSocket(`${fw.wsBase}/ws/direct?raw=1`, { keepBinary: false });
  await viewer.opened;
  cleanups.push(() => viewer.close());
  assert.equal((await getJson(`${fw.base}/api/record/start`, { method: 'POST' })).status, 200);
  await waitFor(() => events(ev, 'record_stopped').length > 0, { what: 'the recording to stop on a full disk', timeoutMs: 60000 });
  const [error] = events(ev, 'record_error');
  const [stopped] = events(ev, 'record_stopped');
  t.diagnostic(`record_error: ${error?.reason}; stopped after ${stopped.frames} frames, ${stopped.bytes} bytes`);
  assert.ok(error, 'no record_error event');
  assert.equal(stopped.reason, 'error');
  const state = (await getJson(`${fw.base}/api/state`)).json;
  assert.equal(state.recording.active, false);
  assert.ok(state.recording.last_error.length > 0);
  // The live viewer keeps getting frames after the recording stopped.
  const before = viewer.binaryCount;
  await waitFor(() => viewer.binaryCount >= before + 30, { what: '30 more frames for the live viewer', timeoutMs: 20000 });
  assert.equal(viewer.closed, false);
  // The file so far.
  const file = path.join(dir, error.file);
  const pk = await packets(file);
  t.diagnostic(`${fs.statSync(file).size} bytes on the full disk, ${pk.length} frames readable`);
  assert.ok(pk.length > 0 && pk[0].key, 'nothing readable in the file cut by the full disk');
});

// Records ~5 s and returns the file's streams (codec, duration) and events.
async function recordFiveSeconds(options) {
  const dir = tmpDir('fw-rec-audio-');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const fw = await startFramewire({ 'record-dir': dir, ...options });
  cleanups.push(() => fw.stop());
  assert.equal((await getJson(`${fw.base}/api/record/start`, { method: 'POST' })).status, 200);
  await sleep(5000);
  assert.equal((await getJson(`${fw.base}/api/record/stop`, { method: 'POST' })).status, 200);
  const [rec] = (await getJson(`${fw.base}/api/recordings`)).json.recordings;
  const file = path.join(dir, rec.name);
  const probe = await ffprobeJson(file, ['-show_entries', 'stream=codec_type,codec_name,duration,start_time,channels,sample_rate']);
  return { file, streams: probe.streams };
}

test('with audio (the test tone): an Opus track next to the video, as long, decoding to the end; audio-source none: video only', async (t) => {
  const { file, streams } = await recordFiveSeconds({});
  t.diagnostic(`streams: ${JSON.stringify(streams)}`);
  const video = streams.find((s) => s.codec_type === 'video');
  const audio = streams.find((s) => s.codec_type === 'audio');
  assert.ok(video, 'no video stream');
  assert.ok(audio, 'no audio stream');
  assert.equal(video.codec_name, 'h264');
  assert.equal(audio.codec_name, 'opus');
  const vd = Number(video.duration);
  const ad = Number(audio.duration);
  assert.ok(vd > 3, `video only ${vd} s`);
  assert.ok(Math.abs(vd - ad) < 0.1, `video ${vd} s vs audio ${ad} s: more than 100 ms apart`);
  // Decodes every audio packet; any decoder complaint fails.
  const r = await run('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:a:0', '-f', 'null', '-'], { timeoutMs: 120000 });
  assert.equal(r.code, 0, `ffmpeg: ${r.stderr}`);
  assert.equal(r.stderr.toString().trim(), '', `ffmpeg complained decoding the audio: ${r.stderr}`);

  const silent = await recordFiveSeconds({ 'audio-source': 'none' });
  t.diagnostic(`audio-source none: ${JSON.stringify(silent.streams)}`);
  assert.deepEqual(silent.streams.map((s) => s.codec_type), ['video']);
});
