import { resolveConfig } from '../src/config/resolve.js';
import { LintrainError } from '../src/core/errors.js';
import { createJsKernels } from '../src/kernels/js.js';
import { randomLocalSearch, randomSearch, type Try } from '../src/optimizers/search.js';
import { Rng } from '../src/core/rng.js';
import { train, type IterEvent, type TrainEvent } from '../src/training/trainer.js';
import { learnableDataset } from './helpers/learnable.js';

const data = learnableDataset(120, 30, 30);
const kernels = createJsKernels();
const base = { backend: 'js' as const, evalEvery: 0, iters: 25, batchSize: 16, lr: 1e-6, reg: 10 };

function run(flags: object) {
  const events: TrainEvent[] = [];
  const W = train(resolveConfig(base, flags), data, kernels, (e) => events.push(e));
  const iters = events.filter((e): e is IterEvent => e.event === 'iter');
  return { W, events, iters, losses: iters.map((e) => e.loss) };
}

test('the same seed gives the same run, bit for bit; another seed does not', () => {
  for (const opt of ['sgd', 'adam', 'random-local'] as const) {
    const lr = opt === 'adam' ? 1e-4 : 1e-6;
    const a = run({ seed: 7, opt, lr });
    const b = run({ seed: 7, opt, lr });
    expect(b.losses).toEqual(a.losses);
    expect(Buffer.from(b.W.buffer).equals(Buffer.from(a.W.buffer))).toBe(true);
    expect(run({ seed: 8, opt, lr }).losses).not.toEqual(a.losses);
  }
});

test('every iteration reports loss, minibatch accuracy and lr; eval events come every evalEvery', () => {
  const { events, iters } = run({ evalEvery: 10 });
  expect(iters.map((e) => e.iter)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  for (const e of iters) {
    expect(Number.isFinite(e.loss)).toBe(true);
    expect(e.batchAcc).toBeGreaterThanOrEqual(0);
    expect(e.batchAcc).toBeLessThanOrEqual(1);
    expect(e.lr).toBe(1e-6);
    expect(Math.round(e.batchAcc * 16)).toBeCloseTo(e.batchAcc * 16, 9); // a count out of the batch
  }
  expect(events.filter((e) => e.event === 'val').map((e) => (e as { iter: number }).iter)).toEqual([10, 20]);
});

test('learning-rate decay: once per epoch by default, every lrStep iterations with a step schedule', () => {
  // 120 training rows / batch 16 = 7 iterations per epoch (the assignment's floor)
  const perEpoch = run({ lrDecay: 0.5 }).iters.map((e) => e.lr);
  expect(perEpoch[6]).toBe(1e-6);
  expect(perEpoch[7]).toBe(0.5e-6);
  expect(perEpoch[14]).toBe(0.25e-6);
  const stepped = run({ lrDecay: 0.1, lrStep: 10 }).iters.map((e) => e.lr);
  expect(stepped[9]).toBe(1e-6);
  expect(stepped[10]).toBeCloseTo(1e-7, 20);
});

test('shuffled epochs visit every row once per epoch', () => {
  const seen: number[] = [];
  const spy = {
    ...kernels,
    lossAndGrad: (...a: Parameters<typeof kernels.lossAndGrad>) => {
      seen.push(...(a[1] as Int32Array));
      return kernels.lossAndGrad(...a);
    },
  };
  train(resolveConfig(base, { sample: 'epoch', batchSize: 40, iters: 3 }), data, spy, () => {});
  expect([...seen].sort((x, y) => x - y)).toEqual(Array.from({ length: 120 }, (_, i) => i));
});

test('full-batch gd sees every row each iteration', () => {
  const { iters } = run({ opt: 'gd', iters: 3 });
  for (const e of iters) expect(Math.round(e.batchAcc * 120)).toBeCloseTo(e.batchAcc * 120, 9);
});

test('divergence stops the run naming the iteration and suggesting a smaller learning rate', () => {
  expect(() => run({ lr: 1e30, loss: 'softmax', iters: 50 })).toThrow(LintrainError);
  expect(() => run({ lr: 1e30, loss: 'softmax', iters: 50 })).toThrow(
    /(loss is (NaN|Infinity) at iteration \d+|W\[\d+, \d+\] is -?Infinity after the update of iteration \d+)\. Try a smaller learning rate \(--lr 1e\+30 now\)/,
  );
});

describe('searches do not depend on how many candidates are scored per pass', () => {
  const problem = (block: number) => ({
    kernels,
    split: data.train,
    mean: data.mean,
    loss: { name: 'svm' as const, delta: 1 },
    reg: { type: 'none' as const, strength: 0, l1Ratio: 0.5, includeBias: false },
    rng: new Rng(5),
    block,
  });
  test('random search', () => {
    const runs = [1, 4, 7].map((block) => {
      const tries: Try[] = [];
      const W = randomSearch(problem(block), 20, 1e-4, (t) => tries.push(t));
      return { W: Array.from(W), tries };
    });
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    expect(runs[0].tries.at(-1)!.bestLoss).toBe(Math.min(...runs[0].tries.map((t) => t.loss)));
  });
  test('random local search (speculative blocks re-score from the accepted W)', () => {
    const runs = [1, 3, 8].map((block) => {
      const tries: Try[] = [];
      const W = randomLocalSearch(problem(block), 30, 1e-3, 1e-4, (t) => tries.push(t));
      return { W: Array.from(W), tries };
    });
    expect(runs[0].tries.filter((t) => t.accepted).length).toBeGreaterThan(2);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    // bestLoss never rises and equals the loss of the last accepted try
    const t = runs[0].tries;
    for (let i = 1; i < t.length; i++) expect(t[i].bestLoss).toBeLessThanOrEqual(t[i - 1].bestLoss);
  });
});
