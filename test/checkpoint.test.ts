/**
 * Stop and resume: a run stopped between steps, saved to a checkpoint and resumed
 * ends bit for bit where a run that never stopped ends — for every update rule, both
 * samplers, learning-rate decay, and both kernel backends. Also the checkpoint
 * file's own faults and the settings a resumed run may not change.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CHECKPOINT_FILE, loadCheckpoint, resumedConfig, saveCheckpoint } from '../src/training/checkpoint.js';
import { type Config, runConfig } from '../src/config/schema.js';
import { resolveConfig } from '../src/config/resolve.js';
import { LintrainError, UsageError } from '../src/core/errors.js';
import { createJsFeatureBackend } from '../src/features/backend-js.js';
import { createJsKernels } from '../src/kernels/js.js';
import type { Kernels } from '../src/kernels/types.js';
import { createWasmKernels } from '../src/kernels/wasm/backend.js';
import { Rng } from '../src/core/rng.js';
import type { Dataset } from '../src/core/shapes.js';
import { type IterEvent, train, trainResumable, type TrainEvent, type TrainState } from '../src/training/trainer.js';
import { removeTmpDirs, tmpDir } from './helpers/cifar-fixture.js';
import { learnableDataset } from './helpers/learnable.js';

afterAll(removeTmpDirs);

const data = learnableDataset(90, 20, 20);
const same = (a: Float32Array, b: Float32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

const CASES: Array<[string, Partial<Config>]> = [
  ['sgd, with replacement, lr decay per epoch', { opt: 'sgd', lr: 1e-6, lrDecay: 0.9 }],
  ['momentum, shuffled epochs', { opt: 'momentum', lr: 1e-6, sample: 'epoch' }],
  ['nesterov, step schedule', { opt: 'nesterov', lr: 1e-6, lrDecay: 0.5, lrStep: 7 }],
  ['adagrad', { opt: 'adagrad', lr: 1e-3 }],
  ['rmsprop, shuffled epochs', { opt: 'rmsprop', lr: 1e-4, sample: 'epoch' }],
  ['adam, shuffled epochs, softmax', { opt: 'adam', lr: 1e-4, sample: 'epoch', loss: 'softmax' }],
  ['gd (full batch)', { opt: 'gd', lr: 1e-6 }],
];

describe.each([
  ['js', async () => createJsKernels()],
  ['wasm', () => createWasmKernels({ threads: 2 })],
] as Array<[string, () => Promise<Kernels>]>)('stop, checkpoint, resume on the %s backend', (_name, make) => {
  let kernels: Kernels;
  beforeAll(async () => {
    kernels = await make();
  });
  afterAll(() => kernels.dispose());

  test.each(CASES)('%s: bit-identical to the run that never stopped', async (_label, flags) => {
    const config = resolveConfig({ backend: 'js', evalEvery: 5, iters: 17, batchSize: 16, reg: 10, seed: 4, numTrain: 90, ...flags });
    const events: TrainEvent[] = [];
    const whole = train(config, data, kernels, (e) => events.push(e));
    for (const stopAt of [0, 6, 16]) {
      let steps = 0;
      const first: TrainEvent[] = [];
      const a = await trainResumable(config, data, kernels, (e) => first.push(e), { shouldStop: () => steps++ >= stopAt });
      expect(a.stopped).toBe(true);
      expect(a.state.iter).toBe(stopAt);
      const dir = tmpDir();
      saveCheckpoint(dir, {
        config,
        state: a.state,
        metrics: { losses: [], evals: [], trainSec: 0 },
        kernels: kernels.id,
        stoppedBy: 'SIGINT',
      });
      const saved = loadCheckpoint(dir);
      expect(saved.config).toEqual(runConfig(config));
      expect(saved.kernels).toBe(kernels.id);
      const rest: TrainEvent[] = [];
      const b = await trainResumable(config, data, kernels, (e) => rest.push(e), { from: saved.state });
      expect(b.stopped).toBe(false);
      expect(b.state.iter).toBe(17);
      expect(same(b.W, whole)).toBe(true);
      expect([...first, ...rest]).toEqual(events); // the same losses, lrs and validation checks, in order
    }
  });
});

test('a resumed run may be given more iterations; the state carries lr, RNG and optimizer slots', async () => {
  const kernels = createJsKernels();
  const config = resolveConfig({ backend: 'js', evalEvery: 0, iters: 10, batchSize: 8, opt: 'adam', lr: 1e-4, lrDecay: 0.5, numTrain: 90 });
  const a = await trainResumable(config, data, kernels, () => {});
  const s = a.state as TrainState;
  expect(Object.keys(s.optimizer.slots).sort()).toEqual(['m', 'v']);
  expect(s.optimizer.t).toBe(10);
  expect(s.lr).toBe(1e-4 * 0.5 ** Math.floor(10 / Math.floor(90 / 8)));
  const longer = { ...config, iters: 25 };
  const b = await trainResumable(longer, data, kernels, () => {}, { from: a.state });
  expect(
    same(
      b.W,
      train(longer, data, kernels, () => {}),
    ),
  ).toBe(true);
});

test('Rng state: a generator restored from a snapshot continues the same stream, the kept normal included', () => {
  const rng = new Rng(9);
  rng.normal(); // leaves a spare
  const snap = JSON.parse(JSON.stringify(rng.state()));
  expect(snap.spare).not.toBeNull();
  const copy = Rng.fromState(snap);
  const ahead = [rng.normal(), rng.normal(), rng.u32(), rng.uniform()];
  expect([copy.normal(), copy.normal(), copy.u32(), copy.uniform()]).toEqual(ahead);
});

describe('checkpoint files', () => {
  const config = resolveConfig({ backend: 'js', iters: 5, batchSize: 8, numTrain: 90, evalEvery: 0 });
  const kernels = createJsKernels();

  async function written(): Promise<string> {
    const a = await trainResumable(config, data, kernels, () => {}, { shouldStop: () => false });
    const dir = tmpDir();
    saveCheckpoint(dir, { config, state: a.state, metrics: { losses: [1, 2], evals: [], trainSec: 0.5 }, kernels: 'js' });
    return path.join(dir, CHECKPOINT_FILE);
  }

  test('missing, not JSON, another format, a damaged array: one line naming the file', async () => {
    const file = await written();
    const fail = (f: string) => {
      try {
        loadCheckpoint(f);
      } catch (e) {
        expect(e).toBeInstanceOf(LintrainError);
        expect((e as Error).message).not.toMatch(/\n/);
        return (e as Error).message;
      }
      throw new Error('loaded');
    };
    expect(fail(path.join(tmpDir(), 'none'))).toMatch(/^Cannot resume from .*checkpoint\.json: no such file\.$/);
    const body = JSON.parse(fs.readFileSync(file, 'utf8'));
    const variant = (change: (b: Record<string, unknown>) => void) => {
      const f = path.join(tmpDir(), 'checkpoint.json');
      const b = structuredClone(body);
      change(b);
      fs.writeFileSync(f, JSON.stringify(b));
      return fail(f);
    };
    const cut = path.join(tmpDir(), 'checkpoint.json');
    fs.writeFileSync(cut, fs.readFileSync(file).subarray(0, 1000));
    expect(fail(cut)).toBe(`Cannot resume from ${cut}: not a lintrain checkpoint (bad JSON).`);
    expect(variant((b) => (b.format = 'lintrain-model'))).toMatch(/is not a lintrain checkpoint \(format lintrain-checkpoint\)\.$/);
    expect(variant((b) => (b.version = 3))).toMatch(
      /checkpoint\.json is a checkpoint of version 3; this lintrain reads versions 1 and 2\.$/,
    );
    expect(variant((b) => (b.kind = 'search'))).toMatch(/the kind \("search" for --opt sgd\) is missing or damaged/);
    expect(variant((b) => (b.W = (b.W as string).slice(0, 100)))).toMatch(
      /checkpoint\.json: W holds 75 bytes, expected 30730 values of 4 bytes\.$/,
    );
    expect(variant((b) => delete b.rng)).toMatch(/the RNG state is missing or damaged; the checkpoint cannot be resumed\.$/);
    expect(variant((b) => (b.iter = -1))).toMatch(/iter or config is missing or damaged/);
    expect(variant((b) => delete b.lr)).toMatch(/: lr is missing or damaged/);
  });

  test('written atomically: only checkpoint.json in the folder', async () => {
    const file = await written();
    expect(fs.readdirSync(path.dirname(file))).toEqual([CHECKPOINT_FILE]);
  });

  test('a resumed run keeps its settings: a flag that changes the trajectory is refused, others pass', () => {
    expect(resumedConfig(config, { iters: 50, quiet: true, backend: 'wasm' }, 'DIR')).toMatchObject({
      iters: 50,
      quiet: true,
      backend: 'wasm',
    });
    expect(() => resumedConfig(config, { lr: 1e-3 }, 'DIR')).toThrow(UsageError);
    expect(() => resumedConfig(config, { seed: 1 }, 'DIR')).toThrow(
      /^--resume DIR: --seed 1 differs from the checkpoint's 0; a resumed run keeps its settings \(only --iters, .* may change\)\.$/,
    );
  });

  test('the saved iteration losses and the state round-trip exactly', async () => {
    const file = await written();
    const cp = loadCheckpoint(path.dirname(file));
    expect(cp.metrics).toEqual({ losses: [1, 2], evals: [], trainSec: 0.5 });
    const again = await trainResumable(config, data, kernels, () => {}, { shouldStop: () => false });
    expect(same(cp.state.W, again.W)).toBe(true);
    expect(cp.state.rng).toEqual(again.state.rng);
    const iters: IterEvent[] = [];
    await trainResumable({ ...config, iters: 6 }, data, kernels, (e) => e.event === 'val' || iters.push(e), { from: cp.state });
    expect(iters.map((e) => e.iter)).toEqual([6]);
  });

  test('a version 1 file (before the searches could stop: no kind) still loads and resumes', async () => {
    const file = await written();
    const b = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(b).toMatchObject({ version: 2, kind: 'gradient' });
    delete b.kind;
    b.version = 1;
    const old = path.join(tmpDir(), CHECKPOINT_FILE);
    fs.writeFileSync(old, JSON.stringify(b));
    const cp = loadCheckpoint(old);
    const longer = { ...config, iters: 9 };
    const resumed = await trainResumable(longer, data, kernels, () => {}, { from: cp.state });
    expect(
      same(
        resumed.W,
        train(longer, data, kernels, () => {}),
      ),
    ).toBe(true);
  });
});

describe('runs on stored feature rows (W is C×(F+1))', () => {
  const F = 24;
  const rng = new Rng(11);
  const split = (n: number) => {
    const labels = rng.fillInts(new Int32Array(n), 10);
    const pixels = new Uint8Array(n * F);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < F; j++) pixels[i * F + j] = 128 + (j % 10 === labels[i] ? 40 : 0) + rng.fillInts(new Int32Array(1), 16)[0];
    return { pixels, labels: Uint8Array.from(labels), n };
  };
  const train = split(80);
  const rows: Dataset = {
    train,
    val: split(10),
    test: split(10),
    dev: train,
    mean: new Float32Array(F).fill(130),
    classNames: data.classNames,
  };
  const kernels = createJsFeatureBackend();

  test.each([
    ['adam', { opt: 'adam', lr: 1e-3 }],
    ['random-local', { opt: 'random-local', stepSize: 1e-2 }],
  ] as Array<[string, Partial<Config>]>)('%s stops, checkpoints and resumes bit for bit', async (_label, flags) => {
    const config = resolveConfig({
      backend: 'js',
      features: 'hog-color',
      evalEvery: 0,
      iters: 12,
      batchSize: 16,
      numTrain: 80,
      seed: 3,
      ...flags,
    });
    const whole = await trainResumable(config, rows, kernels, () => {});
    expect(whole.W.length).toBe(10 * (F + 1));
    let steps = 0;
    const a = await trainResumable(config, rows, kernels, () => {}, { shouldStop: () => steps++ >= 2 });
    expect(a.stopped).toBe(true);
    const dir = tmpDir();
    saveCheckpoint(dir, { config, state: a.state, metrics: { losses: [], evals: [], trainSec: 0 }, kernels: kernels.id });
    const b = await trainResumable(config, rows, kernels, () => {}, { from: loadCheckpoint(dir).state });
    expect(same(b.W, whole.W)).toBe(true);
  });
});
