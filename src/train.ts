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

/** The starting point of every gradient method: W ~ N(0,1)·initScale, C×(D+1) float32. */
export const initialWeights = (c: Config, rng: Rng): Float32Array =>
  rng.fillNormal(new Float32Array(C * DB), c.initScale) as Float32Array;

/** Train a C×(D+1) float32 W on data.train as the config says. */
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
  const hint = isSearch(config.opt)
    ? `Try a smaller --init-scale (${config.initScale} now)${config.opt === 'random-local' ? ` or --step-size (${config.stepSize} now)` : ''}.`
    : `Try a smaller learning rate (--lr ${config.lr} now).`;
  const finite = (iter: number, value: number) => {
    if (!Number.isFinite(value)) throw new LintrainError(`Training diverged: the loss is ${value} at iteration ${iter}. ${hint}`);
  };

  if (isSearch(config.opt)) {
    const problem = { kernels, split: data.train, mean: data.mean, loss, reg, rng };
    const onTry = (t: Try) => {
      finite(t.iter, t.loss);
      emit({ iter: t.iter, loss: t.loss, batchAcc: t.acc, bestLoss: t.bestLoss });
    };
    // The first draw, from a copy of the stream: an SVM margin of NaN counts as 0, so a W of
    // infinities can score a finite loss; the searches' W is therefore checked itself.
    checkWeights(initialWeights(config, new Rng(config.seed)), 'at the start', hint);
    const W = config.opt === 'random-search'
      ? randomSearch(problem, config.iters, config.initScale, onTry)
      : randomLocalSearch(problem, config.iters, config.initScale, config.stepSize, onTry);
    checkWeights(W, `after ${config.iters} tries`, hint);
    return W;
  }

  const W = initialWeights(config, rng);
  checkWeights(W, 'at the start', `Try a smaller --init-scale (${config.initScale} now).`);
  const dW = new Float32Array(C * DB);
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
    checkWeights(W, `after the update of iteration ${iter}`, hint);
    emit({ iter, loss: value, batchAcc: correct[0] / batch, lr });
    if (iter % decayEvery === 0) lr *= config.lrDecay;
    checkVal(iter, W);
  }
  return W;
}

/**
 * Stop with a LintrainError naming `when` and `hint` if W holds a NaN or an infinity.
 * One pass of float64 sums: finite float32 entries (≤ 3.4e38, 30,730 of them) cannot
 * overflow it, and any NaN or infinity carries through; the culprit is looked up only then.
 */
export function checkWeights(W: Float32Array, when: string, hint: string): void {
  let sum = 0;
  for (let i = 0; i < W.length; i++) sum += W[i];
  if (sum - sum === 0) return;
  const i = W.findIndex((v) => !Number.isFinite(v));
  throw new LintrainError(`Training diverged: W[${Math.floor(i / DB)}, ${i % DB}] is ${W[i]} ${when}. ${hint}`);
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
