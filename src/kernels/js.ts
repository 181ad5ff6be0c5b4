/**
 * The plain TypeScript reference backend: readable loops, double accumulation,
 * and the yardstick the wasm backend is tested against.
 *
 * Rows are processed in blocks of BLOCK: for each row the scores
 *   s = W[:, :D]·(p − μ) + W[:, D]        (C = 10 accumulators, one pass over its D pixels)
 * then the loss's vectorized half runs on the block's scores, then a second pass over
 * the same (still cached) pixels adds dSᵀ·(p − μ) to a float64 gradient accumulator.
 * W is copied (transposed) into a float64 buffer first, so Float32Array W (training)
 * and Float64Array W (gradient checks) take the same path, exact in double.
 */
import { C, D, DB } from '../core/shapes.js';
import type { FloatArray, Split } from '../core/shapes.js';
import type { LossSpec } from '../model/losses/types.js';
import { scoresLoss } from '../model/losses/index.js';
import type { Kernels } from './types.js';
import { applyL2 } from '../model/regularizers.js';
import { checkArgs } from './check.js';
import { meanImage } from '../data/preprocess.js';

const BLOCK = 128; // rows per block: 128×3072 bytes of pixels stay in L2 between the two passes
const CDB = C * DB;

if (C !== 10) throw new Error('kernels/js.ts unrolls its loops for C = 10 classes');

/** The split's row index of the k-th picked row. */
function rowAt(rows: Int32Array | null, k: number): number {
  return rows === null ? k : rows[k];
}

/**
 * scores[so..so+C) = W·[p − μ, 1] for the row of pixels starting at `po`.
 * Wt: (D+1)×C float64, the transpose of W, so one pixel's C weights are adjacent
 * and each pixel is loaded once for all classes (C accumulators in registers).
 */
function scoreRow(px: Uint8Array, po: number, mean: Float32Array, Wt: Float64Array, scores: Float64Array, so: number): void {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0,
    s4 = 0,
    s5 = 0,
    s6 = 0,
    s7 = 0,
    s8 = 0,
    s9 = 0;
  for (let d = 0, b = 0; d < D; d++, b += C) {
    const x = px[po + d] - mean[d];
    s0 += Wt[b] * x;
    s1 += Wt[b + 1] * x;
    s2 += Wt[b + 2] * x;
    s3 += Wt[b + 3] * x;
    s4 += Wt[b + 4] * x;
    s5 += Wt[b + 5] * x;
    s6 += Wt[b + 6] * x;
    s7 += Wt[b + 7] * x;
    s8 += Wt[b + 8] * x;
    s9 += Wt[b + 9] * x;
  }
  const b = D * C; // the bias row
  scores[so] = s0 + Wt[b];
  scores[so + 1] = s1 + Wt[b + 1];
  scores[so + 2] = s2 + Wt[b + 2];
  scores[so + 3] = s3 + Wt[b + 3];
  scores[so + 4] = s4 + Wt[b + 4];
  scores[so + 5] = s5 + Wt[b + 5];
  scores[so + 6] = s6 + Wt[b + 6];
  scores[so + 7] = s7 + Wt[b + 7];
  scores[so + 8] = s8 + Wt[b + 8];
  scores[so + 9] = s9 + Wt[b + 9];
}

/** Gt += [p − μ, 1]·(w·ds[o..o+C)) for one row. Gt: (D+1)×C float64, transposed like Wt. */
function addRowGrad(px: Uint8Array, po: number, mean: Float32Array, ds: Float64Array, o: number, w: number, Gt: Float64Array): void {
  const g0 = ds[o] * w,
    g1 = ds[o + 1] * w,
    g2 = ds[o + 2] * w,
    g3 = ds[o + 3] * w,
    g4 = ds[o + 4] * w;
  const g5 = ds[o + 5] * w,
    g6 = ds[o + 6] * w,
    g7 = ds[o + 7] * w,
    g8 = ds[o + 8] * w,
    g9 = ds[o + 9] * w;
  for (let d = 0, b = 0; d < D; d++, b += C) {
    const x = px[po + d] - mean[d];
    Gt[b] += g0 * x;
    Gt[b + 1] += g1 * x;
    Gt[b + 2] += g2 * x;
    Gt[b + 3] += g3 * x;
    Gt[b + 4] += g4 * x;
    Gt[b + 5] += g5 * x;
    Gt[b + 6] += g6 * x;
    Gt[b + 7] += g7 * x;
    Gt[b + 8] += g8 * x;
    Gt[b + 9] += g9 * x;
  }
  for (let c = 0, b = D * C; c < C; c++) Gt[b + c] += ds[o + c] * w; // the bias row: x = 1
}

/** Index of the largest of the C scores at so (first on ties). */
function argmax(scores: Float64Array, so: number): number {
  let best = 0;
  for (let c = 1; c < C; c++) if (scores[so + c] > scores[so + best]) best = c;
  return best;
}

/** How many of the block's bn rows the scores classify right. */
function countCorrect(scores: Float64Array, labels: Uint8Array, bn: number): number {
  let right = 0;
  for (let k = 0; k < bn; k++) if (argmax(scores, k * C) === labels[k]) right++;
  return right;
}

/** Wt (D+1)×C ← W[wo .. wo + C·(D+1)) read as C×(D+1). */
function transposeIn(W: FloatArray, wo: number, Wt: Float64Array): void {
  for (let c = 0; c < C; c++) for (let d = 0; d < DB; d++) Wt[d * C + c] = W[wo + c * DB + d];
}

export function createJsKernels(): Kernels {
  // Scratch, allocated once per backend instance (single-threaded, so never shared mid-call).
  const Wt = new Float64Array(CDB); // (D+1)×C, see scoreRow
  const Gt = new Float64Array(CDB); // (D+1)×C
  const scores = new Float64Array(BLOCK * C);
  const dscores = new Float64Array(BLOCK * C);
  const labels = new Uint8Array(BLOCK);

  /** Score rows [start, start+bn) of the pick into `scores`, gathering their labels. */
  function scoreBlock(split: Split, rows: Int32Array | null, start: number, bn: number, mean: Float32Array): void {
    for (let k = 0; k < bn; k++) {
      const r = rowAt(rows, start + k);
      labels[k] = split.labels[r];
      scoreRow(split.pixels, r * D, mean, Wt, scores, k * C);
    }
  }

  return {
    name: 'js',
    id: 'js',
    threads: 1,
    detail: 'plain TypeScript, 1 thread',
    fallback: null,
    meanImage,

    lossAndGrad(split, rows, mean, W, loss: LossSpec, dW, correct, l2) {
      const n = checkArgs('lossAndGrad', split, rows, mean, W, CDB);
      if (dW.length !== CDB) throw new RangeError(`lossAndGrad: dW has ${dW.length} values, expected ${CDB}`);
      if (correct && correct.length < 1) throw new RangeError('lossAndGrad: correct has no slot');
      if (n === 0) throw new RangeError('lossAndGrad: no rows to average over');
      const f = scoresLoss(loss.name);
      transposeIn(W, 0, Wt);
      Gt.fill(0);
      let total = 0;
      let right = 0;
      for (let start = 0; start < n; start += BLOCK) {
        const bn = Math.min(BLOCK, n - start);
        scoreBlock(split, rows, start, bn, mean);
        if (correct) right += countCorrect(scores, labels, bn);
        // f averages over its block; weigh by bn so the sums are over all rows, then divide by n once.
        total += f(scores, labels, bn, loss.delta, dscores) * bn;
        for (let k = 0; k < bn; k++) addRowGrad(split.pixels, rowAt(rows, start + k) * D, mean, dscores, k * C, bn, Gt);
      }
      for (let c = 0; c < C; c++) for (let d = 0; d < DB; d++) dW[c * DB + d] = Gt[d * C + c] / n;
      if (correct) correct[0] = right;
      if (l2) applyL2(W, l2, dW);
      return total / n;
    },

    lossMany(split, rows, mean, Ws, K, loss: LossSpec, out, correct) {
      if (!Number.isInteger(K) || K < 1) throw new RangeError(`lossMany: K must be a whole number >= 1, got ${K}`);
      const n = checkArgs('lossMany', split, rows, mean, Ws, K * CDB);
      if (out.length < K) throw new RangeError(`lossMany: out has ${out.length} slots for ${K} candidates`);
      if (correct && correct.length < K) throw new RangeError(`lossMany: correct has ${correct.length} slots for ${K} candidates`);
      if (n === 0) throw new RangeError('lossMany: no rows to average over');
      const f = scoresLoss(loss.name);
      out.fill(0, 0, K);
      if (correct) correct.fill(0, 0, K);
      // Blocks outside, candidates inside: the block's pixels are read from memory once for all K.
      for (let start = 0; start < n; start += BLOCK) {
        const bn = Math.min(BLOCK, n - start);
        for (let m = 0; m < K; m++) {
          transposeIn(Ws, m * CDB, Wt);
          scoreBlock(split, rows, start, bn, mean);
          out[m] += f(scores, labels, bn, loss.delta, null) * bn;
          if (correct) correct[m] += countCorrect(scores, labels, bn);
        }
      }
      for (let m = 0; m < K; m++) out[m] /= n;
    },

    predict(split, rows, mean, W, out) {
      const n = checkArgs('predict', split, rows, mean, W, CDB);
      if (out.length < n) throw new RangeError(`predict: out has ${out.length} slots for ${n} rows`);
      transposeIn(W, 0, Wt);
      for (let k = 0; k < n; k++) {
        scoreRow(split.pixels, rowAt(rows, k) * D, mean, Wt, scores, 0);
        out[k] = argmax(scores, 0);
      }
    },

    allocPixels(bytes) {
      return new Uint8Array(bytes);
    },

    dispose() {},
  };
}
