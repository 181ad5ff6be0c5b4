/**
 * Hyperparameter search as the course recommends it (CS231n notes, "hyperparameter
 * optimization"): a grid, or — better — random samples in log space, coarse then fine,
 * every run scored on the validation split only. Pure: no data, no threads, no output.
 *
 *   grid axis:  --lr 1e-7,5e-7      each listed value (a single value is a one-point grid)
 *   log axis:   --lr 1e-8:1e-5      log-uniform samples, log10(lr) ~ U(−8, −5)
 *
 * Grid axes alone give their cartesian product (or, with --samples, that many of its
 * points drawn without replacement, as scikit-learn's RandomizedSearchCV does); any log
 * axis makes every run an independent draw: log axes log-uniform, grid axes uniform.
 */
import { CONSTRAINTS, type ConfigKey, checkValue, flagOf } from '../config/schema.js';
import { UsageError } from '../core/errors.js';
import { Rng } from '../core/rng.js';

/** The numeric keys that shape one training run and may be swept. */
export const SWEEP_KEYS = [
  'lr',
  'reg',
  'delta',
  'l1Ratio',
  'lrDecay',
  'lrStep',
  'iters',
  'batchSize',
  'initScale',
  'stepSize',
  'momentum',
  'decayRate',
  'beta1',
  'beta2',
  'eps',
] as const satisfies readonly ConfigKey[];
export type SweepKey = (typeof SWEEP_KEYS)[number];

export type Axis = { key: SweepKey; kind: 'grid'; values: number[] } | { key: SweepKey; kind: 'log'; lo: number; hi: number };

/** One point of the search: a value for every swept key. */
export type Params = Partial<Record<SweepKey, number>>;

export const isSweepKey = (key: string): key is SweepKey => (SWEEP_KEYS as readonly string[]).includes(key);

const isInt = (key: SweepKey) => {
  const c = CONSTRAINTS[key];
  return c.kind === 'number' && c.int === true;
};

/** "a", "a,b,c" or "lo:hi" → an axis; every value is checked against the key's constraint. */
export function parseAxis(key: SweepKey, text: string): Axis {
  const flag = flagOf(key);
  const num = (s: string): number => {
    const v = Number(s);
    if (s.trim() === '' || !Number.isFinite(v)) {
      throw new UsageError(`${flag} takes a number, a list a,b,c (grid) or a range lo:hi (log-uniform); got '${text}'.`);
    }
    checkValue(key, v);
    return v;
  };
  if (text.includes(':')) {
    const parts = text.split(':');
    if (parts.length !== 2) throw new UsageError(`${flag} range '${text}' must be lo:hi, two numbers.`);
    const [lo, hi] = parts.map(num);
    if (!(lo > 0 && lo < hi)) {
      throw new UsageError(`${flag} range '${text}' is sampled in log space, so it needs 0 < lo < hi; got lo ${lo}, hi ${hi}.`);
    }
    return { key, kind: 'log', lo, hi };
  }
  const values = text.split(',').map(num);
  if (new Set(values).size !== values.length) throw new UsageError(`${flag} lists a value twice: '${text}'.`);
  return { key, kind: 'grid', values };
}

/** The number of points of an all-grid search. */
export const gridSize = (axes: readonly Axis[]): number => axes.reduce((n, a) => n * (a.kind === 'grid' ? a.values.length : Infinity), 1);

/** The cartesian product of grid axes, the first axis varying slowest (like nested loops). */
export function gridPoints(axes: readonly Axis[]): Params[] {
  let points: Params[] = [{}];
  for (const a of axes) {
    if (a.kind !== 'grid') throw new Error(`gridPoints: ${a.key} is a range, not a grid`);
    points = points.flatMap((p) => a.values.map((v) => ({ ...p, [a.key]: v })));
  }
  return points;
}

/**
 * 3 significant digits, so that a row of the table, typed back as flags, is exactly the
 * run that was made; clamped so rounding never leaves [lo, hi].
 */
function roundSample(key: SweepKey, v: number, lo: number, hi: number): number {
  const r = isInt(key) ? Math.round(v) : Number(v.toPrecision(3));
  return Math.min(hi, Math.max(lo, r));
}

/** One log-uniform draw in [lo, hi]. */
export function logUniform(rng: Rng, lo: number, hi: number): number {
  return Math.exp(Math.log(lo) + rng.uniform() * (Math.log(hi) - Math.log(lo)));
}

/** `samples` independent points: log axes log-uniform, grid axes a uniform choice. */
export function randomPoints(axes: readonly Axis[], samples: number, rng: Rng): Params[] {
  const points: Params[] = [];
  for (let s = 0; s < samples; s++) {
    const p: Params = {};
    for (const a of axes) {
      p[a.key] = a.kind === 'grid' ? a.values[rng.int(a.values.length)] : roundSample(a.key, logUniform(rng, a.lo, a.hi), a.lo, a.hi);
    }
    points.push(p);
  }
  return points;
}

/**
 * The points of a sweep. samples null: the whole grid (an error when an axis is a range).
 * With samples: draws seeded by `seed`, so the same command gives the same points, and
 * a larger --samples extends a smaller one (its first points are the same).
 */
export function sweepPoints(axes: readonly Axis[], samples: number | null, seed: number): Params[] {
  const rng = new Rng(seed ^ 0x53574550); // its own stream, apart from the runs' seeds
  const size = gridSize(axes);
  if (samples === null) {
    if (!Number.isFinite(size)) {
      const ranged = axes.filter((a) => a.kind === 'log').map((a) => flagOf(a.key));
      throw new UsageError(
        `${ranged.join(', ')} ${ranged.length > 1 ? 'are ranges' : 'is a range'} (lo:hi): say how many random runs with --samples N.`,
      );
    }
    return gridPoints(axes);
  }
  if (!(Number.isInteger(samples) && samples >= 1)) throw new UsageError(`--samples must be a whole number ≥ 1, got ${samples}.`);
  if (!Number.isFinite(size)) return randomPoints(axes, samples, rng);
  const grid = gridPoints(axes);
  if (samples >= grid.length) return grid;
  // Without replacement: a partial Fisher–Yates over the grid's indices, kept in draw order.
  const idx = Int32Array.from(grid, (_, i) => i);
  for (let i = 0; i < samples; i++) {
    const j = i + rng.int(grid.length - i);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return Array.from(idx.subarray(0, samples), (i) => grid[i]);
}

/** The seed of run `index` of a sweep seeded `seed`: a 32-bit hash, so runs differ yet repeat. */
export function runSeed(seed: number, index: number): number {
  let z = (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca77)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** What to run: a point, and the run's own seed (for W's init and the minibatches). */
export interface RunSpec {
  index: number; // 0-based, in generation order
  point: number; // which point of the search (runs of one point differ only by seed)
  params: Params;
  seed: number;
}

/**
 * `repeats` runs per point, each with its own seed: like the folds of scikit-learn's
 * cross-validation, they show how much of a difference between points is luck.
 */
export const runSpecs = (points: readonly Params[], seed: number, repeats = 1): RunSpec[] =>
  points.flatMap((params, point) =>
    Array.from({ length: repeats }, (_, r) => {
      const index = point * repeats + r;
      return { index, point, params, seed: runSeed(seed, index) };
    }),
  );

/** A finished run. A run that diverged has NaN accuracies and the reason in `error`. */
export interface RunResult extends RunSpec {
  kernels: string; // the kernels that computed it (Kernels.id)
  trainAcc: number;
  valAcc: number;
  finalLoss: number;
  timeSec: number;
  error?: string;
}

/** A point's runs together: mean accuracies, the spread of validation accuracy. */
export interface PointResult {
  index: number; // the point
  params: Params;
  runs: RunResult[];
  trainAcc: number; // mean over the runs
  valAcc: number; // mean over the runs; NaN when any run diverged
  valStd: number; // sample standard deviation (0 for one run)
  timeSec: number; // mean
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export function byPoint(results: readonly RunResult[]): PointResult[] {
  const groups = new Map<number, RunResult[]>();
  for (const r of [...results].sort((a, b) => a.index - b.index)) groups.set(r.point, [...(groups.get(r.point) ?? []), r]);
  return [...groups].map(([index, runs]) => {
    const val = mean(runs.map((r) => r.valAcc));
    const std = runs.length > 1 ? Math.sqrt(runs.reduce((a, r) => a + (r.valAcc - val) ** 2, 0) / (runs.length - 1)) : 0;
    return {
      index,
      params: runs[0].params,
      runs,
      trainAcc: mean(runs.map((r) => r.trainAcc)),
      valAcc: val,
      valStd: std,
      timeSec: mean(runs.map((r) => r.timeSec)),
    };
  });
}

/**
 * Best first by validation accuracy — never anything else, so the test split stays
 * untouched until the one chosen model is scored. NaN (diverged) last; ties keep
 * generation order. For runs or for points.
 */
export function rankByVal<T extends { index: number; valAcc: number }>(results: readonly T[]): T[] {
  const key = (r: T) => (Number.isNaN(r.valAcc) ? -Infinity : r.valAcc);
  return [...results].sort((a, b) => key(b) - key(a) || a.index - b.index);
}

/** The best, or null when every one diverged. */
export function bestByVal<T extends { index: number; valAcc: number }>(results: readonly T[]): T | null {
  const best = rankByVal(results)[0];
  return best && !Number.isNaN(best.valAcc) ? best : null;
}

/** The sweep's choice: the points ranked, the best point (by mean validation accuracy) and its best run. */
export function chooseBest(runs: readonly RunResult[]): { points: PointResult[]; point: PointResult | null; run: RunResult | null } {
  const points = rankByVal(byPoint(runs));
  const point = bestByVal(points);
  return { points, point, run: point ? bestByVal(point.runs) : null };
}

/** The `best` of a sweep's summary: the chosen point and run, and its one test accuracy. */
export const bestSummary = (point: PointResult, run: RunResult, testAcc: number) => ({
  point: point.index,
  params: point.params,
  meanValAcc: point.valAcc,
  valStd: point.valStd,
  seed: run.seed,
  trainAcc: run.trainAcc,
  valAcc: run.valAcc,
  testAcc,
});
export type BestSummary = ReturnType<typeof bestSummary>;
