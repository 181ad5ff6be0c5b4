/**
 * A data loss on explicit features through its vectorized half, the way the kernels run it:
 * scores = X·Wᵀ, the ScoresLoss, then dW = dscoresᵀ·X. For shapes the kernels do not take
 * (3 classes × [x1, x2, 1], the board's toy) and losses they do not run yet (ova).
 */
import type { Rng } from '../../src/core/rng.js';
import type { ScoresLoss } from '../../src/model/losses/index.js';

/** W: classes×width, X: n×width, y: n → mean data loss, dW: classes×width, and the scores (n×classes). */
export function throughScores(
  loss: ScoresLoss,
  W: Float64Array,
  X: Float64Array,
  y: Uint8Array,
  n: number,
  delta: number,
  classes: number,
  width: number,
): { loss: number; dW: Float64Array; scores: Float64Array } {
  const scores = new Float64Array(n * classes);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < classes; c++) {
      let s = 0;
      for (let d = 0; d < width; d++) s += W[c * width + d] * X[i * width + d];
      scores[i * classes + c] = s;
    }
  }
  const dscores = new Float64Array(n * classes);
  const value = loss(scores, y, n, delta, dscores, classes);
  const dW = new Float64Array(classes * width);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < classes; c++) {
      const g = dscores[i * classes + c];
      for (let d = 0; d < width; d++) dW[c * width + d] += g * X[i * width + d];
    }
  }
  return { loss: value, dW, scores };
}

/** n rows of width − 1 features N(0,1) and a bias 1, labels 0..classes-1, W: classes×width N(0,1)·scale. */
export function smallProblem(
  rng: Rng,
  n: number,
  classes: number,
  width: number,
  scale = 1,
): { W: Float64Array; X: Float64Array; y: Uint8Array } {
  const X = new Float64Array(n * width);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < width - 1; d++) X[i * width + d] = rng.normal();
    X[i * width + width - 1] = 1;
  }
  const y = Uint8Array.from({ length: n }, () => rng.int(classes));
  const W = rng.fillNormal(new Float64Array(classes * width), scale) as Float64Array;
  return { W, X, y };
}

/**
 * The smallest distance of any hinge to its kink, for both hinges in use: |s_j − s_{y_i} + Δ|
 * (svm) and |Δ ∓ s_j| (ova). A centered difference across a kink is not the gradient.
 */
export function kinkDistance(scores: Float64Array, y: Uint8Array, n: number, delta: number, classes: number): number {
  let nearest = Infinity;
  for (let i = 0; i < n; i++) {
    const sy = scores[i * classes + y[i]];
    for (let j = 0; j < classes; j++) {
      const s = scores[i * classes + j];
      nearest = Math.min(nearest, Math.abs(delta - (j === y[i] ? s : -s)));
      if (j !== y[i]) nearest = Math.min(nearest, Math.abs(s - sy + delta));
    }
  }
  return nearest;
}
