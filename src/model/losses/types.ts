import type { FloatArray } from '../../core/shapes.js';

export type LossName = 'svm' | 'svm2' | 'softmax';
export const LOSS_NAMES: readonly LossName[] = ['svm', 'svm2', 'softmax'];

/** Which data loss, with its one hyperparameter (the SVM margin Δ; unused by softmax). */
export interface LossSpec {
  readonly name: LossName;
  readonly delta: number;
}

/**
 * A data loss on scores, the vectorized half of each loss file.
 * scores: n×C row-major; labels: n; dscores (out): n×C, ∂(mean loss)/∂scores.
 * Returns the data loss averaged over the n rows. Accumulates in float64.
 */
export type ScoresLoss = (scores: FloatArray, labels: Uint8Array, n: number, delta: number, dscores: FloatArray | null) => number;
