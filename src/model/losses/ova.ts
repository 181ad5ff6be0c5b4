/**
 * One-vs-all (OVA) hinge loss, the third loss of the CS231n linear-classification demo:
 *   L_i = Σ_j max(0, Δ − y_ij·s_j),  y_ij = +1 if j = y_i, else −1
 * (Δ = 1 in the demo). Each class is its own binary SVM: its score should be above +Δ on
 * its own points and below −Δ on everyone else's, whatever the other classes score. The
 * Weston–Watkins SVM (svm.ts) only asks the right class to beat the others by Δ.
 * Not a training loss yet (the kernels do not know it); the board's toy page uses it.
 * The naive loop and the vectorized half side by side, as in svm.ts and softmax.ts;
 * a margin of exactly 0 counts as inactive, as there.
 */
import { C, DB } from '../../core/shapes.js';
import type { FloatArray } from '../../core/shapes.js';
import type { ScoresLoss } from './types.js';

/**
 * scores: n×classes row-major (classes = C unless given); labels: n; dscores (out, optional): n×classes.
 * Returns the mean OVA hinge loss; dscores = ∂(mean loss)/∂scores = −y_ij/n where a margin is active.
 */
export const ovaLoss: ScoresLoss = (
  scores: FloatArray,
  labels: Uint8Array,
  n: number,
  delta: number,
  dscores: FloatArray | null,
  classes = C,
): number => {
  const inv = 1 / n;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * classes;
    const y = labels[i];
    for (let j = 0; j < classes; j++) {
      const sign = j === y ? 1 : -1; // y_ij
      const m = delta - sign * scores[o + j];
      if (m > 0) total += m;
      if (dscores) dscores[o + j] = m > 0 ? -sign * inv : 0;
    }
  }
  return total * inv;
};

/**
 * The loop version on explicit features, the trusted twin for tests.
 * W: classes×width row-major (C×(D+1) unless given); X: n×width, bias column (1) last; y: n.
 * Returns the data loss averaged over n (no regularization) and dW: classes×width.
 */
export function ovaLossNaive(
  W: Float64Array,
  X: Float64Array,
  y: Uint8Array,
  n: number,
  delta: number,
  classes = C,
  width = DB,
): { loss: number; dW: Float64Array } {
  const dW = new Float64Array(classes * width);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const xo = i * width;
    for (let j = 0; j < classes; j++) {
      let s = 0;
      for (let d = 0; d < width; d++) s += W[j * width + d] * X[xo + d];
      const yij = j === y[i] ? 1 : -1;
      const margin = delta - yij * s;
      if (margin > 0) {
        loss += margin;
        for (let d = 0; d < width; d++) dW[j * width + d] -= yij * X[xo + d];
      }
    }
  }
  for (let k = 0; k < dW.length; k++) dW[k] /= n;
  return { loss: loss / n, dW };
}
