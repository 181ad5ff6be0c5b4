/**
 * Multiclass SVM (Weston–Watkins) loss, CS231n lecture 3:
 *   L_i = Σ_{j≠y_i} max(0, s_j − s_{y_i} + Δ)
 * and its squared-hinge variant (svm2), L_i = Σ_{j≠y_i} max(0, s_j − s_{y_i} + Δ)².
 * Two versions side by side, as in the assignment's linear_svm.py: the naive loop
 * on explicit features, and the vectorized half on scores that the kernels call.
 * A margin of exactly 0 counts as inactive in both (the assignment's `margin > 0`).
 */
import { C, DB } from '../../core/shapes.js';
import type { FloatArray } from '../../core/shapes.js';
import type { ScoresLoss } from './types.js';

/**
 * scores: n×classes row-major (classes = C unless given); labels: n; dscores (out, optional): n×classes.
 * Returns the mean hinge loss; dscores = ∂(mean loss)/∂scores.
 */
function hinge(squared: boolean): ScoresLoss {
  return (scores: FloatArray, labels: Uint8Array, n: number, delta: number, dscores: FloatArray | null, classes = C): number => {
    const inv = 1 / n;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const o = i * classes;
      const y = labels[i];
      const sy = scores[o + y];
      let dy = 0; // the label's score is pulled down once per active margin
      for (let j = 0; j < classes; j++) {
        if (j === y) continue;
        const m = scores[o + j] - sy + delta;
        let g = 0;
        if (m > 0) {
          total += squared ? m * m : m;
          g = squared ? 2 * m : 1;
        }
        dy += g;
        if (dscores) dscores[o + j] = g * inv;
      }
      if (dscores) dscores[o + y] = -dy * inv;
    }
    return total * inv;
  };
}

export const svmLoss: ScoresLoss = hinge(false);
export const svm2Loss: ScoresLoss = hinge(true);

/**
 * The assignment's loop version, kept as the trusted twin for tests.
 * W: C×(D+1) row-major; X: n×(D+1) explicit features, bias column (1) last; y: n.
 * Returns the data loss averaged over n (no regularization) and dW: C×(D+1).
 * Other shapes (the board's toy: 3 classes × [x1, x2, 1]) pass classes and width = D+1.
 */
export function svmLossNaive(
  W: Float64Array,
  X: Float64Array,
  y: Uint8Array,
  n: number,
  delta: number,
  squared = false,
  classes = C,
  width = DB,
): { loss: number; dW: Float64Array } {
  const dW = new Float64Array(classes * width);
  const scores = new Float64Array(classes);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const xo = i * width;
    for (let c = 0; c < classes; c++) {
      let s = 0;
      for (let d = 0; d < width; d++) s += W[c * width + d] * X[xo + d];
      scores[c] = s;
    }
    const yi = y[i];
    for (let j = 0; j < classes; j++) {
      if (j === yi) continue;
      const margin = scores[j] - scores[yi] + delta;
      if (margin > 0) {
        loss += squared ? margin * margin : margin;
        const g = squared ? 2 * margin : 1;
        for (let d = 0; d < width; d++) {
          dW[j * width + d] += g * X[xo + d];
          dW[yi * width + d] -= g * X[xo + d];
        }
      }
    }
  }
  for (let k = 0; k < dW.length; k++) dW[k] /= n;
  return { loss: loss / n, dW };
}
