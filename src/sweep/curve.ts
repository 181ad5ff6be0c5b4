/**
 * A task's training curve: the numbers of the train loop's `iter` and `val` events, kept
 * in flat columns while the run trains (a few floats per iteration, no object per event)
 * so that a sweep can keep each run's curves (report/sweep-recorder.ts writes them as
 * the JSON lines of a run's metrics.jsonl) and a worker can hand them back by
 * transferring the columns' buffers instead of copying them (pool-worker.ts).
 *
 * Float64 throughout: the loss, batch accuracy and lr are the very numbers the events
 * carry, so the lines written from a curve are those a lone run writes, digit for digit.
 */
import type { Config } from '../config/schema.js';
import type { TrainEvent } from '../training/events.js';

/** A column of its own (not shared memory): its buffer can be transferred. */
type Column = Float64Array<ArrayBuffer>;

/** Each iter column has one value per iteration; each val column one per validation check. */
export interface Curve {
  iter: Column;
  loss: Column;
  batchAcc: Column;
  /** lr of a gradient method's iterations, or a search's best loss so far: see `search` */
  rate: Column;
  search: boolean;
  valIter: Column;
  valAcc: Column;
}

/** The same values in a buffer twice as long (a config's counts are exact, so this is a safety net). */
function grown(column: Column): Column {
  const next = new Float64Array(Math.max(16, 2 * column.length));
  next.set(column);
  return next;
}

/**
 * A listener for train()'s events that keeps the curve, and `curve()` to take it. The
 * iteration columns are allocated once, at the config's iteration count; the validation
 * columns at the number of checks the config asks for.
 */
export function curveCollector(config: Pick<Config, 'iters' | 'evalEvery'>) {
  const checks = config.evalEvery > 0 ? Math.floor(config.iters / config.evalEvery) : 0;
  let iter = new Float64Array(config.iters);
  let loss = new Float64Array(config.iters);
  let batchAcc = new Float64Array(config.iters);
  let rate = new Float64Array(config.iters);
  let valIter = new Float64Array(checks);
  let valAcc = new Float64Array(checks);
  let n = 0;
  let m = 0;
  let search = false; // a search's iterations carry bestLoss instead of lr
  return {
    listen(e: TrainEvent): void {
      if (e.event === 'iter') {
        if (n === iter.length) [iter, loss, batchAcc, rate] = [iter, loss, batchAcc, rate].map(grown);
        search = e.bestLoss !== undefined;
        iter[n] = e.iter;
        loss[n] = e.loss;
        batchAcc[n] = e.batchAcc;
        rate[n++] = e.bestLoss ?? e.lr ?? Number.NaN;
      } else {
        if (m === valIter.length) [valIter, valAcc] = [valIter, valAcc].map(grown);
        valIter[m] = e.iter;
        valAcc[m++] = e.valAcc;
      }
    },
    /** The curve so far: views of the columns (a diverged run's ends at its last finite loss). */
    curve(): Curve {
      return {
        iter: iter.subarray(0, n),
        loss: loss.subarray(0, n),
        batchAcc: batchAcc.subarray(0, n),
        rate: rate.subarray(0, n),
        search,
        valIter: valIter.subarray(0, m),
        valAcc: valAcc.subarray(0, m),
      };
    },
  };
}

/** The buffers under a curve's columns, to transfer to another thread (each once). */
export const curveBuffers = (c: Curve): ArrayBuffer[] => [
  ...new Set([c.iter, c.loss, c.batchAcc, c.rate, c.valIter, c.valAcc].map((a) => a.buffer)),
];
