/**
 * The lecture's first two optimizers, which use no gradient at all.
 *   random search:        W_t ~ N(0,1)·initScale, keep the W with the lowest loss
 *   random local search:  W' = W + N(0,1)·stepSize, move to W' when its loss is lower
 * Each try is scored on the whole training set. Tries are independent (random
 * search) or only depend on which earlier tries were accepted (local search), so
 * both score a block of candidates per pass over the data (Kernels.lossMany).
 * The random draws happen in the same order as a one-at-a-time loop, so the result
 * does not depend on the block size.
 *
 * Each search is an object that scores one block per step(), so that a caller can
 * stop between blocks, save state() and later construct the search from it: the
 * resumed search draws, scores and accepts exactly what the unbroken one would.
 */
import type { Kernels } from '../kernels/types.js';
import type { LossSpec } from '../model/losses/types.js';
import { makeCandidatesLoss } from '../model/objective.js';
import type { RegSpec } from '../model/regularizers.js';
import { Rng, type RngState } from '../core/rng.js';
import { C, type Split } from '../core/shapes.js';

export interface SearchProblem {
  kernels: Kernels;
  split: Split; // the training split: every try is scored on all of it
  mean: Float32Array;
  loss: LossSpec;
  reg: RegSpec;
  rng: Rng; // a new search's generator (a resumed one continues its saved state's)
  block?: number; // candidates per pass over the data
}

/** One scored try: its loss and training accuracy, and the best loss so far. */
export interface Try {
  iter: number; // 1-based
  loss: number;
  acc: number;
  bestLoss: number;
  accepted: boolean;
}

export type SearchName = 'random-search' | 'random-local';

/** Where a search stands between two blocks: everything its next block depends on. */
export interface SearchState {
  search: SearchName;
  iter: number; // tries done
  W: Float32Array; // C×(D+1) (C×(F+1) on stored features): random search's best W (zeros before any try); local search's current W
  bestLoss: number; // the lowest loss so far (random search: Infinity before any try)
  rng: RngState;
  steps: Float32Array; // local search: the drawn steps not yet tried, pending×C×(D+1), oldest first; else empty
}

/** What both searches share: the generator, the scorer of K candidates, the count of tries. */
abstract class Search {
  abstract readonly W: Float32Array;
  protected t: number;
  protected bestLoss: number;
  protected readonly rng: Rng;
  protected readonly size: number; // values in one W: C×(D+1), or C×(F+1) on stored features (F = mean.length)
  protected readonly block: number;
  protected readonly Ws: Float32Array; // block×C×(D+1) candidates
  private readonly losses: Float64Array;
  private readonly correct: Int32Array;
  private readonly candidatesLoss: ReturnType<typeof makeCandidatesLoss>;

  constructor(
    readonly name: SearchName,
    protected readonly p: SearchProblem,
    protected readonly tries: number,
    protected readonly onTry: (t: Try) => void,
    defaultBlock: number,
    from: SearchState | undefined,
  ) {
    if (from && from.search !== name) throw new RangeError(`the saved state is of a ${from.search} run, not ${name}`);
    // A resumed local search may hold more pending steps than a smaller block would.
    this.size = C * (p.mean.length + 1);
    const SIZE = this.size;
    this.block = Math.max(1, Math.min(p.block ?? defaultBlock, tries), (from?.steps.length ?? 0) / SIZE);
    this.rng = from ? Rng.fromState(from.rng) : p.rng;
    this.t = from?.iter ?? 0;
    this.bestLoss = from?.bestLoss ?? Infinity;
    this.Ws = new Float32Array(this.block * SIZE);
    this.losses = new Float64Array(this.block);
    this.correct = new Int32Array(this.block);
    this.candidatesLoss = makeCandidatesLoss(p.kernels, p.split, p.mean, p.loss, p.reg);
  }

  get done(): boolean {
    return this.t >= this.tries;
  }

  get iter(): number {
    return this.t;
  }

  /** Scores Ws[0..K) on the whole split: loss (data + penalty) and correct count per candidate. */
  protected score(Ws: Float32Array, K: number): { losses: Float64Array; correct: Int32Array } {
    this.candidatesLoss(Ws.subarray(0, K * this.size), K, this.losses, this.correct);
    return { losses: this.losses, correct: this.correct };
  }

  protected report(iter: number, k: number, accepted: boolean): void {
    this.onTry({ iter, loss: this.losses[k], acc: this.correct[k] / this.p.split.n, bestLoss: this.bestLoss, accepted });
  }

  /** Score the next block of tries. */
  abstract step(): void;

  /** A copy of everything the next block depends on. */
  state(): SearchState {
    return { search: this.name, iter: this.t, W: this.W.slice(), bestLoss: this.bestLoss, rng: this.rng.state(), steps: this.pending() };
  }

  protected pending(): Float32Array {
    return new Float32Array(0);
  }
}

export class RandomSearch extends Search {
  readonly W: Float32Array; // the best try so far

  constructor(
    p: SearchProblem,
    tries: number,
    private readonly initScale: number,
    onTry: (t: Try) => void,
    from?: SearchState,
  ) {
    super('random-search', p, tries, onTry, 16, from);
    this.W = from ? from.W.slice() : new Float32Array(this.size);
  }

  step(): void {
    const SIZE = this.size;
    const t0 = this.t;
    const K = Math.min(this.block, this.tries - t0);
    const Ws = this.Ws;
    this.rng.fillNormal(Ws.subarray(0, K * SIZE), this.initScale);
    const { losses } = this.score(Ws, K);
    for (let k = 0; k < K; k++) {
      const accepted = losses[k] < this.bestLoss;
      if (accepted) {
        this.bestLoss = losses[k];
        this.W.set(Ws.subarray(k * SIZE, (k + 1) * SIZE));
      }
      this.t = t0 + k + 1;
      this.report(this.t, k, accepted);
    }
  }
}

/**
 * Proposals are scored speculatively in blocks: all start from the current W. When
 * proposal k is accepted, the later ones started from a stale W, so their steps
 * (already drawn, in order) are kept and re-scored from the new W in the next block.
 */
export class RandomLocalSearch extends Search {
  readonly W: Float32Array; // the current point
  private readonly steps: Float32Array; // drawn but not yet consumed steps, oldest first
  private nPending: number;

  constructor(
    p: SearchProblem,
    tries: number,
    initScale: number,
    private readonly stepSize: number,
    onTry: (t: Try) => void,
    from?: SearchState,
  ) {
    super('random-local', p, tries, onTry, 4, from);
    const SIZE = this.size;
    this.steps = new Float32Array(this.block * SIZE);
    if (from) {
      this.W = from.W.slice();
      this.steps.set(from.steps);
      this.nPending = from.steps.length / SIZE;
    } else {
      this.W = this.rng.fillNormal(new Float32Array(SIZE), initScale) as Float32Array;
      this.nPending = 0;
      this.bestLoss = this.score(this.W, 1).losses[0];
    }
  }

  step(): void {
    const { W, Ws, steps, t, size: SIZE } = this;
    const K = Math.min(this.block, this.tries - t);
    if (this.nPending < K) this.rng.fillNormal(steps.subarray(this.nPending * SIZE, K * SIZE), this.stepSize);
    for (let k = 0; k < K; k++) {
      for (let i = 0; i < SIZE; i++) Ws[k * SIZE + i] = W[i] + steps[k * SIZE + i];
    }
    const { losses } = this.score(Ws, K);
    let used = K;
    for (let k = 0; k < K; k++) {
      const accepted = losses[k] < this.bestLoss;
      if (accepted) {
        this.bestLoss = losses[k];
        W.set(Ws.subarray(k * SIZE, (k + 1) * SIZE));
      }
      this.report(t + k + 1, k, accepted);
      if (accepted) {
        used = k + 1;
        break;
      }
    }
    steps.copyWithin(0, used * SIZE, K * SIZE);
    this.nPending = K - used;
    this.t = t + used;
  }

  protected override pending(): Float32Array {
    return this.steps.slice(0, this.nPending * this.size);
  }
}

/** Random search run to the end: the best of `tries` draws. */
export function randomSearch(p: SearchProblem, tries: number, initScale: number, onTry: (t: Try) => void): Float32Array {
  const s = new RandomSearch(p, tries, initScale, onTry);
  while (!s.done) s.step();
  return s.W;
}

/** Random local search run to the end: the point reached after `tries` proposals. */
export function randomLocalSearch(
  p: SearchProblem,
  tries: number,
  initScale: number,
  stepSize: number,
  onTry: (t: Try) => void,
): Float32Array {
  const s = new RandomLocalSearch(p, tries, initScale, stepSize, onTry);
  while (!s.done) s.step();
  return s.W;
}
