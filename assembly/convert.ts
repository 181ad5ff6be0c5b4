// Bytes to features: x = p − μ in float32, for one block of rows.
import { D, WSB } from './layout';

/** The byte address of the block's r-th row: rows[b + r] (or b + r when rows is 0). */
@inline function rowAddr(pix: usize, rows: usize, b: i32, r: i32): usize {
  const row = rows != 0 ? load<i32>(rows + (<usize>(b + r) << 2)) : b + r;
  return pix + <usize>row * <usize>D;
}

/** 16 pixels at src → 4 f32x4 at dst, minus the mean at mu. */
@inline function widen16(src: usize, mu: usize, dst: usize): void {
  const bytes = v128.load(src);
  const lo = i16x8.extend_low_i8x16_u(bytes);
  const hi = i16x8.extend_high_i8x16_u(bytes);
  v128.store(dst, f32x4.sub(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(lo)), v128.load(mu, 0)), 0);
  v128.store(dst, f32x4.sub(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(lo)), v128.load(mu, 16)), 16);
  v128.store(dst, f32x4.sub(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(hi)), v128.load(mu, 32)), 32);
  v128.store(dst, f32x4.sub(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(hi)), v128.load(mu, 48)), 48);
}

/**
 * xf[r, :D] = f32(pixels of the block's r-th picked row) − mean, for r in [0, m).
 * pix: split pixels n×D bytes; rows: i32 row indices of the pick (0: rows b, b+1, …);
 * b: first picked row of the block; xf: m × WS f32.
 * Done once per block so the forward and the backward pass, which each read every
 * feature 10 times, run on plain float loads instead of widening bytes each time.
 * Four rows are widened side by side: a minibatch's rows are scattered over the data
 * set, and four streams of cache misses in flight at once hide more of the memory
 * latency than one row after the other.
 */
export function convertBlock(pix: usize, rows: usize, b: i32, m: i32, mean: usize, xf: usize): void {
  let r = 0;
  for (; r + 4 <= m; r += 4) {
    const s0 = rowAddr(pix, rows, b, r), s1 = rowAddr(pix, rows, b, r + 1);
    const s2 = rowAddr(pix, rows, b, r + 2), s3 = rowAddr(pix, rows, b, r + 3);
    const dst = xf + <usize>r * WSB;
    for (let d: usize = 0; d < <usize>D; d += 16) {
      const mu = mean + (d << 2);
      const o = dst + (d << 2);
      widen16(s0 + d, mu, o);
      widen16(s1 + d, mu, o + WSB);
      widen16(s2 + d, mu, o + 2 * WSB);
      widen16(s3 + d, mu, o + 3 * WSB);
    }
  }
  for (; r < m; r++) {
    const src = rowAddr(pix, rows, b, r);
    const dst = xf + <usize>r * WSB;
    for (let d: usize = 0; d < <usize>D; d += 16) widen16(src + d, mean + (d << 2), dst + (d << 2));
  }
}

/**
 * The SVM's integer backward pass reads the block as pairs of rows: for pair q (rows 2q,
 * 2q+1 of the block; a missing second row is zeros) and pixel d, the 16-bit values
 * p[2q, d], p[2q+1, d] side by side, so one i32x4.dot_i16x8_s multiplies 4 pixels of both
 * rows by their two ∂L/∂s and adds the pairs. xi: ⌈m/2⌉ pairs of stride WSB (D × 4 bytes
 * used). Pixels stay whole numbers here: the mean is taken off in the reduction.
 */
export function pairBlock(pix: usize, rows: usize, b: i32, m: i32, xi: usize): void {
  for (let r = 0; r < m; r += 2) {
    const s0 = rowAddr(pix, rows, b, r);
    const two = r + 1 < m;
    const s1 = two ? rowAddr(pix, rows, b, r + 1) : 0;
    const dst = xi + <usize>(r >> 1) * WSB;
    for (let d: usize = 0; d < <usize>D; d += 16) {
      const a = v128.load(s0 + d);
      const c = two ? v128.load(s1 + d) : i32x4.splat(0);
      const lo = i8x16.shuffle(a, c, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
      const hi = i8x16.shuffle(a, c, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
      const o = dst + (d << 2);
      v128.store(o, i16x8.extend_low_i8x16_u(lo), 0);
      v128.store(o, i16x8.extend_high_i8x16_u(lo), 16);
      v128.store(o, i16x8.extend_low_i8x16_u(hi), 32);
      v128.store(o, i16x8.extend_high_i8x16_u(hi), 48);
    }
  }
}
