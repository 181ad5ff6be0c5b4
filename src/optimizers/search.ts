/**
 * The lecture's first two optimizers, which use no gradient at all.
 *   random search:        W_t ~ N(0,1)·initScale, keep the W with the lowest loss
 *   random local search:  W' = W + N(0,1)·stepSize, move to W' when its loss is lower
 * Each try is scored on the whole training set. Tries are independent (random
 * search) or only depend on which earlier tries were accepted (local search), so
 * both score a block of candidates per pass over the data (Kernels.lossMany).
 * The random draws happen in the same order as a one-at-a-time loop, so the result
 * does not depend on the block size.
 */
import type { Kernels } from '../kernels/types.js';
import type { LossSpec } from '../losses/types.js';
import { makeCandidatesLoss } from '../objective.js';
import type { RegSpec } from '../regularizers.js';
import type { Rng } from '../rng.js';
import { C, type Split } from '../shapes.js';

export interface SearchProblem {
  kernels: Kernels;
  split: Split; // the training split: every try is scored on all of it
  mean: Float32Array;
  loss: LossSpec;
  reg: RegSpec;
  rng: Rng;
  block?: number; // candidates per pass over the data
}

/** One scored try: its loss and training accuracy, and the best loss so far. */
export interface Try {
  iter: number; // 1-based
  loss: number;
  acc: number;
  bestLoss: number;
  accepted: boolean;
}

/** Scores Ws[0..K) on the whole split: loss (data + penalty) and accuracy per candidate. */
/** Values in one W: C×(D+1), or C×(F+1) on stored features (F = mean.length). */
const sizeOf = (p: SearchProblem) => C * (p.mean.length + 1);

function scorer(p: SearchProblem, maxK: number) {
  const SIZE = sizeOf(p);
  const losses = new Float64Array(maxK);
  const correct = new Int32Array(maxK);
  const candidatesLoss = makeCandidatesLoss(p.kernels, p.split, p.mean, p.loss, p.reg);
  return (Ws: Float32Array, K: number) => {
    candidatesLoss(Ws.subarray(0, K * SIZE), K, losses, correct);
    return { losses, correct };
  };
}

export function randomSearch(p: SearchProblem, tries: number, initScale: number, onTry: (t: Try) => void): Float32Array {
  const block = Math.max(1, Math.min(p.block ?? 16, tries));
  const SIZE = sizeOf(p);
  const Ws = new Float32Array(block * SIZE);
  const best = new Float32Array(SIZE);
  const score = scorer(p, block);
  let bestLoss = Infinity;
  for (let t0 = 0; t0 < tries; t0 += block) {
    const K = Math.min(block, tries - t0);
    p.rng.fillNormal(Ws.subarray(0, K * SIZE), initScale);
    const { losses, correct } = score(Ws, K);
    for (let k = 0; k < K; k++) {
      const accepted = losses[k] < bestLoss;
      if (accepted) {
        bestLoss = losses[k];
        best.set(Ws.subarray(k * SIZE, (k + 1) * SIZE));
      }
      onTry({ iter: t0 + k + 1, loss: losses[k], acc: correct[k] / p.split.n, bestLoss, accepted });
    }
  }
  return best;
}

/**
 * Proposals are scored speculatively in blocks: all start from the current W. When
 * proposal k is accepted, the later ones started from a stale W, so their steps
 * (already drawn, in order) are kept and re-scored from the new W in the next block.
 */
export function randomLocalSearch(
  p: SearchProblem,
  tries: number,
  initScale: number,
  stepSize: number,
  onTry: (t: Try) => void,
): Float32Array {
  const block = Math.max(1, Math.min(p.block ?? 4, tries));
  const SIZE = sizeOf(p);
  const W = p.rng.fillNormal(new Float32Array(SIZE), initScale) as Float32Array;
  const steps = new Float32Array(block * SIZE); // drawn but not yet consumed steps, oldest first
  let pending = 0;
  const Ws = new Float32Array(block * SIZE);
  const score = scorer(p, block);
  let bestLoss = score(W, 1).losses[0];
  let t = 0;
  while (t < tries) {
    const K = Math.min(block, tries - t);
    if (pending < K) p.rng.fillNormal(steps.subarray(pending * SIZE, K * SIZE), stepSize);
    pending = K;
    for (let k = 0; k < K; k++) {
      for (let i = 0; i < SIZE; i++) Ws[k * SIZE + i] = W[i] + steps[k * SIZE + i];
    }
    const { losses, correct } = score(Ws, K);
    let used = K;
    for (let k = 0; k < K; k++) {
      const accepted = losses[k] < bestLoss;
      if (accepted) {
        bestLoss = losses[k];
        W.set(Ws.subarray(k * SIZE, (k + 1) * SIZE));
      }
      onTry({ iter: t + k + 1, loss: losses[k], acc: correct[k] / p.split.n, bestLoss, accepted });
      if (accepted) {
        used = k + 1;
        break;
      }
    }
    steps.copyWithin(0, used * SIZE, K * SIZE);
    pending = K - used;
    t += used;
  }
  return W;
}
