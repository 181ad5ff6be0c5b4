/**
 * The lecture's sanity figures, printed by `lintrain repro`: with a tiny random W
 * (N(0,1)·1e-4) every score is ≈ 0, so the softmax loss is ≈ −log(1/C) = ln 10 and
 * the SVM loss (Δ = 1) is ≈ C − 1 = 9; and the gradient check of each loss. Float64
 * on the js reference kernels, on the dev subset, as `lintrain gradcheck` does.
 */
import type { Config } from '../config/schema.js';
import { checkObjective, GRADCHECK_THRESHOLDS, maxRelError, verdict } from '../model/gradcheck.js';
import { createJsKernels } from '../kernels/js.js';
import { LOSS_NAMES, type LossName } from '../model/losses/types.js';
import { makeObjective } from '../model/objective.js';
import type { RegSpec } from '../model/regularizers.js';
import { Rng } from '../core/rng.js';
import { C, DB, type Split } from '../core/shapes.js';
import { markdownTable } from './table.js';

export interface Sanity {
  n: number; // dev images used
  softmax: { loss: number; expected: number };
  svm: { loss: number; expected: number };
  gradchecks: { loss: LossName; reg: number; maxRelError: number; verdict: string }[];
}

const TINY = 1e-4; // the assignment's W = 0.0001·randn
const CHECK_REG = 5e1; // the assignment's "gradient check with regularization" strength
const NO_REG: RegSpec = { type: 'none', strength: 0, l1Ratio: 0, includeBias: false };

export function sanityChecks(dev: Split, mean: Float32Array, config: Pick<Config, 'seed' | 'delta'>, checks = 10): Sanity {
  const kernels = createJsKernels();
  const rng = new Rng(config.seed);
  const W = rng.fillNormal(new Float64Array(C * DB), TINY) as Float64Array;
  const dW = new Float64Array(C * DB);
  const dataLoss = (name: LossName) => makeObjective(kernels, dev, mean, { name, delta: 1 }, NO_REG)(W, null, dW).loss;
  const gradchecks = LOSS_NAMES.map((name) => {
    const reg: RegSpec = { type: 'l2', strength: CHECK_REG, l1Ratio: 0, includeBias: false };
    const f = makeObjective(kernels, dev, mean, { name, delta: config.delta }, reg);
    const worst = maxRelError(checkObjective(f, W, checks, rng).results);
    return { loss: name, reg: CHECK_REG, maxRelError: worst, verdict: verdict(worst) };
  });
  return {
    n: dev.n,
    softmax: { loss: dataLoss('softmax'), expected: Math.log(C) },
    svm: { loss: dataLoss('svm'), expected: C - 1 },
    gradchecks,
  };
}

export function sanityReport(s: Sanity, checks = 10): string {
  const losses = markdownTable(
    ['sanity check (lecture 3)', 'expected', 'ours'],
    [
      ['softmax loss, W ~ N(0,1)·1e-4', `≈ ln 10 = ${s.softmax.expected.toFixed(4)}`, s.softmax.loss.toFixed(4)],
      ['SVM loss (Δ = 1), W ~ N(0,1)·1e-4', `≈ C − 1 = ${s.svm.expected}`, s.svm.loss.toFixed(4)],
    ],
    [false, false, true],
  );
  const grads = markdownTable(
    ['gradient check', 'L2 reg', 'max relative error', 'verdict'],
    s.gradchecks.map((g) => [g.loss, String(g.reg), g.maxRelError.toExponential(2), g.verdict]),
    [false, true, true, false],
  );
  const kinks = s.gradchecks.some((g) => g.loss === 'svm' && g.verdict !== 'good')
    ? '\n\nThe hinge max(0, ·) has kinks: when W ± h straddles one for some image, the centered difference is off ' +
      'for that entry (the CS231n notes\' "kinks in the objective"); svm2 and softmax are smooth.'
    : '';
  return (
    `Sanity checks on ${s.n} dev images (float64, js reference kernels):\n\n${losses}\n\n` +
    `Gradient checks: ${checks} random entries of W each, centered differences h = 1e-5 ` +
    `(≤${GRADCHECK_THRESHOLDS.good} good, ≤${GRADCHECK_THRESHOLDS.ok} ok, >${GRADCHECK_THRESHOLDS.wrong} wrong):\n\n${grads}${kinks}`
  );
}
