/**
 * The data losses: hand-derived cases, the vectorized half (through the js reference
 * kernels) against the naive loop twin, the lecture's sanity values, and the kernel
 * entry points (lossMany, predict, float32 W). Then the one-vs-all hinge (not a training
 * loss yet) and every loss at 3 classes, as the board's toy calls them, through scores.
 */
import { C, D, DB } from '../src/core/shapes.js';
import { Rng } from '../src/core/rng.js';
import { UsageError } from '../src/core/errors.js';
import {
  LOSS_NAMES,
  SCORES_LOSSES,
  naiveLoss,
  ovaLoss,
  ova2Loss,
  ovaLossNaive,
  scoresLoss,
  svm2Loss,
  svmLoss,
  softmaxLoss,
} from '../src/model/losses/index.js';
import type { LossName, LossSpec, NaiveLoss, ScoresLoss } from '../src/model/losses/index.js';
import { createJsKernels } from '../src/kernels/js.js';
import { cifarLikeSplit, explicitFeatures, meanImage, pickedLabels, randomData, randomW, relToMax } from './helpers/random-data.js';
import { smallProblem, throughScores } from './helpers/scores.js';

const kernels = createJsKernels();
const spec = (name: LossName, delta = 1): LossSpec => ({ name, delta });

/**
 * Two rows, C = 10 scores each, zero unless listed.
 * Row 0, label 0: s0 = 2, s1 = 1.5, s2 = 3. Margins (Δ = 1): j=1: 0.5, j=2: 2, others −1 (inactive).
 * Row 1, label 3: all scores 0, so all nine margins are 1.
 */
function handScores(): { scores: Float64Array; labels: Uint8Array } {
  const scores = new Float64Array(2 * C);
  scores[0] = 2;
  scores[1] = 1.5;
  scores[2] = 3;
  return { scores, labels: Uint8Array.of(0, 3) };
}

describe('hand-derived two-row case', () => {
  test('svm: L = (0.5 + 2 + 9)/2, dscores per row averaged over 2', () => {
    const { scores, labels } = handScores();
    const ds = new Float64Array(2 * C);
    expect(svmLoss(scores, labels, 2, 1, ds)).toBeCloseTo(5.75, 14);
    const want = new Float64Array(2 * C);
    want.set(
      [-2, 1, 1].map((v) => v / 2),
      0,
    ); // row 0: two active margins pull the label down twice
    for (let j = 0; j < C; j++) want[C + j] = j === 3 ? -9 / 2 : 1 / 2;
    expect(Array.from(ds)).toEqual(Array.from(want));
  });

  test('svm2: L = (0.25 + 4 + 9)/2, dscores = 2·margin/n', () => {
    const { scores, labels } = handScores();
    const ds = new Float64Array(2 * C);
    expect(svm2Loss(scores, labels, 2, 1, ds)).toBeCloseTo(6.625, 14);
    const want = new Float64Array(2 * C);
    want.set([-(1 + 4) / 2, 1 / 2, 4 / 2], 0);
    for (let j = 0; j < C; j++) want[C + j] = j === 3 ? -18 / 2 : 2 / 2;
    expect(Array.from(ds)).toEqual(Array.from(want));
  });

  test('a margin Δ of 0.5 and a margin exactly 0 (inactive)', () => {
    const { scores, labels } = handScores();
    // Δ = 0.5: row 0 margins 0 (j=1, exactly on the hinge: inactive), 1.5 (j=2); row 1: nine times 0.5.
    const ds = new Float64Array(2 * C);
    expect(svmLoss(scores, labels, 2, 0.5, ds)).toBeCloseTo((1.5 + 4.5) / 2, 14);
    expect(Array.from(ds.subarray(0, 3))).toEqual([-1 / 2, 0, 1 / 2]);
  });

  test('softmax: row 1 is uniform (ln 10), row 0 by the formula', () => {
    const { scores, labels } = handScores();
    const ds = new Float64Array(2 * C);
    const z = Math.exp(2) + Math.exp(1.5) + Math.exp(3) + 7;
    expect(softmaxLoss(scores, labels, 2, 1, ds)).toBeCloseTo((Math.log(z) - 2 + Math.log(10)) / 2, 13);
    expect(ds[0]).toBeCloseTo((Math.exp(2) / z - 1) / 2, 15);
    expect(ds[2]).toBeCloseTo(Math.exp(3) / z / 2, 15);
    expect(ds[9]).toBeCloseTo(1 / z / 2, 15);
    expect(ds[C + 3]).toBeCloseTo((0.1 - 1) / 2, 15);
    expect(ds[C + 7]).toBeCloseTo(0.1 / 2, 15);
  });

  test('softmax is stable for huge scores (shifted by the row max)', () => {
    const { scores, labels } = handScores();
    for (let k = 0; k < scores.length; k++) scores[k] += 1000;
    const z = Math.exp(2) + Math.exp(1.5) + Math.exp(3) + 7;
    expect(softmaxLoss(scores, labels, 2, 1, null)).toBeCloseTo((Math.log(z) - 2 + Math.log(10)) / 2, 10);
  });

  test('through the kernel: one lit pixel, zero mean, scores_c = W[c,0]·2 + b_c', () => {
    // Both rows hold only pixel 0 = 2, so x̃ = [2, 0, …, 0, 1] and s = [2, 1.5, 3, 0, …] for both.
    const pixels = new Uint8Array(2 * D);
    pixels[0] = 2;
    pixels[D] = 2;
    const split = { pixels, labels: Uint8Array.of(0, 3), n: 2 };
    const W = new Float64Array(C * DB);
    W[0 * DB] = 0.5;
    W[0 * DB + D] = 1; // s0 = 0.5·2 + 1
    W[1 * DB] = 0.75; // s1 = 1.5
    W[2 * DB] = 1.5; // s2 = 3
    const dW = new Float64Array(C * DB);
    const loss = kernels.lossAndGrad(split, null, new Float32Array(D), W, spec('svm'), dW);
    // Row 0 (label 0): 0.5 + 2. Row 1 (label 3, s3 = 0): 3 + 2.5 + 4 + six margins of 1.
    expect(loss).toBeCloseTo((2.5 + 15.5) / 2, 13);
    // dS row 0 = [−2, 1, 1, 0, …]/2, row 1 = [1, 1, 1, −9, 1, …]/2; dW[:,0] = 2·ΣdS, dW[:,D] = ΣdS.
    const sum = [-0.5, 1, 1, -4.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
    for (let c = 0; c < C; c++) {
      expect(dW[c * DB]).toBeCloseTo(2 * sum[c], 14);
      expect(dW[c * DB + D]).toBeCloseTo(sum[c], 14);
      expect(dW[c * DB + 1]).toBe(0);
    }
  });
});

describe('vectorized (js kernel, float64 W) equals the naive twin', () => {
  const { split, mean, rng } = randomData(150, 11); // 150 rows: one full block of 128 and a partial one
  const W = randomW(rng, 1e-3);
  const rows = Int32Array.from({ length: 37 }, () => rng.int(150));
  rows[5] = rows[6]; // a repeat, as sampling with replacement gives

  for (const name of LOSS_NAMES) {
    for (const [label, pick] of [
      ['all rows', null],
      ['a minibatch with repeats', rows],
    ] as const) {
      test(`${name}, ${label}, Δ = ${name === 'softmax' ? '-' : 1.5}`, () => {
        const s = spec(name, 1.5);
        const dW = new Float64Array(C * DB);
        const loss = kernels.lossAndGrad(split, pick, mean, W, s, dW);
        const n = pick ? pick.length : split.n;
        const ref = naiveLoss(s)(W, explicitFeatures(split, mean, pick), pickedLabels(split, pick), n);
        expect(Math.abs(loss - ref.loss) / ref.loss).toBeLessThan(1e-10);
        expect(relToMax(dW, ref.dW)).toBeLessThan(1e-10);
        expect(loss).toBeGreaterThan(0);
      });
    }
  }
});

describe("the lecture's sanity checks", () => {
  const rng = new Rng(3);
  const split = cifarLikeSplit(500, rng);
  const mean = meanImage(split);
  const dW = new Float64Array(C * DB);

  test('tiny W (s ≈ 0): softmax ≈ ln 10, svm ≈ C − 1 = 9', () => {
    const W = randomW(rng, 1e-6);
    expect(Math.abs(kernels.lossAndGrad(split, null, mean, W, spec('softmax'), dW) - Math.log(10))).toBeLessThan(1e-3);
    expect(Math.abs(kernels.lossAndGrad(split, null, mean, W, spec('svm'), dW) - 9)).toBeLessThan(1e-2);
    expect(Math.abs(kernels.lossAndGrad(split, null, mean, W, spec('svm2'), dW) - 9)).toBeLessThan(2e-2);
  });

  test("the lecture's init W ~ N(0,1)·1e-4: svm ≈ 9, softmax ≈ ln 10 + its curvature term", () => {
    const W = randomW(rng, 1e-4);
    expect(Math.abs(kernels.lossAndGrad(split, null, mean, W, spec('svm'), dW) - 9)).toBeLessThan(0.05);
    // Scores are then ~N(0, σ²) with σ = 1e-4·‖x̃‖ ≈ 0.35 on CIFAR-scale pixels, and
    // E[L] ≈ ln C + (1 − 1/C)·σ²/2 (second order in s), about ln 10 + 0.05 — the assignment's ~2.35.
    const X = explicitFeatures(split, mean);
    let sq = 0;
    for (let k = 0; k < X.length; k++) sq += X[k] * X[k];
    const sigma2 = (1e-8 * sq) / split.n;
    const expected = Math.log(10) + ((1 - 1 / C) * sigma2) / 2;
    const got = kernels.lossAndGrad(split, null, mean, W, spec('softmax'), dW);
    expect(Math.abs(got - expected)).toBeLessThan(0.01);
    expect(Math.abs(got - Math.log(10))).toBeLessThan(0.1);
  });
});

describe('kernel entry points', () => {
  const { split, mean, rng } = randomData(140, 5);
  const rows = Int32Array.from({ length: 50 }, () => rng.int(140));

  test.each(LOSS_NAMES)('lossMany(%s) equals K separate lossAndGrad calls, correct counts too', (name) => {
    const K = 3;
    const Ws = randomW(rng, 1e-3, K);
    const out = new Float64Array(K);
    const right = new Int32Array(K).fill(-1);
    const one = new Int32Array(1);
    const dW = new Float64Array(C * DB);
    for (const pick of [null, rows]) {
      kernels.lossMany(split, pick, mean, Ws, K, spec(name), out, right);
      for (let k = 0; k < K; k++) {
        const single = kernels.lossAndGrad(split, pick, mean, Ws.subarray(k * C * DB, (k + 1) * C * DB), spec(name), dW, one);
        expect(out[k]).toBeCloseTo(single, 12);
        expect(right[k]).toBe(one[0]);
      }
      expect(out[0]).not.toBeCloseTo(out[1], 6); // the candidates really differ
    }
    expect(() => kernels.lossMany(split, null, mean, Ws, 0, spec(name), out)).toThrow(/K must be/);
  });

  test('lossAndGrad counts the rows its scores classify right', () => {
    const W = randomW(rng, 1e-3);
    const predicted = new Uint8Array(rows.length);
    kernels.predict(split, rows, mean, W, predicted);
    const want = predicted.reduce((m, p, i) => m + (p === split.labels[rows[i]] ? 1 : 0), 0);
    // Make about half the picked rows right, so a miscount shows.
    const labels = split.labels.slice();
    for (let i = 0; i < rows.length; i += 2) labels[rows[i]] = predicted[i];
    const rigged = { ...split, labels };
    let wantRigged = 0;
    for (let i = 0; i < rows.length; i++) if (predicted[i] === labels[rows[i]]) wantRigged++;
    const correct = new Int32Array(1);
    kernels.lossAndGrad(split, rows, mean, W, spec('svm'), new Float64Array(C * DB), correct);
    expect(correct[0]).toBe(want);
    kernels.lossAndGrad(rigged, rows, mean, W, spec('softmax'), new Float64Array(C * DB), correct);
    expect(correct[0]).toBe(wantRigged);
    expect(wantRigged).toBeGreaterThan(rows.length / 2 - 1);
  });

  test('predict equals the argmax of explicitly computed scores (first on ties)', () => {
    const W = randomW(rng, 1e-3);
    const X = explicitFeatures(split, mean, rows);
    const out = new Uint8Array(rows.length);
    kernels.predict(split, rows, mean, W, out);
    const seen = new Set<number>();
    for (let i = 0; i < rows.length; i++) {
      let best = 0;
      let bestS = -Infinity;
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let d = 0; d < DB; d++) s += W[c * DB + d] * X[i * DB + d];
        if (s > bestS) [best, bestS] = [c, s];
      }
      expect(out[i]).toBe(best);
      seen.add(best);
    }
    expect(seen.size).toBeGreaterThan(2);
    // Ties: only biases, b3 = b7 = 1, so classes 3 and 7 tie on every row and 3 (the first) wins.
    const tie = new Float64Array(C * DB);
    tie[3 * DB + D] = 1;
    tie[7 * DB + D] = 1;
    const all = new Uint8Array(split.n);
    kernels.predict(split, null, mean, tie, all);
    expect(all.every((p) => p === 3)).toBe(true);
  });

  test.each(LOSS_NAMES)('float32 W gives the float64 loss and gradient (%s)', (name) => {
    const W32 = Float32Array.from(randomW(rng, 1e-3));
    const W64 = Float64Array.from(W32);
    const dW32 = new Float32Array(C * DB);
    const dW64 = new Float64Array(C * DB);
    const l32 = kernels.lossAndGrad(split, rows, mean, W32, spec(name), dW32);
    const l64 = kernels.lossAndGrad(split, rows, mean, W64, spec(name), dW64);
    expect(Math.abs(l32 - l64) / l64).toBeLessThan(1e-5);
    expect(relToMax(dW32, dW64)).toBeLessThan(1e-5);
  });

  test('bad shapes and rows are refused, naming the value', () => {
    const dW = new Float64Array(C * DB);
    expect(() => kernels.lossAndGrad(split, Int32Array.of(0, 140), mean, dW, spec('svm'), dW)).toThrow(/row index 140/);
    expect(() => kernels.lossAndGrad(split, null, mean, new Float64Array(5), spec('svm'), dW)).toThrow(/W has 5 values/);
    expect(() => kernels.lossAndGrad(split, new Int32Array(0), mean, dW, spec('svm'), dW)).toThrow(/no rows/);
  });
});

describe('losses by name', () => {
  test('every name has a vectorized half and a naive twin', () => {
    for (const name of LOSS_NAMES) {
      expect(scoresLoss(name)).toBe(SCORES_LOSSES[name]);
      expect(typeof naiveLoss(spec(name))).toBe('function');
    }
  });
  test('an unknown name is a usage error listing the choices', () => {
    expect(() => scoresLoss('hinge' as LossName)).toThrow(UsageError);
    expect(() => scoresLoss('hinge' as LossName)).toThrow('Unknown loss "hinge": expected one of svm, svm2, softmax, ova2');
  });
});

describe('one-vs-all hinge (ova), on scores', () => {
  test('hand-derived: L = (13.5 + 10)/2, dscores = −y_ij/n on active margins', () => {
    // Row 0, label 0: s0 = 2 clears +1 (inactive); s1 = 1.5 and s2 = 3 give 2.5 and 4; seven zeros give 1 each.
    // Row 1, label 3: all scores 0, so all ten margins are 1.
    const { scores, labels } = handScores();
    const ds = new Float64Array(2 * C);
    expect(ovaLoss(scores, labels, 2, 1, ds)).toBeCloseTo(23.5 / 2, 14);
    const want = new Float64Array(2 * C).fill(1 / 2);
    want[0] = 0;
    want[C + 3] = -1 / 2; // the label's score is pushed up
    expect(Array.from(ds)).toEqual(Array.from(want));
  });

  test('Δ: a score exactly on its margin is inactive', () => {
    const scores = Float64Array.of(0.5, -0.5, 0.25);
    const ds = new Float64Array(3);
    // Δ = 0.5, label 0: 0.5 − 0.5 = 0 (inactive), 0.5 − 0.5 = 0 (inactive), 0.5 + 0.25 = 0.75.
    expect(ovaLoss(scores, Uint8Array.of(0), 1, 0.5, ds, 3)).toBe(0.75);
    expect(Array.from(ds)).toEqual([0, 0, 1]);
  });

  test('the vectorized half equals the naive twin at C = 10 classes (classes omitted)', () => {
    const rng = new Rng(21);
    const width = 7;
    const { W, X, y } = smallProblem(rng, 40, C, width, 0.7);
    const naive = ovaLossNaive(W, X, y, 40, 1.5, false, C, width);
    const ds = new Float64Array(40 * C);
    const viaScores = throughScores(ovaLoss, W, X, y, 40, 1.5, C, width);
    expect(Math.abs(viaScores.loss - naive.loss) / naive.loss).toBeLessThan(1e-12);
    expect(relToMax(viaScores.dW, naive.dW)).toBeLessThan(1e-12);
    expect(ovaLoss(viaScores.scores, y, 40, 1.5, ds)).toBe(viaScores.loss); // the default is C
  });
});

describe("one-vs-all squared hinge (ova2, Coates et al.'s L2-SVM), on scores", () => {
  test('hand-derived: L = (2.5² + 4² + 7 + 10)/2, dscores = −2m·y_ij/n on active margins', () => {
    // handScores: row 0, label 0: s0 = 2 clears +1; s1 = 1.5 and s2 = 3 give margins 2.5 and 4;
    // seven zeros give 1 each. Row 1, label 3: all scores 0, so all ten margins are 1.
    const { scores, labels } = handScores();
    const ds = new Float64Array(2 * C);
    expect(ova2Loss(scores, labels, 2, 1, ds)).toBeCloseTo((6.25 + 16 + 7 + 10) / 2, 14);
    const want = new Float64Array(2 * C).fill(1); // 2·1·(+1)/2 for a wrong class at margin 1
    want[0] = 0;
    want[1] = 2.5;
    want[2] = 4;
    want[C + 3] = -1; // the label's score is pushed up: −2·1·(+1)/2
    expect(Array.from(ds)).toEqual(Array.from(want));
  });

  test('unlike the Weston–Watkins svm2, the other classes matter only through their own sign', () => {
    // label 0 beats every class by far (svm2 is 0), yet its own score is below +1 and the others above −1
    const scores = Float64Array.of(0.5, -0.5, -0.75);
    expect(svm2Loss(scores, Uint8Array.of(0), 1, 1, null, 3)).toBe(0);
    expect(ova2Loss(scores, Uint8Array.of(0), 1, 1, null, 3)).toBe(0.25 + 0.25 + 0.0625);
  });

  test('the vectorized half equals the naive twin, and the squared flag is what differs from ova', () => {
    const { W, X, y } = smallProblem(new Rng(22), 40, C, 7, 0.7);
    const naive = ovaLossNaive(W, X, y, 40, 1.5, true, C, 7);
    const viaScores = throughScores(ova2Loss, W, X, y, 40, 1.5, C, 7);
    expect(Math.abs(viaScores.loss - naive.loss) / naive.loss).toBeLessThan(1e-12);
    expect(relToMax(viaScores.dW, naive.dW)).toBeLessThan(1e-12);
    expect(naive.loss).not.toBeCloseTo(ovaLossNaive(W, X, y, 40, 1.5, false, C, 7).loss, 3);
  });
});

describe("3 classes, as the board's toy calls them: the vectorized half equals the naive twin", () => {
  const K = 3;
  const width = 3; // [x1, x2, 1]
  const losses: [string, ScoresLoss, NaiveLoss][] = [
    ...LOSS_NAMES.map((name): [string, ScoresLoss, NaiveLoss] => [name, SCORES_LOSSES[name], naiveLoss(spec(name, 1.5))]),
    ['ova', ovaLoss, (W, X, y, n, classes, w) => ovaLossNaive(W, X, y, n, 1.5, false, classes, w)],
  ];

  test.each(losses)('%s', (_name, vectorized, naive) => {
    const { W, X, y } = smallProblem(new Rng(8), 25, K, width);
    const ref = naive(W, X, y, 25, K, width);
    const got = throughScores(vectorized, W, X, y, 25, 1.5, K, width);
    expect(ref.dW.length).toBe(K * width);
    expect(Math.abs(got.loss - ref.loss) / ref.loss).toBeLessThan(1e-12);
    expect(relToMax(got.dW, ref.dW)).toBeLessThan(1e-12);
    expect(got.loss).toBeGreaterThan(0);
  });

  test('at W = 0 (all scores 0): svm = (K − 1)·Δ, ova = K·Δ, softmax = ln K', () => {
    const scores = new Float64Array(4 * K);
    const labels = Uint8Array.of(0, 1, 2, 1);
    expect(svmLoss(scores, labels, 4, 1, null, K)).toBe(2);
    expect(svm2Loss(scores, labels, 4, 1, null, K)).toBe(2);
    expect(ovaLoss(scores, labels, 4, 1, null, K)).toBe(3);
    expect(softmaxLoss(scores, labels, 4, 1, null, K)).toBeCloseTo(Math.log(3), 15);
  });
});
