// The small overlay over the video: mode, fps, kbit/s, stamp latency, resolution, status, and
// in WebRTC mode the receiver's numbers (jitter buffer and decode time per frame, packets
// lost, NACKs/PLIs sent). Each number also sits in an element with a stable id (#stat-fps,
// #stat-kbps, #stat-latency, #stat-mode, #stat-size, #stat-rtt, #stat-status, #stat-jitter,
// #stat-decode, #stat-lost, #stat-nack) for people and for the e2e tests.

const fmt = (v, digits = 0) => (v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(digits));

export const MODE_LABELS = { webrtc: 'WebRTC', direct: 'Direct', mjpeg: 'MJPEG' };

export class StatsOverlay {
  constructor(root) {
    this.root = root;
    this.el = {};
    for (const id of ['mode', 'fps', 'kbps', 'latency', 'size', 'rtt', 'status', 'jitter', 'decode', 'lost', 'nack']) {
      this.el[id] = root.querySelector(`#stat-${id}`);
    }
  }

  render(mode, v) {
    this.set('mode', MODE_LABELS[mode] ?? '—');
    this.set('fps', fmt(v.fps, 1));
    this.set('kbps', fmt(v.kbps));
    this.set('latency', fmt(v.latencyMs, 1));
    this.set('size', v.width ? `${v.width}×${v.height}` : '—');
    this.set('rtt', fmt(v.rttMs, 1));
    this.set('jitter', fmt(v.jitterBufferMs, 1));
    this.set('decode', fmt(v.decodeMs, 1));
    this.set('lost', fmt(v.packetsLost));
    this.set('nack', v.nacks === null && v.plis === null ? '—' : `${fmt(v.nacks)}/${fmt(v.plis)}`);
    this.set('status', v.status);
    this.root.dataset.status = v.status;
  }

  set(id, text) {
    const el = this.el[id];
    if (el && el.textContent !== text) el.textContent = text;
  }
}
