// The work of one superblock of picked rows [lo, hi) for each job kind, and one chunk
// of the final gradient reduction. Rows go in blocks of RB: bytes → float features once,
// then scores, loss and ∂L/∂scores, then the gradient while the block is still in L2 —
// one pass over the pixels per call.
import { backwardBlock } from './backward';
import { convertBlock, pairBlock } from './convert';
import { forwardBlock } from './forward';
import {
  C, D, G_BIAS, G_END, G_GRAD, G_LOSS, J_DELTA, J_K, J_L2, J_LABELS, J_LOSS, J_MEAN, J_PEN, J_PIX, J_ROWS, J_W, JOB,
  J_N, LOSS_SVM, RB, S_DS, S_DSI, S_SC, S_TMP, S_XF, S_XI, WSB,
} from './layout';
import { argmaxBlock, lossBlock } from './losses';

// The job's inputs, as setJob stored them.
@inline function pix(): usize { return <usize>load<u32>(JOB, J_PIX); }
@inline function rows(): usize { return <usize>load<u32>(JOB, J_ROWS); }
@inline function labels(): usize { return <usize>load<u32>(JOB, J_LABELS); }
@inline function mean(): usize { return <usize>load<u32>(JOB, J_MEAN); }
@inline function weights(): usize { return <usize>load<u32>(JOB, J_W); }

/**
 * Gradient job: the superblock's Σ dS·x, Σ dS, loss and right argmaxes into g (layout.ts
 * G_*); scr: this thread's scratch (S_*).
 */
export function gradSuperblock(lo: i32, hi: i32, g: usize, scr: usize): void {
  const W = weights(), loss = load<i32>(JOB, J_LOSS), delta = load<f64>(JOB, J_DELTA);
  const xf = scr + S_XF, sc = scr + S_SC, ds = scr + S_DS;
  // The sums start at zero; the gradient is overwritten by the first block (if any).
  memory.fill(hi > lo ? g + G_LOSS : g, 0, hi > lo ? G_END - G_LOSS : G_END);
  for (let b = lo; b < hi; b += RB) {
    const m = min(RB, hi - b);
    convertBlock(pix(), rows(), b, m, mean(), xf);
    forwardBlock(xf, m, W, sc);
    lossBlock(sc, ds, m, labels(), b, W, loss, delta, g + G_LOSS, g + G_BIAS, scr + S_TMP);
    if (integerSvm()) {
      pairBlock(pix(), rows(), b, m, scr + S_XI);
      packPairs(ds, m, scr + S_DSI);
      backwardBlock<i32>(scr + S_XI, (m + 1) >> 1, scr + S_DSI, g + G_GRAD, b == lo);
    } else {
      backwardBlock<f32>(xf, m, ds, g + G_GRAD, b == lo);
    }
  }
}

/** Σ_r dS[r, c] over a gradient job's S superblock sums at sb, added in superblock order. */
export function biasSum(sb: usize, S: i32, c: i32): f64 {
  let b: f64 = 0;
  for (let s = 0; s < S; s++) b += load<f64>(sb + <usize>s * G_END + G_BIAS + (<usize>c << 3));
  return b;
}

/**
 * Whether this gradient job runs the SVM's backward pass in integers: |Σ dS·p| ≤
 * n·(C−1)·255 must fit an i32, so up to 900,000 picked rows (a full pass is 49,000).
 */
@inline function integerSvm(): bool {
  return load<i32>(JOB, J_LOSS) == LOSS_SVM && load<i32>(JOB, J_N) <= 900000;
}

/**
 * The SVM's ∂L/∂s of a block (m × C f32, whole numbers from −(C−1) to 1) as 16-bit pairs
 * of rows: dsi[q, c] = ds[2q, c] | ds[2q+1, c] << 16 (0 for a missing second row).
 */
function packPairs(ds: usize, m: i32, dsi: usize): void {
  for (let r = 0; r < m; r += 2) {
    for (let c = 0; c < C; c++) {
      const lo = <i32>load<f32>(ds + (<usize>(r * C + c) << 2));
      const hi = r + 1 < m ? <i32>load<f32>(ds + (<usize>((r + 1) * C + c) << 2)) : 0;
      store<i32>(dsi + (<usize>((r >> 1) * C + c) << 2), (lo & 0xffff) | (hi << 16));
    }
  }
}

/** lossMany job: per candidate k, loss sum and right argmaxes into part + 16k. */
export function manySuperblock(lo: i32, hi: i32, part: usize, scr: usize): void {
  const K = load<i32>(JOB, J_K), loss = load<i32>(JOB, J_LOSS), delta = load<f64>(JOB, J_DELTA);
  const xf = scr + S_XF, sc = scr + S_SC;
  memory.fill(part, 0, <usize>K << 4);
  for (let b = lo; b < hi; b += RB) {
    const m = min(RB, hi - b);
    convertBlock(pix(), rows(), b, m, mean(), xf);
    // The block's features stay in cache while all K candidates score them.
    for (let k = 0; k < K; k++) {
      const Wk = weights() + <usize>(k * C) * WSB;
      forwardBlock(xf, m, Wk, sc);
      lossBlock(sc, 0, m, labels(), b, Wk, loss, delta, part + (<usize>k << 4), 0, scr + S_TMP);
    }
  }
}

/** predict job: argmax of each row's scores into out[row]. */
export function predictSuperblock(lo: i32, hi: i32, out: usize, scr: usize): void {
  const xf = scr + S_XF, sc = scr + S_SC;
  for (let b = lo; b < hi; b += RB) {
    const m = min(RB, hi - b);
    convertBlock(pix(), rows(), b, m, mean(), xf);
    forwardBlock(xf, m, weights(), sc);
    argmaxBlock(sc, m, weights(), out, b);
  }
}

/**
 * mean-image job: part[d] = Σ pixels[r, d] over rows [lo, hi) (u32; the rows are the
 * split's own, rows 0..n-1). Bytes are summed in 16-bit lanes, 256 rows at a time
 * (256 × 255 < 2¹⁶), then widened into the 32-bit sums: exact, so the order of rows
 * and superblocks cannot change the result. acc: D u16 of the thread's scratch.
 */
export function meanSuperblock(lo: i32, hi: i32, part: usize, acc: usize): void {
  memory.fill(part, 0, <usize>D << 2);
  for (let b = lo; b < hi; b += 256) {
    memory.fill(acc, 0, <usize>D << 1);
    const e = min(hi, b + 256);
    for (let r = b; r < e; r++) {
      const src = pix() + <usize>r * <usize>D;
      for (let d: usize = 0; d < <usize>D; d += 16) {
        const bytes = v128.load(src + d);
        const a = acc + (d << 1);
        v128.store(a, i16x8.add(v128.load(a), i16x8.extend_low_i8x16_u(bytes)));
        v128.store(a, i16x8.add(v128.load(a, 16), i16x8.extend_high_i8x16_u(bytes)), 16);
      }
    }
    for (let d: usize = 0; d < <usize>D; d += 8) {
      const v = v128.load(acc + (d << 1));
      const p = part + (d << 2);
      v128.store(p, i32x4.add(v128.load(p), i32x4.extend_low_i16x8_u(v)));
      v128.store(p, i32x4.add(v128.load(p, 16), i32x4.extend_high_i16x8_u(v)), 16);
    }
  }
}

// The reduction goes by chunks of a quarter class row: 40 chunks for 2–4 threads to share.
export const CHUNKS: i32 = C * 4;
const CHUNK_BYTES: usize = (<usize>D << 2) / 4;

/**
 * dW[c, cols of chunk] = (Σ_s G_s[c, cols]) · inv over the S superblock sums at sb, in
 * superblock order, into out as C × (D+1) f32 or f64 (the caller's layout and type).
 * With an L2 strength λ in the job (J_L2), also + 2λ·W[c, cols], and the chunk's Σ W²
 * (float64) into its J_PEN slot: the regularizer rides along the one pass that already
 * reads and writes every gradient value, instead of a second pass in JavaScript.
 */
export function reduceChunk(chunk: i32, sb: usize, S: i32, inv: f32, out: usize, f64out: bool): void {
  const c = chunk >> 2;
  const d0 = <usize>(chunk & 3) * CHUNK_BYTES;
  const src = sb + G_GRAD + <usize>c * WSB;
  const o = out + (<usize>(c * (D + 1)) << (f64out ? 3 : 2));
  const inv4 = f32x4.splat(inv);
  const svm = integerSvm();
  // The SVM's sums are integers Σ dS·p (backward.ts): the mean comes off here, as
  // Σ_r dS[r, c]·(p[r, d] − μ[d]) = Σ dS·p − μ[d]·Σ_r dS[r, c], in float64.
  const bsum = svm ? biasSum(sb, S, c) : 0;
  const mu = <usize>load<u32>(JOB, J_MEAN);
  const invd = f64x2.splat(1 / <f64>load<i32>(JOB, J_N)), bs = f64x2.splat(bsum);
  const lam = load<f64>(JOB, J_L2);
  const lam2 = f32x4.splat(<f32>(2 * lam));
  const w = <usize>load<u32>(JOB, J_W) + <usize>c * WSB;
  let p0 = f64x2.splat(0), p1 = f64x2.splat(0);
  for (let d = d0; d < d0 + CHUNK_BYTES; d += 16) {
    let a = v128.load(src + d);
    if (svm) {
      for (let s = 1; s < S; s++) a = i32x4.add(a, v128.load(src + <usize>s * G_END + d));
      const m = v128.load(mu + d);
      const lo = f64x2.mul(f64x2.sub(f64x2.convert_low_i32x4_s(a), f64x2.mul(f64x2.promote_low_f32x4(m), bs)), invd);
      const a2 = i32x4.shuffle(a, a, 2, 3, 0, 1), m2 = i32x4.shuffle(m, m, 2, 3, 0, 1);
      const hi = f64x2.mul(f64x2.sub(f64x2.convert_low_i32x4_s(a2), f64x2.mul(f64x2.promote_low_f32x4(m2), bs)), invd);
      a = i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
    } else {
      for (let s = 1; s < S; s++) a = f32x4.add(a, v128.load(src + <usize>s * G_END + d));
      a = f32x4.mul(a, inv4);
    }
    if (lam != 0) {
      const wv = v128.load(w + d);
      a = f32x4.add(a, f32x4.mul(lam2, wv));
      const lo = f64x2.promote_low_f32x4(wv), hi = f64x2.promote_low_f32x4(i32x4.shuffle(wv, wv, 2, 3, 0, 1));
      p0 = f64x2.add(p0, f64x2.mul(lo, lo));
      p1 = f64x2.add(p1, f64x2.mul(hi, hi));
    }
    if (f64out) {
      v128.store(o + (d << 1), f64x2.promote_low_f32x4(a));
      v128.store(o + (d << 1), f64x2.promote_low_f32x4(i32x4.shuffle(a, a, 2, 3, 0, 1)), 16);
    } else {
      v128.store(o + d, a);
    }
  }
  const p = f64x2.add(p0, p1);
  store<f64>(JOB + J_PEN + (<usize>chunk << 3), f64x2.extract_lane(p, 0) + f64x2.extract_lane(p, 1));
}
