// Helpers for the branch and live-settings tests: a framewire started with a `branches:` YAML
// file, POST /api/settings, and a Direct client that measures its own bit rate.

import fs from 'node:fs';
import path from 'node:path';
import { postJson, startFramewire, tmpDir } from './framewire.mjs';
import { RecordingSocket } from './ws_client.mjs';

// Starts framewire with `yaml` (the text of a config file) plus flag options.
export async function startWithConfig(yaml, options = {}) {
  const dir = tmpDir('fw-branches-');
  const file = path.join(dir, 'framewire.yaml');
  fs.writeFileSync(file, yaml);
  const fw = await startFramewire({ config: file, ...options });
  const stop = fw.stop;
  fw.stop = async () => {
    await stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return fw;
}

export function postSettings(base, body) {
  return postJson(`${base}/api/settings`, body);
}

// A Direct client that keeps (arrival ms, bytes) per frame so a test can read its rate over
// any window, and the hellos it got.
export function directMeter(url) {
  const sock = new RecordingSocket(url, { keepBinary: false });
  sock.frames = [];
  sock.onBinary = (data) => sock.frames.push({ at: Date.now(), bytes: data.length, key: (data[1] & 1) === 1 });
  sock.kbpsBetween = (from, to) => {
    const bytes = sock.frames.filter((f) => f.at >= from && f.at < to).reduce((a, f) => a + f.bytes, 0);
    return (bytes * 8) / (to - from); // bits per ms = kbit/s
  };
  sock.hellos = () => sock.texts().filter((m) => m.type === 'hello');
  return sock;
}
