/**
 * ZCA whitening, as in Coates et al.'s code: with the patches' mean M and covariance
 * Σ = V·diag(λ)·Vᵀ (over n − 1),
 *   P = V·diag(1/sqrt(λ + ε))·Vᵀ,   y = (x − M)·P
 * ε = 0.1 keeps the near-zero directions of normalized patches from being blown up.
 * P is symmetric; the eigenvectors come from cyclic Jacobi rotations in float64.
 */
export const ZCA_EPS = 0.1;

export interface Zca {
  M: Float32Array; // dim
  P: Float32Array; // dim×dim, symmetric
}

/** O = A·B: A m×k, B k×n, O m×n, row-major float32 (a feature backend's matmul). */
export type MatMul = (A: Float32Array, m: number, k: number, B: Float32Array, n: number, O: Float32Array) => void;

// Rows per block of the matmul covariance: float32 sums over a block, float64 across blocks.
const COV_BLOCK = 2048;

/**
 * Mean (dim) and covariance (dim×dim, over n − 1) of the rows of X (n×dim), float64 sums.
 * With a matmul, the covariance is (X − mean)ᵀ·(X − mean) by blocks of rows on it: each
 * block's sums in float32 (over 2,048 rows, about 1e-5 relative), the blocks added in
 * float64 — a tenth of the time of the float64 loops below for 50,000 patches.
 */
export function covariance(X: Float32Array, n: number, dim: number, matmul?: MatMul): { mean: Float64Array; cov: Float64Array } {
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d] += X[i * dim + d];
  for (let d = 0; d < dim; d++) mean[d] /= n;
  const cov = new Float64Array(dim * dim);
  if (matmul) {
    const B = new Float32Array(COV_BLOCK * dim);
    const At = new Float32Array(dim * COV_BLOCK);
    const O = new Float32Array(dim * dim);
    for (let lo = 0; lo < n; lo += COV_BLOCK) {
      const m = Math.min(COV_BLOCK, n - lo);
      for (let i = 0; i < m; i++) {
        for (let d = 0; d < dim; d++) {
          const v = X[(lo + i) * dim + d] - mean[d];
          B[i * dim + d] = v;
          At[d * m + i] = v;
        }
      }
      matmul(At, dim, m, B, dim, O);
      for (let k = 0; k < dim * dim; k++) cov[k] += O[k];
    }
    for (let k = 0; k < dim * dim; k++) cov[k] /= n - 1;
    return { mean, cov };
  }
  const x = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) x[d] = X[i * dim + d] - mean[d];
    for (let a = 0; a < dim; a++) {
      const xa = x[a];
      const row = a * dim;
      for (let b = a; b < dim; b++) cov[row + b] += xa * x[b];
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const v = cov[a * dim + b] / (n - 1);
      cov[a * dim + b] = v;
      cov[b * dim + a] = v;
    }
  }
  return { mean, cov };
}

/**
 * Eigen-decomposition of a symmetric matrix A (n×n, float64, destroyed) by cyclic
 * Jacobi: values[k] and column k of vectors (n×n row-major) with A·v = λ·v.
 */
export function symmetricEigen(A: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += A[p * n + p] ** 2;
      for (let q = p + 1; q < n; q++) off += A[p * n + q] ** 2;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (apq === 0) continue;
        const theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          // columns p, q of A
          const akp = A[k * n + p],
            akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          // rows p, q of A
          const apk = A[p * n + k],
            aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p],
            vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = A[i * n + i];
  return { values, vectors: V };
}

/** The ZCA transform of the rows of X (n×dim); the covariance on `matmul` when given (see covariance). */
export function fitZca(X: Float32Array, n: number, dim: number, eps = ZCA_EPS, matmul?: MatMul): Zca {
  const { mean, cov } = covariance(X, n, dim, matmul);
  const { values, vectors: V } = symmetricEigen(cov, dim);
  const P = new Float32Array(dim * dim);
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += (V[a * dim + k] * V[b * dim + k]) / Math.sqrt(Math.max(values[k], 0) + eps);
      P[a * dim + b] = s;
      P[b * dim + a] = s;
    }
  }
  return { M: Float32Array.from(mean), P };
}

/** X (n×dim) ← (X − M)·P, in place, through the backend's product. */
export function applyZca(zca: Zca, X: Float32Array, n: number, dim: number, matmul: MatMul): void {
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) X[i * dim + d] -= zca.M[d];
  matmul(X, n, dim, zca.P, dim, X);
}
