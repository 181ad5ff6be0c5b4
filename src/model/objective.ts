/**
 * The training objective, data loss + regularization (CS231n lecture 3):
 *   L(W) = (1/N) Σ_i L_i(W) + R(W)
 * The one function both the optimizers and the gradient check call, so what is
 * checked is exactly what is trained.
 */
import type { Config } from '../config/schema.js';
import { C, DB, type FloatArray, type Split } from '../core/shapes.js';
import type { Kernels } from '../kernels/types.js';
import type { LossSpec } from './losses/types.js';
import { l2Term, regPenalty, regularize } from './regularizers.js';
import type { RegSpec } from './regularizers.js';
import type { Rng } from '../core/rng.js';

/** The regularizer a config names ('none' has no strength). */
export const regSpec = (c: Config): RegSpec => ({
  type: c.regType,
  strength: c.regType === 'none' ? 0 : c.reg,
  l1Ratio: c.l1Ratio,
  includeBias: c.regBias,
});

export const lossSpec = (c: Config): LossSpec => ({ name: c.loss, delta: c.delta });

/**
 * The starting point of every gradient method (and random local search): W ~ N(0,1)·initScale,
 * C×(D+1) float32, or C×(F+1) on stored features (stride F+1).
 */
export const initialWeights = (c: Config, rng: Rng, stride = DB): Float32Array =>
  rng.fillNormal(new Float32Array(C * stride), c.initScale) as Float32Array;

export interface ObjectiveValue {
  loss: number; // dataLoss + regLoss
  dataLoss: number;
  regLoss: number;
}

/**
 * W: C×(D+1) (on stored features C×(F+1), F = mean.length); rows: the minibatch (indices into the split, repeats allowed) or null
 * for the whole split; dW (out, overwritten): ∂L/∂W, C×(D+1); correct (optional out,
 * length 1): how many picked rows W classifies right, from the same scores.
 */
export type Objective = (W: FloatArray, rows: Int32Array | null, dW: FloatArray, correct?: Int32Array) => ObjectiveValue;

export function makeObjective(kernels: Kernels, split: Split, mean: Float32Array, loss: LossSpec, reg: RegSpec): Objective {
  const stride = mean.length + 1;
  // Plain L2 (the default) is added by the kernels in the same pass as the gradient.
  const l2 = l2Term(reg) ?? undefined;
  return (W, rows, dW, correct) => {
    const dataLoss = kernels.lossAndGrad(split, rows, mean, W, loss, dW, correct, l2);
    const regLoss = l2 ? l2.penalty : regularize(W, reg, dW, stride);
    return { loss: dataLoss + regLoss, dataLoss, regLoss };
  };
}

/**
 * The same objective for K candidate weight matrices at once, loss only (the searches,
 * the step-size experiment): Ws holds K matrices C×(D+1) back to back; out[k] = data
 * loss + penalty of candidate k; correct (optional, length K): rows each gets right.
 * The data is read once for all K (Kernels.lossMany).
 */
export function makeCandidatesLoss(kernels: Kernels, split: Split, mean: Float32Array, loss: LossSpec, reg: RegSpec) {
  return (Ws: FloatArray, K: number, out: Float64Array, correct?: Int32Array): void => {
    const size = Ws.length / K;
    kernels.lossMany(split, null, mean, Ws, K, loss, out, correct);
    for (let k = 0; k < K; k++) out[k] += regPenalty(Ws.subarray(k * size, (k + 1) * size), reg, mean.length + 1);
  };
}
