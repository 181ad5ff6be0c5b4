/**
 * The feature backends on the same cases: the wasm SIMD backend (1 and 2 threads, data
 * in its shared memory and outside it) against the js reference — the product,
 * k-means assignment, triangle features, and loss, gradient, lossMany and predict on
 * stored feature rows; and bit-identical results for any thread count.
 * Needs `npm run build` (build/features.wasm, dist/kernels/wasm/worker.js).
 */
import { createJsFeatureBackend } from '../src/features/backend-js.js';
import { choleskyOfSquare, createWasmFeatureBackend, triangleFilters } from '../src/features/backend-wasm.js';
import { DIM, type FeatureBackend, type PatchModel } from '../src/features/types.js';
import { LOSS_NAMES } from '../src/model/losses/types.js';
import { Rng } from '../src/core/rng.js';
import { C, type Split } from '../src/core/shapes.js';

const rng = new Rng(11);
const normal = (n: number, scale = 1) => rng.fillNormal(new Float32Array(n), scale) as Float32Array;
const bytes = (n: number) => Uint8Array.from({ length: n }, () => rng.int(256));

/** max |a − b| / max |a|. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0,
    s = 0;
  for (let i = 0; i < a.length; i++) {
    e = Math.max(e, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(a[i]));
  }
  return e / s;
}

const js = createJsFeatureBackend();
let one: FeatureBackend, two: FeatureBackend;
beforeAll(async () => {
  one = await createWasmFeatureBackend({ threads: 1 });
  two = await createWasmFeatureBackend({ threads: 2 });
});
afterAll(() => {
  one.dispose();
  two.dispose();
});

test('matmul: odd shapes agree with the reference', () => {
  const [m, k, n] = [37, 45, 19];
  const A = normal(m * k),
    B = normal(k * n);
  const want = new Float32Array(m * n),
    got = new Float32Array(m * n),
    got2 = new Float32Array(m * n);
  js.matmul(A, m, k, B, n, want);
  one.matmul(A, m, k, B, n, got);
  two.matmul(A, m, k, B, n, got2);
  expect(relErr(want, got)).toBeLessThan(1e-5);
  expect(Array.from(got2)).toEqual(Array.from(got));
});

/** O = A·B as float32 sums over d in order, each product rounded: what the wasm product computes. */
function f32Product(A: Float32Array, m: number, k: number, B: Float32Array, n: number): Float32Array {
  const O = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let c = 0;
      for (let d = 0; d < k; d++) c = Math.fround(c + Math.fround(A[i * k + d] * B[d * n + j]));
      O[i * n + j] = c;
    }
  }
  return O;
}

test('matmul: float32 sums over d in order, bit for bit, for rows of DIM (the constant-stride loop) and others', () => {
  for (const [m, k, n] of [
    [37, DIM, 19], // whitening's and the assignment's shape: mmPatches
    [13, DIM, DIM],
    [21, 45, 11], // any other stride: the general loop
  ]) {
    const A = normal(m * k),
      B = normal(k * n);
    const got = new Float32Array(m * n);
    two.matmul(A, m, k, B, n, got);
    expect(Array.from(got)).toEqual(Array.from(f32Product(A, m, k, B, n)));
  }
});

test('gram: Xᵀ·X as float32 sums over the rows in order, bit for bit, symmetric, on any width and thread count', () => {
  for (const [m, dim] of [
    [150, DIM], // rows across chunks of 64
    [37, 13],
    [64, 6],
    [1, 8],
  ]) {
    const X = normal(m * dim);
    const Xt = new Float32Array(dim * m);
    for (let i = 0; i < m; i++) for (let d = 0; d < dim; d++) Xt[d * m + i] = X[i * dim + d];
    const want = f32Product(Xt, dim, m, X, dim);
    for (const b of [one, two]) {
      const got = new Float32Array(dim * dim);
      b.gram(X, m, dim, got);
      expect(Array.from(got)).toEqual(Array.from(want));
    }
    const ref = new Float32Array(dim * dim);
    js.gram(X, m, dim, ref);
    expect(relErr(ref, want)).toBeLessThan(1e-5);
  }
});

test("A and X in the backend's memory are read in place, with the same results; O may be A", () => {
  const [m, k] = [37, DIM];
  const A = normal(m * k),
    B = normal(k * k);
  const inside = (x: Float32Array) => {
    const bytes = two.allocPixels(x.length * 4);
    const f = new Float32Array(bytes.buffer, bytes.byteOffset, x.length);
    f.set(x);
    return f;
  };
  const want = new Float32Array(m * k);
  two.matmul(A, m, k, B, k, want);
  const Ai = inside(A);
  two.matmul(Ai, m, k, B, k, Ai); // in place, over itself
  expect(Array.from(Ai)).toEqual(Array.from(want));
  const K = 9;
  const cents = normal(K * DIM);
  const [b0, b1] = [new Int32Array(m), new Int32Array(m)];
  const [v0, v1] = [new Float32Array(m), new Float32Array(m)];
  two.assign(A, m, cents, K, b0, v0);
  two.assign(inside(A), m, cents, K, b1, v1);
  expect(Array.from(b1)).toEqual(Array.from(b0));
  expect(Array.from(v1)).toEqual(Array.from(v0));
});

test("k-means' sample of normalized patches: the reference's bits, in place or staged, on any thread count", () => {
  const n = 7;
  const pixels = bytes(n * 3072);
  pixels.fill(200, 3 * 3072, 4 * 3072); // a flat image: every patch is all zeros
  const count = 301;
  const picks = new Int32Array(3 * count);
  for (let u = 0; u < count; u++) {
    picks[3 * u] = rng.int(n);
    picks[3 * u + 1] = u % 3 === 0 ? 26 : rng.int(27); // the last row and column of positions too
    picks[3 * u + 2] = u % 5 === 0 ? 26 : rng.int(27);
  }
  const want = new Float32Array(count * DIM);
  js.normalizedPatches(pixels, picks, count, want);
  expect(want.some((v) => v !== 0)).toBe(true);
  for (const b of [one, two]) {
    const got = new Float32Array(count * DIM);
    b.normalizedPatches(pixels, picks, count, got); // pixels and X outside the memory: staged
    expect(Array.from(got)).toEqual(Array.from(want));
    const inPix = b.allocPixels(pixels.length);
    inPix.set(pixels);
    const xb = b.allocPixels(count * DIM * 4);
    const inX = new Float32Array(xb.buffer, xb.byteOffset, count * DIM);
    b.normalizedPatches(inPix, picks, count, inX); // both read and written in place
    expect(Array.from(inX)).toEqual(Array.from(want));
  }
});

test("k-means assignment: the same nearest centroids, and the same bits of each cluster's sum", () => {
  const N = 333,
    K = 21;
  const X = normal(N * DIM),
    cents = normal(K * DIM);
  const b = [new Int32Array(N), new Int32Array(N), new Int32Array(N)];
  const v = [new Float32Array(N), new Float32Array(N), new Float32Array(N)];
  const t = [0, 1, 2].map(() => ({ sums: new Float64Array(K * DIM).fill(7), counts: new Float64Array(K).fill(7) }));
  for (const [i, be] of [js, one, two].entries()) be.assign(X, N, cents, K, b[i], v[i], t[i]);
  expect(Array.from(b[1])).toEqual(Array.from(b[0]));
  expect(relErr(v[0], v[1])).toBeLessThan(1e-5);
  expect(Array.from(b[2])).toEqual(Array.from(b[1]));
  expect(Array.from(v[2])).toEqual(Array.from(v[1]));
  // Lloyd's sums by hand, in row order from zero (the 7s are overwritten)
  const sums = new Float64Array(K * DIM),
    counts = new Float64Array(K);
  for (let i = 0; i < N; i++) {
    counts[b[0][i]]++;
    for (let d = 0; d < DIM; d++) sums[b[0][i] * DIM + d] += X[i * DIM + d];
  }
  for (const ti of t) {
    expect(Buffer.from(ti.sums.buffer)).toEqual(Buffer.from(sums.buffer));
    expect(Array.from(ti.counts)).toEqual(Array.from(counts));
  }
  expect(counts.filter((c) => c > 0).length).toBeGreaterThan(K / 2); // many clusters in play
});

test('k-means assignment: ties go to the first centroid, in any lane or the tail; a NaN centroid is passed over', () => {
  const K = 23; // lanes of 4 and a tail of 3
  const cents = normal(K * DIM);
  // centroid 3 is copied to 7 (the same lane), 12 and 21 (the tail); 5 to 6 (the next lane)
  for (const [from, to] of [
    [3, 7],
    [3, 12],
    [3, 21],
    [5, 6],
  ])
    cents.copyWithin(to * DIM, from * DIM, (from + 1) * DIM);
  const N = 2 * K;
  const X = normal(N * DIM);
  for (let c = 0; c < K; c++) X.set(cents.subarray(c * DIM, (c + 1) * DIM), 2 * c * DIM); // row 2c is centroid c
  const assigned = (cs: Float32Array) => {
    const b = [new Int32Array(N), new Int32Array(N), new Int32Array(N)];
    const v = [new Float32Array(N), new Float32Array(N), new Float32Array(N)];
    for (const [i, be] of [js, one, two].entries()) be.assign(X, N, cs, K, b[i], v[i]);
    expect(Array.from(b[1])).toEqual(Array.from(b[0]));
    expect(Array.from(b[2])).toEqual(Array.from(b[1]));
    expect(Array.from(v[2])).toEqual(Array.from(v[1]));
    return b[1];
  };
  const best = assigned(cents);
  for (const c of [3, 7, 12, 21]) expect(best[2 * c]).toBe(3); // a patch equal to centroid 7, 12 or 21 goes to 3
  expect(best[2 * 6]).toBe(5);
  // A NaN anywhere but in centroid 0 is never the largest (every row then takes the scalar loop).
  cents[9 * DIM + 4] = NaN;
  const withNaN = assigned(cents);
  expect(Array.from(withNaN)).not.toContain(9);
  for (let i = 0; i < N; i++) if (best[i] !== 9) expect(withNaN[i]).toBe(best[i]);
});

describe('triangle features', () => {
  const K = 13; // no multiple of 4 or 8: the padded and scalar tails run
  const Q = normal(DIM * DIM, 0.1);
  const P = new Float32Array(DIM * DIM); // symmetric, as ZCA's
  for (let a = 0; a < DIM; a++) for (let b = 0; b < DIM; b++) P[a * DIM + b] = Q[a * DIM + b] + Q[b * DIM + a] + (a === b ? 1 : 0);
  const model: PatchModel = { M: normal(DIM, 0.1), P, centroids: normal(K * DIM, 2), K };
  const n = 3;
  const pixels = bytes(n * 3072);

  test('agree with the reference, in place or staged, on any thread count', () => {
    const want = new Float32Array(n * 4 * K);
    js.triangle(pixels, n, model, want);
    const got = new Float32Array(n * 4 * K);
    one.triangle(pixels, n, model, got);
    expect(relErr(want, got)).toBeLessThan(1e-4);
    const inside = two.allocPixels(n * 3072);
    inside.set(pixels);
    const got2 = new Float32Array(n * 4 * K);
    two.triangle(inside, n, model, got2);
    expect(Array.from(got2)).toEqual(Array.from(got));
  });

  test("Winograd's filters at their range: images of 0s and 255s, segments of equal taps", () => {
    // d' reaches ±255 and g0 + g1 + g2 three times the largest tap: the 16-bit bounds
    const K2 = 20;
    const cents = normal(K2 * DIM, 2);
    for (let k = 0; k < K2; k += 2) for (let d = 0; d < DIM; d++) cents[k * DIM + d] = cents[k * DIM + d - (d % 3)];
    const far: PatchModel = { ...model, centroids: cents, K: K2 };
    const pix = Uint8Array.from({ length: 2 * 3072 }, (_, i) => (i < 3072 ? rng.int(2) * 255 : (i >> 5) & 1 ? 255 : 0));
    const want = new Float32Array(2 * 4 * K2),
      got = new Float32Array(2 * 4 * K2);
    js.triangle(pix, 2, far, want);
    two.triangle(pix, 2, far, got);
    expect(relErr(want, got)).toBeLessThan(1e-4);
  });

  test("whitening filters: the Cholesky factor of P·Pᵀ; P's own columns when P is singular", () => {
    const L = choleskyOfSquare(P);
    if (L === null) throw new Error('no Cholesky factor of a nonsingular P·Pᵀ');
    let worst = 0,
      big = 0;
    for (let a = 0; a < DIM; a++) {
      for (let b = 0; b < DIM; b++) {
        if (b > a) expect(L[a * DIM + b]).toBe(0); // lower triangular: the kernel skips these taps
        let ll = 0,
          pp = 0;
        for (let e = 0; e < DIM; e++) {
          ll += L[a * DIM + e] * L[b * DIM + e];
          pp += P[a * DIM + e] * P[b * DIM + e];
        }
        worst = Math.max(worst, Math.abs(ll - pp));
        big = Math.max(big, Math.abs(pp));
      }
    }
    expect(worst / big).toBeLessThan(1e-12);
    expect(triangleFilters(model).tri).toBe(true);
    // P with a zero row and column: P·Pᵀ is singular, the dense filters take over
    const S = P.slice();
    for (let d = 0; d < DIM; d++) S[7 * DIM + d] = S[d * DIM + 7] = 0;
    expect(choleskyOfSquare(S)).toBeNull();
    const singular: PatchModel = { ...model, P: S };
    expect(triangleFilters(singular).tri).toBe(false);
    const want = new Float32Array(n * 4 * K),
      got = new Float32Array(n * 4 * K);
    js.triangle(pixels, n, singular, want);
    two.triangle(pixels, n, singular, got);
    expect(relErr(want, got)).toBeLessThan(1e-4);
  });
});

// 2,500: more than one chunk of the wasm kernels' 256 features, the last one short
describe.each([154, 40, 9, 2500])('training on stored rows of %i features', (F) => {
  const N = 203;
  const pixels = bytes(N * F);
  const labels = Uint8Array.from({ length: N }, () => rng.int(C));
  const split: Split = { pixels, labels, n: N };
  const mean = new Float32Array(F);
  for (let i = 0; i < N; i++) for (let j = 0; j < F; j++) mean[j] += pixels[i * F + j] / N;
  const W = normal(C * (F + 1), 2e-3);
  const picks: [string, Int32Array | null][] = [
    ['all rows', null],
    ['a minibatch with repeats', Int32Array.from({ length: 50 }, (_, i) => (i < 5 ? 3 : rng.int(N)))],
  ];

  test.each(LOSS_NAMES.flatMap((l) => picks.map(([p, rows]) => [l, p, rows] as const)))('%s loss, %s', (name, _p, rows) => {
    const loss = { name, delta: 1 };
    const dW = [0, 1, 2].map(() => new Float32Array(W.length));
    const right = [0, 1, 2].map(() => new Int32Array(1));
    const inside = two.allocPixels(N * F);
    inside.set(pixels);
    const splits = [split, split, { ...split, pixels: inside }];
    const L = [js, one, two].map((be, i) => be.lossAndGrad(splits[i], rows, mean, W, loss, dW[i], right[i]));
    expect(Math.abs(L[1] - L[0]) / L[0]).toBeLessThan(1e-6); // float32 sums against float64
    expect(relErr(dW[0], dW[1])).toBeLessThan(1e-5);
    expect(right[1][0]).toBe(right[0][0]);
    expect(L[2]).toBe(L[1]);
    expect(Array.from(dW[2])).toEqual(Array.from(dW[1]));
  });

  test('lossMany and predict agree', () => {
    const K = 3;
    const Ws = normal(K * C * (F + 1), 2e-3);
    const out = [new Float64Array(K), new Float64Array(K)];
    const right = [new Int32Array(K), new Int32Array(K)];
    js.lossMany(split, null, mean, Ws, K, { name: 'svm', delta: 1 }, out[0], right[0]);
    two.lossMany(split, null, mean, Ws, K, { name: 'svm', delta: 1 }, out[1], right[1]);
    for (let k = 0; k < K; k++) expect(out[1][k]).toBeCloseTo(out[0][k], 5);
    expect(Array.from(right[1])).toEqual(Array.from(right[0]));
    const p = [new Uint8Array(N), new Uint8Array(N)];
    js.predict(split, null, mean, W, p[0]);
    two.predict(split, null, mean, W, p[1]);
    expect(Array.from(p[1])).toEqual(Array.from(p[0]));
  });

  // The backward pass leaves out rows whose ∂L/∂s is zero for a tile's classes, and
  // skips a block of rows with none: rows 0–63 (four blocks) are past every margin here.
  test.each(['ova2', 'svm2', 'svm'] as const)('%s loss with most rows past the margin: the gradient is the reference', (name) => {
    const sparse: Split = { ...split, labels: split.labels.map((y, i) => (i < 64 ? 0 : y)) };
    const Wm = W.slice();
    for (let c = 0; c < C; c++) Wm[c * (F + 1) + F] = c === 0 ? 100 : -100; // scores without the bias stay within ±30
    const dW = [0, 1, 2].map(() => new Float32Array(W.length));
    const L = [js, one, two].map((be, i) => be.lossAndGrad(sparse, null, mean, Wm, { name, delta: 1 }, dW[i]));
    expect(Math.abs(L[1] - L[0]) / L[0]).toBeLessThan(1e-6);
    expect(relErr(dW[0], dW[1])).toBeLessThan(1e-5);
    expect(Array.from(dW[2])).toEqual(Array.from(dW[1]));
    // and the rows past the margin do count nowhere: dropping them changes nothing
    const live = Int32Array.from({ length: N - 64 }, (_, i) => i + 64);
    const part = new Float32Array(W.length);
    const Lp = one.lossAndGrad(sparse, live, mean, Wm, { name, delta: 1 }, part);
    expect(Math.abs(Lp * (N - 64) - L[1] * N) / (L[1] * N)).toBeLessThan(1e-9);
    expect(
      relErr(
        part.map((v) => v * (N - 64)),
        dW[1].map((v) => v * N),
      ),
    ).toBeLessThan(1e-6);
  });

  test('a W of the wrong width is refused', () => {
    expect(() => two.predict(split, null, mean, new Float32Array(C * F), new Uint8Array(N))).toThrow(/W has \d+ values, expected 1×10×/);
  });
});
