/**
 * Run a child to completion and measure it from outside: wall time from spawn to
 * exit, and peak RSS through GNU time's %M when /usr/bin/time is there (the same
 * yardstick for node and python; otherwise callers fall back to what the child
 * reports about itself).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const TIME = '/usr/bin/time';
let gnuTime; // cached: does /usr/bin/time understand -f %M -o FILE?

function hasGnuTime() {
  if (gnuTime === undefined) {
    const probe = path.join(os.tmpdir(), `bench-time-probe-${process.pid}`);
    const r = fs.existsSync(TIME) ? spawnSync(TIME, ['-f', '%M', '-o', probe, 'true']) : { status: 1 };
    gnuTime = r.status === 0 && fs.existsSync(probe) && /^\d+/.test(fs.readFileSync(probe, 'utf8').trim());
    fs.rmSync(probe, { force: true });
  }
  return gnuTime;
}

export function rssMethod() {
  return hasGnuTime() ? '/usr/bin/time -f %M' : "the child's own ru_maxrss";
}

/** {status, stdout, stderrTail, wallS, peakRssMB (null without GNU time)}. */
export function timedSpawn(cmd, args, opts = {}) {
  const useTime = hasGnuTime();
  const out = path.join(os.tmpdir(), `bench-time-${process.pid}-${Date.now()}`);
  const [file, argv] = useTime ? [TIME, ['-f', '%M', '-o', out, cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  const r = spawnSync(file, argv, { ...opts, encoding: 'utf8', maxBuffer: 1 << 28 });
  const wallS = (performance.now() - t0) / 1e3;
  let peakRssMB = null;
  if (useTime && fs.existsSync(out)) {
    const kb = Number.parseInt(fs.readFileSync(out, 'utf8').trim().split('\n').pop(), 10);
    if (Number.isFinite(kb)) peakRssMB = kb / 1024;
    fs.rmSync(out, { force: true });
  }
  if (r.error) throw new Error(`cannot run ${cmd}: ${r.error.message}`);
  const stderrTail = (r.stderr ?? '').trim().split('\n').slice(-3).join(' | ');
  return { status: r.status, stdout: r.stdout ?? '', stderrTail, wallS, peakRssMB };
}
