import type { Kernels } from '../kernels/types.js';
import { C, type FloatArray, type Split } from '../core/shapes.js';

export interface Accuracy {
  acc: number; // fraction of rows classified right
  perClass: Float64Array; // C: accuracy on the rows of each true class (NaN when a class has no rows)
}

/**
 * Confusion matrix of W on a whole split: C×C row-major counts, cm[t·C + p] = rows of
 * true class t predicted as p. Row t sums to the number of rows of class t; the
 * diagonal holds the right answers.
 */
export function confusionMatrix(kernels: Kernels, split: Split, mean: Float32Array, W: FloatArray): Int32Array {
  const pred = new Uint8Array(split.n);
  if (split.n > 0) kernels.predict(split, null, mean, W, pred);
  const cm = new Int32Array(C * C);
  for (let i = 0; i < split.n; i++) cm[split.labels[i] * C + pred[i]]++;
  return cm;
}

/** Overall and per-class accuracy read off a confusion matrix (C×C, rows = true class). */
export function accuracyOf(cm: Int32Array): Accuracy {
  const perClass = new Float64Array(C);
  let correct = 0;
  let n = 0;
  for (let t = 0; t < C; t++) {
    let total = 0;
    for (let p = 0; p < C; p++) total += cm[t * C + p];
    const right = cm[t * C + t];
    perClass[t] = total > 0 ? right / total : NaN;
    correct += right;
    n += total;
  }
  return { acc: n > 0 ? correct / n : NaN, perClass };
}

/** Accuracy of W on a whole split, overall and per true class. */
export function accuracy(kernels: Kernels, split: Split, mean: Float32Array, W: FloatArray): Accuracy {
  return accuracyOf(confusionMatrix(kernels, split, mean, W));
}

/** The matrix as rows of plain numbers, for JSON (rows = true class). */
export const confusionRows = (cm: Int32Array): number[][] => Array.from({ length: C }, (_, t) => Array.from(cm.subarray(t * C, t * C + C)));
