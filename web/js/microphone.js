// The viewer's microphone, shared by the Mic button (microphone_button.js) and the WebRTC
// player: the button opens and closes it (getUserMedia needs the click as its user gesture),
// the player sends it to the server on the WHEP session's audio section (sendrecv).
// The server plays it into a PulseAudio sink when its `microphone` setting is on
// (docs/config.md); otherwise its answer says the audio is sendonly and nothing is sent.

class Microphone {
  constructor() {
    this.track = null;
    this.listeners = new Set();
  }

  async open() {
    if (this.track) return this.track;
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      video: false,
    });
    const track = stream.getAudioTracks()[0] ?? null;
    if (track) track.addEventListener('ended', () => this.close());
    this.set(track);
    return track;
  }

  close() {
    const track = this.track;
    if (!track) return;
    this.set(null);
    track.stop();
  }

  set(track) {
    this.track = track;
    for (const fn of this.listeners) fn(track);
  }

  listen(fn) {
    this.listeners.add(fn);
  }

  unlisten(fn) {
    this.listeners.delete(fn);
  }
}

export const microphone = new Microphone();

// Whether an SDP answer takes the offer's microphone: its audio section receives (from the
// server's side: a=recvonly or a=sendrecv, and not rejected with port 0).
export function answerTakesMicrophone(sdp) {
  const sections = `${sdp}`.split(/\r?\n(?=m=)/);
  for (const section of sections) {
    const m = /^m=audio (\d+)/.exec(section);
    if (!m) continue;
    if (m[1] === '0' && !/\na=bundle-only/.test(section)) return false;
    return /\na=(recvonly|sendrecv)\b/.test(section);
  }
  return false;
}
