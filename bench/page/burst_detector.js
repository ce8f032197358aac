// AudioWorklet processor for bench/audio.mjs and e2e audio_burst: finds the onset of each tone
// burst in the sound the page plays (framewire's `audio-test-signal: burst`: a 20 ms 1 kHz burst
// once a second and its marker 300-460 ms after it) and posts its context time (s), to the
// sample. An onset is the first sample above THRESHOLD after at least QUIET_S of sound below it,
// so a tone's later periods, Opus's ringing and a jitter buffer's concealment do not count
// again; QUIET_S is far shorter than the silence between a burst and its marker. Which
// onset is which (burst or marker, and so the burst's index) is bench/lib/burst_code.mjs's job.

const THRESHOLD = 0.05; // the burst is a 0.5 sine: its second sample is above this
const QUIET_S = 0.04;

class BurstDetector extends AudioWorkletProcessor {
  constructor() {
    super();
    this.quiet = 0;
  }

  process(inputs) {
    const channel = inputs[0]?.[0];
    if (!channel) return true;
    for (let i = 0; i < channel.length; i++) {
      if (Math.abs(channel[i]) > THRESHOLD) {
        if (this.quiet > sampleRate * QUIET_S) this.port.postMessage({ contextTime: (currentFrame + i) / sampleRate });
        this.quiet = 0;
      } else {
        this.quiet++;
      }
    }
    return true;
  }
}

registerProcessor('burst-detector', BurstDetector);
