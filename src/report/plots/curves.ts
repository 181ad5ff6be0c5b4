/**
 * Training curves as Vega-Lite specs: the loss per iteration with a smoothed line
 * (and, for the searches, the best loss so far), and accuracy over iterations —
 * the minibatch's (the searches: each try's training accuracy) and validation.
 * Drawn from the same events metrics.jsonl holds.
 */
import type { ValEvent, IterEvent } from '../../train.js';
import type { ChartSpec } from './render.js';

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

const MAX_POINTS = 2000;
const SIZE = { width: 640, height: 320 };

type Row = { iter: number; value: number; series: string };

/** Rows for one series, strided. */
function series(iters: readonly IterEvent[], values: ArrayLike<number>, name: string, idx: number[]): Row[] {
  return idx.map((i) => ({ iter: iters[i].iter, value: values[i], series: name }));
}

/** Lines sharing one x (iteration); `pointsFor` also marks that series' points (measurements, not samples of a curve). */
function chart(rows: Row[], names: string[], colours: string[], y: object, title: string, pointsFor?: string): ChartSpec {
  const layer: object[] = [{ mark: { type: 'line', strokeWidth: 1.5, clip: true } }];
  if (pointsFor) layer.push({ transform: [{ filter: { field: 'series', equal: pointsFor } }], mark: { type: 'point', filled: true, size: 40 } });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    ...SIZE,
    data: { values: rows },
    encoding: {
      x: { field: 'iter', type: 'quantitative', title: 'iteration' },
      y: { field: 'value', type: 'quantitative', ...y },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: names, range: colours }, legend: { orient: 'top', direction: 'horizontal' } },
    },
    layer,
  } as ChartSpec;
}

/** Loss per iteration, its smoothed line, and (searches) the best loss so far. */
export function lossCurveSpec(iters: readonly IterEvent[], title = 'Training loss'): ChartSpec {
  const loss = Float64Array.from(iters, (e) => e.loss);
  const idx = strideIndices(iters.length, MAX_POINTS);
  const span = smoothingSpan(iters.length);
  const names = ['loss', `smoothed (EMA, span ${span})`];
  const rows = [...series(iters, loss, names[0], idx), ...series(iters, smoothEma(loss, span), names[1], idx)];
  const colours = ['#b3c9e0', '#d62728']; // the raw loss light, its trend dark
  if (iters.length > 0 && iters[0].bestLoss !== undefined) {
    names.push('best so far');
    rows.push(...series(iters, Float64Array.from(iters, (e) => e.bestLoss ?? NaN), 'best so far', idx));
    colours.push('#54a24b');
  }
  return chart(rows, names, colours, { title: 'loss', scale: { zero: false } }, title);
}

/**
 * Training accuracy per iteration (raw and smoothed) and validation accuracy at each
 * check; `finalVal` adds the end-of-run validation score at the last iteration.
 */
export function accuracySpec(
  iters: readonly IterEvent[],
  evals: readonly ValEvent[],
  finalVal: ValEvent | null = null,
  title = 'Accuracy',
): ChartSpec {
  const acc = Float64Array.from(iters, (e) => e.batchAcc);
  const idx = strideIndices(iters.length, MAX_POINTS);
  const train = iters.length > 0 && iters[0].bestLoss !== undefined ? 'train (each try)' : 'train (minibatch)';
  const span = smoothingSpan(iters.length);
  const names = [train, `${train}, smoothed`, 'validation'];
  const val = [...evals, ...(finalVal ? [finalVal] : [])].map((e) => ({ iter: e.iter, value: e.valAcc, series: names[2] }));
  const rows = [...series(iters, acc, names[0], idx), ...series(iters, smoothEma(acc, span), names[1], idx), ...val];
  return chart(rows, names, ['#b3c9e0', '#1f5fa0', '#f58518'], { title: 'accuracy', axis: { format: '.0%' } }, title, names[2]);
}
