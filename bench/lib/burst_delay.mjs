// The sound's delay from tone bursts (bench/audio.mjs): framewire's test source with
// `audio-test-signal: burst` makes a 20 ms 1 kHz burst at every whole period after a known wall
// time (/api/state audio.burst.epoch_us), each followed by a marker whose distance codes the
// burst's index (lib/burst_code.mjs). In the page, an AudioWorklet (page/burst_detector.js)
// listens to what is played and reports every onset; the onset's context time becomes a wall
// time through AudioContext.getOutputTimestamp() (when the output device plays it). So
// capture → heard = heard − the burst's capture time, with no timestamp carried along the way:
// a cross-check of the page's timestamp-based figure, unambiguous up to 5 s.
//   direct: the tap hangs off the page's own Web Audio graph (AudioPlayer's gain node);
//   webrtc: a MediaStreamAudioSourceNode on the <video>'s audio track in an AudioContext of
//           its own (what Web Audio gets of the track; the element plays the same samples).

import fs from 'node:fs';
import path from 'node:path';
import { decodeBurstOnsets } from './burst_code.mjs';
import { benchDir } from './process.mjs';

const detectorCode = fs.readFileSync(path.join(benchDir, 'page', 'burst_detector.js'), 'utf8');

// Starts listening in `page` (after the Sound button: Direct's AudioContext exists only then).
// `delayS`: the detector hears the sound that much later (a DelayNode; tests use it to check a
// delay beyond a period is read as such). Returns 'ok' or why not.
export function installBurstDetector(page, mode, { delayS = 0 } = {}) {
  return page.evaluate(
    async ({ code, mode, delayS }) => {
      let ctx;
      let input;
      if (mode === 'direct') {
        const player = window.framewire?.audioPlayer;
        if (!player?.ctx || !player.gain) return 'no Direct audio player';
        ctx = player.ctx;
        input = player.gain;
      } else {
        const track = document.querySelector('video')?.srcObject?.getAudioTracks?.()[0];
        if (!track) return 'no WebRTC audio track';
        ctx = new AudioContext({ latencyHint: 'interactive' });
        await ctx.resume();
        input = ctx.createMediaStreamSource(new MediaStream([track]));
      }
      const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
      await ctx.audioWorklet.addModule(url);
      const node = new AudioWorkletNode(ctx, 'burst-detector');
      const mute = ctx.createGain(); // the worklet runs only when the graph pulls it
      mute.gain.value = 0;
      if (delayS > 0) {
        const delay = ctx.createDelay(Math.max(1, delayS + 0.5));
        delay.delayTime.value = delayS;
        input.connect(delay);
        delay.connect(node);
      } else {
        input.connect(node);
      }
      node.connect(mute);
      mute.connect(ctx.destination);
      const heard = (window.fwBurstHeard = []);
      node.port.onmessage = (e) => {
        const ts = ctx.getOutputTimestamp();
        if (ts.performanceTime > 0) {
          heard.push(performance.timeOrigin + ts.performanceTime + (e.data.contextTime - ts.contextTime) * 1000);
        } else {
          const outputS = (ctx.outputLatency || 0) + (ctx.baseLatency || 0);
          heard.push(performance.timeOrigin + performance.now() + (e.data.contextTime - ctx.currentTime + outputS) * 1000);
        }
      };
      window.fwBurstNode = node;
      return 'ok';
    },
    { code: detectorCode, mode, delayS },
  );
}

// The onsets (wall ms) heard since the last call.
export function takeHeardOnsets(page) {
  return page.evaluate(() => (window.fwBurstHeard ? window.fwBurstHeard.splice(0) : []));
}

// capture → heard (ms) of every burst heard so far whose marker was heard too, against `burst`
// (/api/state audio.burst): the marker says which burst it was, so a delay of several periods
// reads as such (up to codes × period, 5 s).
export async function burstDelays(page, burst) {
  const heard = await takeHeardOnsets(page);
  if (!burst || !(burst.epoch_us > 0)) return [];
  return decodeBurstOnsets(heard, burst).map((b) => b.delayMs);
}
