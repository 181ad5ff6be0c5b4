/**
 * One run of a sweep or of repro: train a whole config (its seed included) and score
 * the result on the splits, or run the experiment the config names. Where it runs
 * (this thread, a worker) is pool.ts's business.
 */
import { LintrainError } from '../core/errors.js';
import { accuracy } from '../model/evaluate.js';
import { stepSizeExperiment, type StepSizeResult } from '../training/step-size.js';
import type { Config } from '../config/schema.js';
import type { Kernels, KernelsId } from '../kernels/types.js';
import type { Dataset } from '../core/shapes.js';
import { train } from '../training/trainer.js';
import { type Curve, curveCollector } from './curve.js';

/** One run: a whole config (its seed included). */
export interface Task {
  index: number;
  config: Config;
  evalTest?: boolean; // score the test split too (repro); a sweep never does
}

/** A finished run. Accuracies are NaN when not measured; a diverged run has `error`. */
export interface TaskResult {
  index: number;
  trainAcc: number;
  valAcc: number;
  testAcc: number;
  finalLoss: number;
  timeSec: number;
  W?: Float32Array; // C×(D+1): the trained weights
  stepSize?: StepSizeResult; // config.experiment 'step-size'
  curve?: Curve; // the training curve, up to the divergence of a diverged run (not for an experiment)
  kernels: KernelsId; // the kernels that computed it
  error?: string;
}

/** Train (or run the experiment of) one config on data. Divergence is a result, not a throw. */
export function executeTask(task: Task, data: Dataset, kernels: Kernels): TaskResult {
  const { index, config } = task;
  const t0 = performance.now();
  const base = { index, trainAcc: NaN, valAcc: NaN, testAcc: NaN, finalLoss: NaN, kernels: kernels.id };
  const elapsed = () => (performance.now() - t0) / 1000;
  if (config.experiment === 'step-size') {
    const stepSize = stepSizeExperiment(config, data, kernels);
    return { ...base, finalLoss: stepSize.initialLoss, stepSize, timeSec: elapsed() };
  }
  let finalLoss = NaN;
  let W: Float32Array;
  const curve = curveCollector(config);
  try {
    W = train(config, data, kernels, (e) => {
      if (e.event === 'iter') finalLoss = e.bestLoss ?? e.loss;
      curve.listen(e);
    });
  } catch (e) {
    if (e instanceof LintrainError) return { ...base, finalLoss, timeSec: elapsed(), curve: curve.curve(), error: e.message };
    throw e;
  }
  const acc = (split: keyof Dataset & ('train' | 'val' | 'test')) => accuracy(kernels, data[split], data.mean, W).acc;
  return {
    index,
    kernels: kernels.id,
    trainAcc: acc('train'),
    valAcc: acc('val'),
    testAcc: task.evalTest ? acc('test') : NaN,
    finalLoss,
    timeSec: elapsed(),
    W,
    curve: curve.curve(),
  };
}
