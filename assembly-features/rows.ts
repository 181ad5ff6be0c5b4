// Training on stored features: rows of F bytes (standardized features, see
// src/features/standardize.ts), centred by the training mean in the kernel, as the
// pixel kernels do with the mean image:
//   x = q − μ (F floats),  scores = W[:, :F]·x (the bias is added on the JS side)
//   ∂L/∂W[:, :F] = Σ_rows ∂L/∂scoresᵀ · x
// Rows go in blocks of RB: bytes → floats once per block, then one mm.
import { mm } from './mm';
import { CM, CP, RB, align64 } from './layout';

/** Per-thread scratch of a forward or backward job with rows of FS floats. */
export function rowsScratch(FS: i32): usize {
  return align64(<usize>(RB * FS) << 2) + align64(<usize>(RB * CP) << 2) + align64(<usize>(CM * RB) << 2);
}

@inline function rowAt(rows: usize, i: i32): i32 {
  return rows != 0 ? load<i32>(rows + (<usize>i << 2)) : i;
}

/** xb[r, :] = q[row of pick b + r] − μ for r < m; zeros after F and in rows m..RB-1. */
function convertRows(q: usize, F: i32, FS: i32, rows: usize, b: i32, m: i32, mean: usize, xb: usize): void {
  const rs = <usize>FS << 2;
  memory.fill(xb + <usize>m * rs, 0, <usize>(RB - m) * rs);
  for (let r = 0; r < m; r++) {
    const src = q + <usize>rowAt(rows, b + r) * <usize>F;
    const dst = xb + <usize>r * rs;
    let j = 0;
    for (; j + 16 <= F; j += 16) {
      const bytes = v128.load(src + <usize>j);
      const lo = i16x8.extend_low_i8x16_u(bytes), hi = i16x8.extend_high_i8x16_u(bytes);
      const o = <usize>j << 2, mu = mean + o, d = dst + o;
      v128.store(d, f32x4.sub(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(lo)), v128.load(mu)));
      v128.store(d, f32x4.sub(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(lo)), v128.load(mu, 16)), 16);
      v128.store(d, f32x4.sub(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(hi)), v128.load(mu, 32)), 32);
      v128.store(d, f32x4.sub(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(hi)), v128.load(mu, 48)), 48);
    }
    for (; j < F; j++) store<f32>(dst + (<usize>j << 2), <f32>load<u8>(src + <usize>j) - load<f32>(mean + (<usize>j << 2)));
    for (; j < FS; j++) store<f32>(dst + (<usize>j << 2), 0);
  }
}

/** Scores (no bias) of picked rows [lo, hi) into out (n × CP f32); Wt: FS × CP. */
export function forwardRows(
  q: usize, F: i32, FS: i32, rows: usize, lo: i32, hi: i32, mean: usize, Wt: usize, out: usize, scr: usize,
): void {
  const xb = scr, sc = scr + align64(<usize>(RB * FS) << 2);
  for (let b = lo; b < hi; b += RB) {
    const m = min(RB, hi - b);
    convertRows(q, F, FS, rows, b, m, mean, xb);
    mm(xb, FS, RB, Wt, CP, CP, FS, sc, CP, false);
    memory.copy(out + (<usize>(b * CP) << 2), sc, <usize>(m * CP) << 2);
  }
}

/**
 * G (CM × FS f32) = Σ over picked rows [lo, hi) of dsᵀ·x, ds: n × CP f32 (∂L/∂scores,
 * classes past C zero). Zero when the range is empty.
 */
export function backwardRows(
  q: usize, F: i32, FS: i32, rows: usize, lo: i32, hi: i32, mean: usize, ds: usize, G: usize, scr: usize,
): void {
  const xb = scr;
  const A = scr + align64(<usize>(RB * FS) << 2) + align64(<usize>(RB * CP) << 2);
  if (hi <= lo) memory.fill(G, 0, <usize>(CM * FS) << 2);
  for (let b = lo; b < hi; b += RB) {
    const m = min(RB, hi - b);
    convertRows(q, F, FS, rows, b, m, mean, xb);
    for (let c = 0; c < CM; c++) {
      for (let r = 0; r < RB; r++) {
        const v: f32 = r < m ? load<f32>(ds + (<usize>((b + r) * CP + c) << 2)) : 0;
        store<f32>(A + (<usize>(c * RB + r) << 2), v);
      }
    }
    mm(A, RB, CM, xb, FS, FS, RB, G, FS, b != lo);
  }
}

/** out[j] = Σ_{s<S} G[s·stride + j] for j < len (len % 4 = 0), in s order. */
export function sumParts(G: usize, S: i32, stride: i32, len: i32, out: usize): void {
  const sb = <usize>stride << 2;
  for (let j: usize = 0; j < (<usize>len << 2); j += 16) {
    let a = v128.load(G + j);
    for (let s = 1; s < S; s++) a = f32x4.add(a, v128.load(G + <usize>s * sb + j));
    v128.store(out + j, a);
  }
}
