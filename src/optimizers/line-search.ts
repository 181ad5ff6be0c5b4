/**
 * A line search for the strong Wolfe conditions: the bracketing phase and the zoom of
 * Nocedal & Wright, Numerical Optimization (2nd ed.), Algorithms 3.5 and 3.6.
 *
 * Along a descent direction p from x, φ(a) = f(x + a·p) and φ'(a) = ∇f(x + a·p)·p.
 * A step a is accepted when
 *   sufficient decrease:  φ(a) ≤ φ(0) + c1·a·φ'(0)
 *   curvature (strong):   |φ'(a)| ≤ c2·|φ'(0)|
 * with 0 < c1 < c2 < 1. The curvature condition is what keeps sᵀy > 0, so that the
 * L-BFGS inverse-Hessian estimate stays positive definite.
 *
 * Pure: it knows φ only through the callback, so it is tested on a 1-D quadratic and
 * on Rosenbrock's function (test/lbfgs.test.ts).
 */

/** φ and φ' at one step length. */
export interface LinePoint {
  f: number;
  d: number;
}

export interface LineSearchOptions {
  c1: number; // sufficient decrease (Armijo)
  c2: number; // curvature; 0.9 is the usual choice for quasi-Newton methods
  maxEvals: number; // give up after this many evaluations of φ
  maxStep: number; // never try a step longer than this
}

export const WOLFE_DEFAULTS: LineSearchOptions = { c1: 1e-4, c2: 0.9, maxEvals: 25, maxStep: 1e10 };

export interface LineSearchResult {
  step: number; // the accepted a (0: no step decreased φ)
  f: number; // φ(step)
  d: number; // φ'(step)
  evals: number; // evaluations of φ spent
  wolfe: boolean; // both strong Wolfe conditions hold at step
  last: number; // the step φ was evaluated at last (the caller's buffers hold that point)
}

/**
 * Search φ from a = a1. phi0 = {φ(0), φ'(0)} with φ'(0) < 0 (a descent direction).
 * When it runs out of evaluations it returns the best step it has that satisfies
 * sufficient decrease (the low end of the bracket), or 0, with wolfe false.
 */
export function wolfeLineSearch(
  phi: (a: number) => LinePoint,
  phi0: LinePoint,
  a1: number,
  opts: LineSearchOptions = WOLFE_DEFAULTS,
): LineSearchResult {
  const { c1, c2, maxEvals, maxStep } = opts;
  if (!(phi0.d < 0)) throw new RangeError(`the line search needs a descent direction: φ'(0) = ${phi0.d}`);
  let evals = 0;
  let last = 0;
  const at = (a: number): LinePoint => {
    evals++;
    last = a;
    return phi(a);
  };
  const armijo = (a: number, p: LinePoint) => p.f <= phi0.f + c1 * a * phi0.d;
  const curved = (p: LinePoint) => Math.abs(p.d) <= -c2 * phi0.d;
  const done = (a: number, p: LinePoint, wolfe: boolean): LineSearchResult => ({ step: a, f: p.f, d: p.d, evals, wolfe, last });

  // Algorithm 3.6: lo satisfies sufficient decrease and has the lowest φ seen so far in
  // the bracket; the bracket [lo, hi] (either order) holds a strong-Wolfe step.
  const zoom = (lo: number, pLo: LinePoint, hi: number, pHi: LinePoint): LineSearchResult => {
    while (evals < maxEvals) {
      const a = trialStep(lo, pLo, hi, pHi);
      if (a === lo || a === hi) break; // the bracket is down to float resolution
      const p = at(a);
      if (!armijo(a, p) || p.f >= pLo.f) {
        hi = a;
        pHi = p;
      } else {
        if (curved(p)) return done(a, p, true);
        if (p.d * (hi - lo) >= 0) {
          hi = lo;
          pHi = pLo;
        }
        lo = a;
        pLo = p;
      }
    }
    return done(lo, pLo, false);
  };

  // Algorithm 3.5: grow the step until it brackets a Wolfe point or satisfies both.
  let prev = 0;
  let pPrev = phi0;
  let a = Math.min(a1, maxStep);
  while (evals < maxEvals) {
    const p = at(a);
    // A non-finite φ (a step far too long) counts as "no decrease": zoom back.
    if (!Number.isFinite(p.f) || !Number.isFinite(p.d) || !armijo(a, p) || (evals > 1 && p.f >= pPrev.f)) {
      return zoom(prev, pPrev, a, Number.isFinite(p.f) && Number.isFinite(p.d) ? p : { f: Infinity, d: Infinity });
    }
    if (curved(p)) return done(a, p, true);
    if (p.d >= 0) return zoom(a, p, prev, pPrev);
    if (a >= maxStep) return done(a, p, false);
    prev = a;
    pPrev = p;
    a = Math.min(2 * a, maxStep);
  }
  return done(prev, pPrev, false);
}

/**
 * The next trial inside the bracket: the minimizer of the cubic through φ and φ' at both
 * ends (N&W eq. 3.59), kept at least a tenth of the bracket away from either end; the
 * midpoint when the cubic has no usable minimizer (or an end is not finite).
 */
export function trialStep(lo: number, pLo: LinePoint, hi: number, pHi: LinePoint): number {
  const mid = lo + (hi - lo) / 2;
  const width = Math.abs(hi - lo);
  const left = Math.min(lo, hi) + 0.1 * width;
  const right = Math.max(lo, hi) - 0.1 * width;
  if (!Number.isFinite(pHi.f) || !Number.isFinite(pHi.d)) return mid;
  const d1 = pLo.d + pHi.d - (3 * (pLo.f - pHi.f)) / (lo - hi);
  const disc = d1 * d1 - pLo.d * pHi.d;
  if (!(disc >= 0)) return mid;
  const d2 = Math.sign(hi - lo) * Math.sqrt(disc);
  const a = hi - (hi - lo) * ((pHi.d + d2 - d1) / (pHi.d - pLo.d + 2 * d2));
  return Number.isFinite(a) && a >= left && a <= right ? a : mid;
}
