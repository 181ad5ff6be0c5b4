/**
 * The state of a gradient run (an update rule's or L-BFGS's), in its own file so that
 * trainer.ts and lbfgs-trainer.ts can both speak of it without importing each other.
 */
import type { RngState } from '../core/rng.js';
import type { OptimizerState } from '../optimizers/index.js';

/** Everything a gradient run needs to continue exactly where it stopped (a checkpoint). */
export interface TrainState {
  iter: number; // iterations done
  lr: number; // the learning rate of the next iteration (after decays)
  W: Float32Array; // C×(D+1)
  rng: RngState;
  optimizer: OptimizerState;
  order: Int32Array | null; // shuffled epochs: the current permutation of the training rows
  cursor: number; // and how far into it the next minibatch starts
}
