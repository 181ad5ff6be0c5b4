/**
 * Gradient checks: every loss × regularizer against centered differences in float64,
 * the verdict thresholds, a deliberately wrong gradient, and the synthetic data; then the
 * losses on scores at other shapes: ova at C classes, and every loss at 3 (the board's toy).
 */
import { C, D, DB } from '../src/core/shapes.js';
import type { Split } from '../src/core/shapes.js';
import { Rng } from '../src/core/rng.js';
import { LOSS_NAMES, SCORES_LOSSES, ovaLoss } from '../src/model/losses/index.js';
import type { LossName, ScoresLoss } from '../src/model/losses/index.js';
import { REG_TYPES } from '../src/model/regularizers.js';
import type { RegSpec, RegType } from '../src/model/regularizers.js';
import { createJsKernels } from '../src/kernels/js.js';
import { makeObjective } from '../src/model/objective.js';
import { GRADCHECK_THRESHOLDS, gradCheck, relativeError, syntheticSplit, verdict } from '../src/model/gradcheck.js';
import { explicitFeatures, randomData, randomW } from './helpers/random-data.js';
import { kinkDistance, smallProblem, throughScores } from './helpers/scores.js';

const kernels = createJsKernels();

/** An Rng stand-in whose int() walks a script of indices, to aim checks at chosen entries. */
function scripted(indices: number[]): Rng {
  let k = 0;
  return { int: () => indices[k++ % indices.length] } as unknown as Rng;
}

/** Smallest |s_j − s_y + Δ| over a split's rows: how close the data sits to a hinge kink. */
function nearestKink(split: Split, mean: Float32Array, W: Float64Array, delta: number): number {
  const X = explicitFeatures(split, mean);
  let nearest = Infinity;
  for (let i = 0; i < split.n; i++) {
    const s = new Float64Array(C);
    for (let c = 0; c < C; c++) for (let d = 0; d < DB; d++) s[c] += W[c * DB + d] * X[i * DB + d];
    const y = split.labels[i];
    for (let j = 0; j < C; j++) if (j !== y) nearest = Math.min(nearest, Math.abs(s[j] - s[y] + delta));
  }
  return nearest;
}

/**
 * A tiny data set and a W away from every kink: hinge margins farther than 0.01 from 0
 * (a step h moves a score by at most h·|x| ≈ 2e-4) and |W| ≥ 1e-4 ≫ h for l1.
 * Pixels lie in a narrow band (112..143, so |p − μ| ≲ 16) because the centered difference's
 * own error grows like (h·x)²: on full-range pixels (|x| up to 128) softmax entries with a
 * small gradient reach 1e-6..1e-5 from truncation alone (measured), here ≲ 2e-7.
 * Seeds are tried in order until one qualifies, so the setup is deterministic.
 */
function setup(): { split: Split; mean: Float32Array; W: Float64Array } {
  for (let seed = 1; ; seed++) {
    // As in the assignment: a dev batch of 6 training rows, the mean image of all 40 training rows.
    // (Centering on the 6 rows' own mean would make some hinge gradients cancel to ~1e-7, where
    // the relative error measures rounding, not correctness.)
    const { split: train, mean, rng } = randomData(40, seed, 112, 143);
    const split: Split = { pixels: train.pixels.subarray(0, 6 * D), labels: train.labels.subarray(0, 6), n: 6 };
    const W = randomW(rng, 3e-3);
    for (let k = 0; k < W.length; k++) W[k] += Math.sign(W[k]) * 1e-4;
    if (nearestKink(split, mean, W, 1) > 0.01) return { split, mean, W };
  }
}

const { split, mean, W } = setup();

/**
 * Strengths that make each penalty's gradient (0.1–0.6) visible beside the data gradient while
 * keeping the objective small (≲ 40): the check's rounding error is ~ulp(f)/2h, and a bias entry's
 * gradient can be ~1e-3, so a penalty of 1e4 would swamp it (seen: 5e-5 relative error).
 * For this W, ΣW² ≈ 0.3 and Σ|W| ≈ 76. Elastic's small ρ keeps both of its terms visible.
 */
const STRENGTHS: Record<RegType, { strength: number; l1Ratio: number }> = {
  l2: { strength: 100, l1Ratio: 0 },
  l1: { strength: 0.1, l1Ratio: 0 },
  elastic: { strength: 100, l1Ratio: 0.001 },
  none: { strength: 0, l1Ratio: 0 },
};
const biasIndices = Array.from({ length: C }, (_, c) => c * DB + D);

describe.each(LOSS_NAMES)('%s passes the gradient check (float64, rel. error < 1e-6)', (name: LossName) => {
  const cases = REG_TYPES.flatMap((type) => [false, true].map((includeBias) => [type, includeBias] as const));
  test.each(cases)('reg %s, includeBias %s', (type: RegType, includeBias: boolean) => {
    const reg: RegSpec = { type, ...STRENGTHS[type], includeBias };
    const objective = makeObjective(kernels, split, mean, { name, delta: 1 }, reg);
    const scratch = new Float64Array(C * DB);
    const f = (w: Float64Array): number => objective(w, null, scratch).loss;
    const analytic = new Float64Array(C * DB);
    objective(W, null, analytic);
    const before = W.slice();
    const results = [
      ...gradCheck(f, W, analytic, 15, new Rng(42)),
      ...gradCheck(f, W, analytic, C, scripted(biasIndices)), // the bias column, where includeBias matters
    ];
    expect(W.every((v, k) => v === before[k])).toBe(true); // perturbations are undone exactly
    for (const r of results) expect(r.relError).toBeLessThan(1e-6);
    // Hinge rows with no active margin have an exactly 0 gradient (numeric 0 too); most must not.
    expect(results.filter((r) => r.analytic !== 0).length).toBeGreaterThan(results.length / 2);
    expect(results.slice(15).map((r) => r.col)).toEqual(new Array(C).fill(D));
  });
});

test('a deliberately wrong gradient (L2 without its factor 2) is flagged wrong', () => {
  const reg: RegSpec = { type: 'l2', strength: 1e5, l1Ratio: 0, includeBias: false };
  const objective = makeObjective(kernels, split, mean, { name: 'softmax', delta: 1 }, reg);
  const scratch = new Float64Array(C * DB);
  const analytic = new Float64Array(C * DB);
  objective(W, null, analytic);
  for (let c = 0; c < C; c++) for (let d = 0; d < D; d++) analytic[c * DB + d] -= reg.strength * W[c * DB + d];
  const results = gradCheck((w) => objective(w, null, scratch).loss, W, analytic, 10, new Rng(7));
  for (const r of results) expect(verdict(r.relError)).toBe('wrong');
});

test('result fields: index, row, col, and the relative error formula', () => {
  const f = (w: Float64Array): number => 3 * w[DB + 5] * w[DB + 5]; // ∂f/∂w = 6w at (row 1, col 5)
  const w = new Float64Array(C * DB);
  w[DB + 5] = 2;
  const analytic = new Float64Array(C * DB);
  analytic[DB + 5] = 12.5;
  const [r] = gradCheck(f, w, analytic, 1, scripted([DB + 5]));
  expect(r).toMatchObject({ index: DB + 5, row: 1, col: 5, analytic: 12.5 });
  expect(r.numeric).toBeCloseTo(12, 8);
  expect(r.relError).toBeCloseTo(0.5 / 12.5, 8);
  expect(relativeError(0, 0)).toBe(0);
  expect(relativeError(-2, 2)).toBe(2);
});

test('verdicts follow the CS231n thresholds', () => {
  expect(GRADCHECK_THRESHOLDS.good).toBe(1e-7);
  expect(GRADCHECK_THRESHOLDS.wrong).toBe(1e-2);
  expect([0, 1e-9, 1e-7, 2e-7, 1e-4, 5e-3, 1e-2, 0.02, 1, NaN].map(verdict)).toEqual([
    'good',
    'good',
    'good',
    'ok',
    'ok',
    'suspect',
    'suspect',
    'wrong',
    'wrong',
    'wrong',
  ]);
});

describe('syntheticSplit', () => {
  const a = syntheticSplit(40, new Rng(9));

  test('shapes, labels, mean image of its own rows, reproducible by seed', () => {
    expect(a.split.n).toBe(40);
    expect(a.split.pixels.length).toBe(40 * D);
    expect(a.mean.length).toBe(D);
    expect(a.split.labels.every((y) => y < C)).toBe(true);
    expect(new Set(a.split.labels).size).toBeGreaterThan(3);
    for (const d of [0, 1000, D - 1]) {
      let s = 0;
      for (let i = 0; i < 40; i++) s += a.split.pixels[i * D + d];
      expect(a.mean[d]).toBeCloseTo(s / 40, 4);
    }
    const b = syntheticSplit(40, new Rng(9));
    expect(Buffer.compare(b.split.pixels, a.split.pixels)).toBe(0);
    expect(Buffer.compare(b.split.labels, a.split.labels)).toBe(0);
  });

  test('the gradient check passes on it (softmax + l2, smooth everywhere)', () => {
    const objective = makeObjective(
      kernels,
      a.split,
      a.mean,
      { name: 'softmax', delta: 1 },
      { type: 'l2', strength: 10, l1Ratio: 0, includeBias: false },
    );
    const Wc = randomW(new Rng(1), 1e-3);
    const analytic = new Float64Array(C * DB);
    objective(Wc, null, analytic);
    const scratch = new Float64Array(C * DB);
    for (const r of gradCheck((w) => objective(w, null, scratch).loss, Wc, analytic, 10, new Rng(2))) {
      expect(verdict(r.relError)).toBe('good');
    }
  });
});

describe('losses on scores pass the gradient check at every entry of W (float64, rel. error < 1e-6)', () => {
  /** A problem whose hinges all sit at least 0.05 from their kinks (seeds tried in order: deterministic). */
  function awayFromKinks(classes: number, width: number): { W: Float64Array; X: Float64Array; y: Uint8Array } {
    for (let seed = 1; ; seed++) {
      const p = smallProblem(new Rng(seed), 8, classes, width);
      const { scores } = throughScores(ovaLoss, p.W, p.X, p.y, 8, 1, classes, width);
      if (kinkDistance(scores, p.y, 8, 1, classes) > 0.05) return p;
    }
  }

  const toyLosses: { name: string; loss: ScoresLoss }[] = [
    ...LOSS_NAMES.map((name) => ({ name, loss: SCORES_LOSSES[name] })),
    { name: 'ova', loss: ovaLoss },
  ];
  const cases = [{ name: 'ova', loss: ovaLoss, classes: C, width: 4 }, ...toyLosses.map((l) => ({ ...l, classes: 3, width: 3 }))];

  test.each(cases)('$name, $classes classes × $width features', ({ loss, classes, width }) => {
    const { W, X, y } = awayFromKinks(classes, width);
    const f = (w: Float64Array): number => throughScores(loss, w, X, y, 8, 1, classes, width).loss;
    const { dW } = throughScores(loss, W, X, y, 8, 1, classes, width);
    const every = scripted(Array.from({ length: W.length }, (_, k) => k));
    const results = gradCheck(f, W, dW, W.length, every);
    for (const r of results) expect(r.relError).toBeLessThan(1e-6);
    expect(results.filter((r) => r.analytic !== 0).length).toBeGreaterThan(results.length / 2);
  });
});
