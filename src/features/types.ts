/**
 * What the feature extractors and the feature backends share.
 *
 * Stored features are bytes: each standardized feature x = (f − μ)/σ becomes
 * q = clamp(round(16·x) + 128, 0, 255) (standardize.ts), so 60,000 images × 6,400
 * features (1,600 centroids) take 384 MB instead of 1.5 GB in float32. A split of
 * features is a Split whose `pixels` hold these n×F bytes, and the "mean" the kernels
 * subtract is the training rows' mean byte per feature (F values): the pixel path's
 * compact bytes with the centring folded in, at any width F. W is then C×(F+1).
 */
import type { Kernels } from '../kernels/types.js';

export const FEATURE_NAMES = ['pixels', 'hog-color', 'kmeans'] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

export const PATCH = 6; // Coates et al.'s receptive field, 6×6×3
export const POS = 32 - PATCH + 1; // 27 positions per row and column at stride 1
export const HALF = 14; // quadrant split of the positions, MATLAB's round(27/2) as in their code
export const DIM = 3 * PATCH * PATCH; // 108 values per patch, [channel][dy][dx]

/**
 * What k-means feature learning produces (kmeans.ts), applied to every patch:
 * y = (x − M)·P with x the normalized patch, then distances to the centroids.
 */
export interface PatchModel {
  M: Float32Array; // DIM: mean of the normalized training patches
  P: Float32Array; // DIM×DIM, symmetric: the ZCA whitening matrix
  centroids: Float32Array; // K×DIM, in whitened space
  K: number;
}

/**
 * The heavy arithmetic of feature learning and extraction, and training on stored
 * feature rows (the Kernels interface at width F = mean.length), with two backends:
 * backend-js.ts (plain TypeScript, float64 sums, the reference) and backend-wasm.ts
 * (SIMD, both cores). The same tests run on both.
 */
export interface FeatureBackend extends Kernels {
  /**
   * k-means' sample: patch u at (py, px) of image img, picks[3u … 3u + 2] = (img, py, px),
   * of the images in pixels (3,072 bytes each), normalized as Coates et al. do it,
   * (v − mean)/sqrt(var + 10), into X (count × DIM). The same bits on every backend.
   */
  normalizedPatches(pixels: Uint8Array, picks: Int32Array, count: number, X: Float32Array): void;
  /**
   * O (dim × dim) = Xᵀ·X for the first m rows of X (dim floats each): whitening's
   * covariance, block by block (whiten.ts). The wasm backend sums in float32 in row order.
   */
  gram(X: Float32Array, m: number, dim: number, O: Float32Array): void;
  /** O = A·B: A m×k, B k×n, O m×n, all row-major float32 (A and O may be the same array). */
  matmul(A: Float32Array, m: number, k: number, B: Float32Array, n: number, O: Float32Array): void;
  /**
   * k-means assignment: for each of the N rows of X (N×DIM), best[i] = argmax_k
   * (x_i·c_k − ½‖c_k‖²) = the nearest centroid (first on ties), val[i] = that maximum.
   * With totals, also what Lloyd's update needs, in the same pass over X.
   * A or X in memory from allocPixels (learnPatchModel's patches) is read in place.
   */
  assign(X: Float32Array, N: number, centroids: Float32Array, K: number, best: Int32Array, val: Float32Array, totals?: ClusterTotals): void;
  /** Triangle features of n images (pixels n×3072 bytes) into out: n × 4K, [quadrant][k]. */
  triangle(pixels: Uint8Array, n: number, model: PatchModel, out: Float32Array): void;
}

/**
 * Each cluster's patches summed, for Lloyd's update: sums (K × DIM) += x_i in float64 and
 * counts[k] += 1, over the rows in order from zero, so every backend gets the same bits.
 */
export interface ClusterTotals {
  sums: Float64Array;
  counts: Float64Array;
}

/** Progress of a long stage: done of total units. */
export type Progress = (stage: string, done: number, total: number) => void;
