/** The library API as a user's script would use it: everything from the package entry. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  accuracy,
  createKernels,
  loadDataset,
  loadModel,
  makeObjective,
  resolveConfig,
  saveModel,
  train,
  UPDATE_RULES,
  SCORES_LOSSES,
  C,
  DB,
} from '../src/index.js';
import { writeLearnableDir } from './helpers/learnable.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lintrain-api-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('load, train, evaluate, save and load a model through the package entry', async () => {
  writeLearnableDir(tmp, 40, 40);
  const kernels = await createKernels('js');
  const data = loadDataset({ dataDir: tmp, kernels, sizes: { numTrain: 180, numVal: 20, numTest: 40, numDev: 10 } });
  expect([data.train.n, data.val.n, data.test.n, data.dev.n]).toEqual([180, 20, 40, 10]);
  const config = resolveConfig({}, { loss: 'softmax', lr: 1e-6, reg: 1, iters: 30, batchSize: 32, backend: 'js' });
  let iters = 0;
  const W = train(config, data, kernels, () => iters++);
  expect(iters).toBeGreaterThanOrEqual(30);
  const acc = accuracy(kernels, data.test, data.mean, W).acc;
  expect(acc).toBeGreaterThan(0.8);

  const file = path.join(tmp, 'model.json');
  saveModel(file, { W, mean: data.mean, classNames: data.classNames, config, kernels: kernels.id });
  const back = loadModel(file);
  expect(Buffer.from(back.W.buffer).equals(Buffer.from(W.buffer))).toBe(true);
  expect(accuracy(kernels, data.test, back.mean, back.W).acc).toBe(acc);
  expect(back.config.loss).toBe('softmax');
});

test('losses and optimizers by name, and an objective over a split', async () => {
  expect(Object.keys(SCORES_LOSSES).sort()).toEqual(['ova2', 'softmax', 'svm', 'svm2']);
  expect(Object.keys(UPDATE_RULES)).toEqual(expect.arrayContaining(['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam']));
  writeLearnableDir(tmp, 10, 10);
  const kernels = await createKernels('js');
  const data = loadDataset({ dataDir: tmp, kernels, sizes: { numTrain: 40, numVal: 10, numTest: 10, numDev: 5 } });
  const f = makeObjective(
    kernels,
    data.train,
    data.mean,
    { name: 'softmax', delta: 1 },
    { type: 'none', strength: 0, l1Ratio: 0, includeBias: false },
  );
  const { loss } = f(new Float32Array(C * DB), null, new Float32Array(C * DB));
  expect(loss).toBeCloseTo(Math.log(10), 6); // W = 0: every class equally likely
});

test('a missing data directory is a one-line error naming it', () => {
  const kernels = { allocPixels: (n: number) => new Uint8Array(n) } as never;
  expect(() => loadDataset({ dataDir: path.join(tmp, 'none'), kernels })).toThrow(/No CIFAR-10 data in .*none/);
});

test('the package entry exports the documented API and nothing else', async () => {
  const api = await import('../src/index.js');
  // Types are erased; these are the values. A change here is a change of the public API:
  // docs/library.md lists them, and src/index.ts says what each group is for.
  expect(Object.keys(api).sort()).toEqual(
    [
      'C',
      'D',
      'DB',
      'LintrainError',
      'UsageError',
      'DEFAULTS',
      'OPT_NAMES',
      'readConfigFile',
      'resolveConfig',
      'loadDataset',
      'DEFAULT_SPLIT',
      'downloadCifar10',
      'importArchive',
      'BACKEND_NAMES',
      'createKernels',
      'naiveLoss',
      'SCORES_LOSSES',
      'LOSS_NAMES',
      'REG_TYPES',
      'lossSpec',
      'makeObjective',
      'regSpec',
      'gradCheck',
      'accuracy',
      'confusionMatrix',
      'loadModel',
      'saveModel',
      'makeUpdateRule',
      'randomLocalSearch',
      'randomSearch',
      'UPDATE_RULES',
      'isSearchState',
      'train',
      'trainResumable',
      'loadCheckpoint',
      'saveCheckpoint',
      'listRuns',
      'readMetrics',
      'readSummary',
      'runStatus',
      'createJsFeatureBackend',
      'createWasmFeatureBackend',
      'extract',
      'FEATURE_NAMES',
      'featureDataset',
      'readFeatureFile',
      'writeFeatureFile',
    ].sort(),
  );
  const documented = fs.readFileSync(path.join(import.meta.dirname, '..', 'docs', 'library.md'), 'utf8');
  for (const name of Object.keys(api)) expect([name, documented.includes(`\`${name}\``)]).toEqual([name, true]);
});
