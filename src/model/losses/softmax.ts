/**
 * Softmax classifier loss (cross-entropy), CS231n lecture 3:
 *   L_i = −log( e^{s_{y_i}} / Σ_j e^{s_j} ) = log Σ_j e^{s_j − m} − (s_{y_i} − m)
 * with m = max_j s_j, so that no exponential overflows (the notes' "practical issue").
 * The naive loop and the vectorized half side by side, as in the assignment's softmax.py.
 */
import { C, DB } from '../../core/shapes.js';
import type { FloatArray } from '../../core/shapes.js';
import type { ScoresLoss } from './types.js';

// Bound once: under jest's vm sandbox a global lookup (Math) inside a loop costs ~100×.
const { exp, log } = Math;

/**
 * scores: n×classes row-major (classes = C unless given); labels: n; dscores (out, optional): n×classes.
 * Returns the mean cross-entropy; dscores = (softmax − onehot(y)) / n. Δ is unused.
 */
export const softmaxLoss: ScoresLoss = (
  scores: FloatArray,
  labels: Uint8Array,
  n: number,
  _delta: number,
  dscores: FloatArray | null,
  classes = C,
): number => {
  const inv = 1 / n;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * classes;
    let max = scores[o];
    for (let j = 1; j < classes; j++) if (scores[o + j] > max) max = scores[o + j];
    let sum = 0;
    for (let j = 0; j < classes; j++) sum += exp(scores[o + j] - max);
    const y = labels[i];
    total += log(sum) - (scores[o + y] - max);
    if (dscores) {
      for (let j = 0; j < classes; j++) dscores[o + j] = (exp(scores[o + j] - max) / sum) * inv;
      dscores[o + y] -= inv;
    }
  }
  return total * inv;
};

/**
 * The assignment's loop version, kept as the trusted twin for tests.
 * W: C×(D+1) row-major; X: n×(D+1) explicit features, bias column (1) last; y: n.
 * Returns the data loss averaged over n (no regularization) and dW: C×(D+1).
 * Other shapes (the board's toy: 3 classes × [x1, x2, 1]) pass classes and width = D+1.
 */
export function softmaxLossNaive(
  W: Float64Array,
  X: Float64Array,
  y: Uint8Array,
  n: number,
  classes = C,
  width = DB,
): { loss: number; dW: Float64Array } {
  const dW = new Float64Array(classes * width);
  const scores = new Float64Array(classes);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const xo = i * width;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) {
      let s = 0;
      for (let d = 0; d < width; d++) s += W[c * width + d] * X[xo + d];
      scores[c] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += exp(scores[c] - max);
    loss += -log(exp(scores[y[i]] - max) / sum);
    for (let c = 0; c < classes; c++) {
      const p = exp(scores[c] - max) / sum - (c === y[i] ? 1 : 0);
      for (let d = 0; d < width; d++) dW[c * width + d] += p * X[xo + d];
    }
  }
  for (let k = 0; k < dW.length; k++) dW[k] /= n;
  return { loss: loss / n, dW };
}
