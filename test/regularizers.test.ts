/** Regularizers: penalty and gradient on a hand case, the bias column, and the names. */
import { C, D, DB } from '../src/core/shapes.js';
import { UsageError } from '../src/core/errors.js';
import { REG_TYPES, addRegGradient, regPenalty, regularize } from '../src/model/regularizers.js';
import type { RegSpec, RegType } from '../src/model/regularizers.js';

const reg = (type: RegType, includeBias = false, strength = 0.5, l1Ratio = 0.25): RegSpec => ({
  type,
  strength,
  l1Ratio,
  includeBias,
});

/**
 * A full C×(D+1) W that is zero except: row 0 has w[0] = 2, w[1] = −3, w[2] = 0 (a kink);
 * row 9 has w[D−1] = 1; and every row's bias is −4.
 * Without bias: Σ|W| = 6, ΣW² = 14. With it: Σ|W| = 6 + 40 = 46, ΣW² = 14 + 160 = 174.
 */
function handW(): Float64Array {
  const W = new Float64Array(C * DB);
  W[0] = 2;
  W[1] = -3;
  W[9 * DB + D - 1] = 1;
  for (let c = 0; c < C; c++) W[c * DB + D] = -4;
  return W;
}

describe('penalty on the hand case (reg = 0.5, l1Ratio = 0.25)', () => {
  test.each([
    ['l2', false, 0.5 * 14],
    ['l2', true, 0.5 * 174],
    ['l1', false, 0.5 * 6],
    ['l1', true, 0.5 * 46],
    ['elastic', false, 0.5 * (0.25 * 6 + 0.75 * 14)],
    ['elastic', true, 0.5 * (0.25 * 46 + 0.75 * 174)],
    ['none', false, 0],
    ['none', true, 0],
  ] as const)('%s, includeBias %s → %d', (type, includeBias, want) => {
    expect(regPenalty(handW(), reg(type, includeBias))).toBeCloseTo(want, 12);
    expect(regPenalty(Float32Array.from(handW()), reg(type, includeBias))).toBeCloseTo(want, 12);
  });
});

describe('gradient on the hand case, added to what dW holds', () => {
  /** dW starts at 1 everywhere, so "adds" is tested too. [w0, w1, w2, row 9's w[D−1], a bias, an untouched 0]. */
  function grad(spec: RegSpec): number[] {
    const dW = new Float64Array(C * DB).fill(1);
    addRegGradient(handW(), spec, dW);
    return [dW[0], dW[1], dW[2], dW[9 * DB + D - 1], dW[4 * DB + D], dW[5 * DB + 7]];
  }

  test('l2: 2·reg·W, bias excluded by default', () => {
    expect(grad(reg('l2'))).toEqual([1 + 2, 1 - 3, 1, 1 + 1, 1, 1]);
    expect(grad(reg('l2', true))).toEqual([1 + 2, 1 - 3, 1, 1 + 1, 1 - 4, 1]);
  });

  test('l1: reg·sign(W), 0 at W = 0', () => {
    expect(grad(reg('l1'))).toEqual([1.5, 0.5, 1, 1.5, 1, 1]);
    expect(grad(reg('l1', true))).toEqual([1.5, 0.5, 1, 1.5, 0.5, 1]);
  });

  test('elastic: reg·(ρ·sign(W) + 2(1−ρ)·W)', () => {
    const g = (w: number): number => 1 + 0.5 * (0.25 * Math.sign(w) + 2 * 0.75 * w);
    expect(grad(reg('elastic'))).toEqual([g(2), g(-3), 1, g(1), 1, 1]);
    expect(grad(reg('elastic', true))).toEqual([g(2), g(-3), 1, g(1), g(-4), 1]);
  });

  test('none leaves dW alone', () => {
    expect(grad(reg('none', true))).toEqual([1, 1, 1, 1, 1, 1]);
  });

  test('elastic with l1Ratio 1 is l1 and with 0 is l2', () => {
    expect(grad(reg('elastic', true, 0.5, 1))).toEqual(grad(reg('l1', true)));
    expect(grad(reg('elastic', true, 0.5, 0))).toEqual(grad(reg('l2', true)));
  });

  test('works on float32 dW and on K matrices back to back', () => {
    const W = new Float32Array(2 * C * DB);
    W.set(handW(), C * DB); // the second matrix
    const dW = new Float32Array(2 * C * DB);
    addRegGradient(W, reg('l2'), dW);
    expect(dW[C * DB]).toBe(2);
    expect(dW[C * DB + C * DB - 1]).toBe(0); // the last bias is still excluded
    expect(regPenalty(W, reg('l2'))).toBe(7);
  });
});

test.each(
  REG_TYPES.flatMap(
    (t) =>
      [
        [t, false],
        [t, true],
      ] as const,
  ),
)('regularize (one pass) = regPenalty + addRegGradient: %s, bias %s', (type, includeBias) => {
  const W = Float32Array.from({ length: 2 * C * DB }, (_, i) => Math.sin(i * 0.37) * 1e-3);
  const spec = reg(type, includeBias);
  const want = new Float32Array(W.length).fill(0.25);
  addRegGradient(W, spec, want);
  const got = new Float32Array(W.length).fill(0.25);
  expect(regularize(W, spec, got)).toBeCloseTo(regPenalty(W, spec), 12);
  expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
});

test('the four types, and an unknown one is a usage error naming them', () => {
  expect(REG_TYPES).toEqual(['l2', 'l1', 'elastic', 'none']);
  expect(() => regPenalty(handW(), reg('l3' as RegType))).toThrow(UsageError);
  expect(() => regPenalty(handW(), reg('l3' as RegType))).toThrow('Unknown regularizer "l3": expected one of l2, l1, elastic, none');
});
