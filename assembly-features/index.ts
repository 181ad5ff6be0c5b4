// lintrain's feature kernels (src/features/backend-wasm.ts calls them): Coates et al.'s
// patch features (16-bit dot products, triangle.ts), k-means (kmeans.ts, on the float32
// product of mm.ts), and training on stored feature rows (rows.ts), on both cores.
//
// The threading is the pixel kernels' own: the JS side runs these exports through the
// same worker pool (src/kernels/wasm/pool.ts: ctrlPtr, startJob, work) and the same
// claim protocol (assembly/control.ts). A job is cut into units by its size alone
// (images, blocks of patch rows, superblocks of training rows); each unit writes its
// own outputs, so results are identical for any number of threads.
import { claimSuperblock, openJob, setBusy, superblockDone } from '../assembly/control';
import { C, CTRL } from '../assembly/layout';
import { gramTile, mm } from './mm';
import {
  AR, J_KIND, J_P, J_UNITS, KIND_ASSIGN, KIND_BACKWARD, KIND_FILL, KIND_FORWARD, KIND_GRAM, KIND_MM, KIND_PATCHES, KIND_TRIANGLE, p, slot,
} from './layout';
import { assignRows, clusterSums, patchRows } from './kmeans';
import { triangleImage, triangleScratch } from './triangle';
import { backwardRows, forwardRows, ROWS_SCRATCH, sumParts } from './rows';

export { clusterSums, sumParts };

/** Address of the control block (assembly/control.ts). */
export function ctrlPtr(): usize {
  return CTRL;
}

/** Bytes of scratch one thread needs for centroids (or triangle filters) padded to Kp, and for training rows. */
export function scratchBytes(Kp: i32): i32 {
  const assign = (<usize>(AR * Kp) << 2);
  return <i32>max(max(triangleScratch(Kp), assign), ROWS_SCRATCH);
}

/** Units of a training-rows job over n picked rows: about 1024 rows each, 2 to 64 of them. */
export function rowUnits(n: i32): i32 {
  return max(1, min(64, min(max(2, (n + 1023) >> 10), (n + 15) >> 4)));
}
@inline function unitStart(u: i32, n: i32, U: i32): i32 {
  return <i32>((<i64>u * n) / U);
}

function setJob(kind: i32, units: i32): void {
  store<i32>(slot(J_KIND), kind);
  store<i32>(slot(J_UNITS), units);
}
@inline function setP(i: i32, v: usize): void {
  store<u32>(slot(J_P + i), <u32>v);
}

/** O (m × n) = A·B as in mm.ts, by blocks of `block` rows of A (a multiple of 4); ≤ 255 units. */
export function setMM(A: usize, lda: i32, m: i32, B: usize, ldb: i32, n: i32, k: i32, O: usize, ldo: i32, block: i32): void {
  setJob(KIND_MM, (m + block - 1) / block);
  setP(0, A); setP(1, lda); setP(2, m); setP(3, B); setP(4, ldb); setP(5, n); setP(6, k); setP(7, O); setP(8, ldo); setP(9, block);
}

/** O = Xᵀ·X (mm.ts gramTile) for m rows of dim floats: one unit per tile of 4 rows of O; O has rows of n = dim padded to 8. */
export function setGram(X: usize, dim: i32, m: i32, O: usize): void {
  setJob(KIND_GRAM, (dim + 3) >> 2);
  setP(0, X); setP(1, dim); setP(2, m); setP(3, O);
}

/** k-means assignment of N patch rows, by blocks of `block` rows (a multiple of AR). */
export function setAssign(X: usize, N: i32, Ct: usize, hc: usize, K: i32, Kp: i32, best: usize, val: usize, scratch: usize, block: i32): void {
  setJob(KIND_ASSIGN, (N + block - 1) / block);
  setP(0, X); setP(1, N); setP(2, Ct); setP(3, hc); setP(4, K); setP(5, Kp); setP(6, best); setP(7, val); setP(8, scratch); setP(9, block);
}

/** The normalized patches of k-means' sample (kmeans.ts patchRows): count of them, by blocks of `block`. */
export function setPatches(pix: usize, picks: usize, count: i32, X: usize, block: i32): void {
  setJob(KIND_PATCHES, (count + block - 1) / block);
  setP(0, pix); setP(1, picks); setP(2, count); setP(3, X); setP(4, block);
}

/**
 * Triangle features of n ≤ 255 images at pix (n × 3072 bytes) into out (n × 4K f32), one
 * unit per image; B, fl, tri: the filters as triangle.ts lays them out, NFp of them.
 */
export function setTriangle(pix: usize, n: i32, B: usize, fl: usize, K: i32, NFp: i32, tri: bool, out: usize, scratch: usize): void {
  setJob(KIND_TRIANGLE, n);
  setP(0, pix); setP(1, B); setP(2, fl); setP(3, tri ? 1 : 0); setP(5, K); setP(6, NFp); setP(7, out); setP(8, scratch);
}

/**
 * Training scores (forward) or gradient parts (backward, G: rowUnits(n) × FS/4 × C × 4 f32);
 * W as rows.ts lays it out; rows of F bytes padded to FS floats, FS a multiple of 16.
 */
export function setRows(
  backward: bool, q: usize, F: i32, FS: i32, rows: usize, n: i32, mean: usize, Wt: usize, ds: usize, out: usize, scratch: usize,
): void {
  setJob(backward ? KIND_BACKWARD : KIND_FORWARD, rowUnits(n));
  setP(0, q); setP(1, F); setP(2, FS); setP(3, rows); setP(4, n); setP(5, mean); setP(6, Wt); setP(7, ds); setP(8, out); setP(9, scratch);
}

/**
 * Zero `bytes` bytes at ptr, the threads sharing them: a fresh memory's pages are then
 * faulted in on every core at once before the loader fills them (as assembly/ KIND_FILL).
 */
export function setFill(ptr: usize, bytes: i32): void {
  setJob(KIND_FILL, 64);
  setP(0, ptr); setP(1, <usize>bytes);
}

/** Open the described job for claiming under tag (src/kernels/wasm/pool.ts calls this). */
export function startJob(tag: i32): void {
  openJob(tag, load<i32>(slot(J_UNITS)), 0);
}

/** Thread tid's part of job tag: claim units until none is left. */
export function work(tid: i32, tag: i32): void {
  setBusy(tid, tag);
  const kind = load<i32>(slot(J_KIND)), U = load<i32>(slot(J_UNITS));
  for (let u = claimSuperblock(tag); u >= 0; u = claimSuperblock(tag)) {
    if (kind == KIND_MM) {
      const m = <i32>p(2), block = <i32>p(9), lo = u * block, rows = min(block, m - lo);
      const lda = <i32>p(1), ldo = <i32>p(8);
      mm(p(0) + (<usize>(lo * lda) << 2), lda, rows, p(3), <i32>p(4), <i32>p(5), <i32>p(6), p(7) + (<usize>(lo * ldo) << 2), ldo, false);
    } else if (kind == KIND_ASSIGN) {
      const N = <i32>p(1), block = <i32>p(9), lo = u * block;
      const scr = p(8) + <usize>tid * <usize>scratchBytesOf();
      assignRows(p(0), lo, min(N, lo + block), p(2), p(3), <i32>p(4), <i32>p(5), p(6), p(7), scr);
    } else if (kind == KIND_GRAM) {
      const n = (<i32>p(1) + 7) & ~7;
      gramTile(p(0), <i32>p(1), <i32>p(2), u, n, p(3), n);
    } else if (kind == KIND_PATCHES) {
      const block = <i32>p(4), lo = u * block;
      patchRows(p(0), p(1), lo, min(<i32>p(2), lo + block), p(3));
    } else if (kind == KIND_FILL) {
      const bytes = <i32>p(1), lo = unitStart(u, bytes, U), hi = unitStart(u + 1, bytes, U);
      memory.fill(p(0) + <usize>lo, 0, <usize>(hi - lo));
    } else if (kind == KIND_TRIANGLE) {
      const K = <i32>p(5);
      const scr = p(8) + <usize>tid * <usize>scratchBytesOf();
      triangleImage(p(0) + <usize>u * 3072, p(1), p(2), K, <i32>p(6), p(3) != 0, p(7) + (<usize>(u * 4 * K) << 2), scr);
    } else {
      const n = <i32>p(4), lo = unitStart(u, n, U), hi = unitStart(u + 1, n, U);
      const F = <i32>p(1), FS = <i32>p(2);
      const scr = p(9) + <usize>tid * <usize>scratchBytesOf();
      if (kind == KIND_FORWARD) forwardRows(p(0), F, FS, p(3), lo, hi, p(5), p(6), p(8), scr);
      else backwardRows(p(0), F, FS, p(3), lo, hi, p(5), p(7), p(8) + <usize>u * (<usize>(C * FS) << 2), scr);
    }
    superblockDone();
  }
  setBusy(tid, 0);
}

// The per-thread scratch stride, set by the JS side when sizes change. In memory, not a
// global: every thread runs its own instance, with its own globals.
const STRIDE_SLOT = J_P + 15;
export function setScratchStride(bytes: i32): void {
  store<i32>(slot(STRIDE_SLOT), bytes);
}
@inline function scratchBytesOf(): i32 {
  return load<i32>(slot(STRIDE_SLOT));
}
