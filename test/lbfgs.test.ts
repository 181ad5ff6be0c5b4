/**
 * `--opt lbfgs`: the strong-Wolfe line search as a pure function (a 1-D quadratic,
 * Rosenbrock's function), L-BFGS against gd on a small learnable set, the refusal of
 * non-smooth losses and penalties, determinism, js against wasm, and a resume through
 * a checkpoint file that ends with the same W bytes.
 */
import { resolveConfig } from '../src/config/resolve.js';
import type { Config } from '../src/config/schema.js';
import { UsageError } from '../src/core/errors.js';
import { Rng } from '../src/core/rng.js';
import { createJsKernels } from '../src/kernels/js.js';
import type { Kernels } from '../src/kernels/types.js';
import { createWasmKernels } from '../src/kernels/wasm/backend.js';
import { initialWeights, lossSpec, makeObjective, regSpec } from '../src/model/objective.js';
import { dot, LbfgsMemory } from '../src/optimizers/lbfgs.js';
import { type LinePoint, type LineSearchResult, WOLFE_DEFAULTS, wolfeLineSearch } from '../src/optimizers/line-search.js';
import { loadCheckpoint, saveCheckpoint } from '../src/training/checkpoint.js';
import type { IterEvent, TrainEvent } from '../src/training/events.js';
import { train, trainResumable, type TrainState } from '../src/training/trainer.js';
import { removeTmpDirs, tmpDir } from './helpers/cifar-fixture.js';
import { learnableDataset } from './helpers/learnable.js';

afterAll(removeTmpDirs);

const { c1, c2 } = WOLFE_DEFAULTS;

/** Both strong Wolfe conditions at the accepted step. */
function expectWolfe(r: LineSearchResult, phi0: LinePoint): void {
  expect(r.wolfe).toBe(true);
  expect(r.step).toBeGreaterThan(0);
  expect(r.f).toBeLessThanOrEqual(phi0.f + c1 * r.step * phi0.d);
  expect(Math.abs(r.d)).toBeLessThanOrEqual(c2 * Math.abs(phi0.d));
}

describe('the strong-Wolfe line search', () => {
  // φ(a) = ½·4·(a − 3)²: the minimum at a = 3, φ'(0) = −12.
  const quad = (a: number): LinePoint => ({ f: 2 * (a - 3) ** 2, d: 4 * (a - 3) });

  test.each([0.01, 1, 3, 5.9, 100, 1e6])('a 1-D quadratic from a1 = %p: both conditions hold', (a1) => {
    const phi0 = quad(0);
    const r = wolfeLineSearch(quad, phi0, a1);
    expectWolfe(r, phi0);
    expect(r).toMatchObject(quad(r.step));
  });

  test('a step that lands on the minimum is taken at once (one evaluation)', () => {
    expect(wolfeLineSearch(quad, quad(0), 3)).toMatchObject({ step: 3, evals: 1, wolfe: true });
  });

  test('a non-finite φ at a long trial step is zoomed back from', () => {
    const phi = (a: number): LinePoint => (a > 10 ? { f: Infinity, d: NaN } : quad(a));
    expectWolfe(wolfeLineSearch(phi, quad(0), 1000), quad(0));
  });

  test('refuses a direction that is not a descent direction', () => {
    expect(() => wolfeLineSearch(quad, { f: 18, d: 1 }, 1)).toThrow(/descent/);
  });

  // Rosenbrock: f(x, y) = (1 − x)² + 100(y − x²)², the classic narrow curved valley.
  const rosen = (x: number, y: number) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
  const rosenGrad = (x: number, y: number) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
  const along =
    (x: number[], p: number[]) =>
    (a: number): LinePoint => {
      const [u, v] = [x[0] + a * p[0], x[1] + a * p[1]];
      const g = rosenGrad(u, v);
      return { f: rosen(u, v), d: g[0] * p[0] + g[1] * p[1] };
    };

  test.each([
    [[-1.2, 1], 1],
    [[-1.2, 1], 1e-3],
    [[0, 0], 1],
    [[2, 2], 1],
  ])('Rosenbrock from %p along −∇f, a1 = %p: both conditions hold', (x, a1) => {
    const p = rosenGrad(x[0], x[1]).map((v) => -v);
    const phi = along(x, p);
    expectWolfe(wolfeLineSearch(phi, phi(0), a1), phi(0));
  });

  test('L-BFGS on Rosenbrock from (−1.2, 1): every accepted step satisfies both conditions, and it reaches (1, 1)', () => {
    const memory = new LbfgsMemory(5);
    let x = [-1.2, 1];
    let g = Float32Array.from(rosenGrad(x[0], x[1]));
    const p = new Float64Array(2);
    let k = 0;
    for (; k < 100 && Math.hypot(g[0], g[1]) > 1e-3; k++) {
      memory.direction(g, p);
      const phi = along(x, Array.from(p));
      const r = wolfeLineSearch(phi, phi(0), memory.size === 0 ? 1e-3 : 1);
      expectWolfe(r, phi(0));
      const next = [x[0] + r.step * p[0], x[1] + r.step * p[1]];
      const gNext = Float32Array.from(rosenGrad(next[0], next[1]));
      memory.push(Float32Array.from([next[0] - x[0], next[1] - x[1]]), Float32Array.from([gNext[0] - g[0], gNext[1] - g[1]]));
      x = next;
      g = gNext;
    }
    expect(k).toBeLessThan(100);
    expect(x[0]).toBeCloseTo(1, 3);
    expect(x[1]).toBeCloseTo(1, 3);
  });
});

describe('LbfgsMemory', () => {
  test('with no pairs the direction is −g; on a quadratic with pairs of its Hessian it is the Newton step', () => {
    const m = new LbfgsMemory(3);
    const g = Float32Array.from([1, -2]);
    const p = new Float64Array(2);
    m.direction(g, p);
    expect(Array.from(p)).toEqual([-1, 2]);
    // f = ½(2u² + 8v²): H = diag(2, 8); two pairs along the axes determine H⁻¹ exactly.
    m.push(Float32Array.from([1, 0]), Float32Array.from([2, 0]));
    m.push(Float32Array.from([0, 1]), Float32Array.from([0, 8]));
    m.direction(g, p);
    expect(p[0]).toBeCloseTo(-0.5, 12);
    expect(p[1]).toBeCloseTo(0.25, 12);
  });

  test('a pair with yᵀs ≤ 0 is skipped; the oldest pair goes when m are held', () => {
    const m = new LbfgsMemory(2);
    expect(m.push(Float32Array.from([1]), Float32Array.from([-1]))).toBe(false);
    for (let i = 1; i <= 3; i++) m.push(Float32Array.from([i]), Float32Array.from([1]));
    expect(m.size).toBe(2);
    expect(Object.keys(m.slots())).toEqual(['s0', 'y0', 's1', 'y1']);
    expect(m.slots().s0[0]).toBe(2);
  });
});

const data = learnableDataset(200, 50, 50);
const SIZES = { numTrain: 200, numVal: 50, numTest: 50, numDev: 20, evalEvery: 0 };
const configOf = (flags: Partial<Config>) =>
  resolveConfig({}, { loss: 'softmax', reg: 0.1, opt: 'lbfgs', seed: 3, ...SIZES, ...flags } as never);
const iterEvents = (events: TrainEvent[]) => events.filter((e): e is IterEvent => e.event === 'iter');

/** The objective and its gradient norm at W. */
function objectiveAt(config: Config, kernels: Kernels, W: Float32Array) {
  const f = makeObjective(kernels, data.train, data.mean, lossSpec(config), regSpec(config));
  const dW = new Float32Array(W.length);
  const { loss } = f(W, null, dW);
  return { loss, gradNorm: Math.sqrt(dot(dW, dW)) };
}

describe('lbfgs training (js kernels)', () => {
  const js = createJsKernels();

  /** The lowest objective gd reaches in `iters` iterations over a few learning rates, on config's objective. */
  const bestGd = (config: Config, iters: number) =>
    Math.min(
      ...[1e-8, 1e-7, 1e-6].map(
        (lr) =>
          objectiveAt(
            config,
            js,
            train(configOf({ loss: config.loss, iters, opt: 'gd', lr, reg: config.reg }), data, js, () => {}),
          ).loss,
      ),
    );

  // The squared hinges' gradients have kinks of their own (they are only once differentiable): a looser tol.
  test.each([
    ['softmax', 1e-7],
    ['svm2', 1e-6],
  ] as const)('%s: a far lower objective than gd in the same iterations, and it stops with ‖∇L‖ ≤ %p·‖∇L₀‖', (loss, tol) => {
    const iters = 100;
    const config = configOf({ loss, iters, tol, reg: 10 });
    const events: TrainEvent[] = [];
    const W = train(config, data, js, (e) => events.push(e));
    const its = iterEvents(events);
    expect(its.length).toBeLessThan(iters); // stopped by --tol
    const gd = bestGd(config, its.length); // given as many iterations as lbfgs took
    const lb = objectiveAt(config, js, W);
    const start = objectiveAt(config, js, initialWeights(config, new Rng(config.seed)));
    expect(lb.loss).toBeLessThan(gd / 10);
    const last = its.at(-1)!;
    expect(last.gradNorm).toBeCloseTo(lb.gradNorm, 6);
    expect(lb.gradNorm).toBeLessThanOrEqual(tol * start.gradNorm);
    expect(last.loss).toBe(lb.loss);
    // Progress per iteration: the loss never rises, every step is positive and counted.
    for (const [i, e] of its.entries()) {
      expect(e.step).toBeGreaterThan(0);
      expect(e.evals).toBeGreaterThanOrEqual(1);
      if (i > 0) expect(e.loss).toBeLessThanOrEqual(its[i - 1].loss);
    }
  });

  // ova2 on this separable toy set is 10 ill-conditioned binary problems: L-BFGS needs far
  // more than 100 iterations to a tolerance (0.0018 here, then 0.0008 at 300), but is
  // still ahead of the best gd.
  test('ova2: a lower objective than gd in the same 100 iterations, never rising', () => {
    const config = configOf({ loss: 'ova2', iters: 100, reg: 10 });
    const events: TrainEvent[] = [];
    const lb = objectiveAt(
      config,
      js,
      train(config, data, js, (e) => events.push(e)),
    ).loss;
    expect(lb).toBeLessThan(bestGd(config, 100) / 2);
    const its = iterEvents(events);
    for (let i = 1; i < its.length; i++) expect(its[i].loss).toBeLessThanOrEqual(its[i - 1].loss);
  });

  test('the same config gives the same bits', () => {
    const config = configOf({ iters: 15, tol: 0 });
    const a = train(config, data, js, () => {});
    const b = train(config, data, js, () => {});
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });
});

describe('refusals', () => {
  test.each([
    [{ loss: 'svm' }, /--loss svm.*differentiable|differentiable.*--loss svm/],
    [{ regType: 'l1' }, /--reg-type l1/],
    [{ regType: 'elastic' }, /--reg-type elastic/],
  ])('%p is refused by name with one line', (flags, message) => {
    const make = () => resolveConfig({}, { opt: 'lbfgs', loss: 'softmax', ...flags } as never);
    expect(make).toThrow(UsageError);
    expect(make).toThrow(message);
  });

  test.each([{ loss: 'svm2' }, { loss: 'ova2' }, { loss: 'softmax', regType: 'none' }])('%p is accepted', (flags) => {
    expect(resolveConfig({}, { opt: 'lbfgs', ...flags } as never).opt).toBe('lbfgs');
  });
});

describe('lbfgs on wasm', () => {
  let wasm: Kernels;
  beforeAll(async () => {
    wasm = await createWasmKernels({ threads: 2 });
  });
  afterAll(async () => {
    await wasm.dispose();
  });

  test('js and wasm agree within float tolerance', () => {
    const config = configOf({ iters: 8, tol: 0 });
    const a: number[] = [];
    const b: number[] = [];
    train(config, data, createJsKernels(), (e) => e.event === 'iter' && a.push(e.loss));
    train(config, data, wasm, (e) => e.event === 'iter' && b.push(e.loss));
    expect(b).toHaveLength(a.length);
    for (const [i, v] of a.entries()) expect(Math.abs(b[i] - v)).toBeLessThan(1e-5 * Math.abs(v));
  });

  test('stopped, saved to a checkpoint file, loaded and resumed: the same W bytes as a run never stopped', async () => {
    const config = configOf({ iters: 25, tol: 0 });
    const whole = await trainResumable(config, data, wasm, () => {});
    let steps = 0;
    const first = await trainResumable(config, data, wasm, () => {}, { shouldStop: () => steps++ >= 9 });
    expect(first.stopped).toBe(true);
    const dir = tmpDir();
    saveCheckpoint(dir, { config, state: first.state, metrics: { losses: [], evals: [], trainSec: 0 }, kernels: wasm.id });
    const from = loadCheckpoint(dir).state as TrainState;
    expect(from.iter).toBe(9);
    expect(Object.keys(from.optimizer.slots)).toContain('g');
    expect(Object.keys(from.optimizer.slots)).toContain('s7');
    expect(from.optimizer.numbers).toEqual((first.state as TrainState).optimizer.numbers);
    const rest = await trainResumable(config, data, wasm, () => {}, { from });
    expect(rest.stopped).toBe(false);
    expect(Buffer.from(rest.W.buffer).equals(Buffer.from(whole.W.buffer))).toBe(true);
  });
});
