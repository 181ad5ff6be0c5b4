/**
 * The WebAssembly feature backend: assembly-features/ compiled to build/features.wasm,
 * float32 SIMD, every job cut into units (images, blocks of patch rows, superblocks of
 * training rows) that the threads claim. It reuses the pixel kernels' machinery as it
 * is: the worker pool and its worker script (src/kernels/wasm/pool.ts, worker.ts)
 * and the arena over one shared memory (kernels/wasm/memory.ts).
 *
 * Inputs are copied into the shared memory per call, except data that already lives
 * there: pixels and feature rows allocated with allocPixels are read in place.
 * The patch model (whitening, centroids) is laid out once per model.
 */
import fs from 'node:fs';
import { UsageError } from '../core/errors.js';
import { Arena, backendFiles, MAX_PAGES, Region } from '../kernels/wasm/memory.js';
import { MAX_THREADS, Pool, threadCount } from '../kernels/wasm/pool.js';
import { C, type FloatArray, type Split } from '../core/shapes.js';
import { makeRowKernels } from './rows.js';
import { DIM, type FeatureBackend, type PatchModel } from './types.js';

interface FeatureExports {
  scratchBytes(Kp: number): number;
  setScratchStride(bytes: number): void;
  rowUnits(n: number): number;
  setMM(A: number, lda: number, m: number, B: number, ldb: number, n: number, k: number, O: number, ldo: number, block: number): void;
  setAssign(
    X: number,
    N: number,
    Ct: number,
    hc: number,
    K: number,
    Kp: number,
    best: number,
    val: number,
    scr: number,
    block: number,
  ): void;
  setGram(X: number, dim: number, m: number, O: number): void;
  setPatches(pix: number, picks: number, count: number, X: number, block: number): void;
  setTriangle(pix: number, n: number, B: number, fl: number, K: number, NFp: number, tri: boolean, out: number, scr: number): void;
  setRows(
    backward: boolean,
    q: number,
    F: number,
    FS: number,
    rows: number,
    n: number,
    mean: number,
    Wt: number,
    ds: number,
    out: number,
    scr: number,
  ): void;
  sumParts(G: number, S: number, stride: number, len: number, out: number): void;
  clusterSums(X: number, N: number, best: number, K: number, sums: number, counts: number): void;
  setFill(ptr: number, bytes: number): void;
}

const AR = 32; // assignment block rows
/** Where W[c, j] (and the gradient's) sits in the row kernels' layout, groups of 4 features: [j/4][class][4]. */
const grouped = (c: number, j: number) => ((j >> 2) * C + c) * 4 + (j & 3);
const IMG = 3072;
const up = (x: number, m: number) => Math.ceil(x / m) * m;

export async function createWasmFeatureBackend(opts: { threads: number }): Promise<FeatureBackend> {
  const threads = opts.threads;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new UsageError(`--threads must be a whole number from 1 to ${MAX_THREADS}, got ${threads}`);
  }
  const { features, worker } = backendFiles();
  const module = await WebAssembly.compile(fs.readFileSync(features));
  const memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
  const arena = new Arena(memory);
  const pool = await Pool.start(module, arena, threads, worker);
  const k = pool.exports as unknown as FeatureExports;

  const regions = () => new Region(arena);
  const [scr, bufA, bufB, bufO, bufI, stage, model, meanBuf, wtBuf, rowsBuf, outBuf] = Array.from({ length: 11 }, regions);

  /** Per-thread scratch for Kp centroids or filters (and training rows); tells the module its stride. */
  function scratch(Kp: number): number {
    const bytes = up(k.scratchBytes(Kp), 64);
    k.setScratchStride(bytes);
    return scr.ensure(threads * bytes);
  }

  /** The bytes of a split's picked rows: in place when they live in the memory, else staged. */
  function rowsIn(split: Split, rows: Int32Array | null, n: number, F: number): { q: number; rowsPtr: number } {
    if (arena.owns(split.pixels)) {
      if (rows === null) return { q: split.pixels.byteOffset, rowsPtr: 0 };
      const ptr = rowsBuf.ensure(n * 4);
      arena.i32(ptr, n).set(rows);
      return { q: split.pixels.byteOffset, rowsPtr: ptr };
    }
    const ptr = stage.ensure(n * F + 16);
    const dst = arena.u8(ptr, n * F);
    if (rows === null) dst.set(split.pixels.subarray(0, n * F));
    else for (let i = 0; i < n; i++) dst.set(split.pixels.subarray(rows[i] * F, (rows[i] + 1) * F), i * F);
    return { q: ptr, rowsPtr: 0 };
  }

  function meanIn(mean: Float32Array, FS: number): number {
    const ptr = meanBuf.ensure(FS * 4);
    const m = arena.f32(ptr, FS);
    m.fill(0);
    m.set(mean);
    return ptr;
  }

  const rowKernels = makeRowKernels('wasm', threads, `SIMD on feature rows, ${threadCount(threads)}`, {
    forward(split, rows, n, mean, W: FloatArray, scores) {
      const F = mean.length,
        FS = up(F, 16);
      const { q, rowsPtr } = rowsIn(split, rows, n, F);
      const mp = meanIn(mean, FS);
      const wp = wtBuf.ensure(FS * C * 4);
      const Wg = arena.f32(wp, FS * C);
      Wg.fill(0);
      for (let c = 0; c < C; c++) for (let j = 0, o = c * (F + 1); j < F; j++) Wg[grouped(c, j)] = W[o + j];
      const out = outBuf.ensure(n * C * 4);
      const s = scratch(0);
      k.setRows(false, q, F, FS, rowsPtr, n, mp, wp, 0, out, s);
      pool.run();
      scores.set(arena.f32(out, n * C));
    },
    backward(split, rows, n, mean, ds, dW) {
      const F = mean.length,
        FS = up(F, 16);
      const { q, rowsPtr } = rowsIn(split, rows, n, F);
      const mp = meanIn(mean, FS);
      const dsp = wtBuf.ensure(n * C * 4);
      arena.f32(dsp, n * C).set(ds.subarray(0, n * C));
      const S = k.rowUnits(n);
      const G = outBuf.ensure(S * C * FS * 4 + C * FS * 4);
      const sum = G + S * C * FS * 4;
      const s = scratch(0);
      k.setRows(true, q, F, FS, rowsPtr, n, mp, 0, dsp, G, s);
      pool.run();
      k.sumParts(G, S, C * FS, C * FS, sum);
      const g = arena.f32(sum, C * FS);
      for (let c = 0; c < C; c++) for (let j = 0; j < F; j++) dW[c * (F + 1) + j] = g[grouped(c, j)];
    },
  });

  /**
   * Where the kernels can read floats of a in place: its address when a lives in the
   * memory and `floats` of them from its start are inside it (rows past a's end are read
   * as padding, their results dropped); else −1, and the caller copies.
   */
  function readable(a: Float32Array, floats: number): number {
    return arena.owns(a) && a.byteOffset + floats * 4 <= arena.buffer.byteLength ? a.byteOffset : -1;
  }

  /** Centroids transposed (DIM × Kp, zero past K) at ptr; returns Kp. */
  function centroidsIn(centroids: Float32Array, K: number, ptr: number): void {
    const Kp = up(K, 8);
    const Ct = arena.f32(ptr, DIM * Kp);
    Ct.fill(0);
    for (let c = 0; c < K; c++) for (let d = 0; d < DIM; d++) Ct[d * Kp + c] = centroids[c * DIM + d];
  }

  let laidOut: PatchModel | null = null;
  let modelPtrs = { B: 0, fl: 0, NFp: 0, tri: false };
  /** The model's filters, as assembly-features/triangle.ts takes them (triangleFilters). */
  function modelIn(m: PatchModel) {
    if (laidOut === m) return modelPtrs;
    const f = triangleFilters(m);
    const B = model.ensure(f.pairs.byteLength + f.floats.byteLength + 64);
    const fl = B + up(f.pairs.byteLength, 64);
    new Int16Array(arena.memory.buffer, B, f.pairs.length).set(f.pairs);
    arena.f32(fl, f.floats.length).set(f.floats);
    laidOut = m;
    modelPtrs = { B, fl, NFp: f.NFp, tri: f.tri };
    return modelPtrs;
  }

  return {
    ...rowKernels,
    normalizedPatches(pixels, picks, count, X) {
      if (count === 0) return;
      // every region first: a later ensure() may grow the memory under earlier views
      const inPlace = arena.owns(pixels);
      const pp = bufI.ensure(count * 12);
      const pix = inPlace ? pixels.byteOffset : stage.ensure(count * IMG);
      let x = readable(X, count * DIM);
      const copy = x < 0;
      if (copy) x = bufA.ensure(count * DIM * 4);
      const ps = arena.i32(pp, count * 3);
      ps.set(picks.subarray(0, count * 3));
      if (!inPlace) {
        // images outside the memory: the picked ones are staged, patch u's at slot u
        const st = arena.u8(pix, count * IMG);
        for (let u = 0; u < count; u++) {
          st.set(pixels.subarray(ps[3 * u] * IMG, (ps[3 * u] + 1) * IMG), u * IMG);
          ps[3 * u] = u;
        }
      }
      k.setPatches(pix, pp, count, x, Math.max(32, Math.ceil(count / 255)));
      pool.run();
      if (copy) X.set(arena.f32(x, count * DIM));
    },
    gram(X, m, dim, O) {
      // gramTile reads up to 7 floats past the last row, and tile rows up to dim padded to 4
      let x = readable(X, m * dim + 8);
      if (x < 0) {
        x = bufA.ensure((m * dim + 8) * 4);
        const xv = arena.f32(x, m * dim + 8);
        xv.set(X.subarray(0, m * dim));
        xv.fill(0, m * dim);
      }
      const n8 = up(dim, 8);
      const o = bufO.ensure(up(dim, 4) * n8 * 4);
      k.setGram(x, dim, m, o);
      pool.run();
      const ov = arena.f32(o, up(dim, 4) * n8);
      for (let a = 0; a < dim; a++) for (let b = a; b < dim; b++) O[a * dim + b] = O[b * dim + a] = ov[a * n8 + b];
    },
    matmul(A, m, kk, B, n, O) {
      const mp = up(m, 4),
        np = up(n, 8);
      const b = bufB.ensure(kk * np * 4),
        o = bufO.ensure(mp * np * 4);
      let a = readable(A, mp * kk);
      if (a < 0) {
        a = bufA.ensure(mp * kk * 4);
        const av = arena.f32(a, mp * kk);
        av.fill(0, m * kk);
        av.set(A.subarray(0, m * kk));
      }
      const bv = arena.f32(b, kk * np);
      bv.fill(0);
      for (let d = 0; d < kk; d++) bv.set(B.subarray(d * n, (d + 1) * n), d * np);
      k.setMM(a, kk, mp, b, np, np, kk, o, np, up(Math.max(64, Math.ceil(mp / 255)), 4));
      pool.run();
      const ov = arena.f32(o, mp * np);
      for (let i = 0; i < m; i++) O.set(ov.subarray(i * np, i * np + n), i * n);
    },
    assign(X, N, centroids, K, best, val, totals) {
      const Kp = up(K, 8);
      let x = readable(X, (N + AR) * DIM);
      if (x < 0) {
        x = bufA.ensure((N + AR) * DIM * 4);
        const xv = arena.f32(x, (N + AR) * DIM);
        xv.set(X.subarray(0, N * DIM));
        xv.fill(0, N * DIM);
      }
      const Ct = bufB.ensure((DIM * Kp + Kp) * 4);
      centroidsIn(centroids, K, Ct);
      const hc = Ct + DIM * Kp * 4;
      const hv = arena.f32(hc, Kp);
      for (let c = 0; c < K; c++) {
        let s = 0;
        for (let d = 0; d < DIM; d++) s += centroids[c * DIM + d] ** 2;
        hv[c] = 0.5 * s;
      }
      const bp = bufI.ensure(N * 8);
      const s = scratch(Kp);
      for (let lo = 0; lo < N; lo += 255 * 4096) {
        const n = Math.min(N - lo, 255 * 4096);
        const block = up(Math.max(256, Math.ceil(n / 255)), AR);
        k.setAssign(x + lo * DIM * 4, n, Ct, hc, K, Kp, bp + lo * 4, bp + N * 4 + lo * 4, s, block);
        pool.run();
      }
      best.set(arena.i32(bp, N));
      val.set(arena.f32(bp + N * 4, N));
      if (totals) {
        const sp = bufO.ensure(K * DIM * 8 + K * 8);
        k.clusterSums(x, N, bp, K, sp, sp + K * DIM * 8);
        totals.sums.set(arena.f64(sp, K * DIM));
        totals.counts.set(arena.f64(sp + K * DIM * 8, K));
      }
    },
    triangle(pixels, n, m, out) {
      const { B, fl, NFp, tri } = modelIn(m);
      const s = scratch(NFp);
      const F = 4 * m.K;
      const inPlace = arena.owns(pixels);
      for (let lo = 0; lo < n; lo += 255) {
        const c = Math.min(255, n - lo);
        let pix: number;
        if (inPlace) pix = pixels.byteOffset + lo * IMG;
        else {
          pix = stage.ensure(c * IMG + 16);
          arena.u8(pix, c * IMG).set(pixels.subarray(lo * IMG, (lo + c) * IMG));
        }
        const o = bufO.ensure(c * F * 4);
        k.setTriangle(pix, c, B, fl, m.K, NFp, tri, o, s);
        pool.run();
        out.set(arena.f32(o, c * F), lo * F);
      }
    },
    allocPixels(bytes) {
      if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`allocPixels: bytes must be a whole number >= 0, got ${bytes}`);
      const ptr = arena.alloc(bytes);
      // Fresh pages, faulted in by every thread at once (a page fault costs microseconds in a VM).
      if (threads > 1 && bytes >= 1 << 20) {
        k.setFill(ptr, bytes);
        pool.run();
      }
      return arena.u8(ptr, bytes);
    },
    dispose() {
      return pool.dispose();
    },
  };
}

/** The whitening filters of the triangle features, DIM padded to a strip of 8 (assembly-features/layout.ts). */
const DIMP = 112;

/**
 * L with P·Pᵀ = L·Lᵀ, lower triangular (DIM × DIM, float64), or null when P·Pᵀ is not
 * positive definite (a singular P; ZCA's never is, its eigenvalues are 1/sqrt(λ + ε)).
 */
export function choleskyOfSquare(P: Float32Array): Float64Array | null {
  const Q = new Float64Array(DIM * DIM);
  for (let a = 0; a < DIM; a++)
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let e = 0; e < DIM; e++) s += P[a * DIM + e] * P[b * DIM + e];
      Q[a * DIM + b] = s;
    }
  const L = new Float64Array(DIM * DIM);
  for (let j = 0; j < DIM; j++) {
    let d = Q[j * DIM + j];
    for (let e = 0; e < j; e++) d -= L[j * DIM + e] ** 2;
    // a pivot this small against the diagonal would leave L's column j to rounding
    if (!(d > 1e-12 * Q[j * DIM + j])) return null;
    const ljj = Math.sqrt(d);
    L[j * DIM + j] = ljj;
    for (let i = j + 1; i < DIM; i++) {
      let s = Q[i * DIM + j];
      for (let e = 0; e < j; e++) s -= L[i * DIM + e] * L[j * DIM + e];
      L[i * DIM + j] = s / ljj;
    }
  }
  return L;
}

/**
 * The filters of the triangle features as whole numbers (assembly-features/triangle.ts):
 * DIM whitening filters, DIMP − DIM zero ones, and K centroid filters P·c_k from DIMP on,
 * NFp = DIMP + K padded to 8. The whitening filters are the columns of the Cholesky
 * factor L of P·Pᵀ (tri: filter j has no taps before j), or P's own columns should it fail.
 * Each filter is f ≈ scale·q, q whole, and is stored for Winograd's F(2, 3): each 3-tap
 * segment (q0, q1, q2) of a patch row as g' = (2q0, q0 + q1 + q2, q0 − q1 + q2, 2q2),
 * scale chosen so that |g'| ≤ 32,764 (rounding moves g' by at most 1.5 from the exact
 * f/scale: it stays within 16 bits). pairs: strips of 8 filters, [strip][ξ][(channel, dy)]
 * [8 filters × (segment dx 0–2, segment dx 3–5)]. The kernel's sums C are then twice
 * (v − 128)·q.
 * floats: 4 × NFp, per filter α = scale/2, the factor of its sums; their Σq, 2Σq;
 * M·(scale·q); and for the centroids γ = ‖c_k‖² + 2M·(scale·q).
 */
export function triangleFilters(m: PatchModel): { pairs: Int16Array; floats: Float32Array; NFp: number; tri: boolean } {
  const { P, M, centroids, K } = m;
  const NFp = DIMP + up(K, 8);
  const L = choleskyOfSquare(P);
  const ROW_PAIRS = 18; // (channel, dy)
  const STRIP = 4 * ROW_PAIRS * 16; // i16 of a strip of 8 filters
  const pairs = new Int16Array((NFp / 8) * STRIP);
  const floats = new Float32Array(4 * NFp);
  const f = new Float64Array(DIM);
  const q = new Float64Array(DIM);
  for (let j = 0; j < NFp; j++) {
    const c = (j - DIMP) * DIM; // the centroid's offset, for j ≥ DIMP
    if (j >= DIM && (j < DIMP || j >= DIMP + K)) continue; // zero filters: scale 0, y = 0
    if (j < DIM) for (let d = 0; d < DIM; d++) f[d] = L ? L[d * DIM + j] : P[d * DIM + j];
    else {
      for (let d = 0; d < DIM; d++) {
        let s = 0;
        for (let e = 0; e < DIM; e++) s += P[d * DIM + e] * centroids[c + e];
        f[d] = s;
      }
    }
    let big = 0;
    for (let d = 0; d < DIM; d += 3) {
      const [g0, g1, g2] = [f[d], f[d + 1], f[d + 2]];
      big = Math.max(big, 2 * Math.abs(g0), Math.abs(g0 + g1 + g2), Math.abs(g0 - g1 + g2), 2 * Math.abs(g2));
    }
    const scale = big > 0 ? big / 32764 : 1;
    let qsum = 0;
    let mf = 0;
    for (let d = 0; d < DIM; d++) {
      q[d] = Math.round(f[d] / scale);
      qsum += q[d];
      mf += M[d] * scale * q[d];
    }
    const strip = Math.floor(j / 8) * STRIP;
    const lane = (j % 8 < 4 ? 0 : 8) + (j % 4) * 2;
    for (let p = 0; p < ROW_PAIRS; p++) {
      for (let seg = 0; seg < 2; seg++) {
        const d = p * 6 + seg * 3;
        const [g0, g1, g2] = [q[d], q[d + 1], q[d + 2]];
        const g = [2 * g0, g0 + g1 + g2, g0 - g1 + g2, 2 * g2];
        for (let xi = 0; xi < 4; xi++) {
          if (Math.abs(g[xi]) > 32767) throw new RangeError(`triangleFilters: a Winograd tap ${g[xi]} is past 16 bits`);
          pairs[strip + (xi * ROW_PAIRS + p) * 16 + lane + seg] = g[xi];
        }
      }
    }
    let cc = 0;
    if (j >= DIMP) for (let e = 0; e < DIM; e++) cc += centroids[c + e] ** 2;
    floats[j] = scale / 2;
    floats[NFp + j] = 2 * qsum;
    floats[2 * NFp + j] = mf;
    floats[3 * NFp + j] = j < DIM ? 0 : cc + 2 * mf;
  }
  return { pairs, floats, NFp, tri: L !== null };
}
