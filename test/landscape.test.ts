/**
 * The loss landscape (CS231n optimization notes, "Visualizing the loss function"): the
 * slices on the js reference kernels — the SVM's one-example curve piecewise linear and
 * convex, the middle point the objective at W, the grid's rows and columns where they
 * should be.
 */
import { DEFAULTS } from '../src/config/schema.js';
import { Rng } from '../src/core/rng.js';
import { C, DB } from '../src/core/shapes.js';
import { createJsKernels } from '../src/kernels/js.js';
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
import { learnableDataset } from './helpers/learnable.js';

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
