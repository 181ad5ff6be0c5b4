// Gradient of a block: G[c, d] += Σ_r dS[r, c]·x[r, d], over the block's m rows.
//
// The transpose of the forward tile: lanes along pixels again, the row index is now the
// reduction. A tile keeps 4 classes × 8 pixels (8 accumulators) and per row loads 2
// feature vectors and 4 broadcast dS values (14 live registers, see forward.ts). The
// accumulators are read from and written back to G once per block, i.e. once per 16
// rows (the superblock's first block starts them at zero instead). Each column's sum runs over the superblock's rows in order, whichever thread
// does it (index.ts adds the superblock sums in order).
import { C, D, WSB } from './layout';
import { mac } from './simd';

const XB: usize = <usize>D << 2;
const DSB: usize = <usize>C << 2; // bytes of one dS row

/** Classes c0..c0+3 (g points at G row c0, ds at dS column c0), pixels [d, d+8). */
function tile4x8(xf: usize, m: i32, ds: usize, g: usize, first: bool): void {
  const z = f32x4.splat(0);
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
      a00 = mac(a00, v0, g0);
      a01 = mac(a01, v1, g0);
      a10 = mac(a10, v0, g1);
      a11 = mac(a11, v1, g1);
      a20 = mac(a20, v0, g2);
      a21 = mac(a21, v1, g2);
      a30 = mac(a30, v0, g3);
      a31 = mac(a31, v1, g3);
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
function tile2x16(xf: usize, m: i32, ds: usize, g: usize, first: bool): void {
  const z = f32x4.splat(0);
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
      a00 = mac(a00, v0, g0);
      a01 = mac(a01, v1, g0);
      a02 = mac(a02, v2, g0);
      a03 = mac(a03, v3, g0);
      a10 = mac(a10, v0, g1);
      a11 = mac(a11, v1, g1);
      a12 = mac(a12, v2, g1);
      a13 = mac(a13, v3, g1);
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

/** G (C × WS f32) += dSᵀ·xf over the block (G = dSᵀ·xf when first): xf m × WS, ds m × C (f32). */
export function backwardBlock(xf: usize, m: i32, ds: usize, G: usize, first: bool): void {
  tile4x8(xf, m, ds, G, first);
  tile4x8(xf, m, ds + 16, G + 4 * WSB, first);
  tile2x16(xf, m, ds + 32, G + 8 * WSB, first);
}

// The SVM's backward pass in whole numbers. Its ∂L/∂s are integers (1 for a class over
// the margin, minus their count for the label) and the pixels are bytes, so Σ dS·p is an
// exact integer: i32x4.dot_i16x8_s does 8 multiply-adds per instruction where a float
// multiply-add does 4, and the sum is the same in any order. The same tile shapes as the
// float tiles above, over pairs of rows instead of rows; G here is i32.
const PSB = WSB; // bytes from one pair of rows to the next (convert.ts pairBlock)
const DSIB: usize = <usize>C << 2; // bytes of one pair's packed dS

/** Classes c0..c0+3, pixels [d, d+8) (32 bytes of a pair row), over mp pairs. */
function tileI4x8(xi: usize, mp: i32, dsi: usize, g: usize, first: bool): void {
  const z = i32x4.splat(0);
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
    let x = xi + d;
    let s = dsi;
    for (let q = 0; q < mp; q++) {
      const v0 = v128.load(x, 0);
      const v1 = v128.load(x, 16);
      const g0 = v128.load32_splat(s, 0);
      const g1 = v128.load32_splat(s, 4);
      const g2 = v128.load32_splat(s, 8);
      const g3 = v128.load32_splat(s, 12);
      a00 = i32x4.add(a00, i32x4.dot_i16x8_s(v0, g0));
      a01 = i32x4.add(a01, i32x4.dot_i16x8_s(v1, g0));
      a10 = i32x4.add(a10, i32x4.dot_i16x8_s(v0, g1));
      a11 = i32x4.add(a11, i32x4.dot_i16x8_s(v1, g1));
      a20 = i32x4.add(a20, i32x4.dot_i16x8_s(v0, g2));
      a21 = i32x4.add(a21, i32x4.dot_i16x8_s(v1, g2));
      a30 = i32x4.add(a30, i32x4.dot_i16x8_s(v0, g3));
      a31 = i32x4.add(a31, i32x4.dot_i16x8_s(v1, g3));
      x += PSB;
      s += DSIB;
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

/** Classes c0, c0+1, pixels [d, d+16) (64 bytes of a pair row), over mp pairs. */
function tileI2x16(xi: usize, mp: i32, dsi: usize, g: usize, first: bool): void {
  const z = i32x4.splat(0);
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
    let x = xi + d;
    let s = dsi;
    for (let q = 0; q < mp; q++) {
      const v0 = v128.load(x, 0);
      const v1 = v128.load(x, 16);
      const v2 = v128.load(x, 32);
      const v3 = v128.load(x, 48);
      const g0 = v128.load32_splat(s, 0);
      const g1 = v128.load32_splat(s, 4);
      a00 = i32x4.add(a00, i32x4.dot_i16x8_s(v0, g0));
      a01 = i32x4.add(a01, i32x4.dot_i16x8_s(v1, g0));
      a02 = i32x4.add(a02, i32x4.dot_i16x8_s(v2, g0));
      a03 = i32x4.add(a03, i32x4.dot_i16x8_s(v3, g0));
      a10 = i32x4.add(a10, i32x4.dot_i16x8_s(v0, g1));
      a11 = i32x4.add(a11, i32x4.dot_i16x8_s(v1, g1));
      a12 = i32x4.add(a12, i32x4.dot_i16x8_s(v2, g1));
      a13 = i32x4.add(a13, i32x4.dot_i16x8_s(v3, g1));
      x += PSB;
      s += DSIB;
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
 * G (C × WS i32) += Σ_r dS[r, c]·p[r, d] over the block (= when first): xi the block's
 * ⌈m/2⌉ pixel pairs (pairBlock), dsi its packed dS pairs (jobs.ts packPairs).
 */
export function backwardBlockSvm(xi: usize, mp: i32, dsi: usize, G: usize, first: bool): void {
  tileI4x8(xi, mp, dsi, G, first);
  tileI4x8(xi, mp, dsi + 16, G + 4 * WSB, first);
  tileI2x16(xi, mp, dsi + 32, G + 8 * WSB, first);
}
