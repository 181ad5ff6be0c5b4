// Lloyd's k-means on whitened patches (src/features/kmeans.ts): the sample of normalized
// patches, the assignment of each patch to its nearest centroid (a matrix product then an
// argmax per row), and the sums of each cluster's patches for the centroids' update.
import { mm } from './mm';
import { AR, DIM, PATCH, SIDE } from './layout';

/**
 * Patches u in [lo, hi) of the sample: picks[3u … 3u + 2] = (image, py, px) of the split at
 * pix (3,072 bytes an image), normalized as src/features/backend-js.ts normalizedPatch does
 * it, (v − mean)/sqrt(var + 10) with var over n − 1, in float64 with the same operations in
 * the same order (so the same bits), each value then rounded to float32 into X + u·DIM.
 */
export function patchRows(pix: usize, picks: usize, lo: i32, hi: i32, X: usize): void {
  for (let u = lo; u < hi; u++) {
    const q = picks + (<usize>(u * 3) << 2);
    const img = load<i32>(q), py = load<i32>(q, 4), px = load<i32>(q, 8);
    const o = pix + <usize>img * <usize>(3 * SIDE * SIDE) + <usize>(py * SIDE + px);
    let sum = 0; // whole numbers: the float64 sum's exact value
    for (let c = 0; c < 3; c++) {
      for (let dy = 0; dy < PATCH; dy++) {
        const row = o + <usize>(c * SIDE * SIDE + dy * SIDE);
        for (let dx = 0; dx < PATCH; dx++) sum += <i32>load<u8>(row + <usize>dx);
      }
    }
    const mean = <f64>sum / <f64>DIM;
    let ss: f64 = 0; // in order of d, as the reference adds it
    for (let c = 0; c < 3; c++) {
      for (let dy = 0; dy < PATCH; dy++) {
        const row = o + <usize>(c * SIDE * SIDE + dy * SIDE);
        for (let dx = 0; dx < PATCH; dx++) {
          const t = <f64>load<u8>(row + <usize>dx) - mean;
          ss += t * t;
        }
      }
    }
    const inv = 1 / Math.sqrt(ss / <f64>(DIM - 1) + 10);
    let x = X + (<usize>(u * DIM) << 2);
    for (let c = 0; c < 3; c++) {
      for (let dy = 0; dy < PATCH; dy++) {
        const row = o + <usize>(c * SIDE * SIDE + dy * SIDE);
        for (let dx = 0; dx < PATCH; dx++) {
          store<f32>(x, <f32>((<f64>load<u8>(row + <usize>dx) - mean) * inv));
          x += 4;
        }
      }
    }
  }
}

/**
 * k-means assignment of patch rows [lo, hi) (X: rows of DIM f32, readable up to a whole
 * block of AR rows past hi): best[i] = argmax_k (x_i·c_k − hc_k) (first on ties),
 * val[i] = that maximum; hc: ½‖c_k‖². XC: AR × Kp scratch.
 */
export function assignRows(X: usize, lo: i32, hi: i32, Ct: usize, hc: usize, K: i32, Kp: i32, best: usize, val: usize, XC: usize): void {
  for (let b = lo; b < hi; b += AR) {
    mm(X + (<usize>(b * DIM) << 2), DIM, AR, Ct, Kp, Kp, DIM, XC, Kp, false);
    const m = min(AR, hi - b);
    for (let r = 0; r < m; r++) {
      const row = XC + (<usize>(r * Kp) << 2);
      let bi = K < 8 ? -1 : argmax4(row, hc, K);
      let bv: f32;
      if (bi >= 0) bv = load<f32>(row + (<usize>bi << 2)) - load<f32>(hc + (<usize>bi << 2));
      else {
        bi = 0;
        bv = load<f32>(row) - load<f32>(hc);
        for (let k = 1; k < K; k++) {
          const v = load<f32>(row + (<usize>k << 2)) - load<f32>(hc + (<usize>k << 2));
          if (v > bv) {
            bv = v;
            bi = k;
          }
        }
      }
      store<i32>(best + (<usize>(b + r) << 2), bi);
      store<f32>(val + (<usize>(b + r) << 2), bv);
    }
  }
}

/**
 * The scalar loop's k (the first of the largest row_k − hc_k), four lanes at a time: each
 * lane keeps its own first maximum (a strict >), then the lanes' candidates are compared,
 * a tie going to the smaller index, and the tail past K & ~3 is taken one by one.
 * Returns −1, leaving the row to the scalar loop, when a value is NaN (no order then says
 * which comes first). The scalar loop took about a twelfth of the assignment's time.
 */
function argmax4(row: usize, hc: usize, K: i32): i32 {
  let bv = f32x4.sub(v128.load(row), v128.load(hc));
  let nan = f32x4.ne(bv, bv);
  let bi = i32x4(0, 1, 2, 3);
  let idx = bi;
  const four = i32x4.splat(4);
  const K4 = K & ~3;
  for (let k = 4; k < K4; k += 4) {
    idx = i32x4.add(idx, four);
    const o = <usize>k << 2;
    const v = f32x4.sub(v128.load(row + o), v128.load(hc + o));
    const gt = f32x4.gt(v, bv);
    bv = v128.bitselect(v, bv, gt);
    bi = v128.bitselect(idx, bi, gt);
    nan = v128.or(nan, f32x4.ne(v, v));
  }
  if (v128.any_true(nan)) return -1;
  let v0 = f32x4.extract_lane(bv, 0);
  let i0 = i32x4.extract_lane(bi, 0);
  const v1 = f32x4.extract_lane(bv, 1), i1 = i32x4.extract_lane(bi, 1);
  if (v1 > v0 || (v1 == v0 && i1 < i0)) (v0 = v1), (i0 = i1);
  const v2 = f32x4.extract_lane(bv, 2), i2 = i32x4.extract_lane(bi, 2);
  if (v2 > v0 || (v2 == v0 && i2 < i0)) (v0 = v2), (i0 = i2);
  const v3 = f32x4.extract_lane(bv, 3), i3 = i32x4.extract_lane(bi, 3);
  if (v3 > v0 || (v3 == v0 && i3 < i0)) (v0 = v3), (i0 = i3);
  for (let k = K4; k < K; k++) {
    const v = load<f32>(row + (<usize>k << 2)) - load<f32>(hc + (<usize>k << 2));
    if (v != v) return -1;
    if (v > v0) (v0 = v), (i0 = k);
  }
  return i0;
}

/**
 * Lloyd's update, its sums: for each of the N patch rows at X (DIM f32 each), in row
 * order, sums[best_i] += x_i in f64 (K × DIM) and counts[best_i] += 1, from zero: the
 * same additions in the same order as the loop of src/features/backend-js.ts, so the
 * same bits. One thread: a pass over the patches is a small part of an iteration.
 */
export function clusterSums(X: usize, N: i32, best: usize, K: i32, sums: usize, counts: usize): void {
  memory.fill(sums, 0, <usize>(K * DIM) << 3);
  memory.fill(counts, 0, <usize>K << 3);
  for (let i = 0; i < N; i++) {
    const k = load<i32>(best + (<usize>i << 2));
    const c = counts + (<usize>k << 3);
    store<f64>(c, load<f64>(c) + 1);
    const x = X + (<usize>(i * DIM) << 2);
    const s = sums + (<usize>(k * DIM) << 3);
    for (let d: usize = 0; d < <usize>DIM; d += 4) {
      const v = v128.load(x + (d << 2));
      const lo = s + (d << 3);
      v128.store(lo, f64x2.add(v128.load(lo), f64x2.promote_low_f32x4(v)));
      v128.store(lo, f64x2.add(v128.load(lo, 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1))), 16);
    }
  }
}
