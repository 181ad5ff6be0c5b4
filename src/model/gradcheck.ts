/**
 * Gradient check (CS231n notes, "gradient checks"): compare the analytic gradient
 * with the centered difference
 *   n = (f(W + h·e_k) − f(W − h·e_k)) / 2h,    h = 1e-5, all in float64,
 * at random entries k, by the relative error |a − n| / max(|a|, |n|).
 */
import { C, D, DB } from '../core/shapes.js';
import type { Split } from '../core/shapes.js';
import type { Rng } from '../core/rng.js';
import type { Objective } from './objective.js';

export interface GradCheckResult {
  index: number; // flat index into W
  row: number; // class
  col: number; // feature, D = the bias column
  analytic: number;
  numeric: number;
  relError: number;
}

/**
 * f: the loss as a function of W (it may overwrite scratch buffers but must not keep W);
 * W: C×(D+1), perturbed in place and restored exactly; analytic: ∂f/∂W at W.
 * Entries are drawn with replacement, as in the assignment's grad_check_sparse.
 */
export function gradCheck(
  f: (W: Float64Array) => number,
  W: Float64Array,
  analytic: Float64Array,
  checks: number,
  rng: Rng,
  h = 1e-5,
): GradCheckResult[] {
  if (analytic.length !== W.length) throw new RangeError(`gradCheck: analytic has ${analytic.length} values, W has ${W.length}`);
  const results: GradCheckResult[] = [];
  for (let k = 0; k < checks; k++) {
    const index = rng.int(W.length);
    const old = W[index];
    W[index] = old + h;
    const fPlus = f(W);
    W[index] = old - h;
    const fMinus = f(W);
    W[index] = old;
    const numeric = (fPlus - fMinus) / (2 * h);
    const a = analytic[index];
    results.push({ index, row: Math.floor(index / DB), col: index % DB, analytic: a, numeric, relError: relativeError(a, numeric) });
  }
  return results;
}

/**
 * Check an objective at W: its analytic gradient (one call) against centered
 * differences at `checks` random entries. Returns the loss at W and every check.
 */
export function checkObjective(
  f: Objective,
  W: Float64Array,
  checks: number,
  rng: Rng,
  h = 1e-5,
): { loss: number; results: GradCheckResult[] } {
  const analytic = new Float64Array(W.length);
  const { loss } = f(W, null, analytic);
  const scratch = new Float64Array(W.length);
  return { loss, results: gradCheck((w) => f(w, null, scratch).loss, W, analytic, checks, rng, h) };
}

/** The worst relative error of a check; a NaN one counts as infinitely wrong. */
export function maxRelError(results: GradCheckResult[]): number {
  return results.reduce((m, r) => Math.max(m, Number.isNaN(r.relError) ? Infinity : r.relError), 0);
}

/** |a − n| / max(|a|, |n|), 0 when both are 0; NaN in either gives NaN (judged 'wrong'). */
export function relativeError(a: number, n: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(n));
  return scale === 0 ? 0 : Math.abs(a - n) / scale;
}

/** CS231n's reading of a relative error: ≤ good fine; > wrong means the gradient is wrong. */
export const GRADCHECK_THRESHOLDS = { good: 1e-7, ok: 1e-4, wrong: 1e-2 } as const;

/** ≤1e-7 good; ≤1e-4 ok (normal near kinks of svm/l1); ≤1e-2 suspect; above, or NaN, wrong. */
export function verdict(relError: number): 'good' | 'ok' | 'suspect' | 'wrong' {
  if (relError <= GRADCHECK_THRESHOLDS.good) return 'good';
  if (relError <= GRADCHECK_THRESHOLDS.ok) return 'ok';
  if (relError <= GRADCHECK_THRESHOLDS.wrong) return 'suspect';
  return 'wrong';
}

/**
 * Generated data for `lintrain gradcheck --synthetic` (no CIFAR-10 needed): n images,
 * each a noisy copy of its class's random template, so the classes are learnable too.
 * pixels: n×D bytes; labels: n; mean: the mean image of these n rows (D).
 */
export function syntheticSplit(n: number, rng: Rng): { split: Split; mean: Float32Array } {
  const templates = new Uint8Array(C * D);
  for (let k = 0; k < templates.length; k++) templates[k] = rng.int(256);
  const pixels = new Uint8Array(n * D);
  const labels = new Uint8Array(n);
  const sum = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    const y = rng.int(C);
    labels[i] = y;
    for (let d = 0; d < D; d++) {
      const v = templates[y * D + d] + 40 * rng.normal();
      const p = v < 0 ? 0 : v > 255 ? 255 : (v + 0.5) | 0; // rounded, no global Math in the loop (slow under jest)
      pixels[i * D + d] = p;
      sum[d] += p;
    }
  }
  const mean = new Float32Array(D);
  for (let d = 0; d < D; d++) mean[d] = n > 0 ? sum[d] / n : 0;
  return { split: { pixels, labels, n }, mean };
}
