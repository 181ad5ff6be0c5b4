/**
 * The loss landscape of the CS231n optimization notes ("Visualizing the loss function").
 * L(W) is a function of 30,730 numbers, too many to look at, so look at slices through
 * one W: along a random direction W1 (a line) and over the plane of W1 and W2:
 *   curve[i]          = L(W + a_i·W1)
 *   grid[j·S + i]     = L(W + a_i·W1 + a_j·W2)     row j: b = a_j; column i: a = a_i
 * a_i evenly spaced in [−R, R], S points per axis, S odd so that the middle point is
 * a = 0, W itself (the grid's middle row is then the curve).
 * For one example the SVM loss is a sum of hinges max(0, s_j − s_y + Δ), each linear in
 * a, so the curve is piecewise linear and convex, and the plane is cut into flat facets;
 * averaged over many examples the kinks blur into a bowl.
 * Each point is scored by the trainer's own objective (makeCandidatesLoss: the data loss
 * on the kernels, plus the penalty), a block of points per pass over the examples.
 */
import type { Rng } from '../core/rng.js';
import { C, D, DB, type Split } from '../core/shapes.js';
import type { Kernels } from '../kernels/types.js';
import type { LossSpec } from './losses/types.js';
import { makeCandidatesLoss } from './objective.js';
import type { RegSpec } from './regularizers.js';

// Bound once: a global lookup of Math in a loop is slow under jest's sandbox.
const { sqrt } = Math;

export interface LandscapeSettings {
  range: number; // R: a and b run over [−R, R]
  steps: number; // S: points per axis, odd, ≥ 3
  examples: readonly number[]; // one slice per count: the loss on the first n rows of the split
  plane?: boolean; // false: the curves only, each grid empty (S² points cost S times the curve); default true
}

export interface LandscapeSlice {
  examples: number;
  curve: Float64Array; // S: L(W + a_i·W1)
  grid: Float64Array; // S×S row-major: grid[j·S + i] = L(W + a_i·W1 + a_j·W2); empty without the plane
}

export interface Landscape {
  alphas: Float64Array; // S values from −R to R, 0 in the middle
  slices: LandscapeSlice[];
}

/** Candidate weight matrices scored per pass over the examples (8 MB of float32 at a time). */
const BLOCK = 64;

/** What lossLandscape refuses, in words a library caller can act on (the CLI says it first, naming flags). */
export function checkLandscapeSettings(s: LandscapeSettings, rows: number): void {
  if (!(s.range > 0 && Number.isFinite(s.range))) throw new RangeError(`landscape: range must be a number > 0, got ${s.range}`);
  if (!Number.isInteger(s.steps) || s.steps < 3 || s.steps % 2 === 0) {
    throw new RangeError(`landscape: steps must be an odd whole number >= 3, got ${s.steps}`);
  }
  if (s.examples.length === 0) throw new RangeError('landscape: no example counts');
  for (const n of s.examples) {
    if (!Number.isInteger(n) || n < 1 || n > rows)
      throw new RangeError(`landscape: examples must be whole numbers in [1, ${rows}], got ${n}`);
  }
}

/** S points from −R to R; the ends are exactly ±R and the middle exactly 0. */
export function landscapeAlphas(range: number, steps: number): Float64Array {
  const half = (steps - 1) / 2;
  return Float64Array.from({ length: steps }, (_, i) => (range * (i - half)) / half);
}

/**
 * A random direction through W: N(0,1) entries, each row (a class's template, bias
 * included) then scaled to the length of the same row of W, as Li et al. (2018) scale
 * a network's filters. So a = 1 moves every template by its own length, and one --range
 * reads the same for a random W of any scale and for a trained one.
 * W: C×stride; throws when a row of W is all zeros (no length to scale to).
 */
export function randomDirection(W: Float32Array, rng: Rng, stride = DB): Float32Array {
  const dir = rng.fillNormal(new Float32Array(W.length)) as Float32Array;
  for (let o = 0; o < W.length; o += stride) {
    let w2 = 0;
    let d2 = 0;
    for (let k = o; k < o + stride; k++) {
      w2 += W[k] * W[k];
      d2 += dir[k] * dir[k];
    }
    if (w2 === 0) throw new RangeError(`landscape: row ${o / stride} of W is zero, so a direction has no length to scale to`);
    const s = sqrt(w2 / d2);
    for (let k = o; k < o + stride; k++) dir[k] *= s;
  }
  return dir;
}

/** The first n rows of a split, sharing its memory (the kernels read them in place). */
export const firstRows = (split: Split, n: number): Split => ({
  pixels: split.pixels.subarray(0, n * D),
  labels: split.labels.subarray(0, n),
  n,
});

/**
 * Score `count` points, point(k, out) writing the k-th candidate W into out (C×DB),
 * BLOCK candidates per call of f. onPoints: points scored so far, after each block.
 */
function scorePoints(
  f: ReturnType<typeof makeCandidatesLoss>,
  count: number,
  point: (k: number, out: Float32Array) => void,
  onPoints: (done: number) => void,
): Float64Array {
  const size = C * DB;
  const values = new Float64Array(count);
  const Ws = new Float32Array(Math.min(BLOCK, count) * size);
  const out = new Float64Array(BLOCK);
  for (let start = 0; start < count; start += BLOCK) {
    const K = Math.min(BLOCK, count - start);
    for (let k = 0; k < K; k++) point(start + k, Ws.subarray(k * size, (k + 1) * size));
    f(Ws.subarray(0, K * size), K, out);
    values.set(out.subarray(0, K), start);
    onPoints(start + K);
  }
  return values;
}

/**
 * The slices of L through W along W1 (the curve) and over W1, W2 (the grid), for the
 * first n rows of `split` for each n in settings.examples. mean: the preprocessing's
 * mean image; loss and reg: the objective's. W, W1, W2: C×(D+1) float32.
 * onPoints (optional): points scored so far, of examples.length × (S + S²) (S without the plane).
 */
export function lossLandscape(
  kernels: Kernels,
  split: Split,
  mean: Float32Array,
  loss: LossSpec,
  reg: RegSpec,
  W: Float32Array,
  [W1, W2]: readonly [Float32Array, Float32Array],
  settings: LandscapeSettings,
  onPoints: (done: number) => void = () => {},
): Landscape {
  checkLandscapeSettings(settings, split.n);
  const S = settings.steps;
  const planePoints = settings.plane === false ? 0 : S * S;
  const alphas = landscapeAlphas(settings.range, S);
  /** W + a·W1 + b·W2 into out; at b = 0 the same bits as W + a·W1. */
  const at = (a: number, b: number, out: Float32Array) => {
    for (let k = 0; k < out.length; k++) out[k] = W[k] + a * W1[k] + b * W2[k];
  };
  let before = 0;
  const slices = settings.examples.map((n) => {
    const f = makeCandidatesLoss(kernels, firstRows(split, n), mean, loss, reg);
    const curve = scorePoints(
      f,
      S,
      (i, out) => at(alphas[i], 0, out),
      (d) => onPoints(before + d),
    );
    before += S;
    const grid = scorePoints(
      f,
      planePoints,
      (k, out) => at(alphas[k % S], alphas[Math.floor(k / S)], out),
      (d) => onPoints(before + d),
    );
    before += planePoints;
    return { examples: n, curve, grid };
  });
  return { alphas, slices };
}

/** A slice in a few numbers: the loss at W, the lowest on the line, the lowest and highest on the plane (finite values). */
export interface SliceFigures {
  examples: number;
  atW: number;
  lineMin: number;
  planeMin: number;
  planeMax: number;
}

export function sliceFigures(s: LandscapeSlice): SliceFigures {
  let lineMin = Infinity;
  for (const v of s.curve) if (Number.isFinite(v)) lineMin = Math.min(lineMin, v);
  let planeMin = Infinity;
  let planeMax = -Infinity;
  for (const v of s.grid) {
    if (!Number.isFinite(v)) continue;
    planeMin = Math.min(planeMin, v);
    planeMax = Math.max(planeMax, v);
  }
  return { examples: s.examples, atW: s.curve[(s.curve.length - 1) / 2], lineMin, planeMin, planeMax };
}
