// Broadcasting without re-encoding against real servers on loopback: nginx with the RTMP
// module (started by the test with its own config; ffprobe reads the stream back, and a
// restarted nginx gets the stream again by itself), and an SRT listener (ffmpeg) that decodes
// what arrives. Every process started here is ended here, by its PID.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { freePort, getJson, run, sleep, startFramewire, tmpDir, waitFor } from './lib/framewire.mjs';
import { RecordingSocket } from './lib/ws_client.mjs';

const NGINX = '/usr/sbin/nginx';
const RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';
const cleanups = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function events(sock, type) {
  return sock.texts().filter((e) => e.type === type); // texts() are parsed JSON
}

function stopChild(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  const exited = new Promise((r) => proc.once('exit', r));
  try {
    process.kill(proc.pid, 'SIGTERM');
  } catch { return Promise.resolve(); }
  const t = setTimeout(() => { try { process.kill(proc.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
  return exited.finally(() => clearTimeout(t));
}

// nginx in the foreground, one process, its own prefix, config and logs under `dir`.
async function startNginx(dir, port) {
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(conf, `load_module ${RTMP_MODULE};
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log info;
events { worker_connections 64; }
rtmp {
  server {
    listen 127.0.0.1:${port};
    application live { live on; record off; }
  }
}
`);
  const proc = spawn(NGINX, ['-p', dir, '-c', conf, '-e', `${dir}/logs/error.log`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout.on('data', (c) => { log += c; });
  proc.stderr.on('data', (c) => { log += c; });
  await waitFor(() => new Promise((resolve) => {
    import('node:net').then(({ default: net }) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(proc.exitCode !== null ? new Error(`nginx exited: ${log}`) : false));
    });
  }), { what: 'nginx to listen', timeoutMs: 10000 });
  return proc;
}

async function probeRtmp(url) {
  const r = await run('ffprobe', ['-v', 'error', '-rw_timeout', '10000000', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', url], { timeoutMs: 30000 });
  if (r.code !== 0) return new Error(r.stderr);
  const j = JSON.parse(r.stdout.toString());
  return j.streams && j.streams.find((s) => s.codec_name === 'h264');
}

// Every stream of the RTMP stream (codec names), or an Error.
async function probeCodecs(url) {
  const r = await run('ffprobe', ['-v', 'error', '-rw_timeout', '10000000', '-show_entries', 'stream=codec_name', '-of', 'json', url], { timeoutMs: 30000 });
  if (r.code !== 0) return new Error(r.stderr);
  return (JSON.parse(r.stdout.toString()).streams ?? []).map((s) => s.codec_name);
}

// Two seconds of the stream's sound decoded to mono s16: samples and peak.
async function decodeAudio(url) {
  const r = await run('ffmpeg', ['-v', 'error', '-rw_timeout', '10000000', '-i', url, '-map', '0:a', '-t', '2', '-ac', '1', '-ar', '48000', '-f', 's16le', '-'], { timeoutMs: 30000 });
  const pcm = Buffer.isBuffer(r.stdout) ? r.stdout : Buffer.from(r.stdout);
  let peak = 0;
  for (let i = 0; i + 1 < pcm.length; i += 2) peak = Math.max(peak, Math.abs(pcm.readInt16LE(i)));
  return { code: r.code, samples: Math.floor(pcm.length / 2), peak, stderr: `${r.stderr}`.slice(0, 300) };
}

test('RTMP to a real nginx: ffprobe reads H.264 back; nginx restarted → the broadcast resumes by itself', { skip: (!fs.existsSync(NGINX) || !fs.existsSync(RTMP_MODULE)) && 'nginx or libnginx-mod-rtmp missing (scripts/install-deps.sh)' }, async (t) => {
  const dir = tmpDir('fw-nginx-');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  let nginx = await startNginx(dir, port);
  cleanups.push(() => stopChild(nginx));
  // GOP 30: nginx-rtmp keeps no keyframe for late joiners, so ffprobe needs a periodic one.
  const fw = await startFramewire({ size: '640x360', fps: 30, bitrate: 1500, gop: 30, 'broadcast-retry-max': 2 });
  cleanups.push(() => fw.stop());
  const ev = new RecordingSocket(`${fw.wsBase}/ws/events`);
  await ev.opened;
  cleanups.push(() => ev.close());

  const url = `rtmp://127.0.0.1:${port}/live/secretkey`;
  const bad = await getJson(`${fw.base}/api/broadcast`, { method: 'POST', body: JSON.stringify({ url: 'ftp://x/y', action: 'start' }) });
  assert.equal(bad.status, 400);
  const started = await getJson(`${fw.base}/api/broadcast`, { method: 'POST', body: JSON.stringify({ url, action: 'start' }) });
  assert.equal(started.status, 200, started.text());
  assert.ok(!started.text().includes('secretkey'), 'the stream key leaked into the answer');
  await waitFor(() => events(ev, 'broadcast_connected').length > 0, { what: 'broadcast_connected', timeoutMs: 20000 });
  const stream = await waitFor(() => probeRtmp(url), { what: 'ffprobe to read H.264 from nginx', timeoutMs: 30000 });
  t.diagnostic(`ffprobe: ${JSON.stringify(stream)}`);
  assert.equal(stream.width, 640);
  // The test tone goes along as AAC, and decodes.
  const codecs = await waitFor(async () => {
    const c = await probeCodecs(url);
    return c instanceof Error || c.includes('aac') ? c : new Error(`streams: ${c}`);
  }, { what: 'ffprobe to list the AAC track', timeoutMs: 30000 });
  assert.deepEqual([...codecs].sort(), ['aac', 'h264'], `streams: ${codecs}`);
  const sound = await decodeAudio(url);
  t.diagnostic(`AAC decoded: ${sound.samples} samples, peak ${sound.peak} ${sound.stderr}`);
  assert.ok(sound.samples > 48000, `two seconds of sound decoded: ${JSON.stringify(sound)}`);
  assert.ok(sound.peak > 1000, `the tone is in it: peak ${sound.peak}`);
  const state = (await getJson(`${fw.base}/api/state`)).json;
  assert.equal(state.broadcasts.length, 1);
  assert.equal(state.broadcasts[0].state, 'live');

  // nginx goes away: an error event; it comes back on the same port: live again, by itself.
  await stopChild(nginx);
  await waitFor(() => events(ev, 'broadcast_error').length > 0, { what: 'broadcast_error after nginx stopped', timeoutMs: 30000 });
  t.diagnostic(`error: ${events(ev, 'broadcast_error')[0].reason}`);
  const t0 = Date.now();
  nginx = await startNginx(dir, port);
  await waitFor(() => events(ev, 'broadcast_connected').length > 1, { what: 'the broadcast to reconnect', timeoutMs: 40000 });
  t.diagnostic(`reconnected ${Date.now() - t0} ms after nginx restarted`);
  const again = await waitFor(() => probeRtmp(url), { what: 'ffprobe after the restart', timeoutMs: 30000 });
  assert.equal(again.codec_name, 'h264');

  const stop = await getJson(`${fw.base}/api/broadcast`, { method: 'POST', body: JSON.stringify({ url, action: 'stop' }) });
  assert.equal(stop.status, 200);
  await waitFor(() => events(ev, 'broadcast_stopped').length > 0, { what: 'broadcast_stopped' });
  assert.equal((await getJson(`${fw.base}/api/state`)).json.broadcasts.length, 0);
  assert.ok(!JSON.stringify(ev.texts()).includes('secretkey'), 'the stream key leaked into events');
});

test('RTMP with audio-source none: video only, as before', { skip: (!fs.existsSync(NGINX) || !fs.existsSync(RTMP_MODULE)) && 'nginx or libnginx-mod-rtmp missing (scripts/install-deps.sh)' }, async (t) => {
  const dir = tmpDir('fw-nginx-');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const nginx = await startNginx(dir, port);
  cleanups.push(() => stopChild(nginx));
  const fw = await startFramewire({ size: '640x360', fps: 30, bitrate: 1500, gop: 30, 'audio-source': 'none' });
  cleanups.push(() => fw.stop());
  const url = `rtmp://127.0.0.1:${port}/live/silent`;
  const started = await getJson(`${fw.base}/api/broadcast`, { method: 'POST', body: JSON.stringify({ url, action: 'start' }) });
  assert.equal(started.status, 200, started.text());
  const codecs = await waitFor(async () => {
    const c = await probeCodecs(url);
    return c instanceof Error || c.includes('h264') ? c : new Error(`streams: ${c}`);
  }, { what: 'ffprobe to read the stream', timeoutMs: 30000 });
  t.diagnostic(`streams: ${codecs}`);
  assert.deepEqual(codecs, ['h264']);
  await getJson(`${fw.base}/api/broadcast`, { method: 'POST', body: JSON.stringify({ url, action: 'stop' }) });
});

test('SRT to an ffmpeg listener: the stream decodes', async (t) => {
  const protocols = await run('ffmpeg', ['-hide_banner', '-protocols']);
  if (!/\bsrt\b/.test(protocols.stdout.toString())) {
    t.skip('this ffmpeg has no SRT');
    return;
  }
  const port = await freePort();
  const fw = await startFramewire({ size: '640x360', fps: 30, bitrate: 1500 });
  cleanups.push(() => fw.stop());
  // The listener decodes 60 frames and writes one line per frame.
  const listener = run('ffmpeg', ['-v', 'error', '-i', `srt://127.0.0.1:${port}?mode=listener`, '-an', '-frames:v', '60', '-f', 'framemd5', '-'], { timeoutMs: 60000 });
  await sleep(1000);
  const url = `srt://127.0.0.1:${port}`;
  const started = await getJson(`${fw.base}/api/broadcast`, { method: 'POST', body: JSON.stringify({ url, action: 'start' }) });
  assert.equal(started.status, 200, started.text());
  const r = await listener;
  const frames = r.stdout.toString().split('\n').filter((l) => l && !l.startsWith('#')).length;
  t.diagnostic(`ffmpeg decoded ${frames} frames over SRT; stderr: ${r.stderr.slice(0, 300)}`);
  assert.equal(frames, 60);
  await getJson(`${fw.base}/api/broadcast`, { method: 'POST', body: JSON.stringify({ url, action: 'stop' }) });
});

// With gop 0 the encoder makes keyframes only on request: nginx-rtmp keeps none for players
// that join later, so without broadcast-keyframe-interval they would wait forever.
test('RTMP with gop 0: a reader that joins nginx late gets a decodable picture (broadcast-keyframe-interval)', { skip: (!fs.existsSync(NGINX) || !fs.existsSync(RTMP_MODULE)) && 'nginx or libnginx-mod-rtmp missing (scripts/install-deps.sh)' }, async (t) => {
  const dir = tmpDir('fw-nginx-');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const nginx = await startNginx(dir, port);
  cleanups.push(() => stopChild(nginx));
  const fw = await startFramewire({ size: '640x360', fps: 30, bitrate: 1500, gop: 0, 'broadcast-keyframe-interval': 2 });
  cleanups.push(() => fw.stop());
  const ev = new RecordingSocket(`${fw.wsBase}/ws/events`);
  await ev.opened;
  cleanups.push(() => ev.close());
  const url = `rtmp://127.0.0.1:${port}/live/late`;
  const started = await getJson(`${fw.base}/api/broadcast`, { method: 'POST', body: JSON.stringify({ url, action: 'start' }) });
  assert.equal(started.status, 200, started.text());
  await waitFor(() => events(ev, 'broadcast_connected').length > 0, { what: 'broadcast_connected', timeoutMs: 20000 });
  await sleep(3000); // the keyframe the broadcast started on is long gone
  const t0 = Date.now();
  const r = await run('ffmpeg', ['-v', 'error', '-rw_timeout', '15000000', '-i', url, '-an', '-frames:v', '1', '-f', 'framemd5', '-'], { timeoutMs: 30000 });
  const frames = r.stdout.toString().split('\n').filter((l) => l && !l.startsWith('#')).length;
  t.diagnostic(`late reader decoded its first picture ${Date.now() - t0} ms after connecting (ffmpeg exit ${r.code}; ${r.stderr.toString().slice(0, 200)})`);
  assert.equal(frames, 1, 'the late reader decoded no picture');
  await getJson(`${fw.base}/api/broadcast`, { method: 'POST', body: JSON.stringify({ url, action: 'stop' }) });
});
