/**
 * Hyperparameter sweeps: the pure part (grid, log-uniform samples, per-run seeds,
 * ranking), runs in process on learnable data, and `lintrain sweep` spawned with 2 jobs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig } from '../src/config/resolve.js';
import { UsageError } from '../src/core/errors.js';
import { createJsKernels } from '../src/kernels/js.js';
import { inlinePool, executeAll } from '../src/sweep/pool.js';
import { curveText } from '../src/report/sweep-recorder.js';
import { readEvents } from '../src/report/events.js';
import { train } from '../src/training/trainer.js';
import type { TrainEvent } from '../src/training/events.js';
import {
  bestByVal,
  byPoint,
  gridPoints,
  parseAxis,
  rankByVal,
  type RunResult,
  runSeed,
  runSpecs,
  sweepPoints,
} from '../src/sweep/points.js';
import { checkEvents, lintrain as cli } from './helpers/cli.js';
import { learnableDataset, writeLearnableDir } from './helpers/learnable.js';

describe('parsing a swept flag', () => {
  test('a list is a grid, lo:hi a log range, one value a one-point grid', () => {
    expect(parseAxis('lr', '1e-7,5e-7')).toEqual({ key: 'lr', kind: 'grid', values: [1e-7, 5e-7] });
    expect(parseAxis('reg', '1e2:1e5')).toEqual({ key: 'reg', kind: 'log', lo: 100, hi: 1e5 });
    expect(parseAxis('batchSize', '200')).toEqual({ key: 'batchSize', kind: 'grid', values: [200] });
  });

  test.each([
    ['lr', 'fast', /--lr takes a number, a list a,b,c \(grid\) or a range lo:hi/],
    ['lr', '1e-7,', /--lr takes a number/],
    ['lr', '-1,1e-7', /The 'lr' parameter \(--lr\) must be a number in the range \(0, inf\)\. Got -1/],
    ['reg', '0:1e5', /needs 0 < lo < hi; got lo 0, hi 100000/],
    ['lr', '1e-5:1e-8', /needs 0 < lo < hi/],
    ['lr', '1:2:3', /must be lo:hi, two numbers/],
    ['lr', '1e-7,1e-7', /lists a value twice/],
    ['batchSize', '1.5,200', /must be an integer/],
  ] as const)('%s %s is refused', (key, text, message) => {
    expect(() => parseAxis(key, text)).toThrow(UsageError);
    expect(() => parseAxis(key, text)).toThrow(message);
  });
});

describe('search points', () => {
  const lr = parseAxis('lr', '1e-7,5e-7');
  const reg = parseAxis('reg', '2.5e4,5e4,1e5');

  test('a grid is the cartesian product, the first flag varying slowest', () => {
    expect(gridPoints([lr, reg])).toEqual([
      { lr: 1e-7, reg: 2.5e4 },
      { lr: 1e-7, reg: 5e4 },
      { lr: 1e-7, reg: 1e5 },
      { lr: 5e-7, reg: 2.5e4 },
      { lr: 5e-7, reg: 5e4 },
      { lr: 5e-7, reg: 1e5 },
    ]);
    expect(sweepPoints([lr, reg], null, 0)).toEqual(gridPoints([lr, reg]));
  });

  test('--samples on a grid draws distinct grid points; more than the grid gives the grid', () => {
    const picked = sweepPoints([lr, reg], 4, 3);
    expect(picked).toHaveLength(4);
    expect(new Set(picked.map((p) => JSON.stringify(p))).size).toBe(4);
    for (const p of picked) expect(gridPoints([lr, reg])).toContainEqual(p);
    expect(sweepPoints([lr, reg], 50, 3)).toEqual(gridPoints([lr, reg]));
  });

  test('log-uniform samples stay within bounds and spread evenly over the decades', () => {
    const points = sweepPoints([parseAxis('lr', '1e-8:1e-5')], 3000, 11);
    const logs = points.map((p) => Math.log10(p.lr!));
    expect(Math.min(...logs)).toBeGreaterThanOrEqual(-8);
    expect(Math.max(...logs)).toBeLessThanOrEqual(-5);
    // Log-uniform: about a third in each decade (uniform in lr would put ~99.9% in the last one).
    for (const d of [-8, -7, -6]) {
      const share = logs.filter((x) => x >= d && x < d + 1).length / logs.length;
      expect(share).toBeGreaterThan(0.3);
      expect(share).toBeLessThan(0.37);
    }
    // Three significant digits, so a table row typed back as flags is the same run.
    for (const p of points.slice(0, 50)) expect(Number(p.lr!.toPrecision(3))).toBe(p.lr);
  });

  test('integer keys are sampled as integers; grid axes mixed with ranges are drawn from their list', () => {
    const points = sweepPoints([parseAxis('batchSize', '16:512'), parseAxis('reg', '1e3,1e4')], 200, 5);
    for (const p of points) {
      expect(Number.isInteger(p.batchSize)).toBe(true);
      expect(p.batchSize).toBeGreaterThanOrEqual(16);
      expect(p.batchSize).toBeLessThanOrEqual(512);
      expect([1e3, 1e4]).toContain(p.reg);
    }
    expect(new Set(points.map((p) => p.reg)).size).toBe(2);
  });

  test('the same seed gives the same points, another seed others; more samples extend fewer', () => {
    const axes = [parseAxis('lr', '1e-8:1e-5'), parseAxis('reg', '1e2:1e5')];
    expect(sweepPoints(axes, 30, 7)).toEqual(sweepPoints(axes, 30, 7));
    expect(sweepPoints(axes, 30, 8)).not.toEqual(sweepPoints(axes, 30, 7));
    expect(sweepPoints(axes, 30, 7).slice(0, 10)).toEqual(sweepPoints(axes, 10, 7));
  });

  test('a range without --samples is an error that says so', () => {
    expect(() => sweepPoints([lr, parseAxis('reg', '1e2:1e5')], null, 0)).toThrow(
      /--reg is a range \(lo:hi\): say how many random runs with --samples N/,
    );
  });

  test('every run has its own seed, a 32-bit value that depends on the sweep seed and the index only', () => {
    const specs = runSpecs(gridPoints([lr, reg]), 0);
    expect(specs.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(specs.map((s) => s.point)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(new Set(specs.map((s) => s.seed)).size).toBe(6);
    for (const s of specs) expect(s.seed).toBe(runSeed(0, s.index));
    for (const s of specs) expect(Number.isInteger(s.seed) && s.seed >= 0 && s.seed < 2 ** 32).toBe(true);
    expect(runSeed(1, 0)).not.toBe(runSeed(0, 0));
  });

  test('--repeats: several runs per point, same params, different seeds', () => {
    const specs = runSpecs(gridPoints([lr]), 0, 3);
    expect(specs.map((s) => [s.index, s.point])).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
      [3, 1],
      [4, 1],
      [5, 1],
    ]);
    expect(specs[2].params).toEqual({ lr: 1e-7 });
    expect(new Set(specs.map((s) => s.seed)).size).toBe(6);
  });
});

describe('choosing the best run', () => {
  // testAcc is there to prove it is never looked at: the best test is the worst val.
  const results = [
    { index: 0, valAcc: 0.3, testAcc: 0.9 },
    { index: 1, valAcc: NaN, testAcc: NaN }, // diverged
    { index: 2, valAcc: 0.42, testAcc: 0.1 },
    { index: 3, valAcc: 0.42, testAcc: 0.2 },
    { index: 4, valAcc: 0.35, testAcc: 0.5 },
  ];

  test('by validation accuracy only; ties keep run order; diverged runs last', () => {
    expect(rankByVal(results).map((r) => r.index)).toEqual([2, 3, 4, 0, 1]);
    expect(bestByVal(results)?.index).toBe(2);
    expect(bestByVal([results[1]])).toBeNull();
  });

  test('points are ranked by the mean validation accuracy of their runs; one diverged run sinks a point', () => {
    const run = (index: number, point: number, valAcc: number): RunResult => ({
      index,
      point,
      params: { lr: point },
      seed: index,
      trainAcc: 0.5,
      valAcc,
      finalLoss: 1,
      timeSec: 1,
      kernels: 'js',
    });
    const points = byPoint([run(0, 0, 0.4), run(1, 0, 0.3), run(2, 1, 0.37), run(3, 1, 0.36), run(4, 2, 0.5), run(5, 2, NaN)]);
    expect(points.map((p) => p.valAcc)).toEqual([0.35, expect.closeTo(0.365, 12), NaN]);
    expect(points[0].valStd).toBeCloseTo(Math.sqrt(0.005), 12);
    expect(rankByVal(points).map((p) => p.index)).toEqual([1, 0, 2]);
    expect(bestByVal(bestByVal(points)!.runs)?.index).toBe(2); // the kept W: the best point's best run
  });
});

describe('runs in process (js backend, learnable data)', () => {
  const data = learnableDataset(150, 40, 40);
  const pool = inlinePool(data, createJsKernels());
  const sweep = async () => {
    const specs = runSpecs(sweepPoints([parseAxis('lr', '1e-8:1e-5'), parseAxis('reg', '1:1e3')], 4, 3), 3);
    const tasks = specs.map((s, index) => ({
      index,
      config: resolveConfig({}, { backend: 'js', iters: 15, batchSize: 20, evalEvery: 0, ...s.params, seed: s.seed }),
    }));
    return executeAll(pool, tasks, () => {});
  };

  test('the same sweep twice gives the same results, weights included', async () => {
    const [a, b] = [await sweep(), await sweep()];
    const strip = (rs: typeof a) => rs.map(({ timeSec: _t, W, ...r }) => ({ ...r, W: Array.from(W!.subarray(0, 50)) }));
    expect(strip(b)).toEqual(strip(a));
    expect(a.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(a.every((r) => r.valAcc >= 0 && r.valAcc <= 1 && Number.isNaN(r.testAcc))).toBe(true); // a sweep never scores test
  });

  test('a diverging run is a result with its reason, not a failed sweep', async () => {
    const config = resolveConfig({}, { backend: 'js', iters: 30, batchSize: 20, lr: 1e30, reg: 1e30 });
    const [r] = await executeAll(pool, [{ index: 0, config }], () => {});
    expect(r.error).toMatch(/diverged/);
    expect(r.valAcc).toBeNaN();
    expect(r.curve!.iter.length).toBeLessThan(30); // its curve, up to the last finite loss
    expect(Array.from(r.curve!.loss).every(Number.isFinite)).toBe(true);
  });

  // The trusted twin: the events train() emits for the same config, as a lone run's reporters see them.
  test.each([
    ['sgd', { opt: 'sgd', evalEvery: 4 }],
    ['momentum, lr decay every 3', { opt: 'momentum', evalEvery: 5, lrDecay: 0.5, lrStep: 3 }],
    ['random-local (bestLoss)', { opt: 'random-local', evalEvery: 0 }],
  ] as const)('a run keeps its curve: the events train() emits (%s), as lines', async (_name, flags) => {
    const config = resolveConfig({}, { backend: 'js', iters: 13, batchSize: 20, lr: 1e-6, seed: 5, ...flags });
    const [r] = await executeAll(pool, [{ index: 0, config }], () => {});
    const events: TrainEvent[] = [];
    train(config, data, createJsKernels(), (e) => events.push(e));
    const c = r.curve!;
    expect(c.iter.length).toBe(13);
    expect(c.search).toBe(flags.opt === 'random-local');
    expect(c.valIter.length).toBe(flags.evalEvery ? Math.floor(12 / flags.evalEvery) : 0);
    const text = curveText(c);
    expect(text.split('\n')[0]).toMatch(/^\{"event":"format","format":"lintrain-events","version":1,"command":"sweep"/);
    expect(readEvents(text)).toEqual(events); // the same numbers, the same order, nothing else
    expect(text).toBe([text.split('\n')[0], ...events.map((e) => JSON.stringify(e)), ''].join('\n'));
  });
});

describe('lintrain sweep, spawned with 2 jobs', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lintrain-sweep-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const dataDir = path.join(tmp, 'data');
  writeLearnableDir(dataDir, 60, 100);
  const SMALL = ['--data', dataDir, '--num-train', '250', '--num-val', '50', '--num-test', '100', '--iters', '20', '--batch-size', '25'];
  const lintrain = (args: string[]) => cli(['sweep', ...SMALL, ...args], { cwd: tmp });
  const lines = (s: string) => checkEvents(s, 'sweep');
  const grid = ['--lr', '1e-7,1e-6', '--reg', '10,1e3', '--jobs', '2', '--log-format', 'json'];
  const model = path.join(tmp, 'best.json');
  const first = lintrain([...grid, '--save', model]);

  test('--log-format json: one line per run, then a summary ranked by validation accuracy', () => {
    expect(first.stderr).toMatch(/2 jobs × 1 thread/);
    expect(first.code).toBe(0);
    const out = lines(first.stdout);
    expect(out.filter((l) => l.event === 'trial')).toHaveLength(4);
    const summary = out.at(-1)!;
    expect(summary.event).toBe('sweep');
    expect(summary.jobs).toBe(2);
    const vals = summary.points.map((r: { valAcc: number }) => r.valAcc);
    expect(vals).toEqual([...vals].sort((a, b) => b - a));
    expect(summary.best).toMatchObject({ point: summary.points[0].index, valAcc: vals[0], seed: summary.points[0].runs[0].seed });
    expect(summary.best.testAcc).toBeGreaterThan(0.5); // learnable data; chance is 0.1
    const runs = summary.points.flatMap((p: { runs: object[] }) => p.runs);
    expect(runs.every((r: object) => !('testAcc' in r))).toBe(true);
    expect(summary.points.map((r: { params: object }) => r.params)).toEqual(
      expect.arrayContaining([
        { lr: 1e-7, reg: 10 },
        { lr: 1e-6, reg: 1e3 },
      ]),
    );
  });

  test('the same command gives the same table; the saved model is the best run', () => {
    const again = lintrain(grid);
    type Run = { timeSec: number };
    const table = (s: string) =>
      lines(s)
        .at(-1)!
        .points.map(({ timeSec: _t, runs, ...p }: Run & { runs: Run[] }) => ({ ...p, runs: runs.map(({ timeSec: _u, ...r }) => r) }));
    expect(table(again.stdout)).toEqual(table(first.stdout));
    const saved = JSON.parse(fs.readFileSync(model, 'utf8'));
    const best = lines(first.stdout).at(-1)!.best;
    expect(saved.config).toMatchObject({ ...best.params, seed: best.seed });
    expect(saved.metrics.valAcc).toBe(best.valAcc);
  });

  test('pretty output: the table sorted by validation accuracy, the best and its test accuracy', () => {
    const r = lintrain(['--lr', '1e-8:1e-6', '--samples', '3', '--reg', '100', '--jobs', '2', '--backend', 'js']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^#\s+lr\s+reg\s+seed\s+train\s+val\s+time$/m);
    expect(r.stdout.match(/^\d\s+\S+e-\d\s+100\s+\d+\s+[\d.]+%\s+[\d.]+%\s+[\d.]+ s$/gm)).toHaveLength(3);
    expect(r.stdout).toMatch(/best by validation accuracy: lr \S+: seed \d+, train [\d.]+%, val [\d.]+%, test [\d.]+%/);
  });

  test('--repeats 2: points ranked by mean validation accuracy, the spread shown', () => {
    const r = lintrain(['--lr', '1e-7,1e-6', '--repeats', '2', '--reg', '100', '--jobs', '2', '--backend', 'js']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^#\s+lr\s+reg\s+runs\s+train\s+val\s+time$/m);
    expect(r.stdout.match(/^\d\s+1e-\d\s+100\s+2\s+[\d.]+%\s+[\d.]+% ± [\d.]+\s+[\d.]+ s$/gm)).toHaveLength(2);
    expect(r.stdout).toMatch(/mean val [\d.]+% ± [\d.]+ over 2 seeds; kept its best run\): seed \d+, train/);
    expect(r.stdout).toMatch(/^4 runs in /m);
  });

  test("each run's curves in trials/<index>.jsonl: valid lines, listed, the lines of the same run alone", () => {
    const out = path.join(tmp, 'with-curves');
    const r = lintrain(['--lr', '1e-7,1e-6', '--reg', '100', '--jobs', '2', '--eval-every', '6', '--no-plots', '--out', out]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.files).toEqual(expect.arrayContaining(['trials/0.jsonl', 'trials/1.jsonl']));
    expect(fs.readdirSync(path.join(out, 'trials')).sort()).toEqual(['0.jsonl', '1.jsonl']);
    const trials = lines(fs.readFileSync(path.join(out, 'results.jsonl'), 'utf8')).filter((e) => e.event === 'trial');
    for (const t of trials) {
      const events = checkEvents(fs.readFileSync(path.join(out, 'trials', `${t.index}.jsonl`), 'utf8'), 'sweep');
      expect(events.filter((e) => e.event === 'iter').map((e) => e.iter)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(events.filter((e) => e.event === 'val').map((e) => e.iter)).toEqual([6, 12, 18]);
      // Trained alone on a worker's thread count or not, the run draws the same curves.
      const alone = path.join(tmp, `alone-${t.index}`);
      const flags = ['--lr', String(t.params.lr), '--reg', '100', '--seed', String(t.seed), '--eval-every', '6', '--no-plots'];
      expect(cli([...SMALL, ...flags, '--out', alone], { cwd: tmp }).code).toBe(0);
      const metrics = fs.readFileSync(path.join(alone, 'metrics.jsonl'), 'utf8');
      expect(events.slice(1)).toEqual(readEvents(metrics));
    }
  });

  test('usage errors exit 2 with one line', () => {
    for (const [args, message] of [
      [['--lr', '1e-8:1e-6'], /--lr is a range \(lo:hi\): say how many random runs with --samples N/],
      [['--lr', '1e-7'], /Nothing to sweep/],
      [['--reg', '-1,2'], /'reg' parameter \(--reg\) must be a number in the range \[0, inf\)/],
    ] as const) {
      const r = lintrain([...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
