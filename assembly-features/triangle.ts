// Coates, Lee & Ng (2011) single-layer features of one image, the way their code does it:
// every 6×6×3 patch at stride 1 (27 × 27 positions), brightness/contrast normalized
//   x = (v − mean(v)) / sqrt(var(v) + 10)          (var with n − 1, on the 0–255 scale)
// whitened y = (x − M)·P, distances z_k = ‖y − c_k‖ to the K centroids, the "triangle"
// activation f_k = max(0, mean(z) − z_k), summed over the four quadrants of positions
// (rows and columns split at 14) into 4K features, [quadrant][k].
//
// The work is one product of the patches' bytes with DIMP + K filters (of 108 taps each),
// computed in whole numbers. Only ‖y‖² and y·c_k are needed, so the whitening filters are
// not P's columns but those of the Cholesky factor L of P·Pᵀ = L·Lᵀ (src/features/
// backend-wasm.ts): ‖(x − M)·L‖² = ‖(x − M)·P‖², and L's column j has no taps before tap
// j, so a strip of 8 of them skips its leading zeros. Both these and y·c_k = (x − M)·(P·c_k)
// are dot products of a normalized patch with a fixed filter f, and for the raw bytes v
// of a patch
//   x·f = ((v − 128)·f − (mean(v) − 128)·Σf) / sqrt(var(v) + 10),
// so the bytes need no normalization of their own: only each patch's Σ(v − 128) and
// Σ(v − 128)², exact integers. The filters are whole numbers q (f ≈ scale·q), and one
// i32x4.dot_i16x8_s does 8 exact multiply-adds of 16-bit numbers, where a float
// multiply-add does 4.
//
// The products run as Winograd's minimal filtering F(2, 3) along each patch row (Lavin
// & Gray 2016): a row of 6 taps is two segments of 3, and 2 neighbouring positions' dot
// products with a segment g over the inputs d0…d3 are
//   out0 = m0 + m1 + m2,  out1 = m1 − m2 − m3,   m_ξ = d'_ξ·g'_ξ,
//   d' = (d0 − d2, d1 + d2, d2 − d1, d1 − d3),  g' = (2g0, g0 + g1 + g2, g0 − g1 + g2, 2g2)
// (g' twice Lavin's, so that it is whole for whole g; the outputs are then twice the dot
// products): 4 products for 2 outputs where the direct way takes 6, every step exact.
// |d'| ≤ 256; g' is kept within 16 bits (|g'| ≤ 32,764, so q gets a little under 15 bits,
// about 4½ significant digits: finer than the 1/16 σ steps the features are stored in).
// Each ξ is its own product over the 18 (channel, dy) pairs of segments, the four
// combined into the two outputs right after each tile, while in cache. Two rows of 27
// positions at a time (their 2 × 14 pairs of positions pack into 7 tiles of 4), so their
// inputs and products stay in cache.
import { DIM, DIMP, HALF, PATCH, POS, PR, SIDE, align64 } from './layout';

const PLANE: i32 = SIDE * SIDE;
const ROWS: i32 = 2; // patch rows per block
const PB: i32 = ROWS * PR; // patches per block, rows padded to 28
const WPAIRS: i32 = 3 * PATCH; // (channel, dy): the pairs of 3-tap segments of a patch, a row each
const SLOTS: i32 = 32; // pairs of positions of a block: row 0 at slots 0–13, row 1 at 14–27
const WSTEP: usize = <usize>SLOTS << 2; // bytes of one (channel, dy) step of Aw: every slot's i32
const WXI: usize = <usize>WPAIRS * WSTEP; // bytes of one ξ of Aw
const WSTRIP: usize = <usize>(4 * WPAIRS) << 5; // bytes of a strip of 8 filters: [ξ][pair][8 × 2 i16]
const DBUF: usize = 96; // one transformed row, i16: positions 0–31 computed, 32–47 zero

/** Per-thread scratch of a triangle job with NFp filters: patch sums, Winograd inputs, products. */
export function triangleScratch(NFp: i32): usize {
  return align64(<usize>(PB * 2) << 2) + align64(4 * WXI) + align64(5 * DBUF) + align64(<usize>(PB * NFp) << 2);
}

/**
 * Σ(v − 128) and Σ(v − 128)² of the patches at positions (py, 0..26) into sums[px] (two
 * i32 each), exact: all the normalization needs of a patch.
 */
function patchSums(img: usize, py: i32, sums: usize): void {
  const bias = i16x8.splat(128);
  const six = i16x8(1, 1, 1, 1, 1, 1, 0, 0); // the six taps of a patch row, not the two bytes past it
  const mask = i16x8(-1, -1, -1, -1, -1, -1, 0, 0);
  for (let px = 0; px < POS; px++) {
    let s1 = i32x4.splat(0), s2 = i32x4.splat(0);
    const end = px + 8 > SIDE; // the last two positions: 8 bytes from px would pass the image's last byte
    for (let c = 0; c < 3; c++) {
      for (let dy = 0; dy < PATCH; dy++) {
        const src = img + <usize>(c * PLANE + (py + dy) * SIDE + px);
        let bytes = v128.load64_zero(end ? src - 2 : src);
        if (end) bytes = i8x16.shuffle(bytes, bytes, 2, 3, 4, 5, 6, 7, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8);
        const m = v128.and(i16x8.sub(i16x8.extend_low_i8x16_u(bytes), bias), mask);
        s1 = i32x4.add(s1, i32x4.dot_i16x8_s(m, six));
        s2 = i32x4.add(s2, i32x4.dot_i16x8_s(m, m));
      }
    }
    store<i32>(sums + (<usize>px << 3), i32x4.extract_lane(s1, 0) + i32x4.extract_lane(s1, 1) + i32x4.extract_lane(s1, 2) + i32x4.extract_lane(s1, 3));
    store<i32>(sums + (<usize>px << 3), i32x4.extract_lane(s2, 0) + i32x4.extract_lane(s2, 1) + i32x4.extract_lane(s2, 2) + i32x4.extract_lane(s2, 3), 4);
  }
}

/**
 * The Winograd inputs d' of patch row py (every (channel, dy) pair of segments and ξ) into
 * Aw's slots slot0 … slot0 + 15: slot t holds, as a 16-bit pair, d'_ξ of positions 2t
 * (segment dx 0–2) and 2t + 3 (dx 3–5), for the outputs at 2t and 2t + 1. Slots 14 and 15
 * (the padding position 27 and past) get harmless whole numbers; the row's 32 bytes are
 * all that is read. buf: a row of (v − 128) then the 4 transformed rows, DBUF bytes each.
 */
function winogradRow(img: usize, py: i32, Aw: usize, slot0: i32, buf: usize): void {
  const bias = i16x8.splat(128);
  const at = Aw + (<usize>slot0 << 2);
  for (let p = 0; p < WPAIRS; p++) {
    const src = img + <usize>((p / PATCH) * PLANE + (py + p % PATCH) * SIDE);
    const b0 = v128.load(src), b1 = v128.load(src, 16);
    v128.store(buf, i16x8.sub(i16x8.extend_low_i8x16_u(b0), bias));
    v128.store(buf, i16x8.sub(i16x8.extend_high_i8x16_u(b0), bias), 16);
    v128.store(buf, i16x8.sub(i16x8.extend_low_i8x16_u(b1), bias), 32);
    v128.store(buf, i16x8.sub(i16x8.extend_high_i8x16_u(b1), bias), 48);
    // d'_ξ at positions x … x + 7 from the row at x, x + 1, x + 2, x + 3 (i16 lanes)
    for (let x: usize = 0; x < 64; x += 16) {
      const l0 = v128.load(buf + x), l1 = v128.load(buf + x, 2), l2 = v128.load(buf + x, 4), l3 = v128.load(buf + x, 6);
      v128.store(buf + DBUF + x, i16x8.sub(l0, l2));
      v128.store(buf + 2 * DBUF + x, i16x8.add(l1, l2));
      v128.store(buf + 3 * DBUF + x, i16x8.sub(l2, l1));
      v128.store(buf + 4 * DBUF + x, i16x8.sub(l1, l3));
    }
    for (let xi = 0; xi < 4; xi++) {
      const d = buf + DBUF * <usize>(xi + 1);
      // positions 0, 2, …, 30 (evens) and 3, 5, …, 33 (odd, from 3)
      const e0 = i8x16.shuffle(v128.load(d), v128.load(d, 16), 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29);
      const e1 = i8x16.shuffle(v128.load(d, 32), v128.load(d, 48), 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29);
      const o0 = i8x16.shuffle(v128.load(d, 6), v128.load(d, 22), 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29);
      const o1 = i8x16.shuffle(v128.load(d, 38), v128.load(d, 54), 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29);
      const o = at + <usize>xi * WXI + <usize>p * WSTEP;
      v128.store(o, i8x16.shuffle(e0, o0, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23));
      v128.store(o, i8x16.shuffle(e0, o0, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31), 16);
      v128.store(o, i8x16.shuffle(e1, o1, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23), 32);
      v128.store(o, i8x16.shuffle(e1, o1, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31), 48);
    }
  }
}

/** Stores (sign 0), adds (1) or subtracts (−1) a row's two accumulators at o. */
@inline function put(o: usize, a: v128, b: v128, sign: i32): void {
  if (sign == 0) {
    v128.store(o, a);
    v128.store(o, b, 16);
  } else if (sign > 0) {
    v128.store(o, i32x4.add(v128.load(o), a));
    v128.store(o, i32x4.add(v128.load(o, 16), b), 16);
  } else {
    v128.store(o, i32x4.sub(v128.load(o), a));
    v128.store(o, i32x4.sub(v128.load(o, 16), b), 16);
  }
}

/**
 * The outputs of 4 slots (at a, in Aw) × 8 filters (at b: this strip, [ξ][WPAIRS] × 32
 * bytes), from pair `from` on (the filters' taps before it are zero): even positions at
 * C, odd at C + ldc, the next slot 2·ldc further. The 8 accumulators run m1 and store it
 * as odd, go on with m0 and store m0 + m1 as even; then run m2 from zero, add it to even,
 * go on with m3 and take m2 + m3 from odd. Only two of the four sums read C back.
 */
function tileW(a: usize, b: usize, C: usize, ldc: usize, from: i32): void {
  const z = i32x4.splat(0);
  let c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
  const l2 = ldc << 1;
  for (let step = 0; step < 4; step++) {
    const xi: i32 = step == 0 ? 1 : step == 1 ? 0 : step; // ξ 1, 0, 2, 3
    if (step == 2) {
      c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z;
    }
    let x = a + <usize>xi * WXI;
    let w = b + (<usize>(xi * WPAIRS) << 5);
    const end = x + WXI;
    x += <usize>from * WSTEP;
    w += <usize>from << 5;
    for (; x < end; x += WSTEP, w += 32) {
      const b0 = v128.load(w);
      const b1 = v128.load(w, 16);
      const x0 = v128.load32_splat(x, 0);
      const x1 = v128.load32_splat(x, 4);
      const x2 = v128.load32_splat(x, 8);
      const x3 = v128.load32_splat(x, 12);
      c00 = i32x4.add(c00, i32x4.dot_i16x8_s(x0, b0));
      c01 = i32x4.add(c01, i32x4.dot_i16x8_s(x0, b1));
      c10 = i32x4.add(c10, i32x4.dot_i16x8_s(x1, b0));
      c11 = i32x4.add(c11, i32x4.dot_i16x8_s(x1, b1));
      c20 = i32x4.add(c20, i32x4.dot_i16x8_s(x2, b0));
      c21 = i32x4.add(c21, i32x4.dot_i16x8_s(x2, b1));
      c30 = i32x4.add(c30, i32x4.dot_i16x8_s(x3, b0));
      c31 = i32x4.add(c31, i32x4.dot_i16x8_s(x3, b1));
    }
    const o: usize = step == 1 || step == 2 ? 0 : ldc; // even or odd positions
    const sign: i32 = step < 2 ? 0 : step == 2 ? 1 : -1;
    put(C + o, c00, c01, sign);
    put(C + o + l2, c10, c11, sign);
    put(C + o + 2 * l2, c20, c21, sign);
    put(C + o + 3 * l2, c30, c31, sign);
  }
}

/**
 * The 4K features of the image at img into out (f32, [quadrant][k]).
 * B: the NFp = DIMP + K filters (padded to 8) in Winograd's form, strips of 8 filters of
 * WSTRIP bytes (filters 0…DIM−1 whiten, DIM…DIMP−1 are zero, DIMP + k is P·c_k).
 * tri: the whitening filter j has no taps before tap j (L's columns; else P's, dense).
 * fl: 4 f32 arrays of NFp, per filter: α, the factor of its integer sums C; the sums' Σq;
 * M·f; and for the centroids γ = ‖c_k‖² + 2M·f.
 */
export function triangleImage(img: usize, B: usize, fl: usize, K: i32, NFp: i32, tri: bool, out: usize, scr: usize): void {
  const sums = scr;
  const Aw = sums + align64(<usize>(PB * 2) << 2);
  const buf = Aw + align64(4 * WXI);
  const Cm = buf + align64(5 * DBUF);
  const ldc = <usize>NFp << 2;
  const alpha = fl, qsum = fl + ldc, mf = fl + 2 * ldc, gamma = fl + 3 * ldc;
  const K4 = K & ~3;
  const invK: f32 = <f32>1 / <f32>K;
  const zero = f32x4.splat(0);
  memory.fill(out, 0, <usize>(4 * K) << 2);
  memory.fill(buf, 0, 5 * DBUF); // positions 32–47 of the transformed rows stay zero
  for (let py0 = 0; py0 < POS; py0 += ROWS) {
    const rows = min(ROWS, POS - py0);
    for (let rr = 0; rr < rows; rr++) {
      patchSums(img, py0 + rr, sums + (<usize>(rr * PR) << 3));
      winogradRow(img, py0 + rr, Aw, rr * 14, buf);
    }
    // slot t's outputs go to patch rows 2t and 2t + 1 of C (the block's patches, 28 a row)
    const tiles = rows == ROWS ? 7 : 4;
    for (let s = 0; s < NFp; s += 8) {
      const Bs = B + <usize>(s >> 3) * WSTRIP;
      // a strip of L's columns starts at tap s, in (channel, dy) pair s/6
      const from = tri && s < DIMP ? s / PATCH : 0;
      for (let t = 0; t < tiles; t++) tileW(Aw + (<usize>t << 4), Bs, Cm + (<usize>(8 * t * NFp) << 2) + (<usize>s << 2), ldc, from);
    }
    for (let rr = 0; rr < rows; rr++) {
      const py = py0 + rr;
      const qy = py < HALF ? 0 : 2;
      for (let r = 0; r < POS; r++) {
        const i = rr * PR + r; // the patch's row in sums and C
        const s1 = <f32>load<i32>(sums + (<usize>i << 3)), s2 = <f32>load<i32>(sums + (<usize>i << 3), 4);
        const m = s1 / <f32>DIM; // mean(v) − 128
        const inv = <f32>1 / Mathf.sqrt((s2 - s1 * m) / <f32>(DIM - 1) + 10);
        const vm = f32x4.splat(m), vinv = f32x4.splat(inv);
        const vu = f32x4.splat(2 * inv);
        const row = Cm + (<usize>(i * NFp) << 2);
        // y_j = α·(C − m·Σq)·inv − M·f, for the DIM whitening filters; ‖y‖². C − m·Σq first: it
        // is exact (whole numbers under 2^24), and exactly 0 on a flat patch.
        let a = zero;
        for (let j: usize = 0; j < <usize>DIM << 2; j += 16) {
          const y = f32x4.sub(f32x4.mul(f32x4.mul(v128.load(alpha + j), f32x4.sub(f32x4.convert_i32x4_s(v128.load(row + j)), f32x4.mul(vm, v128.load(qsum + j)))), vinv), v128.load(mf + j));
          a = f32x4.add(a, f32x4.mul(y, y));
        }
        const yy = f32x4.splat(f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1) + (f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3)));
        // (pmax(x, 0), one maxps: f32x4.max's rules for NaN and −0 cost V8 several instructions
        // a lane, a tenth of the extraction here; no NaN arises, and −0 for +0 changes no sum.)
        // z_k = sqrt(max(0, ‖c_k‖² + ‖y‖² − 2 y·c_k)) in place of the products, with y·c_k as y_j
        // above: γ + ‖y‖² − 2·inv·α·(C − m·Σq), γ = ‖c_k‖² + 2M·f; then mean(z)
        const zr = row + (<usize>DIMP << 2);
        let sum = zero;
        for (let k = 0; k < K; k += 4) {
          const o = <usize>(DIMP + k) << 2;
          const ac = f32x4.mul(f32x4.mul(v128.load(alpha + o), f32x4.sub(f32x4.convert_i32x4_s(v128.load(row + o)), f32x4.mul(vm, v128.load(qsum + o)))), vu);
          const zk = f32x4.sqrt(f32x4.pmax(f32x4.sub(f32x4.add(v128.load(gamma + o), yy), ac), zero));
          v128.store(zr + (<usize>k << 2), zk);
          if (k < K4) sum = f32x4.add(sum, zk);
        }
        let total: f32 = f32x4.extract_lane(sum, 0) + f32x4.extract_lane(sum, 1) + (f32x4.extract_lane(sum, 2) + f32x4.extract_lane(sum, 3));
        for (let k = K4; k < K; k++) total += load<f32>(zr + (<usize>k << 2));
        const mu = total * invK;
        const vmu = f32x4.splat(mu);
        const q = out + (<usize>((qy + (r < HALF ? 0 : 1)) * K) << 2);
        for (let k = 0; k < K4; k += 4) {
          const o = <usize>k << 2;
          v128.store(q + o, f32x4.add(v128.load(q + o), f32x4.pmax(f32x4.sub(vmu, v128.load(zr + o)), zero)));
        }
        for (let k = K4; k < K; k++) {
          const o = <usize>k << 2;
          store<f32>(q + o, load<f32>(q + o) + max<f32>(mu - load<f32>(zr + o), 0));
        }
      }
    }
  }
}
