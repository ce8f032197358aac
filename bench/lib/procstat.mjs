// A process's CPU (utime + stime from /proc/<pid>/stat) and RSS (VmRSS), for deltas over a window.

import fs from 'node:fs';

const TICKS = 100; // USER_HZ on Linux

export function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime, stime
}

export function rssMB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : null;
}

// Starts a window; .end() gives the CPU used in it as cores (1.0 = one core busy).
export function cpuWindow(pid) {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  return {
    end() {
      const secs = (performance.now() - t0) / 1000;
      return secs > 0 ? (cpuSeconds(pid) - c0) / secs : null;
    },
  };
}

export function loadAverage() {
  return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
}

// The whole machine's busy cores and runnable threads (all processes, from /proc/stat) over
// time, sampled every `everyMs`: a long session's latency is read next to what else the machine was doing.
export function machineBusySampler(everyMs = 1000) {
  // procs_running: threads runnable at this instant. Once every core is busy, busy cores say
  // nothing more; the runnable count still tells a crowded machine from a merely full one.
  const read = () => {
    const stat = fs.readFileSync('/proc/stat', 'utf8');
    const cpu = stat.split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = cpu[3] + (cpu[4] || 0);
    const total = cpu.reduce((a, b) => a + b, 0);
    const running = Number(/^procs_running (\d+)/m.exec(stat)?.[1] ?? NaN);
    return { idle, total, running };
  };
  const cores = fs.readFileSync('/proc/stat', 'utf8').split('\n').filter((l) => /^cpu\d/.test(l)).length || 1;
  const samples = [];
  let last = read();
  const timer = setInterval(() => {
    const now = read();
    const dt = now.total - last.total;
    if (dt > 0) samples.push({ at: Date.now(), busyCores: Math.round(((dt - (now.idle - last.idle)) / dt) * cores * 100) / 100, runnable: now.running });
    last = now;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}
