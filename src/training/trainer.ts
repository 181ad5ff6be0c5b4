/**
 * The training loop. It knows nothing of terminals or files: it emits events
 * (one per iteration, one per validation check) and returns the trained W.
 * Reporters (progress bar, JSON lines) listen at the edge.
 */
import type { Config } from '../config/schema.js';
import { accuracy } from '../model/evaluate.js';
import type { Kernels } from '../kernels/types.js';
import { initialWeights, lossSpec, makeObjective, regSpec, type Objective } from '../model/objective.js';
import { isSearch, makeUpdateRule, type UpdateRule } from '../optimizers/index.js';
import type { SearchState } from '../optimizers/search.js';
import { Rng } from '../core/rng.js';
import { checkedCopy, checkWeights, diverged, hintOf } from './checks.js';
import { Sampler } from './sampler.js';
import type { TrainEvent } from './events.js';
import { SearchTrainer } from './search-trainer.js';
import { LbfgsTrainer } from './lbfgs-trainer.js';
import { C, type Dataset } from '../core/shapes.js';

export type { IterEvent, TrainEvent, ValEvent } from './events.js';
export type { TrainState } from './state.js';
import type { TrainState } from './state.js';

/** A stopped run of either kind: a gradient method's state or a search's (which has `search`). */
export type RunState = TrainState | SearchState;

export const isSearchState = (s: RunState): s is SearchState => 'search' in s;

export interface TrainControl {
  from?: RunState; // continue a saved run (of the config's optimizer)
  shouldStop?: () => boolean; // asked between steps; true ends the run after the current step
}

export interface TrainResult {
  W: Float32Array;
  state: RunState;
  stopped: boolean; // asked to stop before the last iteration
}

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
  private readonly dW: Float32Array;
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
    if (isSearch(config.opt)) throw new RangeError(`${config.opt} is a search: use SearchTrainer`);
    this.hint = hintOf(config);
    const n = data.train.n;
    const full = config.opt === 'gd';
    this.batch = full ? n : Math.min(config.batchSize, n);
    // The assignment decays once per epoch: max(N / batch, 1) iterations.
    this.decayEvery = config.lrStep > 0 ? config.lrStep : Math.max(Math.floor(n / this.batch), 1);
    this.rng = from ? Rng.fromState(from.rng) : new Rng(config.seed);
    const stride = data.mean.length + 1; // D+1 on pixels, F+1 on stored features
    this.W = from ? checkedCopy(from.W, C * stride, 'W') : initialWeights(config, this.rng, stride);
    this.dW = new Float32Array(C * stride);
    checkWeights(
      this.W,
      from ? `in the saved state (iteration ${from.iter})` : 'at the start',
      `Try a smaller --init-scale (${config.initScale} now).`,
    );
    this.sampler = new Sampler(full ? 'full' : config.sample, n, this.batch, this.rng, from);
    this.rule = makeUpdateRule(config.opt, config);
    if (from) this.rule.restore(from.optimizer, this.W.length);
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
    this.emit({ event: 'iter', iter, loss, batchAcc: this.correct[0] / this.batch, lr: this.lr });
    if (iter % this.decayEvery === 0) this.lr *= this.config.lrDecay;
    const { evalEvery, iters } = this.config;
    if (evalEvery > 0 && iter % evalEvery === 0 && iter < iters && this.data.val.n > 0) {
      this.emit({ event: 'val', iter, valAcc: accuracy(this.kernels, this.data.val, this.data.mean, this.W).acc });
    }
  }

  /** A copy of everything the next step depends on. */
  state(): TrainState {
    const { order, cursor } = this.sampler.state();
    return { iter: this.iter, lr: this.lr, W: this.W.slice(), rng: this.rng.state(), optimizer: this.rule.state(), order, cursor };
  }
}

/** A gradient run or a search, stepped alike. */
function trainerFor(
  config: Config,
  data: Dataset,
  kernels: Kernels,
  emit: (e: TrainEvent) => void,
  from?: RunState,
): Trainer | SearchTrainer | LbfgsTrainer {
  if (!isSearch(config.opt)) {
    if (from && isSearchState(from)) throw new RangeError(`the saved state is of a ${from.search} run, not ${config.opt}`);
    if (config.opt === 'lbfgs') return new LbfgsTrainer(config, data, kernels, emit, from);
    return new Trainer(config, data, kernels, emit, from);
  }
  if (from && !isSearchState(from)) throw new RangeError(`the saved state is of a gradient run, not ${config.opt}`);
  return new SearchTrainer(config, data, kernels, emit, from);
}

/**
 * Train a C×(D+1) float32 W on data.train as the config says. On stored features
 * (src/features/) the rows are F bytes and data.mean has F values: W is C×(F+1).
 */
export function train(config: Config, data: Dataset, kernels: Kernels, emit: (e: TrainEvent) => void): Float32Array {
  const t = trainerFor(config, data, kernels, emit);
  while (!t.done) t.step();
  return t.W;
}

// How long the loop runs before it lets the event loop run (a signal handler, a timer).
const YIELD_MS = 50;

/**
 * train(), stoppable and resumable: control.shouldStop is asked between steps (a
 * gradient iteration, a search's block of tries), and the event loop gets a turn every
 * YIELD_MS so that whatever sets it (a signal handler) can run; control.from continues
 * a saved state.
 */
export async function trainResumable(
  config: Config,
  data: Dataset,
  kernels: Kernels,
  emit: (e: TrainEvent) => void,
  control: TrainControl = {},
): Promise<TrainResult> {
  const t = trainerFor(config, data, kernels, emit, control.from);
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
