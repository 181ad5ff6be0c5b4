/**
 * Tiny random data for tests: splits in the compact layout (bytes), their mean image,
 * random weights, and the explicit features [p − μ, 1] the naive loss twins take.
 */
import { C, D, DB } from '../../src/core/shapes.js';
import type { Split } from '../../src/core/shapes.js';
import { Rng } from '../../src/core/rng.js';

/** n rows of uniform random pixels lo..hi (default 0..255) and uniform labels 0..C-1. */
export function randomSplit(n: number, rng: Rng, lo = 0, hi = 255): Split {
  const pixels = new Uint8Array(n * D);
  for (let k = 0; k < pixels.length; k++) pixels[k] = lo + rng.int(hi - lo + 1);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) labels[i] = rng.int(C);
  return { pixels, labels, n };
}

/**
 * Pixels with CIFAR-10's spread: uniform on 10..230 (std ≈ 63.5; the real set's is ≈ 63),
 * in mirrored pairs p, 255 − p with the same label. The pairs make the mean image exactly
 * 127.5 and every class's centered features sum to 0, so a loss at small W shows its
 * curvature only, not the sampling noise of random labels. n is even.
 */
export function cifarLikeSplit(n: number, rng: Rng): Split {
  if (n % 2 !== 0) throw new Error(`cifarLikeSplit: n must be even, got ${n}`);
  const pixels = new Uint8Array(n * D);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i += 2) {
    labels[i] = labels[i + 1] = rng.int(C);
    for (let d = 0; d < D; d++) {
      const p = 10 + rng.int(221);
      pixels[i * D + d] = p;
      pixels[(i + 1) * D + d] = 255 - p;
    }
  }
  return { pixels, labels, n };
}

/** The mean image of the split's rows (D), as preprocessing computes it. */
export function meanImage(split: Split): Float32Array {
  const sum = new Float64Array(D);
  for (let i = 0; i < split.n; i++) for (let d = 0; d < D; d++) sum[d] += split.pixels[i * D + d];
  const mean = new Float32Array(D);
  for (let d = 0; d < D; d++) mean[d] = sum[d] / split.n;
  return mean;
}

/** A split and its own mean image, the usual pair the kernels take. */
export function randomData(n: number, seed: number, lo = 0, hi = 255): { split: Split; mean: Float32Array; rng: Rng } {
  const rng = new Rng(seed);
  const split = randomSplit(n, rng, lo, hi);
  return { split, mean: meanImage(split), rng };
}

/** K weight matrices C×(D+1) back to back, entries N(0,1)·scale, in float64. */
export function randomW(rng: Rng, scale: number, K = 1): Float64Array {
  return rng.fillNormal(new Float64Array(K * C * DB), scale) as Float64Array;
}

/** Explicit features X: n×(D+1), row i = [pixels_r − mean, 1] for the picked rows r. */
export function explicitFeatures(split: Split, mean: Float32Array, rows: Int32Array | null = null): Float64Array {
  const n = rows ? rows.length : split.n;
  const X = new Float64Array(n * DB);
  for (let i = 0; i < n; i++) {
    const r = rows ? rows[i] : i;
    for (let d = 0; d < D; d++) X[i * DB + d] = split.pixels[r * D + d] - mean[d];
    X[i * DB + D] = 1;
  }
  return X;
}

/** The labels of the picked rows. */
export function pickedLabels(split: Split, rows: Int32Array | null = null): Uint8Array {
  return rows ? Uint8Array.from(rows, (r) => split.labels[r]) : split.labels.slice(0, split.n);
}

/** max_k |a_k − b_k| / max_k |b_k|: relative to the array's scale, so entries that cancel to ~0 do not dominate. */
export function relToMax(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let k = 0; k < a.length; k++) {
    // No global Math in this loop: under jest's vm sandbox each lookup costs ~0.3 µs.
    const e = a[k] > b[k] ? a[k] - b[k] : b[k] - a[k];
    if (!(e <= diff)) diff = e; // NaN wins
    const m = b[k] < 0 ? -b[k] : b[k];
    if (m > scale) scale = m;
  }
  return scale === 0 ? diff : diff / scale;
}
