/**
 * A run of one of the lecture's searches, one block of tries per step(), with the
 * same face as a gradient run's Trainer (done, W, step, state) so that one loop
 * drives both, stops between steps and resumes from a saved state. It turns each
 * try into an iteration event and stops a run whose loss or W is no longer finite.
 */
import type { Config } from '../config/schema.js';
import { LintrainError } from '../core/errors.js';
import type { Kernels } from '../kernels/types.js';
import { initialWeights, lossSpec, regSpec } from '../model/objective.js';
import { RandomLocalSearch, RandomSearch, type SearchProblem, type SearchState, type Try } from '../optimizers/search.js';
import { Rng } from '../core/rng.js';
import { checkedCopy, checkWeights, diverged, hintOf } from './checks.js';
import { C, type Dataset } from '../core/shapes.js';
import type { IterEvent } from './events.js';

export class SearchTrainer {
  private readonly search: RandomSearch | RandomLocalSearch;
  private readonly hint: string;

  constructor(config: Config, data: Dataset, kernels: Kernels, emit: (e: IterEvent) => void, from?: SearchState) {
    const opt = config.opt;
    if (opt !== 'random-search' && opt !== 'random-local') throw new RangeError(`${opt} is not a search: use Trainer`);
    this.hint = hintOf(config);
    const stride = data.mean.length + 1; // D+1 on pixels, F+1 on stored features
    const SIZE = C * stride;
    if (from) {
      checkWeights(checkedCopy(from.W, SIZE, 'W'), `in the saved state (try ${from.iter})`, this.hint);
      const n = from.steps.length;
      if (n % SIZE !== 0) throw new LintrainError(`the saved pending steps hold ${n} values, not a whole number of ${SIZE}-value steps`);
    } else {
      // The first draw, from a copy of the stream: an SVM margin of NaN counts as 0, so a W
      // of infinities can score a finite loss; the searches' W is therefore checked itself.
      checkWeights(initialWeights(config, new Rng(config.seed), stride), 'at the start', this.hint);
    }
    const problem: SearchProblem = {
      kernels,
      split: data.train,
      mean: data.mean,
      loss: lossSpec(config),
      reg: regSpec(config),
      rng: new Rng(config.seed),
    };
    const onTry = (t: Try) => {
      if (!Number.isFinite(t.loss)) throw diverged(t.iter, t.loss, this.hint);
      emit({ event: 'iter', iter: t.iter, loss: t.loss, batchAcc: t.acc, bestLoss: t.bestLoss });
    };
    this.search =
      opt === 'random-search'
        ? new RandomSearch(problem, config.iters, config.initScale, onTry, from)
        : new RandomLocalSearch(problem, config.iters, config.initScale, config.stepSize, onTry, from);
  }

  get done(): boolean {
    return this.search.done;
  }

  get W(): Float32Array {
    return this.search.W;
  }

  /** One block of tries (up to 16 for random search, 4 for local search), then W is checked. */
  step(): void {
    this.search.step();
    checkWeights(this.search.W, `after ${this.search.iter} tries`, this.hint);
  }

  state(): SearchState {
    return this.search.state();
  }
}
