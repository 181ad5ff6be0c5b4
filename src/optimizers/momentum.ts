import { checkValue } from '../config/schema.js';
import { slotOf, type UpdateRule } from './types.js';

/**
 * SGD with momentum:   v ← μ·v − lr·dW;  W ← W + v
 * Nesterov (the CS231n form, evaluated at the looked-ahead point):
 *   v_prev ← v;  v ← μ·v − lr·dW;  W ← W − μ·v_prev + (1 + μ)·v
 */
export function momentum(mu: number, nesterov = false): UpdateRule {
  checkValue('momentum', mu);
  const name = nesterov ? 'nesterov' : 'momentum';
  let v: Float32Array | null = null; // slot "v": the velocity
  let t = 0;
  return {
    name,
    state: () => ({ name, t, slots: v ? { v: v.slice() } : ({} as Record<string, Float32Array>) }),
    restore(s, size) {
      v = slotOf(s, name, 'v', size);
      t = s.t;
    },
    step(W, dW, lr) {
      t += 1;
      v ??= new Float32Array(W.length);
      for (let i = 0; i < W.length; i++) {
        const prev = v[i];
        const next = mu * prev - lr * dW[i];
        v[i] = next;
        W[i] += nesterov ? -mu * prev + (1 + mu) * next : next;
      }
    },
  };
}
