import { resolveConfig } from '../src/config/resolve.js';
import { UsageError } from '../src/core/errors.js';
import { accuracy } from '../src/model/evaluate.js';
import { createJsKernels } from '../src/kernels/js.js';
import { makeUpdateRule, type UPDATE_RULES } from '../src/optimizers/index.js';
import { train } from '../src/training/trainer.js';
import { learnableDataset } from './helpers/learnable.js';

const P = { momentum: 0.9, decayRate: 0.99, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/** Two steps of a rule on a 2-vector, to compare with the formula worked by hand. */
function twoSteps(name: keyof typeof UPDATE_RULES, g1: number[], g2: number[], lr: number): number[] {
  const rule = makeUpdateRule(name, P);
  const W = Float32Array.from([1, -2]);
  rule.step(W, Float32Array.from(g1), lr);
  rule.step(W, Float32Array.from(g2), lr);
  return Array.from(W);
}

describe('update rules match their formulas on a hand-worked case', () => {
  const g1 = [0.5, -1];
  const g2 = [0.25, 2];
  const lr = 0.1;
  const close = (a: number[], b: number[]) => {
    for (const [i, v] of a.entries()) expect(v).toBeCloseTo(b[i], 5);
  };

  test('sgd: W − lr·g', () => close(twoSteps('sgd', g1, g2, lr), [1 - 0.1 * 0.75, -2 - 0.1 * 1]));

  test('sgd: every element of a longer W, in the unrolled part and the tail alike, is exactly fround(w − lr·g)', () => {
    const W = Float32Array.from({ length: 11 }, (_, i) => i - 5.5);
    const g = Float32Array.from({ length: 11 }, (_, i) => ((i * 7) % 5) - 2.25);
    const expected = Array.from(W, (w, i) => Math.fround(w - 0.3 * g[i]));
    makeUpdateRule('sgd', P).step(W, g, 0.3);
    expect(Array.from(W)).toEqual(expected);
  });

  test('momentum: v = μv − lr·g; W += v', () => {
    // v1 = −lr·g1; v2 = μ·v1 − lr·g2; W = W0 + v1 + v2
    const expected = [0, 1].map((i) => [1, -2][i] - lr * g1[i] + (0.9 * -lr * g1[i] - lr * g2[i]));
    close(twoSteps('momentum', g1, g2, lr), expected);
  });

  test('nesterov: W += −μ·v_prev + (1 + μ)·v', () => {
    const expected = [0, 1].map((i) => {
      const v1 = -lr * g1[i];
      const v2 = 0.9 * v1 - lr * g2[i];
      const w1 = [1, -2][i] + (1 + 0.9) * v1;
      return w1 - 0.9 * v1 + (1 + 0.9) * v2;
    });
    close(twoSteps('nesterov', g1, g2, lr), expected);
  });

  test('adagrad: cache += g²; W −= lr·g/(√cache + ε)', () => {
    const expected = [0, 1].map((i) => {
      const w1 = [1, -2][i] - (lr * g1[i]) / Math.abs(g1[i]);
      return w1 - (lr * g2[i]) / Math.sqrt(g1[i] ** 2 + g2[i] ** 2);
    });
    close(twoSteps('adagrad', g1, g2, lr), expected);
  });

  test('rmsprop: cache = ρ·cache + (1 − ρ)·g²', () => {
    const expected = [0, 1].map((i) => {
      const c1 = 0.01 * g1[i] ** 2;
      const c2 = 0.99 * c1 + 0.01 * g2[i] ** 2;
      return [1, -2][i] - (lr * g1[i]) / Math.sqrt(c1) - (lr * g2[i]) / Math.sqrt(c2);
    });
    close(twoSteps('rmsprop', g1, g2, lr), expected);
  });

  test('adam: bias-corrected first step moves every weight by lr', () => {
    const rule = makeUpdateRule('adam', P);
    const W = Float32Array.from([1, -2]);
    rule.step(W, Float32Array.from(g1), lr);
    close(Array.from(W), [1 - lr, -2 + lr]);
  });

  test('invalid hyperparameters name the parameter, the value and the range', () => {
    expect(() => makeUpdateRule('momentum', { ...P, momentum: 1.5 })).toThrow(UsageError);
    expect(() => makeUpdateRule('momentum', { ...P, momentum: 1.5 })).toThrow(
      "The 'momentum' parameter (--momentum) must be a number in the range [0, 1). Got 1.5 instead.",
    );
    expect(() => makeUpdateRule('rmsprop', { ...P, decayRate: -0.1 })).toThrow(/'decayRate'.*Got -0.1/);
    expect(() => makeUpdateRule('adam', { ...P, beta2: 1 })).toThrow(/'beta2'.*\[0, 1\)/);
    expect(() => makeUpdateRule('adagrad', { ...P, eps: 0 })).toThrow(/'eps'/);
  });
});

describe('every optimizer drives the loss down on a small separable problem', () => {
  const data = learnableDataset(200, 50, 50);
  const kernels = createJsKernels();
  // Step sizes that suit features of pixel scale (±100): the adaptive rules take steps ~lr per weight.
  const lrs: Record<string, number> = {
    gd: 1e-6,
    sgd: 1e-6,
    momentum: 2e-7,
    nesterov: 2e-7,
    adagrad: 1e-3,
    rmsprop: 1e-4,
    adam: 1e-4,
  };
  const cases = [
    ...Object.keys(lrs).map((opt) => [opt, { lr: lrs[opt], iters: 40, batchSize: 32 }] as const),
    ['random-search', { iters: 60 }] as const,
    ['random-local', { iters: 60, stepSize: 2e-4 }] as const,
  ];

  test.each(cases)('%s', (opt, flags) => {
    const config = resolveConfig({ loss: 'softmax', reg: 1, backend: 'js', evalEvery: 0, seed: 3 }, { opt: opt as never, ...flags });
    const losses: number[] = [];
    const W = train(config, data, kernels, (e) => {
      if (e.event === 'iter') losses.push(e.bestLoss ?? e.loss);
    });
    expect(losses).toHaveLength(config.iters);
    const head = losses.slice(0, 3).reduce((a, b) => a + b) / 3;
    const tail = losses.slice(-3).reduce((a, b) => a + b) / 3;
    expect(tail).toBeLessThan(head * (opt.startsWith('random') ? 0.95 : 0.5));
    // chance is 10%; the gradient methods should separate these classes well
    const acc = accuracy(kernels, data.test, data.mean, W).acc;
    expect(acc).toBeGreaterThan(opt.startsWith('random') ? 0.15 : 0.8);
  });
});
