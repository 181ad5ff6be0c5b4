/**
 * The numpy baseline, run as a child process (bench/numpy_baseline.py), one
 * sample per call so the driver can alternate it with lintrain. Every call
 * runs python without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, which can pin
 * OpenBLAS to slower kernels on this kind of machine.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { timedSpawn } from './spawn.mjs';
import { warmupSteps } from './lintrain_side.mjs';

const SCRIPT = fileURLToPath(new URL('./numpy_baseline.py', import.meta.url));
const COATES = fileURLToPath(new URL('./coates_numpy.py', import.meta.url));

function pythonEnv() {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/** The last line of stdout that parses as a JSON object, or null. */
function lastJson(stdout) {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      const v = JSON.parse(line);
      if (v && typeof v === 'object') return v;
    } catch {
      // not JSON: a warning or a log line
    }
  }
  return null;
}

/** numpy, python and BLAS facts, or {ok:false, reason} when python3/numpy cannot run. */
export function numpyInfo(python) {
  const r = spawnSync(python, [SCRIPT, 'info'], { env: pythonEnv(), encoding: 'utf8' });
  if (r.error) return { ok: false, reason: `${python} not runnable (${r.error.code ?? r.error.message})` };
  const info = lastJson(r.stdout ?? '');
  if (r.status !== 0 || !info) {
    const why = (r.stderr ?? '').trim().split('\n').pop() || `exit ${r.status}`;
    return { ok: false, reason: `${python} ${SCRIPT} info failed: ${why}` };
  }
  return { ok: true, info };
}

/** "OpenBLAS 0.3.31 (Haswell kernels), 2 threads" from the info's blas block. */
export function describeBlas(blas) {
  const pool = blas?.pools?.[0];
  if (!pool) return 'BLAS unknown';
  const version = pool.version ?? (pool.config ?? '').split(/\s+/)[1] ?? '';
  const arch = pool.architecture ? ` (${pool.architecture} kernels)` : '';
  const threads = pool.num_threads != null ? `, ${pool.num_threads} threads` : `, threads unknown (cpu_count ${blas.cpu_count})`;
  return `${pool.internal_api ?? 'BLAS'} ${version}${arch}${threads}`.replace(/\s+,/, ',');
}

/**
 * One sample of a workload. args: {dtype, batchDir|null, steps, tries, batch (random search: candidates per product)}.
 * Returns the parsed JSON line (metrics: {name: {unit, median, samples}}).
 */
export function numpySample(python, workload, args) {
  const argv = [SCRIPT, workload, '--dtype', args.dtype, '--repeats', '1', '--seed', String(args.seed ?? 0)];
  if (args.batchDir) argv.push('--data', args.batchDir);
  if (workload === 'sgd-step') argv.push('--steps', String(args.steps), '--warmup', String(warmupSteps(args.steps)));
  if (workload === 'random-search') argv.push('--tries', String(args.tries), '--batch', String(args.batch ?? 1));
  if (workload === 'e2e') return numpyE2e(python, argv);
  const r = spawnSync(python, argv, { env: pythonEnv(), encoding: 'utf8', maxBuffer: 1 << 24 });
  const out = lastJson(r.stdout ?? '');
  if (r.status !== 0 || !out) {
    const why = (r.stderr ?? '').trim().split('\n').slice(-3).join(' | ') || `exit ${r.status}`;
    throw new Error(`numpy ${workload} ${args.dtype} failed: ${why}`);
  }
  return out;
}

/** e2e: wall time and peak RSS measured from outside, the same way as for lintrain. */
function numpyE2e(python, argv) {
  const r = timedSpawn(python, argv, { env: pythonEnv() });
  const out = lastJson(r.stdout);
  if (r.status !== 0 || !out) throw new Error(`numpy e2e failed: ${r.stderrTail || `exit ${r.status}`}`);
  const self = out.metrics;
  out.metrics = {
    wall: { unit: 's', median: r.wallS, samples: [r.wallS] },
    peak_rss: { unit: 'MB', median: r.peakRssMB ?? self.peak_rss.median, samples: [r.peakRssMB ?? self.peak_rss.median] },
    train_acc: self.train_acc,
    val_acc: self.val_acc,
  };
  out.rssSource = r.peakRssMB != null ? '/usr/bin/time %M' : 'ru_maxrss';
  return out;
}

/**
 * One sample of the Coates et al. pipeline (bench/coates_numpy.py): seconds per stage and
 * in total. args: {dtype, variant: 'loop' | 'batched', batchDir, centroids, patches, iters, images}.
 */
export function kmeansSample(python, args) {
  const argv = [
    COATES,
    '--data',
    args.batchDir,
    '--dtype',
    args.dtype,
    '--variant',
    args.variant,
    '--repeats',
    '1',
    '--centroids',
    String(args.centroids),
    '--patches',
    String(args.patches),
    '--iters',
    String(args.iters),
    '--images',
    String(args.images),
  ];
  const r = spawnSync(python, argv, { env: pythonEnv(), encoding: 'utf8', maxBuffer: 1 << 24 });
  const out = lastJson(r.stdout ?? '');
  if (r.status !== 0 || !out) {
    const why = (r.stderr ?? '').trim().split('\n').slice(-3).join(' | ') || `exit ${r.status}`;
    throw new Error(`numpy kmeans ${args.variant} ${args.dtype} failed: ${why}`);
  }
  return Object.fromEntries(Object.entries(out.metrics).map(([k, m]) => [k, m.median]));
}
