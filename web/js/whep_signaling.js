// WHEP signalling pieces of the WebRTC player (web/js/webrtc_player.js, docs/protocol.md):
// the server's Link: rel="ice-server" header, its JSON error bodies, the answer's codec, and
// the RFC 8840 fragments that carry late local candidates in PATCH. Pure functions, no state.

// Link: <stun:stun.example.net>; rel="ice-server", <turn:…>; rel="ice-server";
//       username="u"; credential="c"; credential-type="password"
export function parseIceServerLinks(headerValue) {
  const servers = [];
  if (!headerValue) return servers;
  // split on commas that start a new <…> link (URLs inside <> may not contain '>')
  for (const part of headerValue.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!m) continue;
    const params = {};
    for (const p of m[2].split(';')) {
      const kv = /^\s*([\w-]+)\s*=\s*(?:"([^"]*)"|([^\s;]*))\s*$/.exec(p);
      if (kv) params[kv[1].toLowerCase()] = kv[2] ?? kv[3];
    }
    if (!/(^|\s)ice-server(\s|$)/i.test(params.rel ?? '')) continue;
    const server = { urls: m[1] };
    if (params.username !== undefined) server.username = params.username;
    if (params.credential !== undefined) server.credential = params.credential;
    servers.push(server);
  }
  return servers;
}

export class WhepError extends Error {
  constructor(message, { status = 0, definitive = false } = {}) {
    super(message);
    this.status = status;
    this.definitive = definitive;
  }
}

// Resolves once ICE gathering is complete, or after maxMs.
export function gathered(pc, maxMs) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === 'complete') done();
    };
    const timer = setTimeout(done, maxMs);
    pc.addEventListener('icegatheringstatechange', check);
  });
}

export function errorText(body, fallback) {
  try {
    const j = JSON.parse(body);
    if (j && typeof j.error === 'string') return j.error;
  } catch {
    /* not JSON */
  }
  return (body || fallback || '').slice(0, 200);
}

// "H264 42e01f" from the answer's first video codec.
export function answerCodec(sdp) {
  const video = sdp.split(/\r?\nm=/).find((m) => m.startsWith('video') || m.startsWith('m=video'));
  if (!video) return null;
  const pt = /^(?:m=)?video \d+ \S+ (\d+)/.exec(video)?.[1];
  if (!pt) return null;
  const name = new RegExp(`a=rtpmap:${pt} ([^/\\s]+)`).exec(video)?.[1] ?? null;
  const profile = new RegExp(`a=fmtp:${pt} .*profile-level-id=([0-9a-fA-F]{6})`).exec(video)?.[1];
  return name && profile ? `${name} ${profile.toLowerCase()}` : name;
}

// An RFC 8840 fragment: the session's ICE credentials and, per media section, its candidates.
export function sdpFragment(localSdp, candidates) {
  const ufrag = /a=ice-ufrag:(\S+)/.exec(localSdp)?.[1];
  const pwd = /a=ice-pwd:(\S+)/.exec(localSdp)?.[1];
  if (!ufrag || !pwd) return null;
  const byMid = new Map();
  let end = false;
  for (const c of candidates) {
    if (c === null || !c.candidate) {
      end = true;
      continue;
    }
    const mid = c.sdpMid ?? '0';
    if (!byMid.has(mid)) byMid.set(mid, []);
    byMid.get(mid).push(c.candidate);
  }
  if (byMid.size === 0 && !end) return null;
  // with max-bundle everything rides on the first section
  const firstMid = /a=mid:(\S+)/.exec(localSdp)?.[1] ?? '0';
  if (byMid.size === 0) byMid.set(firstMid, []);
  let frag = `a=ice-ufrag:${ufrag}\r\na=ice-pwd:${pwd}\r\n`;
  for (const [mid, lines] of byMid) {
    frag += `m=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:${mid}\r\n`;
    for (const line of lines) frag += `a=${line.replace(/^a=/, '')}\r\n`;
    if (end) frag += 'a=end-of-candidates\r\n';
  }
  return frag;
}
