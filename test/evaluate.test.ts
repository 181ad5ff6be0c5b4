/**
 * Accuracy and the confusion matrix against a naive twin: scores from explicit
 * features [p − μ, 1], argmax (first on ties), counted in a plain loop.
 */
import { accuracy, accuracyOf, confusionMatrix, confusionRows } from '../src/model/evaluate.js';
import { createJsKernels } from '../src/kernels/js.js';
import { C, D, DB } from '../src/core/shapes.js';
import { explicitFeatures, randomData, randomW } from './helpers/random-data.js';

const { split, mean, rng } = randomData(157, 11);
const W = randomW(rng, 1e-3);
const kernels = createJsKernels();

function naiveConfusion(): number[][] {
  const X = explicitFeatures(split, mean);
  const cm = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  for (let i = 0; i < split.n; i++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let d = 0; d < DB; d++) s += W[c * DB + d] * X[i * DB + d];
      if (s > bestScore) {
        bestScore = s;
        best = c;
      }
    }
    cm[split.labels[i]][best]++;
  }
  return cm;
}

test('confusionMatrix equals a naive count, rows = true class', () => {
  const cm = confusionMatrix(kernels, split, mean, W);
  expect(cm).toHaveLength(C * C);
  expect(confusionRows(cm)).toEqual(naiveConfusion());
});

test('row sums are the number of rows of each class; the total is n', () => {
  const rows = confusionRows(confusionMatrix(kernels, split, mean, W));
  const counts = new Array<number>(C).fill(0);
  for (let i = 0; i < split.n; i++) counts[split.labels[i]]++;
  expect(rows.map((r) => r.reduce((a, b) => a + b, 0))).toEqual(counts);
  expect(counts.reduce((a, b) => a + b, 0)).toBe(split.n);
});

test('accuracy is read off the diagonal', () => {
  const cm = naiveConfusion();
  const acc = accuracy(kernels, split, mean, W);
  const right = cm.reduce((a, row, t) => a + row[t], 0);
  expect(acc.acc).toBeCloseTo(right / split.n, 12);
  for (const [t, row] of cm.entries()) expect(acc.perClass[t]).toBeCloseTo(row[t] / row.reduce((a, b) => a + b, 0), 12);
});

test('a hand-made matrix: per-class accuracy, NaN for a class without rows', () => {
  const cm = new Int32Array(C * C);
  cm[0] = 3; // class 0: 3 right, 1 wrong
  cm[1] = 1;
  cm[1 * C + 1] = 2; // class 1: 2 right
  const a = accuracyOf(cm);
  expect(a.acc).toBeCloseTo(5 / 6, 12);
  expect(a.perClass[0]).toBeCloseTo(0.75, 12);
  expect(a.perClass[1]).toBe(1);
  expect(a.perClass[2]).toBeNaN();
  expect(accuracyOf(new Int32Array(C * C)).acc).toBeNaN();
});

test('an empty split gives an all-zero matrix', () => {
  const empty = { pixels: new Uint8Array(0), labels: new Uint8Array(0), n: 0 };
  expect(Array.from(confusionMatrix(kernels, empty, new Float32Array(D), W)).every((v) => v === 0)).toBe(true);
});
