/**
 * A full-batch L-BFGS run (`--opt lbfgs`), with the same face as Trainer (done, W, step,
 * state) so that one loop drives it, stops it between iterations and resumes it.
 *
 * Each step: p = −H·g (optimizers/lbfgs.ts), a strong-Wolfe line search along p
 * (optimizers/line-search.ts), each trial one full-batch loss and gradient through the
 * kernels (as `gd` computes them), then the new pair (s, y) is remembered. It stops at
 * --iters, or once ‖∇L(W)‖₂ ≤ tol·‖∇L(W₀)‖₂ (--tol), or when the line search finds no
 * step that lowers the loss (float32 W has run out of digits).
 */
import type { Config } from '../config/schema.js';
import { C, type Dataset } from '../core/shapes.js';
import { Rng } from '../core/rng.js';
import type { Kernels } from '../kernels/types.js';
import { accuracy } from '../model/evaluate.js';
import { initialWeights, lossSpec, makeObjective, regSpec, type Objective } from '../model/objective.js';
import { dot, LbfgsMemory } from '../optimizers/lbfgs.js';
import { type LinePoint, wolfeLineSearch } from '../optimizers/line-search.js';
import { slotOf } from '../optimizers/types.js';
import { checkedCopy, checkWeights, diverged } from './checks.js';
import type { TrainEvent } from './events.js';
import type { TrainState } from './state.js';

const HINT = 'The objective is not finite along the L-BFGS direction: check the data, --reg and --init-scale.';

export class LbfgsTrainer {
  readonly W: Float32Array;
  private iter: number;
  private readonly rng: Rng;
  private readonly objective: Objective;
  private readonly memory: LbfgsMemory;
  private g: Float32Array | null = null; // ∇L at W (null: not evaluated yet)
  private f = Number.NaN; // L(W)
  private g0Norm = Number.NaN; // ‖∇L(W₀)‖₂, the scale of --tol
  private finished = false; // converged, or the line search could not lower L
  private readonly x: Float32Array; // W at the start of the line search
  private gNew: Float32Array;
  private readonly p: Float64Array; // the search direction
  private readonly correct = new Int32Array(1);
  private acc = Number.NaN; // training accuracy at W (from the same pass as L)

  constructor(
    private readonly config: Config,
    private readonly data: Dataset,
    private readonly kernels: Kernels,
    private readonly emit: (e: TrainEvent) => void,
    from?: TrainState,
  ) {
    if (config.opt !== 'lbfgs') throw new RangeError(`${config.opt} is not lbfgs: use Trainer`);
    const stride = data.mean.length + 1;
    const size = C * stride;
    this.rng = from ? Rng.fromState(from.rng) : new Rng(config.seed);
    this.W = from ? checkedCopy(from.W, size, 'W') : initialWeights(config, this.rng, stride);
    checkWeights(this.W, from ? `in the saved state (iteration ${from.iter})` : 'at the start', HINT);
    this.memory = new LbfgsMemory(config.lbfgsMemory);
    if (from) {
      this.memory.restore(from.optimizer, size);
      this.g = slotOf(from.optimizer, 'lbfgs', 'g', size);
      const n = from.optimizer.numbers ?? {};
      this.f = n.f ?? Number.NaN;
      this.g0Norm = n.g0Norm ?? Number.NaN;
      this.finished = n.finished === 1;
      this.acc = n.acc ?? Number.NaN;
      if (this.g && !(Number.isFinite(this.f) && Number.isFinite(this.g0Norm)))
        throw new RangeError('the saved lbfgs state lacks f or g0Norm');
    }
    this.objective = makeObjective(kernels, data.train, data.mean, lossSpec(config), regSpec(config));
    this.iter = from?.iter ?? 0;
    this.x = new Float32Array(size);
    this.gNew = new Float32Array(size);
    this.p = new Float64Array(size);
  }

  get done(): boolean {
    return this.finished || this.iter >= this.config.iters;
  }

  /** One L-BFGS iteration: direction, line search, new pair, events. */
  step(): void {
    const iter = ++this.iter;
    const { W, p } = this;
    let evals = 0;
    if (this.g === null) {
      this.g = new Float32Array(W.length);
      this.f = this.objective(W, null, this.g, this.correct).loss;
      if (!Number.isFinite(this.f)) throw diverged(iter, this.f, HINT);
      this.g0Norm = Math.sqrt(dot(this.g, this.g));
      this.acc = this.correct[0] / this.data.train.n;
      evals++;
    }
    const g = this.g;
    this.memory.direction(g, p);
    let slope = dot(g, p);
    if (!(slope < 0)) {
      // Rounding made H·g useless (or g is 0): start the memory afresh from steepest descent.
      this.memory.forget();
      for (let i = 0; i < p.length; i++) p[i] = -g[i];
      slope = -dot(g, g);
    }
    if (slope < 0) {
      this.x.set(W);
      const phi = (a: number): LinePoint => this.evaluate(a);
      // The first step is scaled to move W by 1 (as scipy's does); after that H carries the scale.
      const a1 = this.memory.size === 0 ? 1 / Math.sqrt(-slope) : 1;
      const ls = wolfeLineSearch(phi, { f: this.f, d: slope }, a1);
      evals += ls.evals;
      if (ls.step === 0) {
        W.set(this.x); // no step lowered L: keep W where it was
        this.finished = true;
      } else {
        if (ls.last !== ls.step) {
          this.evaluate(ls.step); // the buffers hold another trial: recompute the accepted one
          evals++;
        }
        // New pair, in float32 like W and dW (fresh arrays: one per iteration, against a full pass over the data).
        const s = new Float32Array(W.length);
        const y = new Float32Array(W.length);
        for (let i = 0; i < W.length; i++) {
          s[i] = W[i] - this.x[i];
          y[i] = this.gNew[i] - g[i];
        }
        this.memory.push(s, y);
        [this.g, this.gNew] = [this.gNew, g];
        this.f = ls.f;
        this.acc = this.correct[0] / this.data.train.n; // the accepted step was evaluated last
      }
      if (!Number.isFinite(this.f)) throw diverged(iter, this.f, HINT);
      this.emitIter(iter, ls.step, evals);
    } else {
      this.finished = true; // ∇L = 0 exactly
      this.emitIter(iter, 0, evals);
    }
    checkWeights(W, `after the update of iteration ${iter}`, HINT);
  }

  /** W ← x + a·p (rounded to float32), then L and ∇L there into gNew; φ(a) and φ'(a). */
  private evaluate(a: number): LinePoint {
    const { W, x, p } = this;
    for (let i = 0; i < W.length; i++) W[i] = x[i] + a * p[i];
    const f = this.objective(W, null, this.gNew, this.correct).loss;
    return { f, d: dot(this.gNew, p) };
  }

  private emitIter(iter: number, step: number, evals: number): void {
    const g = this.g as Float32Array;
    const gradNorm = Math.sqrt(dot(g, g));
    if (gradNorm <= this.config.tol * this.g0Norm) this.finished = true;
    // the whole training set is the batch (NaN only right after a resume, before any pass)
    this.emit({ event: 'iter', iter, loss: this.f, batchAcc: this.acc, gradNorm, step, evals });
    const { evalEvery, iters } = this.config;
    if (evalEvery > 0 && iter % evalEvery === 0 && iter < iters && !this.finished && this.data.val.n > 0) {
      this.emit({ event: 'val', iter, valAcc: accuracy(this.kernels, this.data.val, this.data.mean, this.W).acc });
    }
  }

  state(): TrainState {
    const slots = this.memory.slots();
    if (this.g) slots.g = this.g.slice();
    const numbers = this.g ? { f: this.f, g0Norm: this.g0Norm, acc: this.acc, finished: this.finished ? 1 : 0 } : undefined;
    return {
      iter: this.iter,
      lr: this.config.lr,
      W: this.W.slice(),
      rng: this.rng.state(),
      optimizer: { name: 'lbfgs', t: this.iter, slots, numbers },
      order: null,
      cursor: 0,
    };
  }
}
