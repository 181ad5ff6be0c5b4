/**
 * The course notes' step-size experiment: one step W − s·dW from the same W at each
 * decade 1e-7 … 1e-1, on learnable data, in process and through the CLI preset.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readConfigFile, resolveConfig } from '../src/config/resolve.js';
import { STEP_SIZES, stepSizeExperiment } from '../src/training/step-size.js';
import { createJsKernels } from '../src/kernels/js.js';
import { makeObjective, regSpec } from '../src/model/objective.js';
import { Rng } from '../src/core/rng.js';
import { C, DB } from '../src/core/shapes.js';
import { train, type IterEvent } from '../src/training/trainer.js';
import { lintrain } from './helpers/cli.js';
import { learnableDataset, writeLearnableDir } from './helpers/learnable.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const data = learnableDataset(100, 10, 10);
const kernels = createJsKernels();
const preset = readConfigFile(path.join(root, 'configs', 'step-size.json'));

test('the steps are the decades 1e-7 … 1e-1', () => {
  expect(STEP_SIZES).toEqual([1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1]);
  expect(preset).toMatchObject({ experiment: 'step-size', loss: 'svm', regType: 'none' });
});

test('a tiny step lowers the loss, a huge one blows it up', () => {
  // Learnable data in 3,072 dimensions are separable, and a long step along −dW can zero
  // the hinge loss there (CIFAR-10 is not: there the loss explodes past 1e-5). The L2 penalty the
  // assignment trains with grows as s²·‖dW‖², so with it the blow-up shows here too.
  const r = stepSizeExperiment(resolveConfig({ ...preset, regType: 'l2', reg: 100 }, { backend: 'js' }), data, kernels);
  const at = (s: number) => r.steps.find((x) => x.step === s)!.loss;
  expect(at(1e-7)).toBeLessThan(r.initialLoss);
  expect(at(1e-1)).toBeGreaterThan(100 * r.initialLoss);
  // Past the best step the loss only grows (the linear model stops holding).
  const losses = r.steps.map((s) => s.loss);
  const best = losses.indexOf(Math.min(...losses));
  for (let k = best + 1; k < losses.length; k++) expect(losses[k]).toBeGreaterThan(losses[k - 1]);
  expect(r.gradNorm).toBeGreaterThan(0);
});

test('it starts from the W and loss that training starts from, and includes the penalty', () => {
  const config = resolveConfig({ ...preset, regType: 'l2', reg: 1e3 }, { backend: 'js', seed: 5 });
  const r = stepSizeExperiment(config, data, kernels, [1e-6]);
  // Full-batch gradient descent's first iteration reports the loss at the same initial W.
  let first: IterEvent | undefined;
  train({ ...config, experiment: 'train', opt: 'gd', iters: 1, evalEvery: 0 }, data, kernels, (e) => {
    if (e.event === 'iter') first ??= e;
  });
  expect(r.initialLoss).toBeCloseTo(first!.loss, 10);
  // The stepped loss (scored by lossMany in one pass) equals the objective at W − s·dW.
  const objective = makeObjective(kernels, data.train, data.mean, { name: 'svm', delta: 1 }, regSpec(config));
  const W = new Float32Array(C * DB);
  const dW = new Float32Array(C * DB);
  new Rng(5).fillNormal(W, config.initScale);
  objective(W, null, dW);
  for (let i = 0; i < W.length; i++) W[i] = W[i] - 1e-6 * dW[i];
  expect(r.steps[0].loss).toBeCloseTo(objective(W, null, new Float32Array(C * DB)).loss, 6);
});

test('`lintrain --config configs/step-size.json` prints the table', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lintrain-steps-'));
  try {
    const dataDir = path.join(tmp, 'data');
    writeLearnableDir(dataDir, 40, 20);
    const args = [
      '--config',
      path.join(root, 'configs', 'step-size.json'),
      '--data',
      dataDir,
      '--num-train',
      '150',
      '--num-val',
      '50',
      '--num-test',
      '20',
      '--backend',
      'js',
    ];
    const r = lintrain(args, { cwd: tmp });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/step-size experiment.*svm loss, no regularization, W ~ N\(0,1\)·0\.001.*150 training images/);
    expect(r.stdout).toMatch(/\| 0 \(original W\) \| \d+\.\d{4} \|/);
    for (const s of ['1e-7', '1e-6', '1e-5', '1e-4', '1e-3', '1e-2', '1e-1'])
      expect(r.stdout).toMatch(new RegExp(`^\\| ${s} \\| [\\d.e+]+ \\|`, 'm'));
    expect(r.stdout).not.toMatch(/test accuracy/); // an experiment, not a training run
    const j = lintrain([...args, '--log-format', 'json'], { cwd: tmp });
    expect(j.events.map((e) => e.event)).toEqual(['format', 'step-size']);
    expect(j.events[1]).toMatchObject({ kernels: 'js', config: { experiment: 'step-size' } });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
