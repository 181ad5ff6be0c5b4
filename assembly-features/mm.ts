// The one float32 matrix product of the feature kernels (src/features/backend-*.ts):
//   O[i, j] (+)= Σ_{d<k} A[i·lda + d] · B[d·ldb + j]     i < m (m % 4 = 0), j < n (n % 8 = 0)
// Patch whitening (A = patches, B = ZCA matrix) and patch·centroid products (B = centroids
// transposed, d × K) are this product with different strides. (Training on feature rows
// has tiles of its own, rows.ts: this one would pad 10 classes to 16.)
//
// Tiles of 4 rows × 8 columns: per step d, four scalars of A are splatted and two
// vectors of B loaded, feeding 8 multiply-adds into 8 accumulators — 14 live vectors,
// inside the 15 xmm registers V8 gives wasm on x86-64 (see assembly/forward.ts). The
// lanes run along j, so each output is one plain sum over d in order: no horizontal
// adds, and a row's results do not depend on its neighbours or the thread.
// Columns go outside rows: the 8 columns of B (k × 32 bytes) stay in L1 while every
// row tile of A passes over them.
// Rows of DIM floats with k = DIM (whitening, every k-means assignment) take mmPatches,
// the same loop with the row stride a constant (see there).
import { DIM } from './layout';

/** See the header. acc: add to O instead of overwriting it. Strides in floats. */
export function mm(A: usize, lda: i32, m: i32, B: usize, ldb: i32, n: i32, k: i32, O: usize, ldo: i32, acc: bool): void {
  if (lda == DIM && k == DIM) {
    mmPatches(A, m, B, ldb, n, O, ldo, acc);
    return;
  }
  const la = <usize>lda << 2, lb = <usize>ldb << 2, lo = <usize>ldo << 2;
  const kb = <usize>k << 2;
  for (let j = 0; j < n; j += 8) {
    const bj = B + (<usize>j << 2);
    for (let i = 0; i < m; i += 4) {
      const a0 = A + <usize>i * la, a1 = a0 + la, a2 = a1 + la, a3 = a2 + la;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      let b = bj;
      for (let d: usize = 0; d < kb; d += 4) {
        const x0 = v128.load32_splat(a0 + d);
        const x1 = v128.load32_splat(a1 + d);
        const x2 = v128.load32_splat(a2 + d);
        const x3 = v128.load32_splat(a3 + d);
        const w0 = v128.load(b);
        const w1 = v128.load(b, 16);
        c00 = f32x4.add(c00, f32x4.mul(x0, w0));
        c01 = f32x4.add(c01, f32x4.mul(x0, w1));
        c10 = f32x4.add(c10, f32x4.mul(x1, w0));
        c11 = f32x4.add(c11, f32x4.mul(x1, w1));
        c20 = f32x4.add(c20, f32x4.mul(x2, w0));
        c21 = f32x4.add(c21, f32x4.mul(x2, w1));
        c30 = f32x4.add(c30, f32x4.mul(x3, w0));
        c31 = f32x4.add(c31, f32x4.mul(x3, w1));
        b += lb;
      }
      const o0 = O + <usize>i * lo + (<usize>j << 2), o1 = o0 + lo, o2 = o1 + lo, o3 = o2 + lo;
      if (acc) {
        c00 = f32x4.add(v128.load(o0), c00);
        c01 = f32x4.add(v128.load(o0, 16), c01);
        c10 = f32x4.add(v128.load(o1), c10);
        c11 = f32x4.add(v128.load(o1, 16), c11);
        c20 = f32x4.add(v128.load(o2), c20);
        c21 = f32x4.add(v128.load(o2, 16), c21);
        c30 = f32x4.add(v128.load(o3), c30);
        c31 = f32x4.add(v128.load(o3, 16), c31);
      }
      v128.store(o0, c00);
      v128.store(o0, c01, 16);
      v128.store(o1, c10);
      v128.store(o1, c11, 16);
      v128.store(o2, c20);
      v128.store(o2, c21, 16);
      v128.store(o3, c30);
      v128.store(o3, c31, 16);
    }
  }
}

const LA: usize = <usize>DIM << 2; // bytes of one patch row

/**
 * mm with A rows of DIM floats and k = DIM: whitening's and every k-means assignment's
 * product. The same sums in the same order; only the addressing differs. With the row
 * stride a constant, the four rows of a tile are one address plus fixed offsets, which
 * x86-64 folds into the loads, instead of four adds per step (a fifth of the loop's
 * instructions).
 */
function mmPatches(A: usize, m: i32, B: usize, ldb: i32, n: i32, O: usize, ldo: i32, acc: bool): void {
  const lb = <usize>ldb << 2, lo = <usize>ldo << 2;
  for (let j = 0; j < n; j += 8) {
    const bj = B + (<usize>j << 2);
    for (let i = 0; i < m; i += 4) {
      const a = A + <usize>i * LA;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      let b = bj;
      for (let d: usize = 0; d < LA; d += 4) {
        const x0 = v128.load32_splat(a + d, 0);
        const x1 = v128.load32_splat(a + d, LA);
        const x2 = v128.load32_splat(a + d, 2 * LA);
        const x3 = v128.load32_splat(a + d, 3 * LA);
        const w0 = v128.load(b);
        const w1 = v128.load(b, 16);
        c00 = f32x4.add(c00, f32x4.mul(x0, w0));
        c01 = f32x4.add(c01, f32x4.mul(x0, w1));
        c10 = f32x4.add(c10, f32x4.mul(x1, w0));
        c11 = f32x4.add(c11, f32x4.mul(x1, w1));
        c20 = f32x4.add(c20, f32x4.mul(x2, w0));
        c21 = f32x4.add(c21, f32x4.mul(x2, w1));
        c30 = f32x4.add(c30, f32x4.mul(x3, w0));
        c31 = f32x4.add(c31, f32x4.mul(x3, w1));
        b += lb;
      }
      const o0 = O + <usize>i * lo + (<usize>j << 2), o1 = o0 + lo, o2 = o1 + lo, o3 = o2 + lo;
      if (acc) {
        c00 = f32x4.add(v128.load(o0), c00);
        c01 = f32x4.add(v128.load(o0, 16), c01);
        c10 = f32x4.add(v128.load(o1), c10);
        c11 = f32x4.add(v128.load(o1, 16), c11);
        c20 = f32x4.add(v128.load(o2), c20);
        c21 = f32x4.add(v128.load(o2, 16), c21);
        c30 = f32x4.add(v128.load(o3), c30);
        c31 = f32x4.add(v128.load(o3, 16), c31);
      }
      v128.store(o0, c00);
      v128.store(o0, c01, 16);
      v128.store(o1, c10);
      v128.store(o1, c11, 16);
      v128.store(o2, c20);
      v128.store(o2, c21, 16);
      v128.store(o3, c30);
      v128.store(o3, c31, 16);
    }
  }
}

/**
 * Tile t of the Gram matrix O = Xᵀ·X of the m rows of X (ld floats apart): rows a = 4t …
 * 4t + 3 of O, columns from the 8 that hold 4t up to n (a multiple of 8): the upper
 * triangle of O and a little more, which the caller mirrors. O[a, b] = Σ_i X[i, a]·X[i, b]
 * in float32 in order of i: mm's sums for A = Xᵀ and B = X, bit for bit, without Xᵀ.
 * The rows go by chunks of GRAM_ROWS (27 KB of patch rows, kept in L1 while every column
 * strip of the tile passes over them), the sums stored in O between chunks (a float32
 * kept is a float32 resumed: the same bits). Columns and tile rows past the width read
 * whatever follows a row (dropped by the caller); X must be readable 8 floats past its
 * last row. O: rows of ldo floats.
 */
export function gramTile(X: usize, ld: i32, m: i32, t: i32, n: i32, O: usize, ldo: i32): void {
  const lx = <usize>ld << 2, lo = <usize>ldo << 2;
  const a = t << 2;
  for (let r0 = 0; r0 < m; r0 += GRAM_ROWS) {
    const r1 = min(m, r0 + GRAM_ROWS);
    for (let j = a & ~7; j < n; j += 8) {
      const o0 = O + <usize>a * lo + (<usize>j << 2), o1 = o0 + lo, o2 = o1 + lo, o3 = o2 + lo;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      if (r0 > 0) {
        c00 = v128.load(o0);
        c01 = v128.load(o0, 16);
        c10 = v128.load(o1);
        c11 = v128.load(o1, 16);
        c20 = v128.load(o2);
        c21 = v128.load(o2, 16);
        c30 = v128.load(o3);
        c31 = v128.load(o3, 16);
      }
      let pa = X + <usize>r0 * lx + (<usize>a << 2), pb = X + <usize>r0 * lx + (<usize>j << 2);
      for (let i = r0; i < r1; i++) {
        const x0 = v128.load32_splat(pa, 0);
        const x1 = v128.load32_splat(pa, 4);
        const x2 = v128.load32_splat(pa, 8);
        const x3 = v128.load32_splat(pa, 12);
        const w0 = v128.load(pb);
        const w1 = v128.load(pb, 16);
        c00 = f32x4.add(c00, f32x4.mul(x0, w0));
        c01 = f32x4.add(c01, f32x4.mul(x0, w1));
        c10 = f32x4.add(c10, f32x4.mul(x1, w0));
        c11 = f32x4.add(c11, f32x4.mul(x1, w1));
        c20 = f32x4.add(c20, f32x4.mul(x2, w0));
        c21 = f32x4.add(c21, f32x4.mul(x2, w1));
        c30 = f32x4.add(c30, f32x4.mul(x3, w0));
        c31 = f32x4.add(c31, f32x4.mul(x3, w1));
        pa += lx;
        pb += lx;
      }
      v128.store(o0, c00);
      v128.store(o0, c01, 16);
      v128.store(o1, c10);
      v128.store(o1, c11, 16);
      v128.store(o2, c20);
      v128.store(o2, c21, 16);
      v128.store(o3, c30);
      v128.store(o3, c31, 16);
    }
  }
}

const GRAM_ROWS: i32 = 64;
