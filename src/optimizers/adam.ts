import { checkValue } from '../config/schema.js';
import { slotOf, type UpdateRule } from './types.js';

const { sqrt } = Math; // bound once: a global Math lookup per weight is slow in jest's sandbox

/**
 * Adam with bias correction (Kingma & Ba; the assignment's optim.adam):
 *   t ← t + 1;  m ← β1·m + (1 − β1)·dW;  v ← β2·v + (1 − β2)·dW²
 *   W ← W − lr·m̂ / (√v̂ + ε),  m̂ = m / (1 − β1ᵗ),  v̂ = v / (1 − β2ᵗ)
 */
export function adam(beta1: number, beta2: number, eps: number): UpdateRule {
  checkValue('beta1', beta1);
  checkValue('beta2', beta2);
  checkValue('eps', eps);
  let m: Float32Array | null = null; // slot "m": first moment
  let v: Float32Array | null = null; // slot "v": second moment
  let t = 0;
  return {
    name: 'adam',
    state: () => ({ name: 'adam', t, slots: m && v ? { m: m.slice(), v: v.slice() } : ({} as Record<string, Float32Array>) }),
    restore(s, size) {
      m = slotOf(s, 'adam', 'm', size);
      v = slotOf(s, 'adam', 'v', size);
      t = s.t;
    },
    step(W, dW, lr) {
      m ??= new Float32Array(W.length);
      v ??= new Float32Array(W.length);
      t += 1;
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      for (let i = 0; i < W.length; i++) {
        const g = dW[i];
        const mi = beta1 * m[i] + (1 - beta1) * g;
        const vi = beta2 * v[i] + (1 - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        W[i] -= (lr * (mi / c1)) / (sqrt(vi / c2) + eps);
      }
    },
  };
}
