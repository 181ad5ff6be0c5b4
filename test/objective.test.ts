/** The objective: data loss from the kernels plus the regularizer, value and gradient. */
import { C, D, DB } from '../src/core/shapes.js';
import { createJsKernels } from '../src/kernels/js.js';
import { makeObjective } from '../src/model/objective.js';
import { addRegGradient, regPenalty } from '../src/model/regularizers.js';
import type { RegSpec } from '../src/model/regularizers.js';
import type { LossSpec } from '../src/model/losses/index.js';
import { randomData, randomW, relToMax } from './helpers/random-data.js';

const kernels = createJsKernels();
const { split, mean, rng } = randomData(30, 21);
const W = randomW(rng, 1e-3);
const rows = Int32Array.of(3, 3, 17, 29, 0);
const svm: LossSpec = { name: 'svm', delta: 1 };

test('loss = data loss from the kernels + penalty; dW = data gradient + penalty gradient', () => {
  const reg: RegSpec = { type: 'elastic', strength: 50, l1Ratio: 0.2, includeBias: false };
  const dW = new Float64Array(C * DB).fill(NaN); // overwritten, not accumulated
  const correct = new Int32Array(1).fill(-1);
  const v = makeObjective(kernels, split, mean, svm, reg)(W, rows, dW, correct);
  const dataCorrect = new Int32Array(1);

  const dataGrad = new Float64Array(C * DB);
  const dataLoss = kernels.lossAndGrad(split, rows, mean, W, svm, dataGrad, dataCorrect);
  expect(v.dataLoss).toBe(dataLoss);
  expect(correct[0]).toBe(dataCorrect[0]); // the minibatch accuracy is passed through
  expect(v.regLoss).toBe(regPenalty(W, reg));
  expect(v.regLoss).toBeGreaterThan(1);
  expect(v.loss).toBe(dataLoss + v.regLoss);

  const want = dataGrad.slice();
  addRegGradient(W, reg, want);
  expect(relToMax(dW, want)).toBe(0);
  // The penalty really moved dW (the weights), and not the bias column (excluded by default).
  expect(Math.abs(dW[5] - dataGrad[5])).toBeGreaterThan(1e-3);
  expect(dW[D]).toBe(dataGrad[D]);
});

test('reg "none" is the data loss alone; rows null means the whole split', () => {
  const none: RegSpec = { type: 'none', strength: 1e4, l1Ratio: 0, includeBias: true };
  const objective = makeObjective(kernels, split, mean, { name: 'softmax', delta: 1 }, none);
  const dW = new Float64Array(C * DB);
  const full = objective(W, null, dW);
  expect(full.regLoss).toBe(0);
  expect(full.loss).toBe(full.dataLoss);
  const all = Int32Array.from({ length: split.n }, (_, i) => i);
  const dW2 = new Float64Array(C * DB);
  expect(objective(W, all, dW2).loss).toBe(full.loss);
  expect(relToMax(dW2, dW)).toBe(0);
  expect(objective(W, rows, dW2).loss).not.toBeCloseTo(full.loss, 6);
});

test('float32 W and dW, as training uses them', () => {
  const reg: RegSpec = { type: 'l2', strength: 2.5e4, l1Ratio: 0, includeBias: false };
  const objective = makeObjective(kernels, split, mean, svm, reg);
  const W32 = Float32Array.from(W);
  const dW32 = new Float32Array(C * DB);
  const v32 = objective(W32, rows, dW32);
  const v64 = objective(Float64Array.from(W32), rows, new Float64Array(C * DB));
  expect(Math.abs(v32.loss - v64.loss) / v64.loss).toBeLessThan(1e-12); // same float64 arithmetic inside
  expect(v32.regLoss).toBeGreaterThan(0.5 * v32.loss); // the assignment's reg dominates at init
});
