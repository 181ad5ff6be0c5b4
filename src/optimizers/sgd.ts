import type { UpdateRule } from './types.js';

/** Vanilla (minibatch) gradient descent:  W ← W − lr·dW */
export function sgd(): UpdateRule {
  return {
    name: 'sgd',
    step(W, dW, lr) {
      for (let i = 0; i < W.length; i++) W[i] -= lr * dW[i];
    },
  };
}
