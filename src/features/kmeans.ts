/**
 * Feature learning of Coates, Lee & Ng (2011), "An Analysis of Single-Layer Networks in
 * Unsupervised Feature Learning", as their code does it: random 6×6×3 patches of the
 * training images, each brightness/contrast normalized, ZCA-whitened (whiten.ts), then
 * plain k-means (Lloyd) on the whitened patches. Extraction (the triangle activation
 * and quadrant pooling) is the backends' triangle().
 *
 * Centroids start as theirs do, N(0, 0.1²) in whitened space: small, so the first
 * assignment splits the patches by direction, and k-means ends with edge-like centroids
 * (on our data this beat starting from K random patches by ~2 points at K = 400).
 * One choice differs from their run_kmeans.m, to keep Lloyd's guarantee that the
 * objective Σ‖x − c_a(x)‖² never increases: a centroid that loses all its patches stays
 * where it was (theirs: set to zero, near where it started anyway).
 */
import { Rng } from '../core/rng.js';
import type { Split } from '../core/shapes.js';
import { DIM, POS, type FeatureBackend, type PatchModel, type Progress } from './types.js';
import { applyZca, fitZca, type MatMul, ZCA_EPS } from './whiten.js';

export interface KmeansOptions {
  K: number; // centroids
  patches: number; // training patches
  iters: number; // Lloyd iterations
  seed: number;
}

/**
 * count random normalized patches (count×DIM, into X): a random image and position each,
 * drawn here, normalized by the backend (its normalizedPatches).
 */
export function samplePatches(
  backend: FeatureBackend,
  split: Split,
  count: number,
  rng: Rng,
  progress?: Progress,
  X: Float32Array = new Float32Array(count * DIM),
): Float32Array {
  const picks = new Int32Array(3 * count);
  for (let i = 0; i < count; i++) {
    picks[3 * i] = rng.int(split.n);
    picks[3 * i + 1] = rng.int(POS);
    picks[3 * i + 2] = rng.int(POS);
  }
  const step = Math.max(1, Math.floor(count / 100));
  for (let lo = 0; lo < count; lo += step) {
    const hi = Math.min(count, lo + step);
    backend.normalizedPatches(split.pixels, picks.subarray(3 * lo, 3 * hi), hi - lo, X.subarray(lo * DIM, hi * DIM));
    progress?.('patches', hi, count);
  }
  return X;
}

/**
 * Lloyd's k-means on the rows of X (N×DIM): returns the centroids (K×DIM) and the
 * objective Σ_i ‖x_i − c_a(i)‖² before each update (iters values, non-increasing).
 */
export function kmeans(
  backend: FeatureBackend,
  X: Float32Array,
  N: number,
  K: number,
  iters: number,
  rng: Rng,
  onIter?: (iter: number, objective: number) => void,
): { centroids: Float32Array; objectives: number[] } {
  if (K > N) throw new RangeError(`kmeans: ${K} centroids need at least as many patches, got ${N}`);
  const centroids = rng.fillNormal(new Float32Array(K * DIM), 0.1) as Float32Array; // their init
  const x2 = new Float64Array(N);
  for (let i = 0; i < N; i++) for (let d = 0; d < DIM; d++) x2[i] += X[i * DIM + d] ** 2;
  const best = new Int32Array(N);
  const val = new Float32Array(N);
  const totals = { sums: new Float64Array(K * DIM), counts: new Float64Array(K) };
  const { sums, counts } = totals;
  const objectives: number[] = [];
  for (let it = 1; it <= iters; it++) {
    backend.assign(X, N, centroids, K, best, val, totals);
    let objective = 0;
    for (let i = 0; i < N; i++) objective += x2[i] - 2 * val[i]; // ‖x − c‖² = ‖x‖² − 2(x·c − ½‖c‖²)
    for (let k = 0; k < K; k++) {
      if (counts[k] === 0) continue; // an empty cluster keeps its centroid
      for (let d = 0; d < DIM; d++) centroids[k * DIM + d] = sums[k * DIM + d] / counts[k];
    }
    objectives.push(objective);
    onIter?.(it, objective);
  }
  return { centroids, objectives };
}

/** n zeroed floats where the backend reads them in place (allocPixels' memory). */
function floatsFor(backend: FeatureBackend, n: number): Float32Array {
  const bytes = backend.allocPixels(n * 4);
  return new Float32Array(bytes.buffer, bytes.byteOffset, n);
}

/** Patches, whitening and k-means on the training split: the model triangle() applies. */
export function learnPatchModel(backend: FeatureBackend, train: Split, opts: KmeansOptions, progress?: Progress): PatchModel {
  const rng = new Rng(opts.seed);
  const N = opts.patches;
  // in the backend's memory: whitening and every k-means iteration read it in place
  const X = samplePatches(backend, train, N, rng, progress, floatsFor(backend, N * DIM));
  progress?.('whiten', 0, 1);
  const matmul: MatMul = (A, m, k, B, n, O) => backend.matmul(A, m, k, B, n, O);
  const zca = fitZca(X, N, DIM, ZCA_EPS, (B, m, dim, O) => backend.gram(B, m, dim, O));
  applyZca(zca, X, N, DIM, matmul);
  progress?.('whiten', 1, 1);
  const { centroids } = kmeans(backend, X, N, opts.K, opts.iters, rng, (it) => progress?.('kmeans', it, opts.iters));
  return { M: zca.M, P: zca.P, centroids, K: opts.K };
}
