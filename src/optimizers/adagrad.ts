import { checkValue } from '../config/schema.js';
import { slotOf, type UpdateRule } from './types.js';

const { sqrt } = Math; // bound once: a global Math lookup per weight is slow in jest's sandbox

/**
 * Adagrad: per-weight steps shrink with the sum of squared gradients seen.
 *   cache ← cache + dW²;  W ← W − lr·dW / (√cache + ε)
 * RMSProp: the same with a leaky cache,  cache ← ρ·cache + (1 − ρ)·dW²
 */
export function adagrad(eps: number): UpdateRule {
  return leakyCache('adagrad', 1, 1, eps);
}

export function rmsprop(decayRate: number, eps: number): UpdateRule {
  checkValue('decayRate', decayRate);
  return leakyCache('rmsprop', decayRate, 1 - decayRate, eps);
}

function leakyCache(name: string, keep: number, add: number, eps: number): UpdateRule {
  checkValue('eps', eps);
  let cache: Float32Array | null = null; // slot "cache": the (leaky) sum of squared gradients
  let t = 0;
  return {
    name,
    state: () => ({ name, t, slots: cache ? { cache: cache.slice() } : ({} as Record<string, Float32Array>) }),
    restore(s, size) {
      cache = slotOf(s, name, 'cache', size);
      t = s.t;
    },
    step(W, dW, lr) {
      t += 1;
      cache ??= new Float32Array(W.length);
      for (let i = 0; i < W.length; i++) {
        const g = dW[i];
        const c = keep * cache[i] + add * g * g;
        cache[i] = c;
        W[i] -= (lr * g) / (sqrt(c) + eps);
      }
    },
  };
}
