/**
 * The checks a run makes of its numbers: a W or a loss that is no longer finite
 * stops the run naming the iteration and the setting to lower (divergence), and a
 * saved state to continue from must hold arrays of the run's sizes.
 */
import type { Config } from '../config/schema.js';
import { LintrainError } from '../core/errors.js';
import { isSearch } from '../optimizers/index.js';
import { C } from '../core/shapes.js';

/** The setting to lower when a run of this config diverges. */
export const hintOf = (c: Config): string =>
  isSearch(c.opt)
    ? `Try a smaller --init-scale (${c.initScale} now)${c.opt === 'random-local' ? ` or --step-size (${c.stepSize} now)` : ''}.`
    : `Try a smaller learning rate (--lr ${c.lr} now).`;

export const diverged = (iter: number, value: number, hint: string) =>
  new LintrainError(`Training diverged: the loss is ${value} at iteration ${iter}. ${hint}`);

/**
 * Stop with a LintrainError naming `when` and `hint` if W holds a NaN or an infinity.
 * W is C rows. One pass of float64 sums: finite float32 entries (≤ 3.4e38, 30,730 of them) cannot
 * overflow it, and any NaN or infinity carries through; the culprit is looked up only then.
 */
export function checkWeights(W: Float32Array, when: string, hint: string): void {
  // four independent sums: the adds overlap instead of waiting on each other
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  const n4 = W.length & ~3;
  for (let i = 0; i < n4; i += 4) {
    s0 += W[i];
    s1 += W[i + 1];
    s2 += W[i + 2];
    s3 += W[i + 3];
  }
  for (let i = n4; i < W.length; i++) s0 += W[i];
  const sum = s0 + s1 + s2 + s3;
  if (sum - sum === 0) return;
  const i = W.findIndex((v) => !Number.isFinite(v));
  const cols = W.length / C; // D+1, or F+1 on stored features
  throw new LintrainError(`Training diverged: W[${Math.floor(i / cols)}, ${i % cols}] is ${W[i]} ${when}. ${hint}`);
}

/** A copy of an array of a saved state, refused unless it holds `length` values. */
export function checkedCopy<T extends Float32Array | Int32Array>(a: T, length: number, what: string): T {
  if (a.length !== length) throw new LintrainError(`the saved ${what} holds ${a.length} values, expected ${length}`);
  return a.slice() as T;
}
