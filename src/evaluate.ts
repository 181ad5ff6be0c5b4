import type { Kernels } from './kernels/types.js';
import { C, type FloatArray, type Split } from './shapes.js';

export interface Accuracy {
  acc: number; // fraction of rows classified right
  perClass: Float64Array; // C: accuracy on the rows of each true class (NaN when a class has no rows)
}

/** Accuracy of W on a whole split, overall and per true class. */
export function accuracy(kernels: Kernels, split: Split, mean: Float32Array, W: FloatArray): Accuracy {
  const pred = new Uint8Array(split.n);
  if (split.n > 0) kernels.predict(split, null, mean, W, pred);
  const right = new Float64Array(C);
  const total = new Float64Array(C);
  let correct = 0;
  for (let i = 0; i < split.n; i++) {
    const y = split.labels[i];
    total[y]++;
    if (pred[i] === y) {
      right[y]++;
      correct++;
    }
  }
  const perClass = new Float64Array(C);
  for (let c = 0; c < C; c++) perClass[c] = total[c] > 0 ? right[c] / total[c] : NaN;
  return { acc: split.n > 0 ? correct / split.n : NaN, perClass };
}
