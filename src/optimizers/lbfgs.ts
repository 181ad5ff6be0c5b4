/**
 * Limited-memory BFGS (Nocedal & Wright, Algorithm 7.4 and 7.5): the search direction
 * p = −H·g, where H, an estimate of the inverse Hessian, is never formed: it is
 * applied by the two-loop recursion from the last m pairs
 *   s_k = W_{k+1} − W_k,   y_k = ∇L(W_{k+1}) − ∇L(W_k),   ρ_k = 1 / (y_kᵀ s_k)
 * with the starting matrix H0 = γ·I, γ = s_kᵀy_k / y_kᵀy_k of the newest pair.
 *
 * The pairs are kept as float32 (the precision of W and dW themselves), so the saved
 * state is the state itself and a resumed run computes the same bits; ρ is recomputed
 * from them. The driver (training/lbfgs-trainer.ts) evaluates the objective and runs
 * the line search; this file is only the memory and the direction.
 */
import { type OptimizerState, slotOf } from './types.js';

export class LbfgsMemory {
  private readonly s: Float32Array[] = []; // oldest first
  private readonly y: Float32Array[] = [];
  private readonly sy: number[] = []; // yᵀs = 1/ρ of each pair, kept: the two loops would compute it twice per pair
  private readonly alpha: Float64Array;

  constructor(readonly m: number) {
    if (!Number.isInteger(m) || m < 1) throw new RangeError(`Invalid L-BFGS memory: ${m}`);
    this.alpha = new Float64Array(m);
  }

  get size(): number {
    return this.s.length;
  }

  /**
   * Remember one step. A pair with yᵀs ≤ 0 would make H indefinite; the Wolfe line search
   * rules it out in exact arithmetic, so it is skipped rather than trusted (returns false).
   */
  push(s: Float32Array, y: Float32Array): boolean {
    const sy = dot(s, y);
    if (!(sy > 0) || !Number.isFinite(sy)) return false;
    if (this.s.length === this.m) {
      this.s.shift();
      this.y.shift();
      this.sy.shift();
    }
    this.s.push(s);
    this.y.push(y);
    this.sy.push(sy);
    return true;
  }

  /**
   * p ← −H·g by the two-loop recursion; g: the gradient, p: out (float64 for the sums).
   * Each pass over p updates it with one pair and takes the dot product the next pair
   * needs: half the passes of the textbook loops, the same operations in the same order.
   */
  direction(g: Float32Array, p: Float64Array): void {
    const { s, y, sy, alpha } = this;
    const k = s.length;
    const n = g.length;
    if (k === 0) {
      for (let i = 0; i < n; i++) p[i] = -g[i];
      return;
    }
    let d = 0; // s_{k−1}·p
    const sLast = s[k - 1];
    for (let i = 0; i < n; i++) {
      p[i] = g[i];
      d += sLast[i] * p[i];
    }
    for (let j = k - 1; j >= 0; j--) {
      const a = d / sy[j];
      alpha[j] = a;
      d = updateAndDot(-a, y[j], p, j > 0 ? s[j - 1] : null); // p −= α_j·y_j; then s_{j−1}·p
    }
    const gamma = sy[k - 1] / dot(y[k - 1], y[k - 1]);
    d = 0; // y_0·p after the scaling
    const y0 = y[0];
    for (let i = 0; i < n; i++) {
      p[i] *= gamma;
      d += y0[i] * p[i];
    }
    for (let j = 0; j < k; j++) {
      const b = d / sy[j];
      d = updateAndDot(alpha[j] - b, s[j], p, j + 1 < k ? y[j + 1] : null); // p += (α_j − β)·s_j; then y_{j+1}·p
    }
    for (let i = 0; i < n; i++) p[i] = -p[i];
  }

  forget(): void {
    this.s.length = 0;
    this.y.length = 0;
    this.sy.length = 0;
  }

  /** Slots s0…s{k−1}, y0…y{k−1}, oldest first (copies). */
  slots(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    this.s.forEach((v, j) => {
      out[`s${j}`] = v.slice();
      out[`y${j}`] = this.y[j].slice();
    });
    return out;
  }

  restore(state: OptimizerState, size: number): void {
    this.forget();
    for (let j = 0; j < this.m; j++) {
      const s = slotOf(state, 'lbfgs', `s${j}`, size);
      const y = slotOf(state, 'lbfgs', `y${j}`, size);
      if (!s || !y) break;
      this.s.push(s);
      this.y.push(y);
      this.sy.push(dot(s, y));
    }
  }
}

/** Σ a_i·b_i in float64. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** p ← p + a·x, and then next·p (0 without next), in one pass. */
function updateAndDot(a: number, x: Float32Array, p: Float64Array, next: Float32Array | null): number {
  let sum = 0;
  if (next === null) for (let i = 0; i < p.length; i++) p[i] += a * x[i];
  else {
    for (let i = 0; i < p.length; i++) {
      p[i] += a * x[i];
      sum += next[i] * p[i];
    }
  }
  return sum;
}
