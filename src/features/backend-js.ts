/**
 * The plain TypeScript feature backend: readable loops with float64 sums, the
 * reference the wasm backend (backend-wasm.ts, assembly-features/) is tested against.
 */
import { C, type FloatArray } from '../core/shapes.js';
import { makeRowKernels } from './rows.js';
import { type ClusterTotals, DIM, HALF, PATCH, POS, type FeatureBackend, type PatchModel } from './types.js';

const PLANE = 1024;

/**
 * Patch (py, px) of the image at pixels[o..o+3072), brightness/contrast normalized as in
 * Coates et al.'s code, (v − mean)/sqrt(var + 10) with var over n − 1, into x (DIM).
 */
export function normalizedPatch(pixels: Uint8Array, o: number, py: number, px: number, x: Float64Array): void {
  let sum = 0;
  for (let c = 0, d = 0; c < 3; c++) {
    for (let dy = 0; dy < PATCH; dy++) {
      const row = o + c * PLANE + (py + dy) * 32 + px; // hoisted: three times faster than per byte
      for (let dx = 0; dx < PATCH; dx++, d++) {
        const v = pixels[row + dx];
        x[d] = v;
        sum += v;
      }
    }
  }
  const mean = sum / DIM;
  let ss = 0;
  for (let d = 0; d < DIM; d++) {
    const t = x[d] - mean;
    ss += t * t;
  }
  const inv = 1 / Math.sqrt(ss / (DIM - 1) + 10);
  for (let d = 0; d < DIM; d++) x[d] = (x[d] - mean) * inv;
}

/** The 4K triangle features of one image (types.ts PatchModel), float64 throughout. */
export function triangleImage(pixels: Uint8Array, o: number, model: PatchModel, out: Float32Array, oo: number): void {
  const { M, P, centroids, K } = model;
  const x = new Float64Array(DIM);
  const y = new Float64Array(DIM);
  const z = new Float64Array(K);
  const cc = new Float64Array(K);
  for (let k = 0; k < K; k++) for (let d = 0; d < DIM; d++) cc[k] += centroids[k * DIM + d] ** 2;
  const pooled = new Float64Array(4 * K);
  for (let py = 0; py < POS; py++) {
    for (let px = 0; px < POS; px++) {
      normalizedPatch(pixels, o, py, px, x);
      for (let d = 0; d < DIM; d++) x[d] -= M[d];
      y.fill(0);
      for (let d = 0; d < DIM; d++) for (let j = 0; j < DIM; j++) y[j] += x[d] * P[d * DIM + j];
      let yy = 0;
      for (let d = 0; d < DIM; d++) yy += y[d] * y[d];
      let sum = 0;
      for (let k = 0; k < K; k++) {
        let yc = 0;
        for (let d = 0; d < DIM; d++) yc += y[d] * centroids[k * DIM + d];
        z[k] = Math.sqrt(Math.max(cc[k] + yy - 2 * yc, 0));
        sum += z[k];
      }
      const mu = sum / K;
      const q = (py < HALF ? 0 : 2) + (px < HALF ? 0 : 1);
      for (let k = 0; k < K; k++) pooled[q * K + k] += Math.max(mu - z[k], 0);
    }
  }
  for (let i = 0; i < 4 * K; i++) out[oo + i] = pooled[i];
}

/** Lloyd's sums (ClusterTotals): each row of X added to its cluster's sum, in row order. */
export function clusterSums(X: Float32Array, N: number, best: Int32Array, K: number, { sums, counts }: ClusterTotals): void {
  sums.fill(0, 0, K * DIM);
  counts.fill(0, 0, K);
  for (let i = 0; i < N; i++) {
    const k = best[i];
    counts[k]++;
    for (let d = 0, o = i * DIM, s = k * DIM; d < DIM; d++) sums[s + d] += X[o + d];
  }
}

export function createJsFeatureBackend(): FeatureBackend {
  const rowKernels = makeRowKernels('js', 1, 'plain TypeScript on feature rows, 1 thread', {
    forward(split, rows, n, mean, W: FloatArray, scores) {
      const F = mean.length;
      const x = new Float64Array(F);
      for (let i = 0; i < n; i++) {
        const o = (rows === null ? i : rows[i]) * F;
        for (let j = 0; j < F; j++) x[j] = split.pixels[o + j] - mean[j];
        for (let c = 0; c < C; c++) {
          let s = 0;
          for (let j = 0, w = c * (F + 1); j < F; j++) s += W[w + j] * x[j];
          scores[i * C + c] = s;
        }
      }
    },
    backward(split, rows, n, mean, ds, dW) {
      const F = mean.length;
      const G = new Float64Array(C * F);
      for (let i = 0; i < n; i++) {
        const o = (rows === null ? i : rows[i]) * F;
        for (let c = 0; c < C; c++) {
          const g = ds[i * C + c];
          if (g === 0) continue;
          for (let j = 0; j < F; j++) G[c * F + j] += g * (split.pixels[o + j] - mean[j]);
        }
      }
      for (let c = 0; c < C; c++) for (let j = 0; j < F; j++) dW[c * (F + 1) + j] = G[c * F + j];
    },
  });
  return {
    ...rowKernels,
    normalizedPatches(pixels, picks, count, X) {
      const x = new Float64Array(DIM);
      for (let u = 0; u < count; u++) {
        normalizedPatch(pixels, picks[3 * u] * 3072, picks[3 * u + 1], picks[3 * u + 2], x);
        for (let d = 0; d < DIM; d++) X[u * DIM + d] = x[d];
      }
    },
    gram(X, m, dim, O) {
      for (let a = 0; a < dim; a++) {
        for (let b = a; b < dim; b++) {
          let s = 0;
          for (let i = 0; i < m; i++) s += X[i * dim + a] * X[i * dim + b];
          O[a * dim + b] = O[b * dim + a] = s;
        }
      }
    },
    matmul(A, m, k, B, n, O) {
      const row = new Float64Array(n); // O may be A: a row is finished before it is written
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let d = 0; d < k; d++) s += A[i * k + d] * B[d * n + j];
          row[j] = s;
        }
        for (let j = 0; j < n; j++) O[i * n + j] = row[j];
      }
    },
    assign(X, N, centroids, K, best, val, totals) {
      const hc = new Float64Array(K);
      for (let k = 0; k < K; k++) for (let d = 0; d < DIM; d++) hc[k] += 0.5 * centroids[k * DIM + d] ** 2;
      for (let i = 0; i < N; i++) {
        let bi = 0;
        let bv = -Infinity;
        for (let k = 0; k < K; k++) {
          let s = -hc[k];
          for (let d = 0; d < DIM; d++) s += X[i * DIM + d] * centroids[k * DIM + d];
          if (s > bv) {
            bv = s;
            bi = k;
          }
        }
        best[i] = bi;
        val[i] = bv;
      }
      if (totals) clusterSums(X, N, best, K, totals);
    },
    triangle(pixels, n, model, out) {
      for (let i = 0; i < n; i++) triangleImage(pixels, i * 3072, model, out, i * 4 * model.K);
    },
    allocPixels: (bytes) => new Uint8Array(bytes),
    dispose() {},
  };
}
