// One measured session of one mode: the browser page plays it while the node side samples
// the server's CPU and, near the end, its per-stage latencies.

import { runSession } from './browser.mjs';
import { cpuWindow, machineBusySampler } from './procstat.mjs';
import { getJson, sleep } from './process.mjs';

const ms = (us) => (Number.isFinite(us) ? us / 1000 : null);
// a stage with no frames counted has no number
const p50 = (stage) => (stage && stage.count !== 0 ? ms(stage.p50) : null);

// framewire's /api/state stage p50s (ms) for the branch a mode reads.
async function framewireStages(base, mode) {
  const state = await getJson(`${base}/api/state`);
  const id = mode.startsWith('mjpeg') ? 'jpeg' : 'main';
  const branch = (state.branches || []).find((b) => b.id === id);
  const l = branch?.latency_us;
  if (!l) return null;
  return {
    sourceToEncoder: p50(l.source_to_encoder),
    encode: p50(l.encode),
    encodedToSent: p50(l.encoded_to_sent),
    captureToSent: p50(l.capture_to_sent),
  };
}

async function baselineStages(base) {
  const s = await getJson(`${base}/stats`);
  return s.encode_us ? { encode: ms(s.encode_us.p50) } : null;
}

export async function measureSession(browser, server, { mode, seconds, isBaseline, jitterBufferTarget = null, pageBusyMs = 0, offerWaitMs = 0 }) {
  const cpu = cpuWindow(server.pid);
  // long sessions (creep checks): the machine's load over time, for the timeline table
  const machine = seconds >= 60 ? machineBusySampler() : null;
  const path = mode === 'webrtc' ? '/whep' : undefined;
  const session = runSession(browser, server.base, { mode, seconds, path, jitterBufferTarget, pageBusyMs, offerWaitMs });
  let stages = null;
  // sample the stages while the viewer is still connected (they cover the last 256 frames)
  // (the baseline keeps its last viewer's encode times, so it is asked afterwards)
  const sample = () => (isBaseline ? baselineStages(server.base) : framewireStages(server.base, mode)).catch(() => null);
  const sampler = isBaseline ? Promise.resolve() : sleep(Math.max(1000, seconds * 800)).then(async () => (stages = await sample()));
  try {
    const result = await session;
    const endedAt = Date.now();
    await sampler;
    if (isBaseline) stages = await sample();
    return { ...result, serverCpu: cpu.end(), stages, machineBusy: machine?.stop() ?? null, endedAt };
  } catch (e) {
    await sampler;
    machine?.stop();
    return { error: e.message.split('\n')[0].slice(0, 300), serverCpu: cpu.end() };
  }
}
