import { slotOf, type UpdateRule } from './types.js';

/** Vanilla (minibatch) gradient descent:  W ← W − lr·dW  (no state but the step count) */
export function sgd(): UpdateRule {
  let t = 0;
  return {
    name: 'sgd',
    step(W, dW, lr) {
      t += 1;
      for (let i = 0; i < W.length; i++) W[i] -= lr * dW[i];
    },
    state: () => ({ name: 'sgd', t, slots: {} }),
    restore(s, size) {
      slotOf(s, 'sgd', '', size);
      t = s.t;
    },
  };
}
