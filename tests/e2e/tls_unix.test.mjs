// HTTPS with the self-signed certificate framewire makes on first start (accepted by the test
// through its SPKI hash, as a user accepts it once): the page logs in, is a secure context,
// and plays Direct (WebCodecs) and WebRTC; the cookie is Secure. And the Unix socket listener:
// the README's `curl --unix-socket … /snapshot` recipe.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser } from './lib/browser.mjs';
import { framewireBinary, freePort, run, tmpDir, waitFor } from './lib/framewire.mjs';

let dir;
let proc;
let log = '';
let port;
let base;
let certPem;
let browser;
let socketPath;

function startHttps(args) {
  return new Promise((resolve, reject) => {
    proc = spawn(framewireBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const t = setTimeout(() => reject(new Error(`no "listening on https" in 30 s:\n${log}`)), 30000);
    const onData = (c) => {
      log += c.toString();
      if (/listening on https:\/\/127\.0\.0\.1:\d+\//.test(log) && /listening on unix:/.test(log)) {
        clearTimeout(t);
        resolve();
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => { clearTimeout(t); reject(new Error(`framewire exited ${code}:\n${log}`)); });
  });
}

// An HTTPS request that trusts exactly the generated certificate.
function get(urlPath, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request(`${base}${urlPath}`, { method, headers, ca: certPem, timeout: 10000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

before(async () => {
  dir = tmpDir('fw-tls-');
  const users = path.join(dir, 'users');
  const add = await run(framewireBinary(), ['user', 'add', 'alice', '--users-file', users], { input: Buffer.from('pw\n') });
  assert.equal(add.code, 0, add.stderr);
  port = await freePort();
  socketPath = path.join(dir, 'fw.sock');
  await startHttps([
    '--listen', `127.0.0.1:${port}`, '--tls', 'true', '--state-dir', path.join(dir, 'state'),
    '--users-file', users, '--unix-socket', socketPath,
    '--size', '640x360', '--fps', '30', '--bitrate', '1500', '--log-level', 'info',
  ]);
  base = `https://127.0.0.1:${port}`;
  const certFile = path.join(dir, 'state', 'tls-cert.pem');
  certPem = fs.readFileSync(certFile, 'utf8');
  assert.equal(fs.statSync(path.join(dir, 'state', 'tls-key.pem')).mode & 0o077, 0, 'key readable by others');
  const spki = new crypto.X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  const spkiHash = crypto.createHash('sha256').update(spki).digest('base64');
  browser = await launchBrowser({
    extraArgs: [`--ignore-certificate-errors-spki-list=${spkiHash}`, '--allow-loopback-in-peer-connection'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (proc && proc.exitCode === null) {
    const exited = new Promise((r) => proc.once('exit', r));
    process.kill(proc.pid, 'SIGTERM');
    const t = setTimeout(() => { try { process.kill(proc.pid, 'SIGKILL'); } catch { /* gone */ } }, 8000);
    await exited;
    clearTimeout(t);
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the generated certificate names localhost and 127.0.0.1 and is logged with its fingerprint', () => {
  const cert = new crypto.X509Certificate(certPem);
  assert.match(cert.subjectAltName, /DNS:localhost/);
  assert.match(cert.subjectAltName, /IP Address:127\.0\.0\.1/);
  const fingerprint = /self-signed certificate .* \(SHA-256 ([0-9A-F:]+)\)/.exec(log)?.[1];
  assert.equal(fingerprint, cert.fingerprint256);
});

test('over HTTPS: 401 without login, the login cookie is Secure, HttpOnly, SameSite=Strict', async () => {
  assert.equal((await get('/api/health')).status, 200);
  assert.equal((await get('/api/state')).status, 401);
  const login = await get('/api/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: 'alice', password: 'pw' }),
  });
  assert.equal(login.status, 200, login.body.toString());
  const cookie = String(login.headers['set-cookie']);
  for (const flag of ['Secure', 'HttpOnly', 'SameSite=Strict']) assert.match(cookie, new RegExp(flag));
});

async function loggedInPage(mode) {
  const page = await browser.context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  await page.goto(`${base}/?mode=${mode}`);
  if (page.url().includes('/login.html')) {
    await page.fill('#user', 'alice');
    await page.fill('#password', 'pw');
    await page.click('#submit');
    await page.waitForURL((u) => !u.pathname.endsWith('/login.html'), { timeout: 15000 });
  }
  return { page, logs };
}

test('the page logs in over HTTPS, is a secure context and plays Direct (WebCodecs)', async (t) => {
  const { page, logs } = await loggedInPage('direct');
  try {
    assert.equal(await page.evaluate(() => window.isSecureContext), true);
    assert.equal(await page.evaluate(() => window.framewire?.mode), 'direct', logs.join('\n'));
    const t0 = Date.now();
    await waitFor(() => page.evaluate(() => window.framewire.stats.framesDecoded > 30), {
      timeoutMs: 30000,
      what: 'Direct frames decoded over wss://',
    }).catch((e) => { throw new Error(`${e.message}\n${logs.join('\n')}`); });
    t.diagnostic(`30 Direct frames decoded over HTTPS/wss within ${Date.now() - t0} ms`);
  } finally {
    await page.close();
  }
});

test('the page plays WebRTC (WHEP over HTTPS)', async (t) => {
  const { page, logs } = await loggedInPage('webrtc');
  try {
    await waitFor(() => page.evaluate(() => window.framewire.mode === 'webrtc' && window.framewire.stats.framesDecoded > 10), {
      timeoutMs: 40000,
      what: 'WebRTC frames decoded after a WHEP exchange over HTTPS',
    }).catch((e) => { throw new Error(`${e.message}\n${logs.join('\n')}`); });
    t.diagnostic(`WebRTC decoded ${await page.evaluate(() => window.framewire.stats.framesDecoded)} frames`);
  } finally {
    await page.close();
  }
});

test('curl --unix-socket reads a snapshot (with the login) and gets 401 without', async () => {
  const out = path.join(dir, 'snap.jpg');
  const ok = await run('curl', ['-sS', '--unix-socket', socketPath, '-u', 'alice:pw', '-o', out, '-w', '%{http_code}', 'http://x/snapshot'], { timeoutMs: 20000 });
  assert.equal(ok.stdout.toString(), '200', ok.stderr);
  const jpeg = fs.readFileSync(out);
  assert.equal(jpeg[0], 0xff);
  assert.equal(jpeg[1], 0xd8);
  const refused = await run('curl', ['-sS', '--unix-socket', socketPath, '-o', '/dev/null', '-w', '%{http_code}', 'http://x/api/state'], { timeoutMs: 20000 });
  assert.equal(refused.stdout.toString(), '401');
  const mode = fs.statSync(socketPath).mode & 0o777;
  assert.equal(mode & 0o007, 0, `socket mode ${mode.toString(8)} lets others in`);
});

test('a TLS client that never finishes its handshake does not stop others', async () => {
  const net = await import('node:net');
  const idle = net.connect(port, '127.0.0.1');
  await new Promise((r) => idle.once('connect', r));
  idle.write(Buffer.from([0x16, 0x03, 0x01])); // the start of a ClientHello, then nothing
  const r = await get('/api/health');
  assert.equal(r.status, 200);
  idle.destroy();
});
