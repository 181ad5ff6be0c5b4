import type { FloatArray } from '../../core/shapes.js';

export type LossName = 'svm' | 'svm2' | 'softmax' | 'ova2';
// The order is the kernels' loss index (assembly/layout.ts LOSS_*): append, never reorder.
export const LOSS_NAMES: readonly LossName[] = ['svm', 'svm2', 'softmax', 'ova2'];

/** Which data loss, with its one hyperparameter (the margin Δ of the hinge losses; unused by softmax). */
export interface LossSpec {
  readonly name: LossName;
  readonly delta: number;
}

/**
 * A data loss on scores, the vectorized half of each loss file.
 * scores: n×classes row-major; labels: n, values 0..classes-1; dscores (out): n×classes,
 * ∂(mean loss)/∂scores. classes defaults to C = 10, CIFAR-10's; the board's 2-D toy
 * passes 3, so that the page runs this very code. Returns the data loss averaged over
 * the n rows. Accumulates in float64.
 */
export type ScoresLoss = (
  scores: FloatArray,
  labels: Uint8Array,
  n: number,
  delta: number,
  dscores: FloatArray | null,
  classes?: number,
) => number;
