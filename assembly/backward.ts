// Gradient of a block: G[c, d] += Σ_r dS[r, c]·x[r, d], over the block's m rows.
//
// The transpose of the forward tile: lanes along pixels again, the row index is now the
// reduction. A tile keeps 4 classes × 8 pixels (8 accumulators) and per row loads 2
// feature vectors and 4 broadcast dS values (14 live registers, see forward.ts). The
// accumulators are read from and written back to G once per block, i.e. once per 16
// rows (the superblock's first block starts them at zero instead). Each column's sum
// runs over the superblock's rows in order, whichever thread does it (index.ts adds the
// superblock sums in order).
//
// The tiles come in two kinds, T = f32 and T = i32, the same code but for the one
// multiply-add (acc below):
// - f32: x is the block's float features p − μ, one row per step, dS as floats.
// - i32, the SVM: its ∂L/∂s are whole numbers (1 for a class over the margin, minus their
//   count for the label) and the pixels bytes, so Σ dS·p is an exact integer. x is then
//   the block's pixels as 16-bit pairs of rows (convert.ts pairBlock) and dS the matching
//   pairs (jobs.ts packPairs); one i32x4.dot_i16x8_s does 8 multiply-adds, two rows ×
//   4 pixels, where a float multiply-add does 4, and integer sums do not depend on their
//   order. The mean comes off in the reduction (jobs.ts reduceChunk). A pair of rows is
//   as many bytes as a float row, so the strides are the same.
import { C, D, WSB } from './layout';
import { mac } from './simd';

const XB: usize = <usize>D << 2; // bytes of one feature row, or of one pair of pixel rows
const DSB: usize = <usize>C << 2; // bytes of one dS row (f32), or of one pair's dS (2 × i16)

/** a + x·g: one row × 4 floats (T = f32), or two rows × 4 pixels in 16-bit pairs (T = i32). */
@inline function acc<T>(a: v128, x: v128, g: v128): v128 {
  if (isInteger<T>()) return i32x4.add(a, i32x4.dot_i16x8_s(x, g));
  return mac(a, x, g);
}

/** Classes c0..c0+3 (g points at G row c0, ds at dS column c0), pixels [d, d+8). */
function tile4x8<T>(xf: usize, m: i32, ds: usize, g: usize, first: bool): void {
  const z = i32x4.splat(0); // all-zero bits: 0 as f32 and as i32
  for (let d: usize = 0; d < XB; d += 32) {
    const o = g + d;
    let a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z;
    if (!first) {
      a00 = v128.load(o, 0);
      a01 = v128.load(o, 16);
      a10 = v128.load(o, WSB);
      a11 = v128.load(o, WSB + 16);
      a20 = v128.load(o, 2 * WSB);
      a21 = v128.load(o, 2 * WSB + 16);
      a30 = v128.load(o, 3 * WSB);
      a31 = v128.load(o, 3 * WSB + 16);
    }
    let x = xf + d;
    let s = ds;
    for (let r = 0; r < m; r++) {
      const v0 = v128.load(x, 0);
      const v1 = v128.load(x, 16);
      const g0 = v128.load32_splat(s, 0);
      const g1 = v128.load32_splat(s, 4);
      const g2 = v128.load32_splat(s, 8);
      const g3 = v128.load32_splat(s, 12);
      a00 = acc<T>(a00, v0, g0);
      a01 = acc<T>(a01, v1, g0);
      a10 = acc<T>(a10, v0, g1);
      a11 = acc<T>(a11, v1, g1);
      a20 = acc<T>(a20, v0, g2);
      a21 = acc<T>(a21, v1, g2);
      a30 = acc<T>(a30, v0, g3);
      a31 = acc<T>(a31, v1, g3);
      x += WSB;
      s += DSB;
    }
    v128.store(o, a00, 0);
    v128.store(o, a01, 16);
    v128.store(o, a10, WSB);
    v128.store(o, a11, WSB + 16);
    v128.store(o, a20, 2 * WSB);
    v128.store(o, a21, 2 * WSB + 16);
    v128.store(o, a30, 3 * WSB);
    v128.store(o, a31, 3 * WSB + 16);
  }
}

/** Classes c0, c0+1, pixels [d, d+16): 8 accumulators, 4 feature loads + 2 broadcasts per row. */
function tile2x16<T>(xf: usize, m: i32, ds: usize, g: usize, first: bool): void {
  const z = i32x4.splat(0); // all-zero bits: 0 as f32 and as i32
  for (let d: usize = 0; d < XB; d += 64) {
    const o = g + d;
    let a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
    if (!first) {
      a00 = v128.load(o, 0);
      a01 = v128.load(o, 16);
      a02 = v128.load(o, 32);
      a03 = v128.load(o, 48);
      a10 = v128.load(o, WSB);
      a11 = v128.load(o, WSB + 16);
      a12 = v128.load(o, WSB + 32);
      a13 = v128.load(o, WSB + 48);
    }
    let x = xf + d;
    let s = ds;
    for (let r = 0; r < m; r++) {
      const v0 = v128.load(x, 0);
      const v1 = v128.load(x, 16);
      const v2 = v128.load(x, 32);
      const v3 = v128.load(x, 48);
      const g0 = v128.load32_splat(s, 0);
      const g1 = v128.load32_splat(s, 4);
      a00 = acc<T>(a00, v0, g0);
      a01 = acc<T>(a01, v1, g0);
      a02 = acc<T>(a02, v2, g0);
      a03 = acc<T>(a03, v3, g0);
      a10 = acc<T>(a10, v0, g1);
      a11 = acc<T>(a11, v1, g1);
      a12 = acc<T>(a12, v2, g1);
      a13 = acc<T>(a13, v3, g1);
      x += WSB;
      s += DSB;
    }
    v128.store(o, a00, 0);
    v128.store(o, a01, 16);
    v128.store(o, a02, 32);
    v128.store(o, a03, 48);
    v128.store(o, a10, WSB);
    v128.store(o, a11, WSB + 16);
    v128.store(o, a12, WSB + 32);
    v128.store(o, a13, WSB + 48);
  }
}

/**
 * G (C × WS, T) += dSᵀ·x over the block (G = dSᵀ·x when first). T = f32: x the block's m
 * feature rows (m × WS f32), ds m × C f32. T = i32: x the block's ⌈m/2⌉ pixel pairs, ds
 * as many packed dS pairs, and m the number of pairs.
 */
export function backwardBlock<T>(x: usize, m: i32, ds: usize, G: usize, first: bool): void {
  tile4x8<T>(x, m, ds, G, first);
  tile4x8<T>(x, m, ds + 16, G + 4 * WSB, first);
  tile2x16<T>(x, m, ds + 32, G + 8 * WSB, first);
}
