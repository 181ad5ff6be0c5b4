/**
 * The math of the board's toy page (in the spirit of the CS231n linear-classification demo):
 * points in 2-D in 3 classes, a linear classifier s = W·x + b, one full-batch gradient step.
 * No DOM here, so the tests run it under Node; toy-page.ts draws it.
 *
 * The layout is the trainer's, shrunk: the bias trick appends a 1 to every point, so
 * x̃ = [x1, x2, 1] and W̃ = [W | b] is 3×3 row-major, one row per class, the bias last
 * (CIFAR-10's W is 10×3073 the same way). The data loss and dscores come from the
 * trainer's own loss functions (model/losses) called with 3 classes, and the penalty and
 * its gradient from the trainer's regularizer: the page runs the code that trains, not a copy.
 */
import type { Rng } from '../../core/rng.js';
import { ovaLoss, softmaxLoss, svmLoss } from '../../model/losses/index.js';
import type { ScoresLoss } from '../../model/losses/index.js';
import { regularize } from '../../model/regularizers.js';
import type { RegSpec } from '../../model/regularizers.js';

export const CLASSES = 3;
export const WIDTH = 3; // a row of W̃ and of x̃: [w1, w2, b] and [x1, x2, 1]
export const VIEW = 1.5; // the plane shown: x1, x2 in [−VIEW, VIEW], room around the unit square of the points

export type ToyLossName = 'svm' | 'ova' | 'softmax';
export const TOY_LOSS_NAMES: readonly ToyLossName[] = ['svm', 'ova', 'softmax'];

/** The page's three losses: the very functions the trainer's kernels call (ova: the board's only). */
export const TOY_LOSSES: Record<ToyLossName, ScoresLoss> = { svm: svmLoss, ova: ovaLoss, softmax: softmaxLoss };

/** n points: xy n×2 row-major (x1, x2), labels n in 0..2. */
export interface ToyData {
  xy: Float64Array;
  labels: Uint8Array;
  n: number;
}

export interface ToySettings {
  loss: ToyLossName;
  delta: number; // the hinge margin Δ (unused by softmax)
  reg: number; // λ, L2 strength on W (not on b)
  stepSize: number; // η, the learning rate
}

export const DEFAULT_SETTINGS: ToySettings = { loss: 'svm', delta: 1, reg: 0.1, stepSize: 0.1 };

/** The demo's nine points, three per class: class 0 up right, class 1 up left, class 2 below. */
export function defaultData(): ToyData {
  const xy = Float64Array.of(0.5, 0.4, 0.8, 0.3, 0.3, 0.8, -0.4, 0.3, -0.3, 0.7, -0.7, 0.2, 0.7, -0.4, 0.5, -0.6, -0.4, -0.5);
  return { xy, labels: Uint8Array.of(0, 0, 0, 1, 1, 1, 2, 2, 2), n: 9 };
}

/** The demo's starting W̃ (rows [w1, w2, b]): three lines that classify the points badly. */
export function defaultW(): Float64Array {
  return Float64Array.of(1, 2, 0, 2, -4, 0.5, 3, -1, -0.5);
}

/**
 * n points in 3 clusters, one per class (labels cycle 0, 1, 2): each class's centre uniform in
 * [−0.9, 0.9]², its points N(centre, 0.3²) kept inside the view. Close or overlapping clusters
 * happen on purpose: then no W scores every point right and the losses disagree on what to do.
 */
export function randomData(rng: Rng, n = 9): ToyData {
  const centres = Float64Array.from({ length: 2 * CLASSES }, () => (rng.uniform() * 2 - 1) * 0.9);
  const xy = new Float64Array(2 * n);
  const labels = new Uint8Array(n);
  const edge = 0.95 * VIEW;
  for (let i = 0; i < n; i++) {
    const y = i % CLASSES;
    labels[i] = y;
    for (let d = 0; d < 2; d++) xy[2 * i + d] = Math.max(-edge, Math.min(edge, centres[2 * y + d] + 0.3 * rng.normal()));
  }
  return { xy, labels, n };
}

/** W̃ with every weight and bias N(0, 1): lines at random angles crossing the view. */
export function randomW(rng: Rng): Float64Array {
  return rng.fillNormal(new Float64Array(CLASSES * WIDTH)) as Float64Array;
}

/** The scores of one point, s_k = w_k1·x1 + w_k2·x2 + b_k, into out[o..o+2]. */
export function scoresAt(Wb: Float64Array, x1: number, x2: number, out: Float64Array, o = 0): void {
  for (let k = 0; k < CLASSES; k++) out[o + k] = Wb[k * WIDTH] * x1 + Wb[k * WIDTH + 1] * x2 + Wb[k * WIDTH + 2];
}

/** The class with the highest score (the first on ties, as the trainer's predict). */
export function argmax(s: Float64Array, o = 0): number {
  let best = 0;
  for (let k = 1; k < CLASSES; k++) if (s[o + k] > s[o + best]) best = k;
  return best;
}

/** Everything the page shows, for one W̃. */
export interface Evaluation {
  scores: Float64Array; // n×3
  perPoint: Float64Array; // n: L_i
  dataLoss: number; // (1/n) Σ L_i
  regLoss: number; // λ Σ W² (b left out)
  total: number;
  dW: Float64Array; // 3×3: ∂total/∂W̃, the bias column included
}

/** L2 on W, not b, in the trainer's convention: λ·ΣW², gradient 2λW. */
const l2 = (reg: number): RegSpec => ({ type: 'l2', strength: reg, l1Ratio: 0, includeBias: false });

/**
 * The loss and its gradient at W̃, the trainer's way: scores, then the loss on scores with
 * dscores (n×3), then dW̃ = dscoresᵀ·X̃ (so db = the column sums of dscores, X̃'s last
 * column being 1), then the penalty's gradient added. L_i is the same loss on row i alone.
 * Allocates its arrays each call: 9 points at 10 steps a second, clarity wins.
 */
export function evaluate(Wb: Float64Array, data: ToyData, settings: ToySettings): Evaluation {
  const { n, xy, labels } = data;
  const loss = TOY_LOSSES[settings.loss];
  const scores = new Float64Array(n * CLASSES);
  for (let i = 0; i < n; i++) scoresAt(Wb, xy[2 * i], xy[2 * i + 1], scores, i * CLASSES);
  const dscores = new Float64Array(n * CLASSES);
  const dataLoss = loss(scores, labels, n, settings.delta, dscores, CLASSES);
  const perPoint = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    perPoint[i] = loss(scores.subarray(i * CLASSES, (i + 1) * CLASSES), labels.subarray(i, i + 1), 1, settings.delta, null, CLASSES);
  }
  const dW = new Float64Array(CLASSES * WIDTH);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < CLASSES; k++) {
      const g = dscores[i * CLASSES + k];
      dW[k * WIDTH] += g * xy[2 * i];
      dW[k * WIDTH + 1] += g * xy[2 * i + 1];
      dW[k * WIDTH + 2] += g; // the bias's feature is 1
    }
  }
  const regLoss = regularize(Wb, l2(settings.reg), dW, WIDTH);
  return { scores, perPoint, dataLoss, regLoss, total: dataLoss + regLoss, dW };
}

/** One step of full-batch gradient descent, W̃ ← W̃ − η·∂L/∂W̃, in place. Returns the evaluation before it. */
export function step(Wb: Float64Array, data: ToyData, settings: ToySettings): Evaluation {
  const before = evaluate(Wb, data, settings);
  for (let k = 0; k < Wb.length; k++) Wb[k] -= settings.stepSize * before.dW[k];
  return before;
}

/** Pixel (px, py) of a width×height canvas → its centre in the plane (x2 grows upward). */
export function toPlane(px: number, py: number, width: number, height: number): [x1: number, x2: number] {
  return [((px + 0.5) / width) * 2 * VIEW - VIEW, VIEW - ((py + 0.5) / height) * 2 * VIEW];
}

/** A point of the plane → canvas coordinates (not rounded), the inverse of toPlane. */
export function toCanvas(x1: number, x2: number, width: number, height: number): [px: number, py: number] {
  return [((x1 + VIEW) / (2 * VIEW)) * width, ((VIEW - x2) / (2 * VIEW)) * height];
}

/** The decision regions: each pixel's predicted class (argmax of the scores at its centre), width×height row-major. */
export function regions(Wb: Float64Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const s = new Float64Array(CLASSES);
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const [x1, x2] = toPlane(px, py, width, height);
      scoresAt(Wb, x1, x2, s);
      out[py * width + px] = argmax(s);
    }
  }
  return out;
}

/** A class's zero line inside the view: from a to b, with its unit normal (w_k/|w_k|, toward positive scores). */
export interface ZeroLine {
  a: [number, number];
  b: [number, number];
  normal: [number, number];
}

/**
 * Where s_k = w_k·x + b_k = 0, clipped to the view square: the line through p0 = −b_k·w_k/|w_k|²
 * (its point nearest the origin) along t = (−w2, w1)/|w_k|. Null when w_k = 0 (no line) or
 * when the line misses the view.
 */
export function zeroLine(Wb: Float64Array, k: number): ZeroLine | null {
  const w1 = Wb[k * WIDTH];
  const w2 = Wb[k * WIDTH + 1];
  const b = Wb[k * WIDTH + 2];
  const norm = Math.hypot(w1, w2);
  if (!(norm > 0)) return null;
  const p0 = [(-b * w1) / (norm * norm), (-b * w2) / (norm * norm)];
  const t = [-w2 / norm, w1 / norm];
  // Clip p0 + u·t to |x_d| ≤ VIEW one coordinate at a time (Liang–Barsky on a square).
  let lo = -Infinity;
  let hi = Infinity;
  for (let d = 0; d < 2; d++) {
    if (t[d] === 0) {
      if (Math.abs(p0[d]) > VIEW) return null;
      continue;
    }
    const u1 = (-VIEW - p0[d]) / t[d];
    const u2 = (VIEW - p0[d]) / t[d];
    lo = Math.max(lo, Math.min(u1, u2));
    hi = Math.min(hi, Math.max(u1, u2));
  }
  if (!(lo < hi)) return null;
  return {
    a: [p0[0] + lo * t[0], p0[1] + lo * t[1]],
    b: [p0[0] + hi * t[0], p0[1] + hi * t[1]],
    normal: [w1 / norm, w2 / norm],
  };
}
