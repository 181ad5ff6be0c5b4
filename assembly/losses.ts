// The data losses on one block's scores, in float64: the same definitions as
// src/model/losses/{svm,softmax,ova}.ts (which the tests compare against).
//   svm:     L_i = Σ_{j≠y} max(0, s_j − s_y + Δ)          (a margin of exactly 0 is inactive)
//   svm2:    L_i = Σ_{j≠y} max(0, s_j − s_y + Δ)²
//   softmax: L_i = log Σ_j e^{s_j − m} − (s_y − m),  m = max_j s_j
//   ova2:    L_i = Σ_j max(0, Δ − y_j·s_j)²,  y_j = +1 for j = y, −1 otherwise
// ds[r, c] receives ∂L_i/∂s_c, not yet divided by n (the caller scales the sums once).
import { C, D, LOSS_OVA2, LOSS_SOFTMAX, LOSS_SVM2, WSB } from './layout';

/**
 * Rows [0, m) of a block whose first picked row is b: sc m × C scores (f32, no bias),
 * labels of the pick (u8), W C × WS (bias at column D). Adds the block's loss and count
 * of right argmaxes into sum (f64 at 0, i32 at 8); with ds ≠ 0 also writes ds (m × C f32)
 * and adds Σ_r ds[r, c] into bias (C f64). tmp: 2C f64 of per-thread scratch (the
 * memory is shared, so nothing may live in static data).
 */
export function lossBlock(
  sc: usize, ds: usize, m: i32, labels: usize, b: i32, W: usize,
  loss: i32, delta: f64, sum: usize, bias: usize, tmp: usize,
): void {
  const s = tmp; // C f64: the row's scores with bias
  const g = tmp + (<usize>C << 3); // C f64: ∂L_i/∂s
  let total: f64 = 0;
  let correct: i32 = 0;
  for (let r = 0; r < m; r++) {
    const y = <i32>load<u8>(labels + <usize>(b + r));
    const o = sc + (<usize>(r * C) << 2);
    let best = 0;
    for (let c = 0; c < C; c++) {
      const v = <f64>load<f32>(o + (<usize>c << 2)) + <f64>load<f32>(W + <usize>c * WSB + (<usize>D << 2));
      store<f64>(s + (<usize>c << 3), v);
      if (v > load<f64>(s + (<usize>best << 3))) best = c;
    }
    if (best == y) correct++;
    const sy = load<f64>(s + (<usize>y << 3));
    if (loss == LOSS_SOFTMAX) {
      const mx = load<f64>(s + (<usize>best << 3));
      let z: f64 = 0;
      for (let c = 0; c < C; c++) {
        const e = Math.exp(load<f64>(s + (<usize>c << 3)) - mx);
        store<f64>(g + (<usize>c << 3), e);
        z += e;
      }
      total += Math.log(z) - (sy - mx);
      const inv = 1 / z;
      for (let c = 0; c < C; c++) store<f64>(g + (<usize>c << 3), load<f64>(g + (<usize>c << 3)) * inv);
      store<f64>(g + (<usize>y << 3), load<f64>(g + (<usize>y << 3)) - 1);
    } else if (loss == LOSS_OVA2) {
      for (let c = 0; c < C; c++) {
        const sign: f64 = c == y ? 1 : -1;
        const mg = delta - sign * load<f64>(s + (<usize>c << 3));
        let gc: f64 = 0;
        if (mg > 0) {
          total += mg * mg;
          gc = -2 * mg * sign;
        }
        store<f64>(g + (<usize>c << 3), gc);
      }
    } else {
      let dy: f64 = 0;
      for (let c = 0; c < C; c++) {
        let gc: f64 = 0;
        if (c != y) {
          const mg = load<f64>(s + (<usize>c << 3)) - sy + delta;
          if (mg > 0) {
            if (loss == LOSS_SVM2) {
              total += mg * mg;
              gc = 2 * mg;
            } else {
              total += mg;
              gc = 1;
            }
          }
        }
        store<f64>(g + (<usize>c << 3), gc);
        dy += gc;
      }
      store<f64>(g + (<usize>y << 3), -dy);
    }
    if (ds != 0) {
      const q = ds + (<usize>(r * C) << 2);
      for (let c = 0; c < C; c++) {
        const gc = load<f64>(g + (<usize>c << 3));
        store<f32>(q + (<usize>c << 2), <f32>gc);
        const bp = bias + (<usize>c << 3);
        store<f64>(bp, load<f64>(bp) + gc);
      }
    }
  }
  store<f64>(sum, load<f64>(sum) + total);
  store<i32>(sum, load<i32>(sum, 8) + correct, 8);
}

/** Predicted class of each row (argmax of the scores with bias, first on ties) into out[b + r]. */
export function argmaxBlock(sc: usize, m: i32, W: usize, out: usize, b: i32): void {
  for (let r = 0; r < m; r++) {
    const o = sc + (<usize>(r * C) << 2);
    let best = 0;
    let bestV: f64 = -Infinity;
    for (let c = 0; c < C; c++) {
      const v = <f64>load<f32>(o + (<usize>c << 2)) + <f64>load<f32>(W + <usize>c * WSB + (<usize>D << 2));
      if (v > bestV || c == 0) {
        best = c;
        bestV = v;
      }
    }
    store<u8>(out + <usize>(b + r), <u8>best);
  }
}
