/**
 * Numeric faults: an overflowing softmax is impossible by construction (scores of
 * ±1e30 on both backends give a finite loss and gradient, equal to the hand-derived
 * values), and NaN or Infinity in the loss or in W stops training with the iteration
 * and a hint. Needs `npm run build` for the wasm backend.
 */
import { resolveConfig } from '../src/config/resolve.js';
import { LintrainError } from '../src/core/errors.js';
import { createJsKernels } from '../src/kernels/js.js';
import type { Kernels } from '../src/kernels/types.js';
import { createWasmKernels } from '../src/kernels/wasm/backend.js';
import { C, D, DB } from '../src/core/shapes.js';
import { checkWeights } from '../src/training/checks.js';
import { train } from '../src/training/trainer.js';
import { learnableDataset } from './helpers/learnable.js';
import { randomData } from './helpers/random-data.js';

const { split, mean } = randomData(37, 11);
const softmax = { name: 'softmax' as const, delta: 1 };
const backends: Array<[string, () => Promise<Kernels>]> = [
  ['js', async () => createJsKernels()],
  ['wasm', () => createWasmKernels({ threads: 2 })],
];

/** W with zero pixel weights and these biases: every row's scores are exactly the biases. */
function biasOnly(bias: number[]): Float32Array {
  const W = new Float32Array(C * DB);
  for (const [c, b] of bias.entries()) W[c * DB + D] = b;
  return W;
}

const allFinite = (a: Float32Array) => a.every((v) => Number.isFinite(v));

describe.each(backends)('softmax with scores of ±1e30 on the %s backend', (_name, make) => {
  let kernels: Kernels;
  beforeAll(async () => {
    kernels = await make();
  });
  afterAll(() => kernels.dispose());

  const wrong = split.labels.reduce((n, y) => n + (y === 0 ? 0 : 1), 0); // rows whose class is not 0

  test('class 0 at +1e30, the rest at −1e30: loss 2e30 per row not of class 0, gradient ±1 on the biases', () => {
    const dW = new Float32Array(C * DB);
    const loss = kernels.lossAndGrad(split, null, mean, biasOnly([1e30, ...Array(C - 1).fill(-1e30)]), softmax, dW);
    expect(Math.abs(loss / ((2e30 * wrong) / split.n) - 1)).toBeLessThan(1e-6);
    expect(allFinite(dW)).toBe(true);
    // ∂L/∂b_c = mean over rows of p_c − [y = c], with p = one-hot on class 0
    for (let c = 0; c < C; c++) {
      const count = split.labels.reduce((n, y) => n + (y === c ? 1 : 0), 0);
      const want = ((c === 0 ? split.n : 0) - count) / split.n;
      expect(Math.abs(dW[c * DB + D] - want)).toBeLessThan(1e-6);
    }
  });

  test('every class at +1e30: the loss is ln 10, the gradient that of uniform scores', () => {
    const dW = new Float32Array(C * DB);
    const loss = kernels.lossAndGrad(split, null, mean, biasOnly(Array(C).fill(1e30)), softmax, dW);
    expect(loss).toBeCloseTo(Math.log(C), 6);
    expect(allFinite(dW)).toBe(true);
  });

  test('mixed ±1e30 and 0, on a minibatch with repeats, and lossMany: all finite', () => {
    const dW = new Float32Array(C * DB);
    const W = biasOnly([1e30, -1e30, 0, 1e30, -1e30, 0, 1e30, -1e30, 0, -1e30]);
    const rows = Int32Array.of(0, 0, 3, 5, 36, 36);
    expect(Number.isFinite(kernels.lossAndGrad(split, rows, mean, W, softmax, dW))).toBe(true);
    expect(allFinite(dW)).toBe(true);
    const out = new Float64Array(2);
    kernels.lossMany(split, null, mean, Float32Array.from([...W, ...biasOnly(Array(C).fill(-1e30))]), 2, softmax, out);
    expect(out.every((v) => Number.isFinite(v))).toBe(true);
    expect(out[1]).toBeCloseTo(Math.log(C), 6);
  });
});

describe('NaN or Infinity stops training with the iteration and a hint', () => {
  const data = learnableDataset(60, 10, 10);
  const kernels = createJsKernels();
  const base = { backend: 'js' as const, evalEvery: 0, iters: 20, batchSize: 16, numTrain: 60 };
  const run = (flags: object) => () => train(resolveConfig(base, flags), data, kernels, () => {});

  test('weights that overflow float32 in the update: caught after that very update', () => {
    expect(run({ lr: 1e38, reg: 0 })).toThrow(LintrainError);
    expect(run({ lr: 1e38, reg: 0 })).toThrow(
      /^Training diverged: W\[\d, \d+\] is -?Infinity after the update of iteration 1\. Try a smaller learning rate \(--lr 1e\+38 now\)\.$/,
    );
  });

  test('an initial W that is not finite names --init-scale', () => {
    expect(run({ initScale: 1e300 })).toThrow(
      /^Training diverged: W\[0, 0\] is -?Infinity at the start\. Try a smaller --init-scale \(1e\+300 now\)\.$/,
    );
  });

  test('searches: a W that is not finite, or a loss, names --init-scale (and --step-size)', () => {
    expect(run({ opt: 'random-search', initScale: 1e300 })).toThrow(
      /^Training diverged: W\[0, 0\] is -?Infinity at the start\. Try a smaller --init-scale \(1e\+300 now\)\.$/,
    );
    expect(run({ opt: 'random-local', initScale: 1e300 })).toThrow(
      /Try a smaller --init-scale \(1e\+300 now\) or --step-size \(0\.0001 now\)\.$/,
    );
    // steps that overflow only later: the softmax loss turns NaN, or the final W is checked
    expect(run({ opt: 'random-local', loss: 'softmax', stepSize: 1e38, iters: 30 })).toThrow(
      /^Training diverged: (the loss is (NaN|-?Infinity) at iteration \d+|W\[\d+, \d+\] is -?Infinity after 30 tries)\. Try a smaller --init-scale/,
    );
  });

  test('checkWeights finds NaN, +Infinity and −Infinity anywhere, and passes the largest finite floats', () => {
    const W = new Float32Array(C * DB).fill(3.4e38);
    expect(() => checkWeights(W, 'now', 'hint')).not.toThrow();
    W.fill(-3.4e38);
    expect(() => checkWeights(W, 'now', 'hint')).not.toThrow();
    for (const [at, v] of [
      [0, NaN],
      [DB + 5, Infinity],
      [C * DB - 1, -Infinity],
    ] as const) {
      const X = new Float32Array(C * DB);
      X[at] = v;
      expect(() => checkWeights(X, 'now', 'hint')).toThrow(`Training diverged: W[${Math.floor(at / DB)}, ${at % DB}] is ${v} now. hint`);
    }
    const both = new Float32Array(C * DB);
    both[1] = Infinity;
    both[2] = -Infinity; // their sum is NaN, not 0
    expect(() => checkWeights(both, 'now', 'hint')).toThrow('W[0, 1] is Infinity');
    const features = new Float32Array(C * 25); // C×(F+1) on 24 stored features
    features[25 + 5] = NaN;
    expect(() => checkWeights(features, 'now', 'hint')).toThrow('W[1, 5] is NaN');
  });
});
