// WHIP publish (RFC 9725) against a real WHIP receiver on loopback (tests/e2e/lib/whip_receiver.py:
// GStreamer webrtcbin, decodes the H.264 it receives): frames decode there, the DELETE arrives
// on stop, the receiver killed and started again gets the stream again by itself, a wrong
// token is a clear error on /ws/events and in /api/state; and starting or stopping never holds
// up other requests (/api/health answers while a stop waits for an endpoint that never answers).
// Every process started here is ended here, by its PID.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, getJson, http, startFramewire, waitFor } from './lib/framewire.mjs';
import { RecordingSocket } from './lib/ws_client.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const RECEIVER = path.join(here, 'lib', 'whip_receiver.py');
const TOKEN = 'whip-secret-token';
const cleanups = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function stopChild(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  const exited = new Promise((r) => proc.once('exit', r));
  try {
    process.kill(proc.pid, 'SIGKILL');
  } catch { return Promise.resolve(); }
  return exited;
}

async function startReceiver(port) {
  const proc = spawn('/usr/bin/python3', [RECEIVER, String(port), TOKEN], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout.on('data', (c) => { log += c; });
  proc.stderr.on('data', (c) => { log += c; });
  await waitFor(() => (log.includes('ready') ? true : proc.exitCode !== null ? new Error(`receiver exited: ${log}`) : false),
    { what: 'the WHIP receiver to listen', timeoutMs: 15000 });
  proc.log = () => log;
  return proc;
}

async function receiverStats(port) {
  try {
    return (await getJson(`http://127.0.0.1:${port}/stats`, { timeoutMs: 3000 })).json;
  } catch {
    return null;
  }
}

const decodedFrames = (stats, session) => (stats?.sessions?.[String(session)]?.frames ?? 0);
const events = (sock, type) => sock.texts().filter((e) => e.type === type);

async function broadcast(fw, body) {
  return getJson(`${fw.base}/api/broadcast`, { method: 'POST', body: JSON.stringify(body), timeoutMs: 30000 });
}

test('WHIP: frames decode at the receiver, DELETE on stop, re-publish after the receiver comes back', async (t) => {
  const port = await freePort();
  let receiver = await startReceiver(port);
  cleanups.push(() => stopChild(receiver));
  const fw = await startFramewire({ size: '640x360', fps: 30, bitrate: 1500, 'broadcast-retry-max': 2 });
  cleanups.push(() => fw.stop());
  const ev = new RecordingSocket(`${fw.wsBase}/ws/events`);
  await ev.opened;
  cleanups.push(() => ev.close());

  const url = `http://127.0.0.1:${port}/whip`;
  const started = await broadcast(fw, { url, action: 'start', token: TOKEN });
  assert.equal(started.status, 200, started.text());
  assert.ok(!started.text().includes(TOKEN), 'the token leaked into the answer');
  await waitFor(() => events(ev, 'whip_connected').length > 0, { what: 'whip_connected', timeoutMs: 30000 });
  await waitFor(async () => decodedFrames(await receiverStats(port), 1) >= 60, { what: '60 frames decoded at the receiver', timeoutMs: 30000 });
  const state = (await getJson(`${fw.base}/api/state`)).json;
  const whip = state.broadcasts.find((b) => b.kind === 'whip');
  assert.equal(whip.state, 'live');
  t.diagnostic(`state: ${JSON.stringify(whip)}`);

  // The receiver dies and comes back on the same port: framewire publishes again by itself.
  await stopChild(receiver);
  await waitFor(() => events(ev, 'whip_error').length > 0, { what: 'whip_error after the receiver died', timeoutMs: 40000 });
  t.diagnostic(`error: ${events(ev, 'whip_error')[0].reason}`);
  const t0 = Date.now();
  receiver = await startReceiver(port);
  await waitFor(async () => {
    const s = await receiverStats(port);
    return s && Object.keys(s.sessions).some((k) => s.sessions[k].frames >= 30);
  }, { what: 'frames decoded after the receiver came back', timeoutMs: 40000 });
  t.diagnostic(`decoding again ${Date.now() - t0} ms after the receiver restarted`);

  const stop = await broadcast(fw, { url, action: 'stop' });
  assert.equal(stop.status, 200, stop.text());
  await waitFor(() => events(ev, 'whip_stopped').length > 0, { what: 'whip_stopped' });
  const last = await receiverStats(port);
  t.diagnostic(`receiver: ${JSON.stringify(last)}`);
  const live = Object.keys(last.sessions).filter((k) => last.sessions[k].frames > 0);
  assert.ok(live.length > 0);
  for (const k of live) assert.ok(last.deletes.includes(Number(k)), `no DELETE for session ${k}`);
  assert.equal((await getJson(`${fw.base}/api/state`)).json.broadcasts.length, 0);
  assert.ok(!JSON.stringify(ev.texts()).includes(TOKEN), 'the token leaked into events');
});

test('WHIP with a wrong token: a clear error on /ws/events and in /api/state', async () => {
  const port = await freePort();
  const receiver = await startReceiver(port);
  cleanups.push(() => stopChild(receiver));
  const fw = await startFramewire({ size: '320x180', fps: 15, bitrate: 500, 'broadcast-retry-max': 2 });
  cleanups.push(() => fw.stop());
  const ev = new RecordingSocket(`${fw.wsBase}/ws/events`);
  await ev.opened;
  cleanups.push(() => ev.close());
  const url = `http://127.0.0.1:${port}/whip`;
  assert.equal((await broadcast(fw, { url, action: 'start', token: 'wrong' })).status, 200);
  const error = await waitFor(() => events(ev, 'whip_error')[0], { what: 'whip_error', timeoutMs: 20000 });
  assert.match(error.reason, /401/);
  assert.match(error.reason, /token/i);
  const state = (await getJson(`${fw.base}/api/state`)).json.broadcasts[0];
  assert.match(state.last_error, /401/);
  assert.equal(state.state, 'retrying');
  const stats = await receiverStats(port);
  assert.equal(stats.posts, 0);
  assert.ok(stats.unauthorized >= 1);
  assert.equal((await broadcast(fw, { url, action: 'stop' })).status, 200);
});

test('starting and stopping run off the HTTP threads: /api/health answers while a stop waits', async (t) => {
  // An endpoint that accepts connections and never answers: the publisher's POST waits for its
  // timeout, and a stop waits for the publisher.
  const sockets = [];
  const blackHole = net.createServer((s) => sockets.push(s));
  await new Promise((r) => blackHole.listen(0, '127.0.0.1', r));
  cleanups.push(() => { for (const s of sockets) s.destroy(); return new Promise((r) => blackHole.close(r)); });
  const fw = await startFramewire({ size: '320x180', fps: 15, bitrate: 500 });
  cleanups.push(() => fw.stop());
  const url = `http://127.0.0.1:${blackHole.address().port}/whip`;
  assert.equal((await broadcast(fw, { url, action: 'start' })).status, 200);
  await waitFor(() => sockets.length > 0, { what: 'the publisher to connect', timeoutMs: 10000 });

  const t0 = Date.now();
  let stopDoneAt = 0;
  const stopping = broadcast(fw, { url, action: 'stop' }).then((r) => { stopDoneAt = Date.now(); return r; });
  const healthTimes = [];
  let answeredWhileStopping = 0;
  for (let i = 0; i < 10 && !stopDoneAt; i++) {
    const h0 = Date.now();
    const health = await http(`${fw.base}/api/health`, { timeoutMs: 15000 });
    assert.equal(health.status, 200);
    healthTimes.push(Date.now() - h0);
    if (!stopDoneAt) answeredWhileStopping++;
    await new Promise((r) => setTimeout(r, 200));
  }
  const stop = await stopping;
  t.diagnostic(`stop took ${stopDoneAt - t0} ms; /api/health during it: ${healthTimes.join(', ')} ms`);
  assert.equal(stop.status, 200, stop.text());
  assert.ok(answeredWhileStopping > 0, '/api/health did not answer before the stop finished');
});
