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
