/** The data losses by name: the vectorized half (for kernels) and the naive twin (for tests). */
import { UsageError } from '../../core/errors.js';
import { LOSS_NAMES } from './types.js';
import type { LossName, LossSpec, ScoresLoss } from './types.js';
import { svm2Loss, svmLoss, svmLossNaive } from './svm.js';
import { softmaxLoss, softmaxLossNaive } from './softmax.js';
import { ova2Loss, ovaLossNaive } from './ova.js';

export { LOSS_NAMES } from './types.js';
export type { LossName, LossSpec, ScoresLoss } from './types.js';
export { svmLoss, svm2Loss, svmLossNaive } from './svm.js';
export { softmaxLoss, softmaxLossNaive } from './softmax.js';
// ova (the OVA hinge) is not in LOSS_NAMES: no kernel trains with it; the board's toy page calls it on scores.
export { ovaLoss, ova2Loss, ovaLossNaive } from './ova.js';

export const SCORES_LOSSES: Record<LossName, ScoresLoss> = {
  svm: svmLoss,
  svm2: svm2Loss,
  softmax: softmaxLoss,
  ova2: ova2Loss,
};

function checkName(name: string): LossName {
  if (!(LOSS_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`Unknown loss "${name}": expected one of ${LOSS_NAMES.join(', ')}`);
  }
  return name as LossName;
}

export function scoresLoss(name: LossName): ScoresLoss {
  return SCORES_LOSSES[checkName(name)];
}

/**
 * W: C×(D+1), X: n×(D+1) explicit features, y: n → mean data loss and dW (C×(D+1)).
 * Other shapes pass classes (rows of W) and width (D+1, the length of a row of X).
 */
export type NaiveLoss = (
  W: Float64Array,
  X: Float64Array,
  y: Uint8Array,
  n: number,
  classes?: number,
  width?: number,
) => { loss: number; dW: Float64Array };

export function naiveLoss(spec: LossSpec): NaiveLoss {
  switch (checkName(spec.name)) {
    case 'svm':
      return (W, X, y, n, classes, width) => svmLossNaive(W, X, y, n, spec.delta, false, classes, width);
    case 'svm2':
      return (W, X, y, n, classes, width) => svmLossNaive(W, X, y, n, spec.delta, true, classes, width);
    case 'softmax':
      return (W, X, y, n, classes, width) => softmaxLossNaive(W, X, y, n, classes, width);
    case 'ova2':
      return (W, X, y, n, classes, width) => ovaLossNaive(W, X, y, n, spec.delta, true, classes, width);
  }
}
