/**
 * Regularization R(W), added to the data loss (CS231n lecture 3):
 *   l2:      reg·Σ W²          gradient 2·reg·W (the assignment's convention, no ½)
 *   l1:      reg·Σ |W|         subgradient reg·sign(W), 0 at W = 0
 *   elastic: reg·(ρ·Σ|W| + (1−ρ)·Σ W²), ρ = l1Ratio
 *   none:    0
 * W: K×(D+1) row-major (usually K = C), bias last; on stored features (src/features/)
 * rows are F+1 long, given as `stride`. The bias column is left out by
 * default, as the lecture advises (it does not interact with the data multiplicatively);
 * includeBias puts it back.
 */
import { DB } from '../core/shapes.js';
import type { FloatArray } from '../core/shapes.js';
import { UsageError } from '../core/errors.js';

export type RegType = 'l2' | 'l1' | 'elastic' | 'none';
export const REG_TYPES: readonly RegType[] = ['l2', 'l1', 'elastic', 'none'];

export interface RegSpec {
  type: RegType;
  strength: number; // reg ≥ 0
  l1Ratio: number; // ρ in [0, 1], used by elastic only
  includeBias: boolean;
}

/** Weights of the two terms: penalty = a1·Σ|W| + a2·ΣW². */
function coefficients(spec: RegSpec): [l1: number, l2: number] {
  switch (spec.type) {
    case 'l2':
      return [0, spec.strength];
    case 'l1':
      return [spec.strength, 0];
    case 'elastic':
      return [spec.strength * spec.l1Ratio, spec.strength * (1 - spec.l1Ratio)];
    case 'none':
      return [0, 0];
    default:
      throw new UsageError(`Unknown regularizer "${String(spec.type)}": expected one of ${REG_TYPES.join(', ')}`);
  }
}

/** Columns 0..cols-1 of each row (stride values, bias last) are regularized. */
function columns(spec: RegSpec, stride: number): number {
  return spec.includeBias ? stride : stride - 1;
}

// Hot loops below avoid the global Math: under jest's vm sandbox every global lookup
// in a loop costs ~100× (seen: 10 ms instead of 0.1 ms per penalty).

/** The penalty R(W), summed in float64. */
export function regPenalty(W: FloatArray, spec: RegSpec, stride = DB): number {
  const [a1, a2] = coefficients(spec);
  if (a1 === 0 && a2 === 0) return 0;
  const cols = columns(spec, stride);
  return (a1 === 0 ? 0 : a1 * sumAbs(W, cols, stride)) + (a2 === 0 ? 0 : a2 * sumSquares(W, cols, stride));
}

// Four partial sums: one running sum waits on each add's latency; four keep the
// adder busy (this runs every SGD step, beside a kernel call of under a millisecond).
function sumSquares(W: FloatArray, cols: number, stride: number): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  for (let o = 0; o < W.length; o += stride) {
    const end = o + cols;
    let i = o;
    for (; i + 4 <= end; i += 4) {
      s0 += W[i] * W[i];
      s1 += W[i + 1] * W[i + 1];
      s2 += W[i + 2] * W[i + 2];
      s3 += W[i + 3] * W[i + 3];
    }
    for (; i < end; i++) s0 += W[i] * W[i];
  }
  return s0 + s1 + s2 + s3;
}

function sumAbs(W: FloatArray, cols: number, stride: number): number {
  let s = 0;
  for (let o = 0; o < W.length; o += stride) {
    for (let d = 0; d < cols; d++) {
      const w = W[o + d];
      s += w < 0 ? -w : w;
    }
  }
  return s;
}

/** dW += ∂R/∂W (W, dW: K×stride, stride = D+1 for pixels). */
export function addRegGradient(W: FloatArray, spec: RegSpec, dW: FloatArray, stride = DB): void {
  const [a1, a2] = coefficients(spec);
  if (a1 === 0 && a2 === 0) return;
  const cols = columns(spec, stride);
  const twoA2 = 2 * a2;
  if (a1 === 0) {
    // L2 alone, the common case: no sign, so no unpredictable branch per weight
    for (let o = 0; o < W.length; o += stride) {
      for (let d = o; d < o + cols; d++) dW[d] += twoA2 * W[d];
    }
    return;
  }
  for (let o = 0; o < W.length; o += stride) {
    for (let d = 0; d < cols; d++) {
      const w = W[o + d];
      dW[o + d] += (w > 0 ? a1 : w < 0 ? -a1 : 0) + twoA2 * w; // a1·sign(w)
    }
  }
}

/**
 * R(W) and dW += ∂R/∂W in one pass over W: what the objective calls every step.
 * The same sums as regPenalty and addRegGradient (its reference twins in the tests),
 * reading W once instead of twice.
 */
export function regularize(W: FloatArray, spec: RegSpec, dW: FloatArray, stride = DB): number {
  const [a1, a2] = coefficients(spec);
  if (a1 === 0 && a2 === 0) return 0;
  if (a1 !== 0) {
    addRegGradient(W, spec, dW, stride);
    return regPenalty(W, spec, stride);
  }
  const cols = columns(spec, stride);
  const twoA2 = 2 * a2;
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  for (let o = 0; o < W.length; o += stride) {
    const end = o + cols;
    let i = o;
    for (; i + 4 <= end; i += 4) {
      const w0 = W[i],
        w1 = W[i + 1],
        w2 = W[i + 2],
        w3 = W[i + 3];
      s0 += w0 * w0;
      s1 += w1 * w1;
      s2 += w2 * w2;
      s3 += w3 * w3;
      dW[i] += twoA2 * w0;
      dW[i + 1] += twoA2 * w1;
      dW[i + 2] += twoA2 * w2;
      dW[i + 3] += twoA2 * w3;
    }
    for (; i < end; i++) {
      s0 += W[i] * W[i];
      dW[i] += twoA2 * W[i];
    }
  }
  return a2 * (s0 + s1 + s2 + s3);
}

/**
 * A pure L2 penalty handed to Kernels.lossAndGrad, which adds its gradient 2·strength·W
 * to dW while it writes dW anyway (the wasm backend does it inside the threads' final
 * reduction, so no second pass over W and dW runs in JavaScript every step).
 * penalty (out): strength·Σ W², what regularize returns for the same spec.
 */
export interface L2Term {
  strength: number;
  includeBias: boolean;
  penalty: number;
}

/** The L2Term of a spec that is L2 with a strength > 0; null for any other (the objective calls regularize). */
export function l2Term(spec: RegSpec): L2Term | null {
  return spec.type === 'l2' && spec.strength > 0 ? { strength: spec.strength, includeBias: spec.includeBias, penalty: 0 } : null;
}

/** What a backend without a fused L2 does with an L2Term: regularize, penalty into the term. */
export function applyL2(W: FloatArray, term: L2Term, dW: FloatArray, stride = DB): void {
  term.penalty = regularize(W, { type: 'l2', strength: term.strength, l1Ratio: 0, includeBias: term.includeBias }, dW, stride);
}
