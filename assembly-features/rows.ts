// Training on stored features: rows of F bytes (standardized features, see
// src/features/standardize.ts), centred by the training mean in the kernel, as the
// pixel kernels do with the mean image:
//   x = q − μ (F floats),  scores = W[:, :F]·x (the bias is added on the JS side)
//   ∂L/∂W[:, :F] = Σ_rows ∂L/∂scoresᵀ · x
//
// Rows go in blocks of RB, and their features in chunks of FG groups of 4. A chunk of
// the block's rows is turned from bytes into floats (16 KB, in L1) laid out as
// [group][row][4]; W and the gradient are laid out alike, [group][class][4] (a group is
// C × 16 bytes). So every load of the hot loops is a fixed offset from one pointer, and
// no class is padded: an L-BFGS evaluation on Coates et al.'s 6,400 features is two
// passes of 49,000 × 6,400 × 10 multiply-adds, and padding 10 classes to 16 would waste
// over a third. (Whole rows converted at once, 400 KB a block, made a pass about a fifth
// slower: their stores missed L1.)
//
// Tiles of 8 accumulators, lanes along features. Tiles of 10 (2 rows × 5 classes, 5
// classes × 8 features) ran at about three quarters of the speed: with their operands
// they need 14 of the 15 vector registers V8 gives wasm, and probably spill.
// - forward: 4 rows × 2 classes; per group 4 loads of x and 2 of W feed 8 multiply-adds.
//   A (row, class) sum is kept in `part` between chunks, so it runs in one order over all
//   features, and is summed across its 4 lanes at the end.
// - backward: 2 classes × 16 features; per row 2 splats of ∂L/∂s and 4 loads of x feed
//   8 multiply-adds, summed over the block's rows in order and added to the unit's part.
// Every sum runs in a fixed order whatever the thread count (see index.ts).
import { C } from '../assembly/layout';
import { FG, RB, align64 } from './layout';

const GB: usize = <usize>C << 4; // bytes of one group of W or G: C classes × 4 floats
const XG: usize = <usize>RB << 4; // bytes of one group of a converted chunk: RB rows × 4 floats

/**
 * Bytes of per-thread scratch of a forward or backward job, whatever the row width: a
 * converted chunk, then the forward's partial sums or the backward's lists of rows.
 */
export const ROWS_SCRATCH: usize = align64(<usize>FG * XG) + align64(<usize>(RB * C) << 4);

@inline function rowAt(rows: usize, i: i32): i32 {
  return rows != 0 ? load<i32>(rows + (<usize>i << 2)) : i;
}

/**
 * xc ([g − g0][r][4]) = q[row of pick b + r][4·g0 .. 4·g1) − μ for r < m; zeros past F and
 * in rows m..RB-1. A chunk at a time, so that these stores (and the tiles' loads) stay in L1.
 */
function convertChunk(q: usize, F: i32, rows: usize, b: i32, m: i32, mean: usize, g0: i32, g1: i32, xc: usize): void {
  const j0 = g0 << 2, j1 = min(F, g1 << 2);
  if (m < RB || j1 < g1 << 2) memory.fill(xc, 0, <usize>(g1 - g0) * XG);
  for (let r = 0; r < m; r++) {
    const src = q + <usize>rowAt(rows, b + r) * <usize>F;
    const dst = xc + (<usize>r << 4) - <usize>g0 * XG;
    let j = j0;
    for (; j + 16 <= j1; j += 16) {
      const bytes = v128.load(src + <usize>j);
      const lo = i16x8.extend_low_i8x16_u(bytes), hi = i16x8.extend_high_i8x16_u(bytes);
      const mu = mean + (<usize>j << 2), d = dst + <usize>(j >> 2) * XG;
      // signed conversion: the values are 0..255, and x86 has no unsigned one
      v128.store(d, f32x4.sub(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(lo)), v128.load(mu)));
      v128.store(d + XG, f32x4.sub(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(lo)), v128.load(mu, 16)));
      v128.store(d + 2 * XG, f32x4.sub(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(hi)), v128.load(mu, 32)));
      v128.store(d + 3 * XG, f32x4.sub(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(hi)), v128.load(mu, 48)));
    }
    for (; j < j1; j++) {
      store<f32>(dst + <usize>(j >> 2) * XG + (<usize>(j & 3) << 2), <f32>load<u8>(src + <usize>j) - load<f32>(mean + (<usize>j << 2)));
    }
  }
}

@inline function lanes(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/**
 * Rows r..r+3 of the block × classes h, h+1, over the chunk xc of groups [g0, g1): the accumulators
 * start from part (or zero when first) and go back to it. part: [row][class] f32x4.
 */
function forwardTile(xc: usize, W: usize, r: i32, h: i32, g0: i32, g1: i32, part: usize, first: bool): void {
  const p0 = part + (<usize>(r * C + h) << 4), p1 = p0 + GB, p2 = p1 + GB, p3 = p2 + GB;
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
  if (!first) {
    a0 = v128.load(p0); b0 = v128.load(p0, 16); a1 = v128.load(p1); b1 = v128.load(p1, 16);
    a2 = v128.load(p2); b2 = v128.load(p2, 16); a3 = v128.load(p3); b3 = v128.load(p3, 16);
  }
  let x = xc + (<usize>r << 4);
  let w = W + <usize>g0 * GB + (<usize>h << 4);
  const end = w + <usize>(g1 - g0) * GB;
  for (; w < end; w += GB) {
    const v0 = v128.load(w), v1 = v128.load(w, 16);
    let u = v128.load(x);
    a0 = f32x4.add(a0, f32x4.mul(u, v0)); b0 = f32x4.add(b0, f32x4.mul(u, v1));
    u = v128.load(x, 16);
    a1 = f32x4.add(a1, f32x4.mul(u, v0)); b1 = f32x4.add(b1, f32x4.mul(u, v1));
    u = v128.load(x, 32);
    a2 = f32x4.add(a2, f32x4.mul(u, v0)); b2 = f32x4.add(b2, f32x4.mul(u, v1));
    u = v128.load(x, 48);
    a3 = f32x4.add(a3, f32x4.mul(u, v0)); b3 = f32x4.add(b3, f32x4.mul(u, v1));
    x += XG;
  }
  v128.store(p0, a0); v128.store(p0, b0, 16); v128.store(p1, a1); v128.store(p1, b1, 16);
  v128.store(p2, a2); v128.store(p2, b2, 16); v128.store(p3, a3); v128.store(p3, b3, 16);
}

/** Scores (no bias) of picked rows [lo, hi) into out (n × C f32); W: FS/4 × C × 4 f32. */
export function forwardRows(
  q: usize, F: i32, FS: i32, rows: usize, lo: i32, hi: i32, mean: usize, W: usize, out: usize, scr: usize,
): void {
  const xc = scr, part = scr + align64(<usize>FG * XG);
  const groups = FS >> 2;
  for (let b = lo; b < hi; b += RB) {
    const m = min(RB, hi - b);
    for (let g0 = 0; g0 < groups; g0 += FG) {
      const g1 = min(groups, g0 + FG);
      convertChunk(q, F, rows, b, m, mean, g0, g1, xc);
      for (let r = 0; r < m; r += 4) {
        for (let h = 0; h < C; h += 2) forwardTile(xc, W, r, h, g0, g1, part, g0 == 0);
      }
    }
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < C; c++) {
        store<f32>(out + (<usize>((b + r) * C + c) << 2), lanes(v128.load(part + (<usize>(r * C + c) << 4))));
      }
    }
  }
}

/**
 * G (FS/4 × C × 4 f32) = Σ over picked rows [lo, hi) of dsᵀ·x, ds: n × C f32 (∂L/∂scores).
 * Zero when the range is empty.
 *
 * Only the rows whose ∂L/∂s is nonzero for a tile's two classes enter it: with the
 * hinge losses most (row, class) pairs of a trained model sit past the margin, and a
 * block without any is not even converted. Leaving out a term 0·x changes no bit: every
 * sum starts at +0, a product 0·x is ±0, and +0 + ±0 = +0, a sum of nonzero terms never
 * ends at −0.
 */
export function backwardRows(
  q: usize, F: i32, FS: i32, rows: usize, lo: i32, hi: i32, mean: usize, ds: usize, G: usize, scr: usize,
): void {
  const xc = scr, active = scr + align64(<usize>FG * XG); // per class pair: a count, then RB row numbers
  const groups = FS >> 2;
  memory.fill(G, 0, <usize>(C * FS) << 2);
  for (let b = lo; b < hi; b += RB) {
    const m = min(RB, hi - b);
    const d0 = ds + (<usize>(b * C) << 2);
    let any = false;
    for (let h = 0; h < C; h += 2) {
      const list = active + <usize>(h >> 1) * (RB + 1);
      let k: usize = 0;
      for (let r = 0; r < m; r++) {
        const d = d0 + (<usize>(r * C + h) << 2);
        if (load<f32>(d) != 0 || load<f32>(d, 4) != 0) {
          k++;
          store<u8>(list + k, <u8>r);
        }
      }
      store<u8>(list, <u8>k);
      any = any || k > 0;
    }
    if (!any) continue;
    for (let g0 = 0; g0 < groups; g0 += FG) {
      const g1 = min(groups, g0 + FG);
      convertChunk(q, F, rows, b, m, mean, g0, g1, xc);
      for (let h = 0; h < C; h += 2) {
        const list = active + <usize>(h >> 1) * (RB + 1);
        const k = <usize>load<u8>(list);
        if (k == 0) continue;
        const dh = d0 + (<usize>h << 2);
        for (let g = g0; g < g1; g += 4) {
          let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
          let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
          const xg = xc + <usize>(g - g0) * XG;
          for (let t: usize = 1; t <= k; t++) {
            const r = <usize>load<u8>(list + t);
            const d = dh + r * (<usize>C << 2), x = xg + (r << 4);
            const s0 = v128.load32_splat(d), s1 = v128.load32_splat(d, 4);
            let u = v128.load(x);
            a0 = f32x4.add(a0, f32x4.mul(s0, u)); b0 = f32x4.add(b0, f32x4.mul(s1, u));
            u = v128.load(x, XG);
            a1 = f32x4.add(a1, f32x4.mul(s0, u)); b1 = f32x4.add(b1, f32x4.mul(s1, u));
            u = v128.load(x, 2 * XG);
            a2 = f32x4.add(a2, f32x4.mul(s0, u)); b2 = f32x4.add(b2, f32x4.mul(s1, u));
            u = v128.load(x, 3 * XG);
            a3 = f32x4.add(a3, f32x4.mul(s0, u)); b3 = f32x4.add(b3, f32x4.mul(s1, u));
          }
          // classes h, h+1 of group g+k at o + k·GB and 16 bytes on
          const o = G + <usize>g * GB + (<usize>h << 4);
          v128.store(o, f32x4.add(v128.load(o), a0)); v128.store(o, f32x4.add(v128.load(o, 16), b0), 16);
          v128.store(o, f32x4.add(v128.load(o, GB), a1), GB); v128.store(o, f32x4.add(v128.load(o, GB + 16), b1), GB + 16);
          v128.store(o, f32x4.add(v128.load(o, 2 * GB), a2), 2 * GB);
          v128.store(o, f32x4.add(v128.load(o, 2 * GB + 16), b2), 2 * GB + 16);
          v128.store(o, f32x4.add(v128.load(o, 3 * GB), a3), 3 * GB);
          v128.store(o, f32x4.add(v128.load(o, 3 * GB + 16), b3), 3 * GB + 16);
        }
      }
    }
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
