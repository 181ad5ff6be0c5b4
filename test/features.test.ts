/**
 * The feature extractors on hand-made cases with known answers (HOG, hue histogram,
 * patch normalization, triangle activation and pooling), whitening on random data,
 * k-means' objective, standardized bytes, and the feature file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createJsFeatureBackend, normalizedPatch } from '../src/features/backend-js.js';
import { createWasmFeatureBackend } from '../src/features/backend-wasm.js';
import { hue, hueHistogram } from '../src/features/color-hist.js';
import { readFeatureFile, writeFeatureFile } from '../src/features/file.js';
import { hogFeature, HOG_SIZE } from '../src/features/hog.js';
import type { FeatureSet } from '../src/features/index.js';
import { kmeans } from '../src/features/kmeans.js';
import { dequantize, featureMeans, fitStandardizer, quantize, roundHalfUp, SPREAD_COATES } from '../src/features/standardize.js';
import { DIM, type FeatureBackend, type PatchModel } from '../src/features/types.js';
import { applyZca, covariance, fitZca, symmetricEigen } from '../src/features/whiten.js';
import { Rng } from '../src/core/rng.js';
import { removeTmpDirs, tmpDir } from './helpers/cifar-fixture.js';

afterAll(removeTmpDirs);

/** A 32×32 RGB image (planes) with each pixel set by f(row, col) → [r, g, b]. */
function image(f: (r: number, c: number) => [number, number, number]): Uint8Array {
  const px = new Uint8Array(3072);
  for (let r = 0; r < 32; r++) {
    for (let c = 0; c < 32; c++) {
      const [R, G, B] = f(r, c);
      px[r * 32 + c] = R;
      px[1024 + r * 32 + c] = G;
      px[2048 + r * 32 + c] = B;
    }
  }
  return px;
}
const grey = (v: number): [number, number, number] => [v, v, v];
const hogOf = (px: Uint8Array) => {
  const out = new Float32Array(HOG_SIZE);
  hogFeature(px, 0, out, 0);
  return out;
};
/** Index of (cell column, cell row, bin) in the assignment's order. */
const at = (col: number, row: number, bin: number) => (col * 4 + row) * 9 + bin;

describe('HOG (assignment features.py semantics)', () => {
  const a = 4 * 1.03; // grey v gives gray 1.03·v (0.299 + 0.587 + 0.144)

  test('a left-to-right ramp: every gradient at 90°, bin 4; the last column has none', () => {
    const h = hogOf(image((_, c) => grey(4 * c)));
    for (let col = 0; col < 4; col++) {
      for (let row = 0; row < 4; row++) {
        for (let bin = 0; bin < 9; bin++) {
          const want = bin !== 4 ? 0 : col < 3 ? a : (a * 7) / 8;
          expect(h[at(col, row, bin)]).toBeCloseTo(want, 5);
        }
      }
    }
  });

  test('a top-to-bottom ramp lands at 180°, outside [0, 180): dropped, as there', () => {
    expect(Math.max(...hogOf(image((r) => grey(4 * r))))).toBe(0);
  });

  test('a diagonal ramp: 135°, bin 6, magnitude a·√2 inside', () => {
    const h = hogOf(image((r, c) => grey(2 * (r + c))));
    expect(h[at(1, 1, 6)]).toBeCloseTo(2 * 1.03 * Math.SQRT2, 5);
    expect(h[at(1, 1, 5)]).toBe(0);
  });
});

describe('hue histogram (color_histogram_hsv, nbin 10)', () => {
  test('matplotlib hues of the primaries and ties', () => {
    expect(hue(255, 0, 0)).toBe(0);
    expect(hue(0, 255, 0)).toBeCloseTo(1 / 3, 12);
    expect(hue(0, 0, 255)).toBeCloseTo(2 / 3, 12);
    expect(hue(255, 0, 255)).toBeCloseTo(5 / 6, 12); // blue wins the tie with red
    expect(hue(255, 0, 128)).toBeCloseTo(1 - 128 / 255 / 6, 12); // negative h wraps to [0, 1)
    expect(hue(90, 90, 90)).toBe(0);
  });

  test('half red, a quarter green, a quarter blue: fractions in bins 0, 3 and 6', () => {
    const px = image((r) => (r < 16 ? [255, 0, 0] : r < 24 ? [0, 255, 0] : [0, 0, 255]));
    const out = new Float32Array(10);
    hueHistogram(px, 0, out, 0);
    expect(Array.from(out)).toEqual([0.5, 0, 0, 0.25, 0, 0, 0.25, 0, 0, 0]);
  });
});

test('patch normalization: (v − mean)/sqrt(var + 10), var over n − 1', () => {
  const px = image((r, c) => grey((r * 7 + c * 3) % 256));
  const x = new Float64Array(DIM);
  normalizedPatch(px, 0, 2, 5, x);
  const v: number[] = [];
  for (let ch = 0; ch < 3; ch++) for (let dy = 0; dy < 6; dy++) for (let dx = 0; dx < 6; dx++) v.push(((2 + dy) * 7 + (5 + dx) * 3) % 256);
  const mean = v.reduce((s, t) => s + t, 0) / DIM;
  const sd = Math.sqrt(v.reduce((s, t) => s + (t - mean) ** 2, 0) / (DIM - 1) + 10);
  for (const [d, t] of v.entries()) expect(x[d]).toBeCloseTo((t - mean) / sd, 12);
});

describe('whitening', () => {
  const rng = new Rng(3);
  const n = 4000,
    dim = 6;
  const X = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    // correlated columns with very different scales
    const z = [rng.normal(), rng.normal(), rng.normal(), rng.normal(), rng.normal(), rng.normal()];
    for (let d = 0; d < dim; d++) X[i * dim + d] = 5 + z[d] * (d + 1) + 3 * z[0] - 2 * z[(d + 1) % dim];
  }

  test('the eigen-decomposition rebuilds the matrix', () => {
    const { cov } = covariance(X, n, dim);
    const { values, vectors: V } = symmetricEigen(Float64Array.from(cov), dim);
    for (let a = 0; a < dim; a++) {
      for (let b = 0; b < dim; b++) {
        let s = 0;
        for (let k = 0; k < dim; k++) s += V[a * dim + k] * values[k] * V[b * dim + k];
        expect(s).toBeCloseTo(cov[a * dim + b], 8);
      }
    }
  });

  test('the eigen-decomposition of 108 × 108 with a repeated and a zero eigenvalue: A·V = V·Λ, Vᵀ·V = I', () => {
    const n = 108;
    const r = new Rng(9);
    // A = U·diag(λ)·Uᵀ with U orthogonal (Gram–Schmidt of a random matrix)
    const U = new Float64Array(n * n);
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) U[i * n + k] = r.normal();
      for (let j = 0; j < k; j++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += U[i * n + k] * U[i * n + j];
        for (let i = 0; i < n; i++) U[i * n + k] -= dot * U[i * n + j];
      }
      let norm = 0;
      for (let i = 0; i < n; i++) norm += U[i * n + k] ** 2;
      for (let i = 0; i < n; i++) U[i * n + k] /= Math.sqrt(norm);
    }
    const lambda = Array.from({ length: n }, (_, k) => (k < 5 ? 2.5 : k === 5 ? 0 : 0.01 + 100 * r.uniform()));
    const A = new Float64Array(n * n);
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += U[a * n + k] * lambda[k] * U[b * n + k];
        A[a * n + b] = s;
      }
    const { values, vectors: V } = symmetricEigen(Float64Array.from(A), n);
    expect(Array.from(values).sort((x, y) => x - y)[0]).toBeCloseTo(0, 10);
    expect(Array.from(values).filter((x) => Math.abs(x - 2.5) < 1e-9)).toHaveLength(5);
    let worst = 0,
      ortho = 0;
    for (let a = 0; a < n; a++)
      for (let k = 0; k < n; k++) {
        let av = 0,
          vv = 0;
        for (let b = 0; b < n; b++) {
          av += A[a * n + b] * V[b * n + k];
          vv += V[b * n + a] * V[b * n + k];
        }
        worst = Math.max(worst, Math.abs(av - values[k] * V[a * n + k]));
        ortho = Math.max(ortho, Math.abs(vv - (a === k ? 1 : 0)));
      }
    expect(worst).toBeLessThan(1e-11);
    expect(ortho).toBeLessThan(1e-12);
  });

  test('the covariance by blocks on a gram (float32 within a block of 2,048 rows) is the float64 one to 1e-6', async () => {
    const { cov } = covariance(X, n, dim);
    const wasm = await createWasmFeatureBackend({ threads: 2 });
    try {
      for (const gram of [createJsFeatureBackend().gram, wasm.gram]) {
        const blocks = covariance(X, n, dim, gram).cov;
        for (let k = 0; k < dim * dim; k++) expect(Math.abs(blocks[k] - cov[k])).toBeLessThan(1e-6 * Math.max(...cov.map(Math.abs)));
      }
    } finally {
      await wasm.dispose();
    }
  });

  test('ZCA (ε = 0) gives zero mean and identity covariance', () => {
    const zca = fitZca(X, n, dim, 0);
    const Y = Float32Array.from(X);
    applyZca(zca, Y, n, dim, createJsFeatureBackend().matmul);
    const { mean, cov } = covariance(Y, n, dim);
    for (let a = 0; a < dim; a++) {
      expect(mean[a]).toBeCloseTo(0, 4);
      for (let b = 0; b < dim; b++) expect(cov[a * dim + b]).toBeCloseTo(a === b ? 1 : 0, 4);
    }
  });
});

describe.each([
  ['js', async () => createJsFeatureBackend()],
  ['wasm', async () => createWasmFeatureBackend({ threads: 2 })],
])('feature backend %s', (_name, make) => {
  let backend: FeatureBackend;
  beforeAll(async () => (backend = await make()));
  afterAll(() => backend.dispose());

  test('k-means never increases its objective', () => {
    const rng = new Rng(5);
    const N = 700;
    const X = new Float32Array(N * DIM);
    const centres = rng.fillNormal(new Float32Array(12 * DIM), 3);
    for (let i = 0; i < N; i++) {
      const c = rng.int(12);
      for (let d = 0; d < DIM; d++) X[i * DIM + d] = centres[c * DIM + d] + rng.normal();
    }
    const { objectives } = kmeans(backend, X, N, 10, 12, new Rng(1));
    for (let t = 1; t < objectives.length; t++) expect(objectives[t]).toBeLessThanOrEqual(objectives[t - 1] * (1 + 1e-6));
    expect(objectives.at(-1)!).toBeLessThan(objectives[0]);
  });

  test('triangle and pooling on a flat image: f = max(0, mean‖c‖ − ‖c‖) summed per quadrant', () => {
    // Every patch of a flat image normalizes to 0, so with M = 0 its distance to c_k is ‖c_k‖.
    const K = 2;
    const centroids = new Float32Array(K * DIM);
    centroids[0] = 1; // ‖c_0‖ = 1
    centroids[DIM + 1] = 3; // ‖c_1‖ = 3, mean 2: f = [1, 0]
    const P = new Float32Array(DIM * DIM);
    for (let d = 0; d < DIM; d++) P[d * DIM + d] = 1;
    const model: PatchModel = { M: new Float32Array(DIM), P, centroids, K };
    const out = new Float32Array(4 * K);
    backend.triangle(
      image(() => grey(100)),
      1,
      model,
      out,
    );
    // quadrants: 14×14, 14×13, 13×14, 13×13 positions
    expect(Array.from(out)).toEqual([196, 0, 182, 0, 182, 0, 169, 0]);
  });
});

test('standardized bytes: 16 steps per σ around 128, clamped; exact training means', () => {
  const X = Float32Array.from([0, 10, 2, 10, 4, 10, 6, 10]); // 4 rows × 2 features
  const st = fitStandardizer(X, 4, 2);
  expect(st.mu[0]).toBe(3);
  expect(st.sigma[0]).toBeCloseTo(Math.sqrt(5), 12);
  expect(st.sigma[1]).toBe(1); // a constant column is left unscaled
  const q = new Uint8Array(8);
  quantize(X, 4, 2, st, q, 0);
  expect(Array.from(q)).toEqual([107, 128, 121, 128, 135, 128, 149, 128]); // round(16·(x − 3)/√5) + 128
  expect(dequantize(q[6])).toBeCloseTo(1.3125, 12);
  const far = new Uint8Array(2);
  quantize(Float32Array.from([3 + 100, 10]), 1, 2, st, far, 0);
  expect(far[0]).toBe(255);
  expect(Array.from(featureMeans(q, 4, 2))).toEqual([128, 128]);
});

test('roundHalfUp is Math.round: halves up, and one ulp below a half down', () => {
  const below = (v: number) => {
    // the next double toward −∞
    const b = new Float64Array([v]);
    const u = new BigInt64Array(b.buffer);
    u[0] += v > 0 ? -1n : 1n;
    return b[0];
  };
  const cases = [0, -0, 0.5, -0.5, 1e-300, -1e-300, 2 ** 51 + 0.5, NaN, Infinity];
  for (let k = -300; k <= 300; k++) cases.push(k + 0.5, below(k + 0.5), k, below(k), k + 0.25);
  const r = new Rng(5);
  for (let i = 0; i < 2000; i++) cases.push((r.uniform() - 0.5) * 600);
  for (const v of cases) expect(roundHalfUp(v) + 128).toBe(Math.round(v) + 128); // + 128: quantize's use (−0 = 0)
  expect(roundHalfUp(0.49999999999999994)).toBe(0); // floor(v + 0.5) alone gives 1
  expect(roundHalfUp(1.4999999999999998)).toBe(1);
});

test("k-means features' spread as Coates et al. take it: sqrt(var + 0.01), var over n − 1", () => {
  const X = Float32Array.from([0, 0, 2, 0, 4, 0, 6, 0.25]); // the second feature almost never fires
  const st = fitStandardizer(X, 4, 2, SPREAD_COATES);
  expect(st.sigma[0]).toBeCloseTo(Math.sqrt(20 / 3 + 0.01), 12);
  // squared deviations from 0.0625 sum to 0.046875: var 0.015625 over n − 1, and 0.01 more
  expect(st.sigma[1]).toBeCloseTo(Math.sqrt(0.015625 + 0.01), 12);
  expect(fitStandardizer(X, 4, 2).sigma[1]).toBeCloseTo(Math.sqrt(0.046875 / 4), 12); // np.std: over n, no ε
});

describe('the feature file', () => {
  const dir = tmpDir();
  const F = 5;
  const rows = (n: number, seed: number) => Uint8Array.from({ length: n * F }, (_, i) => (i * seed) % 256);
  const set: FeatureSet = {
    name: 'hog-color',
    settings: { features: 'hog-color', pilot: 3 },
    F,
    classNames: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'],
    train: { pixels: rows(7, 3), labels: Uint8Array.from([0, 1, 2, 3, 4, 5, 6]), n: 7 },
    val: { pixels: rows(2, 5), labels: Uint8Array.from([7, 8]), n: 2 },
    test: { pixels: rows(3, 11), labels: Uint8Array.from([9, 0, 1]), n: 3 },
  };
  const file = path.join(dir, 'f.ltf');
  writeFeatureFile(file, set);

  test('round-trips', () => {
    const back = readFeatureFile(file);
    expect(back.name).toBe('hog-color');
    expect(back.settings).toEqual(set.settings);
    expect(back.F).toBe(F);
    for (const s of ['train', 'val', 'test'] as const) {
      expect(back[s].n).toBe(set[s].n);
      expect(Array.from(back[s].pixels)).toEqual(Array.from(set[s].pixels));
      expect(Array.from(back[s].labels)).toEqual(Array.from(set[s].labels));
    }
  });

  test('refuses a corrupt, truncated or foreign file with one line', () => {
    const bytes = fs.readFileSync(file);
    const bad = (name: string, b: Uint8Array) => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, b);
      return () => readFeatureFile(f);
    };
    const flipped = Uint8Array.from(bytes);
    flipped[flipped.length - 4] ^= 1;
    expect(bad('flip.ltf', flipped)).toThrow(/is corrupt: its checksum does not match/);
    expect(bad('short.ltf', bytes.subarray(0, bytes.length - 1))).toThrow(/is truncated: \d+ bytes, expected/);
    expect(bad('long.ltf', Buffer.concat([bytes, Buffer.from([0])]))).toThrow(/is too long/);
    expect(bad('other.ltf', Buffer.from('{"loss":"svm"}'))).toThrow(/is not a lintrain feature file/);
    const header = Uint8Array.from(bytes);
    header[14] ^= 0x55; // inside the JSON header
    expect(bad('header.ltf', header)).toThrow(/is damaged|is corrupt|is truncated|too long/);
    expect(() => readFeatureFile(path.join(dir, 'missing.ltf'))).toThrow(/cannot be read/);
  });
});
