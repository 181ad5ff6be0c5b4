/**
 * What the train loop emits (trainer.ts Trainer, search-trainer.ts SearchTrainer): one event per
 * iteration (a search: per try) and one per validation check. Reporters listen to these
 * (src/report/); as JSON lines they are the `iter` and `val` events of report/events.ts.
 */

/** One iteration: `batchAcc` is the minibatch accuracy (for searches, the try's training accuracy). */
export interface IterEvent {
  event: 'iter';
  iter: number;
  loss: number;
  batchAcc: number;
  lr?: number; // gradient methods
  bestLoss?: number; // searches: the lowest loss so far
  gradNorm?: number; // lbfgs: ‖∇L(W)‖₂ after the iteration
  step?: number; // lbfgs: the step length along the search direction (0: no step lowered the loss)
  evals?: number; // lbfgs: full-batch loss-and-gradient evaluations this iteration
}
/** A validation check during training (every --eval-every iterations). */
export interface ValEvent {
  event: 'val';
  iter: number;
  valAcc: number;
}
export type TrainEvent = IterEvent | ValEvent;
