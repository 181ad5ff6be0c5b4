/**
 * Standardization with training-set statistics, as the assignment does before training
 * on features (x − μ)/σ, stored compactly: q = clamp(round(16·(x − μ)/σ) + 128, 0, 255),
 * one byte per feature — 1/16 σ steps over ±8 σ, far finer than a linear classifier
 * notices, at a quarter of float32's memory. The kernels then subtract each column's
 * exact mean byte over the training rows (featureMeans), so the training features are
 * centred exactly, and the bias column of W plays the assignment's appended 1.
 */
export const STEPS_PER_SIGMA = 16;
export const CENTER = 128;

export interface Standardizer {
  mu: Float64Array; // F
  sigma: Float64Array; // F, population std (numpy's np.std); 1 for a constant column
}

/** Column means and standard deviations of X (n×F), float64. */
export function fitStandardizer(X: Float32Array, n: number, F: number): Standardizer {
  const mu = new Float64Array(F);
  const sigma = new Float64Array(F);
  for (let i = 0; i < n; i++) for (let j = 0; j < F; j++) mu[j] += X[i * F + j];
  for (let j = 0; j < F; j++) mu[j] /= n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < F; j++) {
      const e = X[i * F + j] - mu[j];
      sigma[j] += e * e;
    }
  }
  for (let j = 0; j < F; j++) {
    const s = Math.sqrt(sigma[j] / n);
    sigma[j] = s > 1e-12 * (1 + Math.abs(mu[j])) ? s : 1;
  }
  return { mu, sigma };
}

/** out[oo + i·F + j] = the byte of X[i, j] (n rows). */
export function quantize(X: Float32Array, n: number, F: number, st: Standardizer, out: Uint8Array, oo: number): void {
  const scale = new Float64Array(F);
  for (let j = 0; j < F; j++) scale[j] = STEPS_PER_SIGMA / st.sigma[j];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < F; j++) {
      const q = Math.round((X[i * F + j] - st.mu[j]) * scale[j]) + CENTER;
      out[oo + i * F + j] = Math.min(255, Math.max(0, q));
    }
  }
}

/** The byte features back as standardized values (for inspection and tests). */
export function dequantize(q: number): number {
  return (q - CENTER) / STEPS_PER_SIGMA;
}

/** Mean byte of each column over n rows of F bytes: the centring the kernels fold in. */
export function featureMeans(bytes: Uint8Array, n: number, F: number): Float32Array {
  const sum = new Float64Array(F);
  for (let i = 0; i < n; i++) for (let j = 0; j < F; j++) sum[j] += bytes[i * F + j];
  const mean = new Float32Array(F);
  for (let j = 0; j < F; j++) mean[j] = n > 0 ? sum[j] / n : CENTER;
  return mean;
}
