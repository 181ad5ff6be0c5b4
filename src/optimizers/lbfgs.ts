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
   * needs: half the passes of the textbook loops.
   */
  direction(g: Float32Array, p: Float64Array): void {
    const { s, y, sy, alpha } = this;
    const k = s.length;
    const n = g.length;
    if (k === 0) {
      for (let i = 0; i < n; i++) p[i] = -g[i];
      return;
    }
    for (let i = 0; i < n; i++) p[i] = g[i];
    let d = dot(s[k - 1], p);
    for (let j = k - 1; j >= 0; j--) {
      const a = d / sy[j];
      alpha[j] = a;
      d = updateAndDot(-a, y[j], p, j > 0 ? s[j - 1] : null); // p −= α_j·y_j; then s_{j−1}·p
    }
    const gamma = sy[k - 1] / dot(y[k - 1], y[k - 1]);
    for (let i = 0; i < n; i++) p[i] *= gamma;
    d = dot(y[0], p);
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

/**
 * Σ a_i·b_i in float64, in four running sums (i mod 4) added as (s0 + s1) + (s2 + s3):
 * one running sum would wait on every add before the next (an add's latency, 4 cycles);
 * four keep the adder busy. A fixed order all the same, so every machine gets these bits.
 */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; i++) s0 += a[i] * b[i];
  return s0 + s1 + (s2 + s3);
}

/** p ← p + a·x, and then next·p (0 without next, summed as dot sums), in one pass. */
function updateAndDot(a: number, x: Float32Array, p: Float64Array, next: Float32Array | null): number {
  const n = p.length;
  if (next === null) {
    for (let i = 0; i < n; i++) p[i] += a * x[i];
    return 0;
  }
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p0 = p[i] + a * x[i],
      p1 = p[i + 1] + a * x[i + 1],
      p2 = p[i + 2] + a * x[i + 2],
      p3 = p[i + 3] + a * x[i + 3];
    p[i] = p0;
    p[i + 1] = p1;
    p[i + 2] = p2;
    p[i + 3] = p3;
    s0 += next[i] * p0;
    s1 += next[i + 1] * p1;
    s2 += next[i + 2] * p2;
    s3 += next[i + 3] * p3;
  }
  for (; i < n; i++) {
    p[i] += a * x[i];
    s0 += next[i] * p[i];
  }
  return s0 + s1 + (s2 + s3);
}
