/**
 * Training curves: the loss per iteration with a smoothed line (and, for the searches,
 * the best loss so far), and accuracy over iterations — the minibatch's (the searches:
 * each try's training accuracy) and validation. Drawn from the same events
 * metrics.jsonl holds, as line charts (svg.ts).
 */
import type { ValEvent, IterEvent } from '../../training/trainer.js';
import type { LineChart, Series } from './svg.js';

/**
 * Exponential moving average with pandas' `span` (β = 1 − 2/(span + 1)), debiased like
 * Adam's moments so the first points are not pulled toward 0:
 *   m_t = β·m_{t−1} + (1 − β)·x_t,  out_t = m_t / (1 − β^t).
 */
export function smoothEma(values: ArrayLike<number>, span: number): Float64Array {
  const beta = 1 - 2 / (Math.max(span, 1) + 1);
  const out = new Float64Array(values.length);
  let m = 0;
  let power = 1;
  for (let t = 0; t < values.length; t++) {
    m = beta * m + (1 - beta) * values[t];
    power *= beta;
    out[t] = power < 1 ? m / (1 - power) : values[t];
  }
  return out;
}

/** The smoothing span for n points: about 1/25 of the run, so the line follows the trend, not the minibatch noise. */
export const smoothingSpan = (n: number): number => Math.max(1, Math.round(n / 25));

/** Indices 0, k, 2k, … and the last, so a chart draws at most `max` points of a long run. */
export function strideIndices(n: number, max: number): number[] {
  const k = Math.max(1, Math.ceil(n / max));
  const idx: number[] = [];
  for (let i = 0; i < n; i += k) idx.push(i);
  if (n > 0 && idx[idx.length - 1] !== n - 1) idx.push(n - 1);
  return idx;
}

// About one point per pixel of the PNG (twice the chart's 640): more would only cost drawing time.
const MAX_POINTS = 1000;
const SIZE = { width: 640, height: 320 };

/** One series of the iterations, strided. */
function series(iters: readonly IterEvent[], values: ArrayLike<number>, name: string, color: string, idx: number[]): Series {
  return { name, color, points: idx.map((i) => [iters[i].iter, values[i]] as const) };
}

/** Loss per iteration, its smoothed line, and (searches) the best loss so far. */
export function lossChart(iters: readonly IterEvent[], title = 'Training loss'): LineChart {
  const loss = Float64Array.from(iters, (e) => e.loss);
  const idx = strideIndices(iters.length, MAX_POINTS);
  const span = smoothingSpan(iters.length);
  const lines = [
    series(iters, loss, 'loss', '#b3c9e0', idx), // the raw loss light, its trend dark
    series(iters, smoothEma(loss, span), `smoothed (EMA, span ${span})`, '#d62728', idx),
  ];
  if (iters.length > 0 && iters[0].bestLoss !== undefined) {
    lines.push(
      series(
        iters,
        Float64Array.from(iters, (e) => e.bestLoss ?? NaN),
        'best so far',
        '#54a24b',
        idx,
      ),
    );
  }
  return { kind: 'lines', title, ...SIZE, x: { title: 'iteration' }, y: { title: 'loss' }, series: lines };
}

/**
 * Training accuracy per iteration (raw and smoothed) and validation accuracy at each
 * check; `finalVal` adds the end-of-run validation score at the last iteration.
 */
export function accuracyChart(
  iters: readonly IterEvent[],
  vals: readonly ValEvent[],
  finalVal: ValEvent | null = null,
  title = 'Accuracy',
): LineChart {
  const acc = Float64Array.from(iters, (e) => e.batchAcc);
  const idx = strideIndices(iters.length, MAX_POINTS);
  const train = iters.length > 0 && iters[0].bestLoss !== undefined ? 'train (each try)' : 'train (minibatch)';
  const span = smoothingSpan(iters.length);
  const val: Series = {
    name: 'validation',
    color: '#f58518',
    dots: true,
    points: [...vals, ...(finalVal ? [finalVal] : [])].map((e) => [e.iter, e.valAcc] as const),
  };
  const lines = [series(iters, acc, train, '#b3c9e0', idx), series(iters, smoothEma(acc, span), `${train}, smoothed`, '#1f5fa0', idx), val];
  return { kind: 'lines', title, ...SIZE, x: { title: 'iteration' }, y: { title: 'accuracy', percent: true }, series: lines };
}
