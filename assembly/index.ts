// lintrain's wasm kernels: the entry points the JS side calls (src/kernels/wasm*.ts).
//
// One call of the Kernels interface is one job. The main thread describes it (setJob)
// and opens it (startJob); then every thread runs work(tid, tag): it claims superblocks
// of the picked rows until none is left (jobs.ts), and for a gradient job then claims
// chunks of the final reduction, once every superblock is done. The main thread adds
// the few remaining sums (finishGrad, finishMany).
//
// Superblocks are the unit of work. Their bounds depend on n alone, never on the
// thread count, and each keeps its own partial sums, added in superblock order at the
// end — so results are bit-identical for any number of threads, and a thread the OS
// has put aside leaves its unclaimed superblocks to the others.
import {
  claimChunk, claimSuperblock, openJob, setBusy, superblockDone, waitSuperblocks,
} from './control';
import { biasSum, CHUNKS, gradSuperblock, manySuperblock, meanSuperblock, predictSuperblock, reduceChunk } from './jobs';
import {
  C, CTRL, D, G_END, G_LOSS, J_CORRECT, J_DELTA, J_F64, J_K, J_KIND, J_LABELS, J_LOSS, J_MEAN,
  J_L2, J_L2BIAS, J_N, J_OUT, J_PEN, J_PIX, J_ROWS, J_SB, J_SCRATCH, J_W, JOB, KIND_FILL, KIND_GRAD, KIND_MANY, KIND_MEAN, KIND_PREDICT, KIND_TRAP,
  FILL_BLOCK,
  MAX_THREADS, RB, S_END, SB_MAX, SB_MIN, SB_ROWS, WS, WSB,
} from './layout';

export { WS, MAX_THREADS };
export { maddFused } from './simd';

/** Address of the control block (control.ts). */
export function ctrlPtr(): usize {
  return CTRL;
}

/** Bytes of scratch each thread needs. */
export function scratchBytes(): i32 {
  return <i32>S_END;
}

/** Bytes of superblock sums a job with K candidates needs. */
export function sbBytes(K: i32): i32 {
  return SB_MAX * max(<i32>G_END, K << 4);
}

/**
 * How many superblocks n rows make: about SB_ROWS rows each on large calls, at least
 * SB_MIN for load balance on small ones, at least RB rows each. Superblock s holds
 * rows [⌊s·n/S⌋, ⌊(s+1)·n/S⌋), so a minibatch of 200 makes 2 of 100 rows.
 */
function superblocks(n: i32): i32 {
  if (load<i32>(JOB, J_KIND) == KIND_FILL) return max(min(SB_MAX, n), 1);
  const S = min(SB_MAX, max(SB_MIN, (n + SB_ROWS - 1) / SB_ROWS));
  return max(min(S, (n + RB - 1) / RB), 1);
}
@inline function sbStart(s: i32, n: i32, S: i32): i32 {
  return <i32>((<i64>s * n) / S);
}

/** Describe the next job (layout.ts J_*); out: predictions or dW; f64: dW as f64. */
export function setJob(
  kind: i32, n: i32, K: i32, loss: i32, delta: f64, pix: usize, rows: usize, labels: usize,
  mean: usize, W: usize, out: usize, f64: bool, scratch: usize, sb: usize,
): void {
  store<i32>(JOB, kind, J_KIND);
  store<i32>(JOB, n, J_N);
  store<i32>(JOB, K, J_K);
  store<i32>(JOB, loss, J_LOSS);
  store<u32>(JOB, <u32>pix, J_PIX);
  store<u32>(JOB, <u32>rows, J_ROWS);
  store<u32>(JOB, <u32>labels, J_LABELS);
  store<u32>(JOB, <u32>mean, J_MEAN);
  store<u32>(JOB, <u32>W, J_W);
  store<u32>(JOB, <u32>out, J_OUT);
  store<i32>(JOB, f64 ? 1 : 0, J_F64);
  store<u32>(JOB, <u32>scratch, J_SCRATCH);
  store<u32>(JOB, <u32>sb, J_SB);
  store<f64>(JOB, delta, J_DELTA);
}

/**
 * Fold an L2 penalty λ·Σ W² into the next gradient job (0: none): dW gets + 2λW, and
 * l2Penalty() the penalty; the bias column only when bias is true. Set before each
 * gradient job (setJob does not touch it).
 */
export function setL2(strength: f64, bias: bool): void {
  store<f64>(JOB, strength, J_L2);
  store<i32>(JOB, bias ? 1 : 0, J_L2BIAS);
}

/** Open the described job for claiming under tag (1..32767, a new one per job). */
export function startJob(tag: i32): void {
  openJob(tag, superblocks(load<i32>(JOB, J_N)), CHUNKS);
}

/**
 * Thread tid's part of job tag. BUSY[tid] holds the tag meanwhile, so the main thread
 * waits only for threads that really took part.
 */
export function work(tid: i32, tag: i32): void {
  setBusy(tid, tag);
  const kind = load<i32>(JOB, J_KIND), n = load<i32>(JOB, J_N), K = load<i32>(JOB, J_K);
  const out = <usize>load<u32>(JOB, J_OUT), sb = <usize>load<u32>(JOB, J_SB);
  const scr = <usize>load<u32>(JOB, J_SCRATCH) + <usize>tid * S_END;
  const S = superblocks(n);
  if (kind == KIND_TRAP && tid == K) unreachable();
  // Only a successful claim proves the descriptor read above is this job's (control.ts).
  for (let s = claimSuperblock(tag); s >= 0; s = claimSuperblock(tag)) {
    const lo = sbStart(s, n, S), hi = sbStart(s + 1, n, S);
    if (kind == KIND_GRAD) gradSuperblock(lo, hi, sb + <usize>s * G_END, scr);
    else if (kind == KIND_MANY) manySuperblock(lo, hi, sb + (<usize>(s * K) << 4), scr);
    else if (kind == KIND_PREDICT) predictSuperblock(lo, hi, out, scr);
    else if (kind == KIND_MEAN) meanSuperblock(lo, hi, sb + <usize>s * (<usize>D << 2), scr);
    else if (kind == KIND_FILL) memory.fill(<usize>load<u32>(JOB, J_PIX) + <usize>lo * FILL_BLOCK, 0, <usize>(hi - lo) * FILL_BLOCK);
    superblockDone();
  }
  // The gradient's superblock sums are 8+ × 124 KB; adding them is worth sharing too.
  if (kind == KIND_GRAD && waitSuperblocks(tag, S)) {
    const inv = <f32>(1.0 / <f64>n), f64out = load<i32>(JOB, J_F64) != 0;
    for (let c = claimChunk(tag); c >= 0; c = claimChunk(tag)) reduceChunk(c, sb, S, inv, out, f64out);
  }
  setBusy(tid, 0);
}

/**
 * After a gradient job (whose threads already wrote dW[:, :D]): the bias column
 * Σ dS / n into out, the count of right argmaxes to correctCount(); returns the mean loss.
 */
export function finishGrad(): f64 {
  const n = load<i32>(JOB, J_N);
  const sb = <usize>load<u32>(JOB, J_SB), out = <usize>load<u32>(JOB, J_OUT), W = <usize>load<u32>(JOB, J_W);
  const f64out = load<i32>(JOB, J_F64) != 0;
  const lam = load<f64>(JOB, J_L2), bias = load<i32>(JOB, J_L2BIAS) != 0;
  const S = superblocks(n);
  const inv = 1.0 / <f64>n;
  let pen: f64 = 0;
  for (let c = 0; c < C; c++) {
    let g = <f32>(biasSum(sb, S, c) * inv);
    if (lam != 0 && bias) {
      const w = load<f32>(W + <usize>c * WSB + (<usize>D << 2));
      g += <f32>(2 * lam) * w;
      pen += <f64>w * <f64>w;
    }
    const i = <usize>(c * (D + 1) + D);
    if (f64out) store<f64>(out + (i << 3), <f64>g);
    else store<f32>(out + (i << 2), g);
  }
  if (lam != 0) for (let k = 0; k < CHUNKS; k++) pen += load<f64>(JOB + J_PEN + (<usize>k << 3));
  store<f64>(JOB, lam * pen, J_PEN + (<usize>CHUNKS << 3));
  let loss: f64 = 0;
  let correct: i32 = 0;
  for (let s = 0; s < S; s++) {
    loss += load<f64>(sb + <usize>s * G_END + G_LOSS);
    correct += load<i32>(sb + <usize>s * G_END + G_LOSS, 8);
  }
  store<i32>(JOB, correct, J_CORRECT);
  return loss * inv;
}

/** The L2 penalty λ·Σ W² of the last gradient job (set by finishGrad; 0 without setL2). */
export function l2Penalty(): f64 {
  return load<f64>(JOB, J_PEN + (<usize>CHUNKS << 3));
}

/** Right argmaxes of the last gradient job (set by finishGrad). */
export function correctCount(): i32 {
  return load<i32>(JOB, J_CORRECT);
}

/** After a lossMany job: per candidate k, out + 16k gets the mean loss (f64) and right argmaxes (i32 at +8). */
export function finishMany(out: usize): void {
  const n = load<i32>(JOB, J_N), K = load<i32>(JOB, J_K);
  const sb = <usize>load<u32>(JOB, J_SB);
  const S = superblocks(n);
  for (let k = 0; k < K; k++) {
    let loss: f64 = 0;
    let correct: i32 = 0;
    for (let s = 0; s < S; s++) {
      const p = sb + (<usize>(s * K + k) << 4);
      loss += load<f64>(p);
      correct += load<i32>(p, 8);
    }
    store<f64>(out + (<usize>k << 4), loss / <f64>n);
    store<i32>(out + (<usize>k << 4), correct, 8);
  }
}

/** After a mean-image job: out[d] = (Σ_s part_s[d]) / n as f32 (D values). */
export function finishMean(out: usize): void {
  const n = load<i32>(JOB, J_N), sb = <usize>load<u32>(JOB, J_SB);
  const S = superblocks(n);
  for (let d: usize = 0; d < <usize>D; d++) {
    let sum: u32 = 0;
    for (let s = 0; s < S; s++) sum += load<u32>(sb + <usize>s * (<usize>D << 2) + (d << 2));
    store<f32>(out + (d << 2), <f32>(<f64>sum / <f64>n));
  }
}

/**
 * W (K × C × WS f32, bias at column D) ← raw (K matrices C × (D+1), f32 or f64, as the
 * caller holds them). The JS side copies its array in whole first: one aligned block
 * copy is fast, while row-by-row copies into a shared buffer crawl at misaligned offsets.
 */
export function layoutW(raw: usize, W: usize, K: i32, f64src: bool): void {
  const DB = D + 1;
  for (let i = 0; i < K * C; i++) {
    const dst = W + <usize>i * WSB;
    if (f64src) {
      const src = raw + (<usize>(i * DB) << 3);
      for (let d = 0; d < DB; d++) store<f32>(dst + (<usize>d << 2), <f32>load<f64>(src + (<usize>d << 3)));
    } else {
      memory.copy(dst, raw + (<usize>(i * DB) << 2), <usize>DB << 2);
    }
  }
}
