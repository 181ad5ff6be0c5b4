/**
 * One-vs-all (OVA) hinge losses: each class is its own binary SVM, whose score should be
 * above +Δ on its own points and below −Δ on everyone else's, whatever the other classes
 * score. The Weston–Watkins SVM (svm.ts) only asks the right class to beat the others by Δ.
 *   ova:  L_i = Σ_j max(0, Δ − y_ij·s_j),   y_ij = +1 if j = y_i, else −1
 *         the third loss of the CS231n linear-classification demo (Δ = 1 there). Not a
 *         training loss (the kernels do not know it); the board's toy page calls it.
 *   ova2: L_i = Σ_j max(0, Δ − y_ij·s_j)²
 *         the squared hinge, Coates, Lee & Ng's (2011) "L2-SVM": their train_svm.m minimizes
 *         ½‖w‖² + C·Σ_i max(0, 1 − y_i·w·x_i)² for each class against the rest. Smooth (its
 *         gradient is continuous), so L-BFGS can train it. A training loss (LOSS_NAMES).
 * The naive loop and the vectorized half side by side, as in svm.ts and softmax.ts;
 * a margin of exactly 0 counts as inactive, as there.
 */
import { C, DB } from '../../core/shapes.js';
import type { FloatArray } from '../../core/shapes.js';
import type { ScoresLoss } from './types.js';

/**
 * scores: n×classes row-major (classes = C unless given); labels: n; dscores (out, optional): n×classes.
 * Returns the mean OVA (squared) hinge loss; dscores = ∂(mean loss)/∂scores: −y_ij/n where a
 * margin m is active, −2m·y_ij/n for the squared hinge.
 */
function oneVsAll(squared: boolean): ScoresLoss {
  return (scores: FloatArray, labels: Uint8Array, n: number, delta: number, dscores: FloatArray | null, classes = C): number => {
    const inv = 1 / n;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const o = i * classes;
      const y = labels[i];
      for (let j = 0; j < classes; j++) {
        const sign = j === y ? 1 : -1; // y_ij
        const m = delta - sign * scores[o + j];
        let g = 0; // ∂L_i/∂s_j; stays +0 on an inactive margin (−sign·0 would be −0)
        if (m > 0) {
          total += squared ? m * m : m;
          g = -sign * (squared ? 2 * m : 1);
        }
        if (dscores) dscores[o + j] = g * inv;
      }
    }
    return total * inv;
  };
}

export const ovaLoss: ScoresLoss = oneVsAll(false);
export const ova2Loss: ScoresLoss = oneVsAll(true);

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
  squared = false,
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
        loss += squared ? margin * margin : margin;
        const g = squared ? 2 * margin : 1;
        for (let d = 0; d < width; d++) dW[j * width + d] -= g * yij * X[xo + d];
      }
    }
  }
  for (let k = 0; k < dW.length; k++) dW[k] /= n;
  return { loss: loss / n, dW };
}
