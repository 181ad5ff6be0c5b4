/**
 * An update rule: one `step` that moves W against its gradient, with its state
 * (velocity, caches, moments) allocated on first use and kept in named slots.
 * W, dW: C×(D+1) float32, row-major, bias last — updated in place.
 */
export interface UpdateRule {
  readonly name: string;
  step(W: Float32Array, dW: Float32Array, lr: number): void;
}

/** The hyperparameters the update rules read; each rule validates its own. */
export interface RuleParams {
  momentum: number;
  decayRate: number;
  beta1: number;
  beta2: number;
  eps: number;
}
