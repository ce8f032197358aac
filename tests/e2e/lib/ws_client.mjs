// A small recording WebSocket client on top of the `ws` package: keeps every message with its
// arrival time and lets a test wait for conditions on them.

import WebSocket from 'ws';
import { waitFor } from './framewire.mjs';

export class RecordingSocket {
  constructor(url, { keepBinary = true } = {}) {
    this.url = url;
    this.messages = []; // { text } or { data: Buffer }, with `at` (ms, Date.now())
    this.binaryCount = 0;
    this.binaryBytes = 0;
    this.keepBinary = keepBinary;
    this.closed = false;
    this.closeCode = null;
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode} on ${url}`)));
    });
    this.ws.on('error', () => {}); // reported through close
    this.ws.on('message', (data, isBinary) => {
      const at = Date.now();
      if (isBinary) {
        this.binaryCount++;
        this.binaryBytes += data.length;
        if (this.keepBinary) this.messages.push({ data, at });
        if (this.onBinary) this.onBinary(data);
      } else {
        this.messages.push({ text: data.toString(), at });
      }
    });
    this.ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
    });
  }

  texts() {
    return this.messages.filter((m) => m.text !== undefined).map((m) => JSON.parse(m.text));
  }

  binaries() {
    return this.messages.filter((m) => m.data !== undefined);
  }

  send(obj) {
    this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj));
  }

  sendBinary(buf) {
    this.ws.send(buf, { binary: true });
  }

  waitFor(fn, opts) {
    return waitFor(() => fn(this), opts);
  }

  close() {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 2000);
      this.ws.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      try {
        this.ws.close();
      } catch {
        clearTimeout(t);
        resolve();
      }
    });
  }
}

// NAL unit types in an Annex-B access unit.
export function nalTypes(au) {
  const types = [];
  for (let i = 0; i + 3 < au.length; i++) {
    if (au[i] === 0 && au[i + 1] === 0) {
      let start = -1;
      if (au[i + 2] === 1) start = i + 3;
      else if (au[i + 2] === 0 && au[i + 3] === 1) start = i + 4;
      if (start >= 0 && start < au.length) {
        types.push(au[start] & 0x1f);
        i = start;
      }
    }
  }
  return types;
}
