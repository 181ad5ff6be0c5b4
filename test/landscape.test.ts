/**
 * The loss landscape (CS231n optimization notes, "Visualizing the loss function"): the
 * slices in process on the js reference kernels — the SVM's one-example curve piecewise
 * linear and convex, the middle point the objective at W, the grid's rows and columns
 * where they should be — and `lintrain landscape` end to end: its run folder and
 * landscape.json, determinism, --model, `runs` and `show`, and bad input.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { readConfigFile, resolveConfig } from '../src/config/resolve.js';
import { DEFAULTS, runConfig } from '../src/config/schema.js';
import { Rng } from '../src/core/rng.js';
import { C, DB } from '../src/core/shapes.js';
import { createJsKernels } from '../src/kernels/js.js';
import { saveModel } from '../src/model/file.js';
import { LANDSCAPE_FORMAT, readLandscape } from '../src/model/landscape-file.js';
import {
  checkLandscapeSettings,
  firstRows,
  type LandscapeSettings,
  landscapeAlphas,
  lossLandscape,
  randomDirection,
} from '../src/model/landscape.js';
import type { LossSpec } from '../src/model/losses/types.js';
import { initialWeights, makeObjective } from '../src/model/objective.js';
import type { RegSpec } from '../src/model/regularizers.js';
import { removeTmpDirs, tmpDir } from './helpers/cifar-fixture.js';
import { lintrain as cli } from './helpers/cli.js';
import { learnableDataset, templateRecords, writeLearnableDir } from './helpers/learnable.js';

afterAll(removeTmpDirs);

const kernels = createJsKernels();
const data = learnableDataset(100, 10, 10);
const svm: LossSpec = { name: 'svm', delta: 1 };
const none: RegSpec = { type: 'none', strength: 0, l1Ratio: 0.5, includeBias: false };

/** A random W (training's start at this seed) and two directions from the same generator. */
function start(seed: number, initScale = 1e-4) {
  const rng = new Rng(seed);
  const W = initialWeights({ ...DEFAULTS, initScale }, rng);
  return { W, directions: [randomDirection(W, rng), randomDirection(W, rng)] as const };
}

const slices = (settings: LandscapeSettings, loss = svm, reg = none, seed = 0) => {
  const { W, directions } = start(seed);
  return lossLandscape(kernels, data.train, data.mean, loss, reg, W, directions, settings);
};

/** d2[i] = v[i] − 2·v[i+1] + v[i+2]: 0 on a straight piece, > 0 where a convex curve bends. */
const secondDifferences = (v: ArrayLike<number>) => Array.from({ length: v.length - 2 }, (_, i) => v[i] - 2 * v[i + 1] + v[i + 2]);

describe('the slices', () => {
  test('alphas: S points from −R to R, exactly 0 in the middle, symmetric', () => {
    const a = landscapeAlphas(2.5, 11);
    expect(a).toHaveLength(11);
    expect([a[0], a[5], a[10]]).toEqual([-2.5, 0, 2.5]);
    for (let i = 0; i < 11; i++) expect(a[i] + a[10 - i]).toBe(0);
    expect(a[6] - a[5]).toBeCloseTo(0.5, 14);
  });

  test('a direction: each row as long as the same row of W, drawn from the seed', () => {
    const { W, directions } = start(3, 1e-3);
    const norm = (a: Float32Array, c: number) => Math.hypot(...a.subarray(c * DB, (c + 1) * DB));
    for (let c = 0; c < C; c++) expect(norm(directions[0], c) / norm(W, c)).toBeCloseTo(1, 5);
    expect(directions[0]).not.toEqual(directions[1]);
    expect(start(3, 1e-3).directions[0]).toEqual(directions[0]);
    expect(() => randomDirection(new Float32Array(C * DB), new Rng(0))).toThrow(/row 0 of W is zero/);
  });

  test('one example, SVM: the curve is piecewise linear and convex, with at most two bends per hinge', () => {
    const l = slices({ range: 10, steps: 201, examples: [1], plane: false });
    expect(l.slices[0].grid).toHaveLength(0);
    const d2 = secondDifferences(l.slices[0].curve);
    const tol = 1e-4;
    for (const d of d2) expect(d).toBeGreaterThanOrEqual(-tol); // convex
    // 9 hinges, each linear in a: a kink between two points bends at most two second differences.
    const bends = d2.filter((d) => d > tol).length;
    expect(bends).toBeGreaterThanOrEqual(1);
    expect(bends).toBeLessThanOrEqual(2 * (C - 1));
  });

  test('many examples: still convex (a mean of convex hinges), with bends all along: the bowl', () => {
    const l = slices({ range: 10, steps: 101, examples: [1, 50], plane: false });
    const d2 = secondDifferences(l.slices[1].curve);
    const tol = 1e-4;
    for (const d of d2) expect(d).toBeGreaterThanOrEqual(-tol);
    expect(d2.filter((d) => d > tol).length).toBeGreaterThan(d2.length / 2); // one example: at most 18 of them
  });

  test.each([
    ['svm', 'none', 0],
    ['softmax', 'l2', 1e3],
    ['svm2', 'elastic', 50],
  ] as const)('%s loss, %s penalty: the middle point is the objective at W itself', (name, type, strength) => {
    const loss: LossSpec = { name, delta: 1 };
    const reg: RegSpec = { type, strength, l1Ratio: 0.5, includeBias: false };
    const l = slices({ range: 3, steps: 5, examples: [1, 7] }, loss, reg, 4);
    const { W } = start(4);
    for (const s of l.slices) {
      const objective = makeObjective(kernels, firstRows(data.train, s.examples), data.mean, loss, reg);
      const atW = objective(W, null, new Float32Array(C * DB)).loss;
      expect(s.curve[2]).toBeCloseTo(atW, 10);
      expect(s.grid[2 * 5 + 2]).toBe(s.curve[2]);
    }
  });

  test('the grid: row j is b = a_j, column i is a = a_i; its middle row is the curve', () => {
    const S = 5;
    const l = slices({ range: 4, steps: S, examples: [3] }, svm, none, 9);
    const { W, directions } = start(9);
    const [W1, W2] = directions;
    const { curve, grid } = l.slices[0];
    expect(Array.from(grid.subarray(2 * S, 3 * S))).toEqual(Array.from(curve));
    const objective = makeObjective(kernels, firstRows(data.train, 3), data.mean, svm, none);
    for (const [i, j] of [
      [0, 4],
      [4, 0],
      [1, 3],
    ]) {
      const at = Float32Array.from(W, (w, k) => w + l.alphas[i] * W1[k] + l.alphas[j] * W2[k]);
      expect(grid[j * S + i]).toBeCloseTo(objective(at, null, new Float32Array(C * DB)).loss, 10);
    }
    expect(grid[0]).not.toBe(grid[S - 1]); // a and b are not the same direction
  });

  test('settings a caller cannot use are refused', () => {
    const ok: LandscapeSettings = { range: 1, steps: 3, examples: [1] };
    expect(() => checkLandscapeSettings(ok, 10)).not.toThrow();
    expect(() => checkLandscapeSettings({ ...ok, steps: 4 }, 10)).toThrow(/odd/);
    expect(() => checkLandscapeSettings({ ...ok, steps: 1 }, 10)).toThrow(/odd/);
    expect(() => checkLandscapeSettings({ ...ok, range: 0 }, 10)).toThrow(/range/);
    expect(() => checkLandscapeSettings({ ...ok, examples: [0] }, 10)).toThrow(/examples/);
    expect(() => checkLandscapeSettings({ ...ok, examples: [11] }, 10)).toThrow(/\[1, 10\]/);
  });
});

describe('lintrain landscape', () => {
  const tmp = tmpDir('lintrain-landscape-');
  const dataDir = path.join(tmp, 'data');
  writeLearnableDir(dataDir, 60, 100); // 300 training records
  const SMALL = ['--data', dataDir, '--num-train', '250', '--num-val', '50', '--num-test', '100', '--backend', 'js'];
  const FAST = [...SMALL, '--examples', '1,10', '--steps', '7', '--range', '5'];
  const lintrain = (args: string[]) => cli(['landscape', ...args], { cwd: tmp });
  const out = path.join(tmp, 'here');
  const run = lintrain([...FAST, '--seed', '2', '--out', out, '--log-format', 'json']);
  const json = (file: string) => JSON.parse(fs.readFileSync(path.join(out, file), 'utf8'));

  test('exits 0 with the format line and one landscape event', () => {
    expect(run.stderr).not.toMatch(/warning/);
    expect(run.code).toBe(0);
    expect(run.events.map((e) => e.event)).toEqual(['format', 'landscape']);
    expect(run.events[1]).toMatchObject({ runDir: out, loss: 'svm', reg: 0, seed: 2, range: 5, steps: 7, model: null, kernels: 'js' });
    expect(run.events[1].slices.map((s: { examples: number }) => s.examples)).toEqual([1, 10]);
  });

  test('the folder: config, landscape.json, summary and the pictures, nothing else', () => {
    const pictures = ['landscape-1d', 'landscape-2d-1', 'landscape-2d-10'].flatMap((n) => [`${n}.png`, `${n}.svg`]);
    const files = ['config.json', 'landscape.json', 'summary.json', ...pictures].sort();
    expect(json('summary.json').files).toEqual(files);
    expect(fs.readdirSync(out).sort()).toEqual(files);
    for (const n of ['landscape-1d', 'landscape-2d-10']) {
      const png = PNG.sync.read(fs.readFileSync(path.join(out, `${n}.png`)));
      const svg = /<svg[^>]*\swidth="(\d+)"[^>]*\sheight="(\d+)"/.exec(fs.readFileSync(path.join(out, `${n}.svg`), 'utf8'))!;
      expect([png.width, png.height]).toEqual([2 * Number(svg[1]), 2 * Number(svg[2])]);
    }
    expect(fs.readFileSync(path.join(out, 'landscape-1d.svg'), 'utf8')).toContain('10 examples');
  });

  test('landscape.json: the shape the board reads', () => {
    const l = json('landscape.json');
    expect(Object.keys(l)).toEqual(['format', 'version', 'loss', 'reg', 'seed', 'range', 'steps', 'alphas', 'slices']);
    expect(l).toMatchObject({ format: LANDSCAPE_FORMAT, version: 1, loss: 'svm', reg: 0, seed: 2, range: 5, steps: 7 });
    expect(l.alphas).toEqual(Array.from(landscapeAlphas(5, 7)));
    expect(l.slices.map((s: object) => Object.keys(s))).toEqual([
      ['examples', 'curve', 'grid'],
      ['examples', 'curve', 'grid'],
    ]);
    for (const s of l.slices) {
      expect(s.curve).toHaveLength(7);
      expect(s.grid).toHaveLength(49);
      expect(s.grid.slice(21, 28)).toEqual(s.curve);
    }
    expect(readLandscape(path.join(out, 'landscape.json'))).toEqual(l);
    // The event's figures are the file's.
    const e = run.events[1].slices[1];
    expect(e).toMatchObject({
      atW: l.slices[1].curve[3],
      planeMin: Math.min(...l.slices[1].grid),
      planeMax: Math.max(...l.slices[1].grid),
    });
  });

  test('summary.json and config.json: kind landscape, done; the config resolves again', () => {
    expect(json('summary.json')).toMatchObject({
      format: 'lintrain-run',
      kind: 'landscape',
      status: 'done',
      error: null,
      kernels: 'js',
      steps: 7,
    });
    const config = resolveConfig(readConfigFile(path.join(out, 'config.json')));
    expect(runConfig(config)).toEqual(run.events[1].config);
    expect(config).toMatchObject({ loss: 'svm', reg: 0, seed: 2 });
  });

  test('the same seed gives the same numbers; another seed, others', () => {
    const again = lintrain([...FAST, '--seed', '2', '--out', path.join(tmp, 'again'), '--no-plots']);
    expect(again.code).toBe(0);
    expect(fs.readFileSync(path.join(tmp, 'again', 'landscape.json'))).toEqual(fs.readFileSync(path.join(out, 'landscape.json')));
    expect(fs.readdirSync(path.join(tmp, 'again')).sort()).toEqual(['config.json', 'landscape.json', 'summary.json']);
    const other = lintrain([...FAST, '--seed', '3', '--out', path.join(tmp, 'other'), '--no-plots']);
    expect(other.code).toBe(0);
    const grid = (dir: string) => readLandscape(path.join(dir, 'landscape.json')).slices[1].grid;
    expect(grid(path.join(tmp, 'other'))).not.toEqual(grid(out));
    // The default kernels score the same points, in float32 where js sums in float64.
    const wasm = lintrain([...FAST, '--seed', '2', '--backend', 'wasm', '--out', path.join(tmp, 'wasm'), '--no-plots']);
    expect(wasm.code).toBe(0);
    const js = grid(out);
    grid(path.join(tmp, 'wasm')).forEach((v, k) => {
      expect(Math.abs(v - js[k]) / js[k]).toBeLessThan(1e-5);
    });
  });

  test('without --out: runs/<date>-<time>-landscape-<loss>/, said on stderr; pretty output is a table', () => {
    const cwd = tmpDir();
    const r = cli(['landscape', ...FAST, '--loss', 'softmax', '--no-plots'], { cwd });
    expect(r.code).toBe(0);
    const [name] = fs.readdirSync(path.join(cwd, 'runs'));
    expect(name).toMatch(/^\d{4}-\d\d-\d\d-\d{6}-landscape-softmax$/);
    expect(r.stderr).toContain(`run folder: ${path.join('runs', name)}`);
    expect(r.stdout).toMatch(/softmax loss, no regularization; W ~ N\(0,1\)·1e-4/);
    expect(r.stdout).toMatch(/^ +10 +\d+\.\d{4} +\d+\.\d{4}/m);
  });

  test('--model: around a saved W, with its mean image and its loss', () => {
    const file = path.join(tmp, 'model.json');
    const W = initialWeights({ ...DEFAULTS, initScale: 1e-3 }, new Rng(7));
    const config = resolveConfig({}, { loss: 'softmax', numTrain: 250, numVal: 50, numTest: 100 });
    saveModel(file, { W, mean: data.mean, classNames: data.classNames, config, kernels: 'js' });
    const dir = path.join(tmp, 'around-model');
    const r = lintrain([...FAST, '--model', file, '--out', dir, '--no-plots', '--log-format', 'json']);
    expect(r.code).toBe(0);
    expect(r.events[1]).toMatchObject({ model: file, loss: 'softmax' });
    expect(readLandscape(path.join(dir, 'landscape.json')).loss).toBe('softmax');
    // The middle point is the model's loss on the first 10 training images (batch 1 begins
    // with templateRecords(10, 10)), preprocessed with the model's mean image, not the files'.
    const first = { ...templateRecords(10, 10), n: 10 };
    const atW = makeObjective(kernels, first, data.mean, { name: 'softmax', delta: 1 }, none)(W, null, new Float32Array(C * DB)).loss;
    expect(r.events[1].slices[1].atW).toBeCloseTo(atW, 10);
    const svmAround = lintrain([...FAST, '--model', file, '--loss', 'svm', '--out', path.join(tmp, 'around-svm'), '--no-plots']);
    expect(svmAround.code).toBe(0);
    expect(readLandscape(path.join(tmp, 'around-svm', 'landscape.json')).loss).toBe('svm');
  });

  test('runs lists it as a landscape; show prints its table and curves', () => {
    const t = cli(['runs', tmp], { cwd: tmp });
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/ here\s+landscape\s+svm\s+–\s+–\s+0\s+–\s+–\s+done$/m);
    const j = cli(['runs', tmp, '--log-format', 'json'], { cwd: tmp }).events.find((e) => e.dir === out)!;
    expect(j).toMatchObject({ kind: 'landscape', opt: null, lr: null, valAcc: null, status: 'done' });
    const s = cli(['show', out], { cwd: tmp });
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/done, landscape/);
    expect(s.stdout).toMatch(/examples +L\(W\) +lowest on the line/);
    expect(s.stdout).toContain('loss along W1, 10 examples (a from −5 to 5)');
    expect(s.stdout).toContain('files: config.json, landscape-1d.png');
    const sj = cli(['show', out, '--log-format', 'json'], { cwd: tmp }).events.at(-1)!;
    expect(sj).toMatchObject({ event: 'show', kind: 'landscape', status: 'done', steps: 7 });
  });

  test.each([
    [['--steps', '1'], /--steps takes an odd whole number >= 3 .*got '1'/],
    [['--steps', '40'], /--steps takes an odd whole number >= 3 .*got '40'/],
    [['--examples', '0'], /--examples takes counts of training images, whole numbers >= 1 .*got '0'/],
    [['--examples', '1,x'], /--examples takes counts .*got '1,x'/],
    [['--examples', '5,5'], /--examples lists each count once/],
    [['--examples', '251'], /--examples 251 is more than the 250 training images \(--num-train 250\)/],
    [['--range', '0'], /--range takes a number > 0, got '0'/],
    [['--init-scale', '0'], /--init-scale 0 makes W zero/],
    [['--reg', '-1'], /The 'reg' parameter \(--reg\)/],
  ])('bad input %j: one line, exit 2, no folder', (args, message) => {
    const cwd = tmpDir();
    const r = cli(['landscape', ...SMALL, ...args], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(message)]);
    expect(fs.existsSync(path.join(cwd, 'runs'))).toBe(false);
  });

  test('bad input in json mode ends with the error event', () => {
    const r = lintrain([...SMALL, '--examples', '0', '--log-format', 'json']);
    expect(r.code).toBe(2);
    expect(r.events.map((e) => [e.event, e.command ?? e.exitCode])).toEqual([
      ['format', 'landscape'],
      ['error', 2],
    ]);
  });
});
