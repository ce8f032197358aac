// One fan-out step: N viewers of one mode on a running framewire for a measuring window,
// with the server's CPU, RSS and egress, every viewer's fps and a probe viewer's latency.

import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { runSession } from './browser.mjs';
import { cpuWindow, rssMB } from './procstat.mjs';
import { benchDir, sleep, trackProcess } from './process.mjs';
import { median, round, summarize } from './stats.mjs';
import { directViewer, mjpegViewer } from './viewers.mjs';

// Runs the load viewers in a child process; resolves { measuring: Promise, done: Promise<json> }.
function startWorker(args) {
  // tracked: a bench stopped by a signal ends its load workers too, not only the server
  const proc = trackProcess(spawn(process.execPath, [path.join(benchDir, 'lib', 'load_worker.mjs'), JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] }));
  let out = '';
  let onMeasuring;
  const measuring = new Promise((r) => (onMeasuring = r));
  const done = new Promise((resolve) => {
    const limit = setTimeout(() => {
      try {
        process.kill(proc.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, args.warmupMs + args.windowMs + 30000);
    proc.stdout.on('data', (c) => {
      out += c;
      if (out.includes('measuring\n')) onMeasuring();
    });
    proc.on('exit', () => {
      clearTimeout(limit);
      onMeasuring();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      resolve(line ? JSON.parse(line) : { viewers: [], error: 'load worker gave no result' });
    });
  });
  return { measuring, done, pid: proc.pid };
}

// Viewers per load process: one node event loop parses ~50 Direct streams at 720p30 without
// falling behind on this machine; more and the clients, not the server, set the fps.
const VIEWERS_PER_WORKER = 50;

// The n load viewers spread over child processes, each at the server's own priority (framewire
// raises its own, `nice`): a load client starved by the server it measures would report the
// server slow. Resolves like startWorker, with every process's viewers in one list.
function startWorkers(args, serverPid) {
  const count = Math.max(1, Math.min(os.cpus().length * 2, Math.ceil(args.n / VIEWERS_PER_WORKER)));
  let nice = null;
  try {
    nice = os.getPriority(serverPid);
  } catch {
    /* the server is gone: the step will say so */
  }
  const workers = [];
  for (let i = 0; i < count; i++) {
    const n = Math.floor(args.n / count) + (i < args.n % count ? 1 : 0);
    const w = startWorker({ ...args, n });
    if (nice !== null) {
      try {
        os.setPriority(w.pid, nice);
      } catch {
        /* not allowed (not root): the workers keep the default priority */
      }
    }
    workers.push(w);
  }
  return {
    measuring: Promise.all(workers.map((w) => w.measuring)),
    done: Promise.all(workers.map((w) => w.done)).then((all) => ({
      viewers: all.flatMap((r) => r.viewers),
      error: all.map((r) => r.error).filter(Boolean).join('; ') || undefined,
    })),
  };
}

// Samples RSS every 250 ms while the window is open; returns the max.
function rssSampler(pid) {
  let max = rssMB(pid);
  const t = setInterval(() => {
    try {
      max = Math.max(max, rssMB(pid));
    } catch {
      /* exited */
    }
  }, 250);
  return { end: () => (clearInterval(t), max) };
}

function row(mode, n, slow, windowS, cpu, rss, fast, probe, slowViewers, extra = {}) {
  const fps = fast.map((v) => v.fps);
  const bytes = [...fast, ...slowViewers].reduce((a, v) => a + (v.bytes || 0), 0);
  return {
    mode,
    n,
    slow: !!slow,
    cpuCores: round(cpu, 2),
    rssMB: round(rss, 0),
    egressMbps: round((bytes * 8) / windowS / 1e6, 1),
    fpsMin: round(Math.min(...fps), 1),
    fpsMedian: round(median(fps), 1),
    probeP50: round(probe?.p50, 2),
    probeP95: round(probe?.p95, 2),
    fastViewersP50: round(median(fast.map((v) => v.p50)), 2),
    slowViewerFps: slowViewers.length ? round(slowViewers[0].fps, 1) : null,
    errors: [...fast, ...slowViewers].flatMap((v) => v.errors || []).slice(0, 3),
    ...extra,
  };
}

// The slow viewer (Direct): a python client reading at a fixed rate through a small socket
// buffer. Resolves with its frames per second over its whole life.
function startSlowViewer(port, { rateBytes, seconds }) {
  return new Promise((resolve) => {
    const proc = spawn('python3', [path.join(benchDir, 'lib', 'slow_viewer.py'), String(port), String(rateBytes), String(seconds)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const limit = setTimeout(() => {
      try {
        process.kill(proc.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, (seconds + 20) * 1000);
    proc.stdout.on('data', (c) => (out += c));
    proc.stderr.on('data', (c) => (err += c));
    proc.on('exit', () => {
      clearTimeout(limit);
      try {
        const r = JSON.parse(out);
        resolve({ fps: r.frames / r.seconds, bytes: 0, errors: [] });
      } catch {
        resolve({ fps: 0, bytes: 0, errors: [`slow viewer: ${err.trim().slice(0, 80) || 'no result'}`] });
      }
    });
  });
}

// Direct or MJPEG: n − 1 load viewers in a child process plus the probe here (n in all).
export async function socketStep(server, { mode, n, warmupMs, windowMs, slow = null }) {
  const probe = mode === 'mjpeg' ? mjpegViewer(server.base) : directViewer(`ws://127.0.0.1:${server.port}`);
  // the slow viewer starts first and reads below the stream's rate long enough to fill the
  // server's socket buffer (autotuned up to 4 MB) before the window opens
  const slowDone = slow ? startSlowViewer(server.port, { rateBytes: slow.rateBytes, seconds: (warmupMs + windowMs) / 1000 + 1 }) : null;
  const worker = startWorkers({ base: server.base, mode, n: n - 1, warmupMs, windowMs }, server.pid);
  // The probe reads in this process: give it the priority the load workers get. At nice 0 beside
  // workers at framewire's -10 (one autogroup: framewire's `nice` sets the session's) the probe
  // got a tenth of their CPU share and measured its own wait: +8.7 ms at 200 viewers.
  const ownNice = os.getPriority(0);
  try {
    os.setPriority(0, Math.min(ownNice, os.getPriority(server.pid)));
  } catch {
    /* not allowed or the server is gone: measure at the default priority */
  }
  await worker.measuring;
  probe.measuring = true;
  const cpu = cpuWindow(server.pid);
  const rss = rssSampler(server.pid);
  await sleep(windowMs);
  probe.measuring = false;
  const cores = cpu.end();
  const rssMax = rss.end();
  probe.close();
  try {
    os.setPriority(0, ownNice);
  } catch {
    /* lowering back needs no right; nothing to do if it fails */
  }
  const res = await worker.done;
  const probeSummary = summarize(probe.latencies);
  const fast = [{ fps: probe.frames / (windowMs / 1000), bytes: probe.bytes, p50: probeSummary?.p50, errors: probe.errors }, ...res.viewers];
  const slowViewers = slowDone ? [await slowDone] : [];
  return row(mode, n, slow, windowMs / 1000, cores, rssMax, fast, probeSummary, slowViewers);
}

// WebRTC: n − 1 peers in one load page, the probe in a page of its own (presented latency).
export async function webrtcStep(browser, server, { n, warmupMs, windowMs }) {
  const seconds = windowMs / 1000;
  const loadPage = await browser.context.newPage();
  try {
    await loadPage.goto(`${server.base}/__bench/bench.html`);
    await loadPage.waitForFunction(() => window.bench?.ready, null, { timeout: 10000 });
    const load = n > 1 ? loadPage.evaluate((o) => window.bench.runWebrtcLoad(o), { count: n - 1, seconds: seconds + 4, warmupMs }) : Promise.resolve({ viewers: [], errors: [] });
    // the load page connects its peers, then warms up: measure inside its window
    await sleep(warmupMs + Math.min(30000, (n - 1) * 300));
    const cpu = cpuWindow(server.pid);
    const rss = rssSampler(server.pid);
    const probe = await runSession(browser, server.base, { mode: 'webrtc', seconds, path: '/whep' }).catch((e) => ({ error: e.message }));
    const cores = cpu.end();
    const rssMax = rss.end();
    const res = await load;
    const presented = probe.series ? summarize(probe.series.presented) : null;
    const received = probe.series ? summarize(probe.series.received) : null;
    const probeFps = probe.activeSeconds ? probe.counts.presented / probe.activeSeconds : 0;
    const fast = [{ fps: probeFps, bytes: 0, p50: received?.p50, errors: probe.error ? [probe.error] : [] }, ...res.viewers.map((v) => ({ ...v, errors: [] }))];
    return row('webrtc', n, null, seconds, cores, rssMax, fast, presented, [], {
      probeReceivedP50: round(received?.p50, 2),
      peerErrors: res.errors.slice(0, 3),
      note: 'egress counts the load peers only; probe p50 is stamp → presented',
    });
  } finally {
    await loadPage.close().catch(() => {});
  }
}
