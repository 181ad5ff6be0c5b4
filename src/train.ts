/**
 * The training loop. It knows nothing of terminals or files: it emits events
 * (one per iteration, one per validation check) and returns the trained W.
 * Reporters (progress bar, JSON lines) listen at the edge.
 */
import type { Config } from './config.js';
import { LintrainError } from './errors.js';
import { accuracy } from './evaluate.js';
import type { Kernels } from './kernels/types.js';
import type { LossSpec } from './losses/types.js';
import { makeObjective } from './objective.js';
import { isSearch, makeUpdateRule, randomLocalSearch, randomSearch } from './optimizers/index.js';
import type { Try } from './optimizers/search.js';
import type { RegSpec } from './regularizers.js';
import { Rng } from './rng.js';
import { C, DB, type Dataset } from './shapes.js';

/** One iteration: `batchAcc` is the minibatch accuracy (for searches, the try's training accuracy). */
export interface IterEvent {
  iter: number;
  loss: number;
  batchAcc: number;
  lr?: number; // gradient methods
  bestLoss?: number; // searches: the lowest loss so far
}
export interface EvalEvent {
  event: 'eval';
  iter: number;
  valAcc: number;
}
export type TrainEvent = IterEvent | EvalEvent;

export const regSpec = (c: Config): RegSpec => ({
  type: c.regType,
  strength: c.regType === 'none' ? 0 : c.reg,
  l1Ratio: c.l1Ratio,
  includeBias: c.regBias,
});

export const lossSpec = (c: Config): LossSpec => ({ name: c.loss, delta: c.delta });

/** The starting point of every gradient method: W ~ N(0,1)·initScale, C×(D+1) float32 (or C×(F+1)). */
export const initialWeights = (c: Config, rng: Rng, stride = DB): Float32Array =>
  rng.fillNormal(new Float32Array(C * stride), c.initScale) as Float32Array;

/**
 * Train a C×(D+1) float32 W on data.train as the config says. On stored features
 * (src/features/) the rows are F bytes and data.mean has F values: W is C×(F+1).
 */
export function train(config: Config, data: Dataset, kernels: Kernels, emit: (e: TrainEvent) => void): Float32Array {
  const rng = new Rng(config.seed);
  const loss = lossSpec(config);
  const reg = regSpec(config);
  const evalEvery = config.evalEvery;
  const checkVal = (iter: number, W: Float32Array) => {
    if (evalEvery > 0 && iter % evalEvery === 0 && iter < config.iters && data.val.n > 0) {
      emit({ event: 'eval', iter, valAcc: accuracy(kernels, data.val, data.mean, W).acc });
    }
  };
  const finite = (iter: number, value: number) => {
    if (!Number.isFinite(value)) {
      throw new LintrainError(
        `Training diverged: the loss is ${value} at iteration ${iter}. Try a smaller learning rate (--lr ${config.lr} now).`,
      );
    }
  };

  if (isSearch(config.opt)) {
    const problem = { kernels, split: data.train, mean: data.mean, loss, reg, rng };
    const onTry = (t: Try) => emit({ iter: t.iter, loss: t.loss, batchAcc: t.acc, bestLoss: t.bestLoss });
    return config.opt === 'random-search'
      ? randomSearch(problem, config.iters, config.initScale, onTry)
      : randomLocalSearch(problem, config.iters, config.initScale, config.stepSize, onTry);
  }

  const stride = data.mean.length + 1;
  const W = initialWeights(config, rng, stride);
  const dW = new Float32Array(C * stride);
  const correct = new Int32Array(1);
  const rule = makeUpdateRule(config.opt, config);
  const objective = makeObjective(kernels, data.train, data.mean, loss, reg);
  const n = data.train.n;
  const full = config.opt === 'gd';
  const batch = full ? n : Math.min(config.batchSize, n);
  const sampler = full ? () => null : makeSampler(config.sample, n, batch, rng);
  // The assignment decays once per epoch: max(N / batch, 1) iterations.
  const decayEvery = config.lrStep > 0 ? config.lrStep : Math.max(Math.floor(n / batch), 1);
  let lr = config.lr;
  for (let iter = 1; iter <= config.iters; iter++) {
    const rows = sampler();
    const { loss: value } = objective(W, rows, dW, correct);
    finite(iter, value);
    rule.step(W, dW, lr);
    emit({ iter, loss: value, batchAcc: correct[0] / batch, lr });
    if (iter % decayEvery === 0) lr *= config.lrDecay;
    checkVal(iter, W);
  }
  return W;
}

/** Minibatch row indices: drawn with replacement (the assignment), or shuffled epochs. */
function makeSampler(kind: Config['sample'], n: number, batch: number, rng: Rng): () => Int32Array {
  const rows = new Int32Array(batch);
  if (kind === 'replacement') return () => rng.fillInts(rows, n);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let cursor = n; // start with a shuffle
  return () => {
    if (cursor + batch > n) {
      rng.shuffle(order);
      cursor = 0;
    }
    const slice = order.subarray(cursor, cursor + batch);
    cursor += batch;
    return slice;
  };
}
