/**
 * The step-size experiment of the CS231n optimization notes ("following the gradient"):
 * from one W and the gradient dW of the loss on the whole training set, take a single
 * step W − s·dW at each step size s and look at the loss there:
 *   small s: the loss drops a little (the gradient is the direction of steepest descent);
 *   large s: the linear approximation no longer holds and the loss blows up.
 * The step size (learning rate) is the hyperparameter that matters most.
 */
import type { Config } from '../config/schema.js';
import type { Kernels } from '../kernels/types.js';
import { initialWeights, lossSpec, makeCandidatesLoss, makeObjective, regSpec } from '../model/objective.js';
import { Rng } from '../core/rng.js';
import { C, DB, type Dataset } from '../core/shapes.js';

/** The notes' decades, 1e-7 … 1e-1 (theirs start at 1e-10, where nothing visible happens). */
export const STEP_SIZES: readonly number[] = [1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1];

export interface StepSizeResult {
  initialLoss: number; // L(W): data loss + penalty on the whole training split
  gradNorm: number; // ‖dW‖ (Frobenius)
  steps: { step: number; loss: number }[]; // L(W − step·dW), in the order given
}

/**
 * W ~ N(0,1)·config.initScale from config.seed (the same W train() would start from),
 * the loss and regularizer of the config, evaluated on data.train. All candidate
 * steps are scored in one pass over the data (Kernels.lossMany).
 */
export function stepSizeExperiment(config: Config, data: Dataset, kernels: Kernels, steps: readonly number[] = STEP_SIZES): StepSizeResult {
  const SIZE = C * DB;
  const reg = regSpec(config);
  const loss = lossSpec(config);
  const W = initialWeights(config, new Rng(config.seed));
  const dW = new Float32Array(SIZE);
  const initialLoss = makeObjective(kernels, data.train, data.mean, loss, reg)(W, null, dW).loss;
  let sq = 0;
  for (let i = 0; i < SIZE; i++) sq += dW[i] * dW[i];

  const K = steps.length;
  const Ws = new Float32Array(K * SIZE); // candidates C×(D+1) back to back
  steps.forEach((s, k) => {
    for (let i = 0; i < SIZE; i++) Ws[k * SIZE + i] = W[i] - s * dW[i];
  });
  const losses = new Float64Array(K);
  if (K > 0) makeCandidatesLoss(kernels, data.train, data.mean, loss, reg)(Ws, K, losses);
  return { initialLoss, gradNorm: Math.sqrt(sq), steps: steps.map((step, k) => ({ step, loss: losses[k] })) };
}
