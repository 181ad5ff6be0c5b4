// Scores of a block: sc[r, c] = Σ_d W[c, d]·x[r, d], the bias added later in float64.
//
// Why 2 rows × 4 classes per tile (and 4 × 2 for the last two classes): V8 (TurboFan)
// emits a loop body's loads in program order ahead of the arithmetic, so every value
// loaded in an iteration is live at once next to the accumulators. x86-64 gives wasm 15
// usable xmm registers: 8 accumulators + 2 feature vectors + 4 weight vectors = 14 fits,
// and each load feeds 2–4 multiply-adds.
// One row × 10 classes (22 live values) spills accumulators to the stack and runs ~3×
// slower. Lanes run along pixels; each lane sums every 4th pixel and the four lanes are
// added at the end, in the same order for every row, so a row's score does not depend
// on which row it is paired with or which thread computes it.
//
// Each multiply-add is mac() (simd.ts): fused where the runtime has relaxed SIMD.
import { C, D, WSB } from './layout';
import { mac } from './simd';

const XB: usize = <usize>D << 2; // bytes of one feature row

@inline function hsum(a: v128): f32 {
  return f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1) + (f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3));
}

/** Rows x0, x1 (features) against W rows c0..c0+3 (w points at row c0): 8 scores into s0, s1. */
function tile2x4(x0: usize, x1: usize, w: usize, s0: usize, s1: usize): void {
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a02 = f32x4.splat(0), a03 = f32x4.splat(0);
  let a10 = f32x4.splat(0), a11 = f32x4.splat(0), a12 = f32x4.splat(0), a13 = f32x4.splat(0);
  for (let d: usize = 0; d < XB; d += 16) {
    const v0 = v128.load(x0 + d);
    const v1 = v128.load(x1 + d);
    const w0 = v128.load(w + d, 0);
    const w1 = v128.load(w + d, WSB);
    const w2 = v128.load(w + d, 2 * WSB);
    const w3 = v128.load(w + d, 3 * WSB);
    a00 = mac(a00, v0, w0);
    a10 = mac(a10, v1, w0);
    a01 = mac(a01, v0, w1);
    a11 = mac(a11, v1, w1);
    a02 = mac(a02, v0, w2);
    a12 = mac(a12, v1, w2);
    a03 = mac(a03, v0, w3);
    a13 = mac(a13, v1, w3);
  }
  store<f32>(s0, hsum(a00), 0);
  store<f32>(s0, hsum(a01), 4);
  store<f32>(s0, hsum(a02), 8);
  store<f32>(s0, hsum(a03), 12);
  store<f32>(s1, hsum(a10), 0);
  store<f32>(s1, hsum(a11), 4);
  store<f32>(s1, hsum(a12), 8);
  store<f32>(s1, hsum(a13), 12);
}

/** Rows x0..x3 against W rows c0, c0+1: 8 scores into s0..s3 (8 accumulators, 4 + 2 loads per step). */
function tile4x2(x0: usize, x1: usize, x2: usize, x3: usize, w: usize, s0: usize, s1: usize, s2: usize, s3: usize): void {
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
  for (let d: usize = 0; d < XB; d += 16) {
    const v0 = v128.load(x0 + d);
    const v1 = v128.load(x1 + d);
    const v2 = v128.load(x2 + d);
    const v3 = v128.load(x3 + d);
    const w0 = v128.load(w + d, 0);
    const w1 = v128.load(w + d, WSB);
    a00 = mac(a00, v0, w0);
    a10 = mac(a10, v1, w0);
    a20 = mac(a20, v2, w0);
    a30 = mac(a30, v3, w0);
    a01 = mac(a01, v0, w1);
    a11 = mac(a11, v1, w1);
    a21 = mac(a21, v2, w1);
    a31 = mac(a31, v3, w1);
  }
  store<f32>(s0, hsum(a00), 0);
  store<f32>(s0, hsum(a01), 4);
  store<f32>(s1, hsum(a10), 0);
  store<f32>(s1, hsum(a11), 4);
  store<f32>(s2, hsum(a20), 0);
  store<f32>(s2, hsum(a21), 4);
  store<f32>(s3, hsum(a30), 0);
  store<f32>(s3, hsum(a31), 4);
}

/**
 * sc[r, c] for r in [0, m): xf m × WS features, W C × WS, sc m × C (f32, no bias).
 * Classes 0–7 go by row pairs in 2×4 tiles, classes 8–9 by row quads in 4×2 tiles.
 * Missing rows of the last pair or quad repeat the block's last row (the same sums,
 * computed twice).
 */
export function forwardBlock(xf: usize, m: i32, W: usize, sc: usize): void {
  for (let r = 0; r < m; r += 2) {
    const r1 = min(r + 1, m - 1);
    const x0 = xf + <usize>r * WSB, x1 = xf + <usize>r1 * WSB;
    const s0 = sc + (<usize>(r * C) << 2), s1 = sc + (<usize>(r1 * C) << 2);
    tile2x4(x0, x1, W, s0, s1);
    tile2x4(x0, x1, W + 4 * WSB, s0 + 16, s1 + 16);
  }
  for (let r = 0; r < m; r += 4) {
    const r1 = min(r + 1, m - 1), r2 = min(r + 2, m - 1), r3 = min(r + 3, m - 1);
    tile4x2(
      xf + <usize>r * WSB, xf + <usize>r1 * WSB, xf + <usize>r2 * WSB, xf + <usize>r3 * WSB, W + 8 * WSB,
      sc + (<usize>(r * C + 8) << 2), sc + (<usize>(r1 * C + 8) << 2), sc + (<usize>(r2 * C + 8) << 2), sc + (<usize>(r3 * C + 8) << 2),
    );
  }
}
