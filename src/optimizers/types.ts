/**
 * An update rule: one `step` that moves W against its gradient, with its state
 * (velocity, caches, moments) allocated on first use and kept in named slots.
 * W, dW: C×(D+1) float32, row-major, bias last — updated in place.
 */
export interface UpdateRule {
  readonly name: string;
  step(W: Float32Array, dW: Float32Array, lr: number): void;
  /** The rule's state: its named slots (the size of W each, absent before the first step) and step count. */
  state(): OptimizerState;
  /** Continue from a saved state (a checkpoint) for a W of `size` values; the slots are copied. */
  restore(s: OptimizerState, size: number): void;
}

export interface OptimizerState {
  name: string;
  t: number; // steps taken
  slots: Record<string, Float32Array>;
  numbers?: Record<string, number>; // scalars a rule carries between steps (lbfgs: the loss and gradient scale at W)
}

/** Restore helper: the named slot of a saved state, checked against the rule and the size of W. */
export function slotOf(s: OptimizerState, rule: string, slot: string, size: number): Float32Array | null {
  if (s.name !== rule) throw new RangeError(`the saved optimizer state is ${s.name}'s, not ${rule}'s`);
  const v = s.slots[slot];
  if (v === undefined) return null;
  if (v.length !== size) throw new RangeError(`the saved slot ${rule}.${slot} holds ${v.length} values, not ${size}`);
  return v.slice();
}

/** The hyperparameters the update rules read; each rule validates its own. */
export interface RuleParams {
  momentum: number;
  decayRate: number;
  beta1: number;
  beta2: number;
  eps: number;
}
