/**
 * The Kernels interface on stored feature rows (types.ts): split.pixels holds n×F
 * bytes, mean the F centring values, W is C×(F+1) with the bias last, and
 *   scores_i = W[:, :F]·(q_i − mean) + W[:, F]
 * Each backend supplies the two heavy halves (scores without the bias; the gradient
 * Σ dsᵀ·x); the loss itself is the losses' vectorized half, on float64 scores, the
 * same function the pixel kernels use.
 */
import type { Kernels } from '../kernels/types.js';
import { scoresLoss } from '../model/losses/index.js';
import { C, type FloatArray, type Split } from '../core/shapes.js';
import { applyL2 } from '../model/regularizers.js';
import { featureMeans } from './standardize.js';

export interface RowHalves {
  /** scores (n×C) = W[:, :F]·(q − mean) for the picked rows (null: 0..n-1), no bias. */
  forward(split: Split, rows: Int32Array | null, n: number, mean: Float32Array, W: FloatArray, scores: Float64Array): void;
  /** dW[:, :F] = Σ_i ds_iᵀ·(q_i − mean) over the picked rows (ds: n×C); the bias column is left alone. */
  backward(split: Split, rows: Int32Array | null, n: number, mean: Float32Array, ds: Float64Array, dW: FloatArray): void;
}

/** The argument checks of every call; returns the number of picked rows. */
function check(who: string, split: Split, rows: Int32Array | null, mean: Float32Array, W: FloatArray, K = 1): number {
  const F = mean.length;
  if (W.length !== K * C * (F + 1)) throw new RangeError(`${who}: W has ${W.length} values, expected ${K}×${C}×${F + 1} for ${F} features`);
  if (split.pixels.length < split.n * F)
    throw new RangeError(`${who}: split holds ${split.pixels.length} bytes, fewer than n·F = ${split.n * F}`);
  if (split.labels.length < split.n) throw new RangeError(`${who}: split holds ${split.labels.length} labels, fewer than n = ${split.n}`);
  if (rows !== null) {
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k];
      if (!(r >= 0 && r < split.n)) throw new RangeError(`${who}: row index ${r} at position ${k} is outside 0..${split.n - 1}`);
    }
  }
  return rows === null ? split.n : rows.length;
}

function argmax(s: Float64Array, o: number): number {
  let best = 0;
  for (let c = 1; c < C; c++) if (s[o + c] > s[o + best]) best = c;
  return best;
}

type RowKernels = Omit<Kernels, 'allocPixels' | 'dispose'>;

export function makeRowKernels(name: 'js' | 'wasm', threads: number, detail: string, h: RowHalves): RowKernels {
  let scores = new Float64Array(0);
  let ds = new Float64Array(0);
  let labels = new Uint8Array(0);
  /** Scores with the bias, and the picked labels, of n rows. */
  function score(split: Split, rows: Int32Array | null, n: number, mean: Float32Array, W: FloatArray): void {
    if (scores.length < n * C) {
      scores = new Float64Array(n * C);
      ds = new Float64Array(n * C);
      labels = new Uint8Array(n);
    }
    h.forward(split, rows, n, mean, W, scores);
    const F = mean.length;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < C; c++) scores[i * C + c] += W[c * (F + 1) + F];
      labels[i] = split.labels[rows === null ? i : rows[i]];
    }
  }
  const right = (n: number) => {
    let k = 0;
    for (let i = 0; i < n; i++) if (argmax(scores, i * C) === labels[i]) k++;
    return k;
  };
  return {
    name,
    id: name === 'js' ? 'features-js' : 'features-wasm',
    threads,
    detail,
    fallback: null,
    /** The mean byte of each feature over the split's rows (F = bytes per row). */
    meanImage(split) {
      const F = split.pixels.length / split.n;
      if (!(split.n > 0 && Number.isInteger(F)))
        throw new RangeError(`meanImage: ${split.pixels.length} bytes are not ${split.n} whole rows`);
      return featureMeans(split.pixels, split.n, F);
    },
    lossAndGrad(split, rows, mean, W, loss, dW, correct, l2) {
      const n = check('lossAndGrad', split, rows, mean, W);
      const F = mean.length;
      if (dW.length !== W.length) throw new RangeError(`lossAndGrad: dW has ${dW.length} values, expected ${W.length}`);
      if (n === 0) throw new RangeError('lossAndGrad: no rows to average over');
      score(split, rows, n, mean, W);
      const value = scoresLoss(loss.name)(scores, labels, n, loss.delta, ds);
      h.backward(split, rows, n, mean, ds, dW);
      for (let c = 0; c < C; c++) {
        let b = 0;
        for (let i = 0; i < n; i++) b += ds[i * C + c];
        dW[c * (F + 1) + F] = b;
      }
      if (correct) correct[0] = right(n);
      if (l2) applyL2(W, l2, dW, F + 1);
      return value;
    },
    lossMany(split, rows, mean, Ws, K, loss, out, correct) {
      if (!Number.isInteger(K) || K < 1) throw new RangeError(`lossMany: K must be a whole number >= 1, got ${K}`);
      const n = check('lossMany', split, rows, mean, Ws, K);
      if (n === 0) throw new RangeError('lossMany: no rows to average over');
      const size = Ws.length / K;
      for (let k = 0; k < K; k++) {
        score(split, rows, n, mean, Ws.subarray(k * size, (k + 1) * size));
        out[k] = scoresLoss(loss.name)(scores, labels, n, loss.delta, null);
        if (correct) correct[k] = right(n);
      }
    },
    predict(split, rows, mean, W, out) {
      const n = check('predict', split, rows, mean, W);
      if (out.length < n) throw new RangeError(`predict: out has ${out.length} slots for ${n} rows`);
      if (n === 0) return;
      score(split, rows, n, mean, W);
      for (let i = 0; i < n; i++) out[i] = argmax(scores, i * C);
    },
  };
}
