// Coates, Lee & Ng (2011) single-layer features of one image, the way their code does it:
// every 6×6×3 patch at stride 1 (27 × 27 positions), brightness/contrast normalized
//   x = (v − mean(v)) / sqrt(var(v) + 10)          (var with n − 1, on the 0–255 scale)
// whitened y = (x − M)·P, distances z_k = ‖y − c_k‖ to the K centroids, the "triangle"
// activation f_k = max(0, mean(z) − z_k), summed over the four quadrants of positions
// (rows and columns split at 14) into 4K features, [quadrant][k].
// One row of 27 patch positions at a time, so its patches, their whitened copies and
// their K distances (PR × K floats) stay in cache.
import { mm } from './mm';
import { AR, DIM, DIMP, HALF, PATCH, POS, PR, SIDE, align64 } from './layout';

const PLANE: i32 = SIDE * SIDE;

/** Per-thread scratch of a triangle job: patches, whitened patches, distances, norms. */
export function triangleScratch(Kp: i32): usize {
  return align64(<usize>(PR * DIM) << 2) + align64(<usize>(PR * DIMP) << 2) + align64(<usize>(PR * Kp) << 2) + align64(<usize>PR << 2);
}

/**
 * Patch (py, px) of the image at img into x[0..DIM), normalized, minus M.
 * The layout is [channel][dy][dx], the same as the k-means training patches (patchAt).
 */
export function normalizedPatch(img: usize, py: i32, px: i32, M: usize, x: usize): void {
  let sum: f32 = 0;
  for (let c = 0; c < 3; c++) {
    for (let dy = 0; dy < PATCH; dy++) {
      const src = img + <usize>(c * PLANE + (py + dy) * SIDE + px);
      const dst = x + (<usize>(c * PATCH * PATCH + dy * PATCH) << 2);
      for (let dx = 0; dx < PATCH; dx++) {
        const v = <f32>load<u8>(src + <usize>dx);
        store<f32>(dst + (<usize>dx << 2), v);
        sum += v;
      }
    }
  }
  const mean = sum / <f32>DIM;
  let ss: f32 = 0;
  for (let d = 0; d < DIM; d++) {
    const e = load<f32>(x + (<usize>d << 2)) - mean;
    ss += e * e;
  }
  const inv = <f32>1 / Mathf.sqrt(ss / <f32>(DIM - 1) + 10);
  for (let d = 0; d < DIM; d++) {
    const o = <usize>d << 2;
    store<f32>(x + o, (load<f32>(x + o) - mean) * inv - load<f32>(M + o));
  }
}

/**
 * The 4K features of the image at img into out (f32, [quadrant][k]).
 * P: DIM × DIMP whitening matrix (columns past DIM zero); M: DIM patch mean;
 * Ct: DIM × Kp centroids transposed (columns past K zero); cc: Kp squared norms.
 */
export function triangleImage(img: usize, P: usize, M: usize, Ct: usize, cc: usize, K: i32, Kp: i32, out: usize, scr: usize): void {
  const X = scr;
  const Y = X + align64(<usize>(PR * DIM) << 2);
  const XC = Y + align64(<usize>(PR * DIMP) << 2);
  const xx = XC + align64(<usize>(PR * Kp) << 2);
  const K4 = K & ~3;
  const invK: f32 = <f32>1 / <f32>K;
  memory.fill(out, 0, <usize>(4 * K) << 2);
  memory.fill(X + (<usize>(POS * DIM) << 2), 0, <usize>((PR - POS) * DIM) << 2); // the padding row
  for (let py = 0; py < POS; py++) {
    for (let px = 0; px < POS; px++) normalizedPatch(img, py, px, M, X + (<usize>(px * DIM) << 2));
    mm(X, DIM, PR, P, DIMP, DIMP, DIM, Y, DIMP, false);
    for (let r = 0; r < POS; r++) {
      const y = Y + (<usize>(r * DIMP) << 2);
      let a = f32x4.splat(0);
      for (let d = 0; d < DIMP; d += 4) {
        const v = v128.load(y + (<usize>d << 2));
        a = f32x4.add(a, f32x4.mul(v, v));
      }
      store<f32>(xx + (<usize>r << 2), f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1) + (f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3)));
    }
    mm(Y, DIMP, PR, Ct, Kp, Kp, DIM, XC, Kp, false);
    const qy = py < HALF ? 0 : 2;
    for (let r = 0; r < POS; r++) {
      const z = XC + (<usize>(r * Kp) << 2);
      const q = out + (<usize>((qy + (r < HALF ? 0 : 1)) * K) << 2);
      const x2 = load<f32>(xx + (<usize>r << 2));
      // z_k = sqrt(max(0, ‖c‖² + ‖y‖² − 2 y·c)), in place; then mean(z)
      const vx2 = f32x4.splat(x2), two = f32x4.splat(2), zero = f32x4.splat(0);
      let s = f32x4.splat(0);
      for (let k = 0; k < K4; k += 4) {
        const o = <usize>k << 2;
        const d2 = f32x4.sub(f32x4.add(v128.load(cc + o), vx2), f32x4.mul(two, v128.load(z + o)));
        const zk = f32x4.sqrt(f32x4.max(d2, zero));
        v128.store(z + o, zk);
        s = f32x4.add(s, zk);
      }
      let sum: f32 = f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + (f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3));
      for (let k = K4; k < K; k++) {
        const o = <usize>k << 2;
        const zk = Mathf.sqrt(max<f32>(load<f32>(cc + o) + x2 - 2 * load<f32>(z + o), 0));
        store<f32>(z + o, zk);
        sum += zk;
      }
      const mu = sum * invK;
      const vmu = f32x4.splat(mu);
      for (let k = 0; k < K4; k += 4) {
        const o = <usize>k << 2;
        v128.store(q + o, f32x4.add(v128.load(q + o), f32x4.max(f32x4.sub(vmu, v128.load(z + o)), zero)));
      }
      for (let k = K4; k < K; k++) {
        const o = <usize>k << 2;
        store<f32>(q + o, load<f32>(q + o) + max<f32>(mu - load<f32>(z + o), 0));
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
      let bi = 0;
      let bv = load<f32>(row) - load<f32>(hc);
      for (let k = 1; k < K; k++) {
        const v = load<f32>(row + (<usize>k << 2)) - load<f32>(hc + (<usize>k << 2));
        if (v > bv) {
          bv = v;
          bi = k;
        }
      }
      store<i32>(best + (<usize>(b + r) << 2), bi);
      store<f32>(val + (<usize>(b + r) << 2), bv);
    }
  }
}
