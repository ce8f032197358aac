// Load viewers that really read and parse the stream: Direct (WebSocket, checks the framing
// of docs/protocol.md) and MJPEG (multipart/x-mixed-replace parsed by hand). Each counts
// frames and bytes and, inside the measuring window, the latency arrival − capture time.

import http from 'node:http';
import WebSocket from 'ws';

const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

class Counter {
  constructor() {
    this.frames = 0;
    this.bytes = 0;
    this.errors = [];
    this.latencies = [];
    this.measuring = false;
    this.lastCapture = 0;
  }

  frame(bytes, captureUs) {
    if (!this.measuring) return;
    this.frames++;
    this.bytes += bytes;
    if (captureUs) this.latencies.push((nowUs() - captureUs) / 1000);
  }

  error(text) {
    if (this.closed) return; // our own close aborts the stream: not the server's fault
    if (this.errors.length < 3) this.errors.push(text);
  }
}

export function directViewer(wsBase) {
  const c = new Counter();
  const ws = new WebSocket(`${wsBase}/ws/direct`, { perMessageDeflate: false });
  let hello = false;
  let sawKey = false;
  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      try {
        if (JSON.parse(data.toString()).type === 'hello') hello = true;
      } catch {
        c.error('bad text message');
      }
      return;
    }
    if (!hello) c.error('video before hello');
    if (data.length < 10 || data[0] !== 1) return c.error('bad header');
    const key = (data[1] & 1) === 1;
    if (!sawKey && !key) c.error('first video message not a keyframe');
    sawKey = true;
    const capture = Number(data.readBigUInt64BE(2));
    if (capture < c.lastCapture) c.error('capture time went backwards');
    c.lastCapture = capture;
    c.frame(data.length, capture);
  });
  ws.on('error', (e) => c.error(e.message));
  c.close = () => {
    c.closed = true;
    ws.terminate();
  };
  return c;
}

export function mjpegViewer(base) {
  const c = new Counter();
  const req = http.get(`${base}/stream`, (res) => {
    let buf = Buffer.alloc(0);
    let need = null;
    res.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (let guard = 0; guard < 1000; guard++) {
        if (!need) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) break;
          const head = buf.subarray(0, end).toString('latin1');
          buf = buf.subarray(end + 4);
          const len = /Content-Length:\s*(\d+)/i.exec(head);
          const ts = /X-Timestamp:\s*([\d.]+)/i.exec(head);
          if (!len) continue; // the response's leading boundary line
          need = { length: Number(len[1]), captureUs: ts ? Math.round(Number(ts[1]) * 1e6) : 0 };
        }
        if (buf.length < need.length) break;
        if (buf[0] !== 0xff || buf[1] !== 0xd8) c.error('part is not a JPEG');
        c.frame(need.length, need.captureUs);
        buf = buf.subarray(need.length);
        need = null;
      }
    });
    res.on('error', (e) => c.error(e.message));
  });
  req.on('error', (e) => c.error(e.message));
  c.close = () => {
    c.closed = true;
    req.destroy();
  };
  return c;
}
