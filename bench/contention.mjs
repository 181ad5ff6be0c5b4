/**
 * How much CPU other processes took while a sample ran. On a 2-core machine one
 * busy neighbour doubles a timing, so every sample records it and the report
 * says so. Linux only (/proc); elsewhere everything reads as unknown (null).
 *
 * others = Δ(all CPUs' busy ticks) − Δ(this process's ticks, its threads and its
 * waited-for children), as a share of the wall time of all cores.
 */
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

const HZ = 100; // USER_HZ, the unit of /proc/stat and /proc/self/stat on Linux

function ticks() {
  try {
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const busy = cpu.reduce((a, b) => a + b, 0) - cpu[3] - (cpu[4] ?? 0); // all but idle and iowait
    // /proc/self/stat: the command name may hold spaces, so split after its closing parenthesis
    const self = fs.readFileSync('/proc/self/stat', 'utf8');
    const f = self
      .slice(self.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    const own = f[11] + f[12] + f[13] + f[14]; // utime, stime, cutime, cstime
    return { busy, own, t: performance.now() };
  } catch {
    return null;
  }
}

/** Start a measurement; call the returned function to get the others' share of the CPU in [0, 1], or null. */
export function watchOthers() {
  const a = ticks();
  return () => {
    const b = ticks();
    if (!a || !b) return null;
    const capacity = ((b.t - a.t) / 1e3) * HZ * os.availableParallelism();
    if (capacity <= 0) return null;
    return Math.min(1, Math.max(0, (b.busy - a.busy - (b.own - a.own)) / capacity));
  };
}

/** Wait (up to maxS seconds) until other processes use under `below` of the CPU over half a second; returns their last share. */
export async function settle(maxS, below = 0.1) {
  const until = performance.now() + maxS * 1e3;
  for (;;) {
    const stop = watchOthers();
    await new Promise((r) => setTimeout(r, 500));
    const share = stop();
    if (share == null || share < below || performance.now() >= until) return share;
  }
}
