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
// j, so a strip of 8 of them skips its leading pairs of zeros (a sixth of the products at
// K = 200). Both these and y·c_k = (x − M)·(P·c_k) are dot products of a normalized
// patch with a fixed filter f, and for the raw bytes v of a patch
//   x·f = ((v − 128)·f − (mean(v) − 128)·Σf) / sqrt(var(v) + 10),
// so the bytes need no normalization of their own: only each patch's Σ(v − 128) and
// Σ(v − 128)², exact integers. The filters are stored as 16-bit integers, each scaled to
// its own largest tap (f ≈ scale·q, |q| ≤ 32,767, about 5 significant digits: finer than
// the 1/16 σ steps the features are stored in), and one i32x4.dot_i16x8_s does 8
// multiply-adds of (v − 128) by q, exactly, where a float multiply-add does 4.
// One row of 27 patch positions at a time, so its patches and their products stay in cache.
import { DIM, DIMP, HALF, PATCH, POS, PR, SIDE, align64 } from './layout';

const PLANE: i32 = SIDE * SIDE;
const PAIRS: i32 = DIM / 2; // 54 pairs of taps per patch

/** Per-thread scratch of a triangle job with NFp filters: the row's patch pairs, sums and products. */
export function triangleScratch(NFp: i32): usize {
  return align64(<usize>(PR * PAIRS) << 2) + align64(<usize>(PR * 2) << 2) + align64(<usize>(PR * NFp) << 2);
}

/** Bytes of one tile of 4 patches in A: for each pair of taps, the 4 patches' i32 side by side. */
const TILE: usize = <usize>PAIRS << 4;

/**
 * The patches of positions (py, 0..26) as 16-bit pairs of (v − 128), taps in [channel][dy]
 * [dx] order (the k-means training patches' order), laid out by tiles of 4 patches: patch
 * i's pair p at A + (i/4)·TILE + p·16 + (i%4)·4, so a tile's step reads one 16-byte block.
 * sums[i] gets Σ(v − 128) and Σ(v − 128)². The padding patch 27 is left as zeros.
 */
function patchRow(img: usize, py: i32, A: usize, sums: usize): void {
  const bias = i16x8.splat(128);
  const six = i16x8(1, 1, 1, 1, 1, 1, 0, 0); // the six taps of a patch row, not the two bytes past it
  for (let px = 0; px < POS; px++) {
    const a = A + <usize>(px >> 2) * TILE + (<usize>(px & 3) << 2);
    let s1 = i32x4.splat(0), s2 = i32x4.splat(0);
    const end = px + 8 > SIDE; // the last two positions: 8 bytes from px would pass the image's last byte
    for (let c = 0; c < 3; c++) {
      for (let dy = 0; dy < PATCH; dy++) {
        const src = img + <usize>(c * PLANE + (py + dy) * SIDE + px);
        let bytes = v128.load64_zero(end ? src - 2 : src);
        if (end) bytes = i8x16.shuffle(bytes, bytes, 2, 3, 4, 5, 6, 7, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8);
        const v = i16x8.sub(i16x8.extend_low_i8x16_u(bytes), bias);
        const o = a + (<usize>((c * PATCH + dy) * 3) << 4); // this row's 3 pairs
        v128.store32_lane(o, v, 0);
        v128.store32_lane(o, v, 1, 16);
        v128.store32_lane(o, v, 2, 32);
        const m = v128.and(v, i16x8(-1, -1, -1, -1, -1, -1, 0, 0));
        s1 = i32x4.add(s1, i32x4.dot_i16x8_s(m, six));
        s2 = i32x4.add(s2, i32x4.dot_i16x8_s(m, m));
      }
    }
    store<i32>(sums + (<usize>px << 3), i32x4.extract_lane(s1, 0) + i32x4.extract_lane(s1, 1) + i32x4.extract_lane(s1, 2) + i32x4.extract_lane(s1, 3));
    store<i32>(sums + (<usize>px << 3), i32x4.extract_lane(s2, 0) + i32x4.extract_lane(s2, 1) + i32x4.extract_lane(s2, 2) + i32x4.extract_lane(s2, 3), 4);
  }
}

/**
 * Products of a tile of 4 patches (at a, TILE bytes) with 8 filters (at b: this strip's
 * PAIRS × 32 bytes, the 16-bit pairs of filters 4g…4g+3 then 4g+4…4g+7 for each pair of
 * taps) into C rows (i32, stride ldc bytes), from pair `from` on (the filters' taps
 * before it are zero). 8 accumulators, 4 broadcast pairs and 2
 * filter vectors live per step, as the pixel kernels' backward tiles (assembly/backward.ts);
 * two running pointers, so every load is a pointer plus a constant.
 */
function tile4x8(a: usize, b: usize, C: usize, ldc: usize, from: i32): void {
  const z = i32x4.splat(0);
  let c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
  const end = a + TILE;
  a += <usize>from << 4;
  b += <usize>from << 5;
  for (; a < end; a += 16, b += 32) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    const x0 = v128.load32_splat(a, 0);
    const x1 = v128.load32_splat(a, 4);
    const x2 = v128.load32_splat(a, 8);
    const x3 = v128.load32_splat(a, 12);
    c00 = i32x4.add(c00, i32x4.dot_i16x8_s(x0, b0));
    c01 = i32x4.add(c01, i32x4.dot_i16x8_s(x0, b1));
    c10 = i32x4.add(c10, i32x4.dot_i16x8_s(x1, b0));
    c11 = i32x4.add(c11, i32x4.dot_i16x8_s(x1, b1));
    c20 = i32x4.add(c20, i32x4.dot_i16x8_s(x2, b0));
    c21 = i32x4.add(c21, i32x4.dot_i16x8_s(x2, b1));
    c30 = i32x4.add(c30, i32x4.dot_i16x8_s(x3, b0));
    c31 = i32x4.add(c31, i32x4.dot_i16x8_s(x3, b1));
  }
  v128.store(C, c00);
  v128.store(C, c01, 16);
  v128.store(C + ldc, c10);
  v128.store(C + ldc, c11, 16);
  v128.store(C + 2 * ldc, c20);
  v128.store(C + 2 * ldc, c21, 16);
  v128.store(C + 3 * ldc, c30);
  v128.store(C + 3 * ldc, c31, 16);
}

/**
 * The 4K features of the image at img into out (f32, [quadrant][k]).
 * B: the NFp = DIMP + K filters (padded to 8) as 16-bit pairs, in strips of 8 (PAIRS × 32
 * bytes each; filters 0…DIM−1 whiten, DIM…DIMP−1 are zero, DIMP + k is P·c_k). tri: the
 * whitening filter j has no taps before tap j (L's columns; else P's, dense). fl: 4 f32
 * arrays of NFp, per filter: its scale, Σq (its taps' sum), the scaled (M·f), and ‖c_k‖²
 * (centroids only).
 */
export function triangleImage(img: usize, B: usize, fl: usize, K: i32, NFp: i32, tri: bool, out: usize, scr: usize): void {
  const A = scr;
  const sums = A + align64(<usize>(PR * PAIRS) << 2);
  const Cm = sums + align64(<usize>(PR * 2) << 2);
  const ldc = <usize>NFp << 2;
  const scale = fl, qsum = fl + ldc, mf = fl + 2 * ldc, cc = fl + 3 * ldc;
  const K4 = K & ~3;
  const invK: f32 = <f32>1 / <f32>K;
  const zero = f32x4.splat(0);
  memory.fill(out, 0, <usize>(4 * K) << 2);
  memory.fill(A, 0, <usize>(PR >> 2) * TILE); // patch 27, the padding, stays zero
  for (let py = 0; py < POS; py++) {
    patchRow(img, py, A, sums);
    for (let s = 0; s < NFp; s += 8) {
      const Bs = B + <usize>s * <usize>(PAIRS << 2);
      const from = tri && s < DIMP ? s >> 1 : 0; // the strip's first tap is s, in pair s/2
      for (let i = 0; i < PR; i += 4) tile4x8(A + <usize>(i >> 2) * TILE, Bs, Cm + (<usize>(i * NFp) << 2) + (<usize>s << 2), ldc, from);
    }
    const qy = py < HALF ? 0 : 2;
    for (let r = 0; r < POS; r++) {
      const s1 = <f32>load<i32>(sums + (<usize>r << 3)), s2 = <f32>load<i32>(sums + (<usize>r << 3), 4);
      const m = s1 / <f32>DIM; // mean(v) − 128
      const inv = <f32>1 / Mathf.sqrt((s2 - s1 * m) / <f32>(DIM - 1) + 10);
      const vm = f32x4.splat(m), vinv = f32x4.splat(inv);
      const row = Cm + (<usize>(r * NFp) << 2);
      // y_j = scale·(C − m·Σq)·inv − M·f, for the DIM whitening filters; ‖y‖²
      let a = zero;
      for (let j: usize = 0; j < <usize>DIM << 2; j += 16) {
        const y = f32x4.sub(f32x4.mul(f32x4.mul(v128.load(scale + j), f32x4.sub(f32x4.convert_i32x4_s(v128.load(row + j)), f32x4.mul(vm, v128.load(qsum + j)))), vinv), v128.load(mf + j));
        a = f32x4.add(a, f32x4.mul(y, y));
      }
      const yy = f32x4.splat(f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1) + (f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3)));
      // z_k = sqrt(max(0, ‖c_k‖² + ‖y‖² − 2 y·c_k)) in place of the products; then mean(z)
      const zr = row + (<usize>DIMP << 2);
      let sum = zero;
      for (let k = 0; k < K; k += 4) {
        const o = <usize>(DIMP + k) << 2;
        const yc = f32x4.sub(f32x4.mul(f32x4.mul(v128.load(scale + o), f32x4.sub(f32x4.convert_i32x4_s(v128.load(row + o)), f32x4.mul(vm, v128.load(qsum + o)))), vinv), v128.load(mf + o));
        const zk = f32x4.sqrt(f32x4.max(f32x4.sub(f32x4.add(v128.load(cc + o), yy), f32x4.add(yc, yc)), zero));
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
        v128.store(q + o, f32x4.add(v128.load(q + o), f32x4.max(f32x4.sub(vmu, v128.load(zr + o)), zero)));
      }
      for (let k = K4; k < K; k++) {
        const o = <usize>k << 2;
        store<f32>(q + o, load<f32>(q + o) + max<f32>(mu - load<f32>(zr + o), 0));
      }
    }
  }
}
