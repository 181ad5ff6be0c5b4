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
  sigma: Float64Array; // F: the divisor of each column (see SpreadRule); never 0
}

/**
 * What σ is. The assignment's features.py divides by np.std (population, ddof 0); Coates
 * et al.'s kmeans_demo.m by sqrt(var(X) + 0.01) (MATLAB's var: n − 1). The 0.01 matters for
 * the rare k-means features that almost never fire (33 of 6,400 at K = 1,600 have a
 * variance under 0.01): the paper leaves them small, where √var alone would blow their
 * rare values up to whole σ and beyond (and the byte encoding would clamp them at 8 σ).
 */
export interface SpreadRule {
  sampleVar: boolean; // divide the squared deviations by n − 1 instead of n
  varEps: number; // added to the variance before the square root
}
export const SPREAD_STD: SpreadRule = { sampleVar: false, varEps: 0 };
export const SPREAD_COATES: SpreadRule = { sampleVar: true, varEps: 0.01 };

/** Column means and spreads of X (n×F), float64; a column of zero spread is left unscaled (σ = 1). */
export function fitStandardizer(X: Float32Array, n: number, F: number, rule: SpreadRule = SPREAD_STD): Standardizer {
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
  const dof = rule.sampleVar && n > 1 ? n - 1 : n;
  for (let j = 0; j < F; j++) {
    const s = Math.sqrt(sigma[j] / dof + rule.varEps);
    sigma[j] = s > 1e-12 * (1 + Math.abs(mu[j])) ? s : 1;
  }
  return { mu, sigma };
}

/**
 * Math.round(v) for |v| < 2^52, at half its cost in V8: floor(v + 0.5), less one when
 * v + 0.5 was itself rounded up to the next whole number (v one ulp below a half).
 */
export function roundHalfUp(v: number): number {
  const r = Math.floor(v + 0.5);
  return r - 0.5 > v ? r - 1 : r;
}

/** out[oo + i·F + j] = the byte of X[i, j] (n rows). */
export function quantize(X: Float32Array, n: number, F: number, st: Standardizer, out: Uint8Array, oo: number): void {
  const scale = new Float64Array(F);
  for (let j = 0; j < F; j++) scale[j] = STEPS_PER_SIGMA / st.sigma[j];
  const mu = st.mu;
  for (let i = 0; i < n; i++) {
    const x = i * F,
      o = oo + x;
    for (let j = 0; j < F; j++) {
      const q = roundHalfUp((X[x + j] - mu[j]) * scale[j]) + CENTER;
      out[o + j] = Math.min(255, Math.max(0, q)); // NaN stores as 0
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
