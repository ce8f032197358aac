// Helpers for the WebRTC (WHEP) end-to-end tests: a Chromium that may use loopback for
// WebRTC, a small kit of raw WHEP peers inside a page (plain RTCPeerConnections, no player),
// /api/state look-ups for peers, and thread/fd counts of the server process.
//
// Chromium hides its host candidates behind mDNS .local names that nothing here resolves
// (the resolver rules send every name but localhost/127.0.0.1 nowhere), so a connection rests
// on the server's candidates in its answer plus peer-reflexive pairs: that is enough.

import fs from 'node:fs';
import { launchBrowser } from './browser.mjs';
import { findBranch, listOf } from './state.mjs';

export function launchWebRtcBrowser(opts = {}) {
  return launchBrowser({ ...opts, extraArgs: ['--allow-loopback-in-peer-connection', ...(opts.extraArgs ?? [])] });
}

// The WebRTC peers /api/state lists ({"webrtc": {"peers": [...], "max_peers": N}}).
export function webrtcPeers(state) {
  return listOf(state?.webrtc?.peers);
}

export function h264Branches(state) {
  return listOf(state?.branches).filter((b) => /h\.?264|avc/i.test(`${b.codec ?? ''}`));
}

export function mainBranch(state) {
  return findBranch(state, 'main');
}

// Threads and open file descriptors of a process (Linux /proc).
export function procCounts(pid) {
  return {
    threads: fs.readdirSync(`/proc/${pid}/task`).length,
    fds: fs.readdirSync(`/proc/${pid}/fd`).length,
  };
}

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const median = (values) => percentile(values, 50);

// Installs window.fwPeers in the page: raw WHEP peers that the tests drive one call at a time.
//   await fwPeers.connect({path, codecs, audio}) -> {ok, status, error, location, key}
//   fwPeers.frames(key) / fwPeers.allFrames() -> frames the peer's <video> received;
//   fwPeers.decoded(key) -> framesDecoded from getStats (inbound-rtp)
//   fwPeers.state(key) -> connectionState; fwPeers.remove(key) -> DELETE status, then close
//   fwPeers.closeOnly(key) -> pc.close() without DELETE; fwPeers.removeAll()
//   await fwPeers.offer({codecs, video, audio}) -> an offer's SDP (its peer connection closed)
export async function installPeerKit(page) {
  await page.evaluate(() => {
    if (window.fwPeers) return;
    const peers = new Map();
    let next = 1;
    const makePc = ({ codecs, video = true, audio = false } = {}) => {
      const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
      if (video) {
        const t = pc.addTransceiver('video', { direction: 'recvonly' });
        if (codecs) {
          const all = RTCRtpReceiver.getCapabilities('video').codecs;
          const pick = all.filter((c) => codecs.some((name) => c.mimeType.toLowerCase() === `video/${name.toLowerCase()}`));
          t.setCodecPreferences(pick);
        }
        if ('jitterBufferTarget' in t.receiver) t.receiver.jitterBufferTarget = 0;
      }
      if (audio) pc.addTransceiver('audio', { direction: 'recvonly' });
      return pc;
    };
    window.fwPeers = {
      async offer(opts) {
        const pc = makePc(opts);
        const offer = await pc.createOffer();
        pc.close();
        return offer.sdp;
      },
      async connect({ path = '/whep', ...opts } = {}) {
        const pc = makePc(opts);
        const key = next++;
        const el = document.createElement('video');
        el.muted = true;
        el.autoplay = true;
        el.playsInline = true;
        el.width = 160;
        el.height = 90;
        document.body.append(el);
        pc.ontrack = (ev) => {
          el.srcObject = new MediaStream([ev.track]);
          el.play().catch(() => {});
        };
        await pc.setLocalDescription(await pc.createOffer());
        const t0 = performance.now();
        const res = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
        const body = await res.text();
        if (res.status !== 201) {
          pc.close();
          el.remove();
          return { ok: false, status: res.status, error: body };
        }
        const location = res.headers.get('Location');
        peers.set(key, { pc, el, location, t0, firstFrameMs: null });
        await pc.setRemoteDescription({ type: 'answer', sdp: body });
        return { ok: true, status: 201, key, location, etag: res.headers.get('ETag'), link: res.headers.get('Link') };
      },
      // Frames the <video> got (what a viewer sees). getStats' framesDecoded alone is not
      // enough: Chromium decodes an RTP stream on an unannounced SSRC without showing it.
      frames(key) {
        const p = peers.get(key);
        if (!p) return -1;
        const n = p.el.getVideoPlaybackQuality().totalVideoFrames;
        if (n > 0 && p.firstFrameMs === null) p.firstFrameMs = performance.now() - p.t0;
        return n;
      },
      async decoded(key) {
        const p = peers.get(key);
        if (!p) return -1;
        let n = 0;
        (await p.pc.getStats()).forEach((r) => {
          if (r.type === 'inbound-rtp' && (r.kind ?? r.mediaType) === 'video') n = r.framesDecoded ?? 0;
        });
        return n;
      },
      async allFrames() {
        const out = [];
        for (const key of peers.keys()) out.push(this.frames(key));
        return out;
      },
      firstFrameMs(key) {
        return peers.get(key)?.firstFrameMs ?? null;
      },
      state(key) {
        return peers.get(key)?.pc.connectionState ?? 'gone';
      },
      states() {
        return [...peers.values()].map((p) => p.pc.connectionState);
      },
      async remove(key) {
        const p = peers.get(key);
        if (!p) return -1;
        peers.delete(key);
        const res = await fetch(p.location, { method: 'DELETE' });
        p.pc.close();
        p.el.srcObject = null;
        p.el.remove();
        return res.status;
      },
      closeOnly(key) {
        const p = peers.get(key);
        if (!p) return;
        peers.delete(key);
        p.pc.close();
        p.el.srcObject = null;
        p.el.remove();
      },
      keys() {
        return [...peers.keys()];
      },
      async removeAll() {
        for (const key of [...peers.keys()]) await this.remove(key).catch(() => {});
      },
    };
  });
}
