/**
 * The training loop. It knows nothing of terminals or files: it emits events
 * (one per iteration, one per validation check) and returns the trained W.
 * Reporters (progress bar, JSON lines) listen at the edge.
 */
import type { Config } from './config.js';
import { LintrainError } from './errors.js';
import { accuracy } from './evaluate.js';
import type { Kernels } from './kernels/types.js';
import type { LossSpec } from './losses/types.js';
import { makeObjective, type Objective } from './objective.js';
import { isSearch, makeUpdateRule, randomLocalSearch, randomSearch, type OptimizerState, type UpdateRule } from './optimizers/index.js';
import type { Try } from './optimizers/search.js';
import type { RegSpec } from './regularizers.js';
import { Rng, type RngState } from './rng.js';
import { C, DB, type Dataset } from './shapes.js';

/** One iteration: `batchAcc` is the minibatch accuracy (for searches, the try's training accuracy). */
export interface IterEvent {
  iter: number;
  loss: number;
  batchAcc: number;
  lr?: number; // gradient methods
  bestLoss?: number; // searches: the lowest loss so far
}
export interface EvalEvent {
  event: 'eval';
  iter: number;
  valAcc: number;
}
export type TrainEvent = IterEvent | EvalEvent;

export const regSpec = (c: Config): RegSpec => ({
  type: c.regType,
  strength: c.regType === 'none' ? 0 : c.reg,
  l1Ratio: c.l1Ratio,
  includeBias: c.regBias,
});

export const lossSpec = (c: Config): LossSpec => ({ name: c.loss, delta: c.delta });

/** The starting point of every gradient method: W ~ N(0,1)·initScale, C×(D+1) float32. */
export const initialWeights = (c: Config, rng: Rng): Float32Array =>
  rng.fillNormal(new Float32Array(C * DB), c.initScale) as Float32Array;

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

export interface TrainControl {
  from?: TrainState; // continue a saved run
  shouldStop?: () => boolean; // asked between steps; true ends the run after the current step
}

export interface TrainResult {
  W: Float32Array;
  state: TrainState;
  stopped: boolean; // asked to stop before the last iteration
}

const hintOf = (c: Config): string =>
  isSearch(c.opt)
    ? `Try a smaller --init-scale (${c.initScale} now)${c.opt === 'random-local' ? ` or --step-size (${c.stepSize} now)` : ''}.`
    : `Try a smaller learning rate (--lr ${c.lr} now).`;

const diverged = (iter: number, value: number, hint: string) =>
  new LintrainError(`Training diverged: the loss is ${value} at iteration ${iter}. ${hint}`);

/**
 * A gradient run, one iteration per step(), so that a caller can stop between steps
 * and save state() — the loop itself knows nothing of signals or files. The same
 * config, data and state give the same bits as a run that never stopped.
 */
export class Trainer {
  readonly W: Float32Array;
  private iter: number;
  private lr: number;
  private readonly rng: Rng;
  private readonly rule: UpdateRule;
  private readonly sampler: Sampler;
  private readonly objective: Objective;
  private readonly dW = new Float32Array(C * DB);
  private readonly correct = new Int32Array(1);
  private readonly batch: number;
  private readonly decayEvery: number;
  private readonly hint: string;

  constructor(
    private readonly config: Config,
    private readonly data: Dataset,
    private readonly kernels: Kernels,
    private readonly emit: (e: TrainEvent) => void,
    from?: TrainState,
  ) {
    if (isSearch(config.opt)) throw new RangeError(`${config.opt} is a search: use train()`);
    this.hint = hintOf(config);
    const n = data.train.n;
    const full = config.opt === 'gd';
    this.batch = full ? n : Math.min(config.batchSize, n);
    // The assignment decays once per epoch: max(N / batch, 1) iterations.
    this.decayEvery = config.lrStep > 0 ? config.lrStep : Math.max(Math.floor(n / this.batch), 1);
    this.rng = from ? Rng.fromState(from.rng) : new Rng(config.seed);
    this.W = from ? checkedCopy(from.W, C * DB, 'W') : initialWeights(config, this.rng);
    checkWeights(this.W, from ? `in the saved state (iteration ${from.iter})` : 'at the start', `Try a smaller --init-scale (${config.initScale} now).`);
    this.sampler = new Sampler(full ? 'full' : config.sample, n, this.batch, this.rng, from);
    this.rule = makeUpdateRule(config.opt, config);
    if (from) this.rule.restore(from.optimizer);
    this.objective = makeObjective(kernels, data.train, data.mean, lossSpec(config), regSpec(config));
    this.iter = from?.iter ?? 0;
    this.lr = from?.lr ?? config.lr;
  }

  get done(): boolean {
    return this.iter >= this.config.iters;
  }

  /** One iteration: minibatch, loss and gradient, update, events. */
  step(): void {
    const iter = ++this.iter;
    const { loss } = this.objective(this.W, this.sampler.next(), this.dW, this.correct);
    if (!Number.isFinite(loss)) throw diverged(iter, loss, this.hint);
    this.rule.step(this.W, this.dW, this.lr);
    checkWeights(this.W, `after the update of iteration ${iter}`, this.hint);
    this.emit({ iter, loss, batchAcc: this.correct[0] / this.batch, lr: this.lr });
    if (iter % this.decayEvery === 0) this.lr *= this.config.lrDecay;
    const { evalEvery, iters } = this.config;
    if (evalEvery > 0 && iter % evalEvery === 0 && iter < iters && this.data.val.n > 0) {
      this.emit({ event: 'eval', iter, valAcc: accuracy(this.kernels, this.data.val, this.data.mean, this.W).acc });
    }
  }

  /** A copy of everything the next step depends on. */
  state(): TrainState {
    const { order, cursor } = this.sampler.state();
    return { iter: this.iter, lr: this.lr, W: this.W.slice(), rng: this.rng.state(), optimizer: this.rule.state(), order, cursor };
  }
}

/** Train a C×(D+1) float32 W on data.train as the config says. */
export function train(config: Config, data: Dataset, kernels: Kernels, emit: (e: TrainEvent) => void): Float32Array {
  if (isSearch(config.opt)) return search(config, data, kernels, emit);
  const t = new Trainer(config, data, kernels, emit);
  while (!t.done) t.step();
  return t.W;
}

// How long the loop runs before it lets the event loop run (a signal handler, a timer).
const YIELD_MS = 50;

/**
 * train(), stoppable and resumable (gradient methods): control.shouldStop is asked
 * between steps, and the event loop gets a turn every YIELD_MS so that whatever sets
 * it (a signal handler) can run; control.from continues a saved state.
 */
export async function trainResumable(
  config: Config, data: Dataset, kernels: Kernels, emit: (e: TrainEvent) => void, control: TrainControl = {},
): Promise<TrainResult> {
  const t = new Trainer(config, data, kernels, emit, control.from);
  let last = performance.now();
  while (!t.done) {
    if (control.shouldStop?.()) return { W: t.W, state: t.state(), stopped: true };
    t.step();
    if (performance.now() - last > YIELD_MS) {
      await new Promise((r) => setImmediate(r));
      last = performance.now();
    }
  }
  return { W: t.W, state: t.state(), stopped: false };
}

/** The lecture's two searches, which score tries on the whole training set. */
function search(config: Config, data: Dataset, kernels: Kernels, emit: (e: TrainEvent) => void): Float32Array {
  const hint = hintOf(config);
  const problem = { kernels, split: data.train, mean: data.mean, loss: lossSpec(config), reg: regSpec(config), rng: new Rng(config.seed) };
  const onTry = (t: Try) => {
    if (!Number.isFinite(t.loss)) throw diverged(t.iter, t.loss, hint);
    emit({ iter: t.iter, loss: t.loss, batchAcc: t.acc, bestLoss: t.bestLoss });
  };
  // The first draw, from a copy of the stream: an SVM margin of NaN counts as 0, so a W of
  // infinities can score a finite loss; the searches' W is therefore checked itself.
  checkWeights(initialWeights(config, new Rng(config.seed)), 'at the start', hint);
  const W = config.opt === 'random-search'
    ? randomSearch(problem, config.iters, config.initScale, onTry)
    : randomLocalSearch(problem, config.iters, config.initScale, config.stepSize, onTry);
  checkWeights(W, `after ${config.iters} tries`, hint);
  return W;
}

function checkedCopy<T extends Float32Array | Int32Array>(a: T, length: number, what: string): T {
  if (a.length !== length) throw new LintrainError(`the saved ${what} holds ${a.length} values, expected ${length}`);
  return a.slice() as T;
}

/**
 * Stop with a LintrainError naming `when` and `hint` if W holds a NaN or an infinity.
 * One pass of float64 sums: finite float32 entries (≤ 3.4e38, 30,730 of them) cannot
 * overflow it, and any NaN or infinity carries through; the culprit is looked up only then.
 */
export function checkWeights(W: Float32Array, when: string, hint: string): void {
  // four independent sums: the adds overlap instead of waiting on each other
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n4 = W.length & ~3;
  for (let i = 0; i < n4; i += 4) {
    s0 += W[i];
    s1 += W[i + 1];
    s2 += W[i + 2];
    s3 += W[i + 3];
  }
  for (let i = n4; i < W.length; i++) s0 += W[i];
  const sum = s0 + s1 + s2 + s3;
  if (sum - sum === 0) return;
  const i = W.findIndex((v) => !Number.isFinite(v));
  throw new LintrainError(`Training diverged: W[${Math.floor(i / DB)}, ${i % DB}] is ${W[i]} ${when}. ${hint}`);
}

/**
 * Minibatch row indices: drawn with replacement (the assignment), shuffled epochs
 * (a permutation consumed batch by batch, reshuffled when too little is left), or
 * the full training set (gd). Its state is the permutation and the cursor.
 */
class Sampler {
  private readonly rows: Int32Array;
  private readonly order: Int32Array | null = null;
  private cursor: number;

  constructor(
    private readonly kind: Config['sample'] | 'full',
    private readonly n: number,
    private readonly batch: number,
    private readonly rng: Rng,
    from?: TrainState,
  ) {
    this.rows = new Int32Array(kind === 'full' ? 0 : batch);
    this.cursor = n; // start with a shuffle
    if (kind !== 'epoch') return;
    if (from?.order) {
      this.order = checkedCopy(from.order, n, 'epoch order');
      this.cursor = from.cursor;
    } else {
      this.order = new Int32Array(n);
      for (let i = 0; i < n; i++) this.order[i] = i;
    }
  }

  next(): Int32Array | null {
    if (this.kind === 'full') return null;
    if (this.kind === 'replacement') return this.rng.fillInts(this.rows, this.n);
    const order = this.order!;
    if (this.cursor + this.batch > this.n) {
      this.rng.shuffle(order);
      this.cursor = 0;
    }
    const slice = order.subarray(this.cursor, this.cursor + this.batch);
    this.cursor += this.batch;
    return slice;
  }

  state(): { order: Int32Array | null; cursor: number } {
    return { order: this.order ? this.order.slice() : null, cursor: this.cursor };
  }
}
