/**
 * Pictures for the terminal: a small line chart of the loss (asciichart) and the
 * confusion matrix as a coloured table with each class's accuracy beside its row.
 * Pure: they return text; the caller decides where (and whether) it goes.
 */
import { plot } from 'asciichart';
import type { ChalkInstance } from 'chalk';
import { C } from '../core/shapes.js';

/** Bucket means: `n` values → at most `width`, so a 1,500-iteration loss fits a terminal line. */
export function downsample(values: ArrayLike<number>, width: number): Float64Array {
  const n = values.length;
  const m = Math.min(n, width);
  const out = new Float64Array(m);
  for (let b = 0; b < m; b++) {
    const lo = Math.floor((b * n) / m);
    const hi = Math.floor(((b + 1) * n) / m);
    let s = 0;
    for (let i = lo; i < hi; i++) s += values[i];
    out[b] = s / (hi - lo);
  }
  return out;
}

/** The loss as an ASCII line chart, about `width` columns of data and `height` rows. */
export function lossChart(losses: ArrayLike<number>, width = 60, height = 10): string {
  const points = Array.from(downsample(losses, width));
  if (points.length === 0) return '';
  const digits = Math.max(...points.map(Math.abs)) >= 100 ? 1 : 4;
  return plot(points, { height, format: (x: number) => x.toFixed(digits).padStart(10) });
}

/**
 * The confusion matrix (C×C counts, rows = true class) as a table: the diagonal green,
 * off-diagonal cells brighter red the larger their share of the row, then each row's
 * total and the class's accuracy (its diagonal over its total).
 */
export function confusionTable(cm: Int32Array, classNames: readonly string[], c: ChalkInstance): string {
  const short = classNames.map((n) => n.slice(0, 5));
  const nameW = Math.max(...classNames.map((n) => n.length), 'true \\ predicted'.length);
  const cellW = Math.max(5, ...Array.from(cm, (v) => String(v).length));
  const head = ['true \\ predicted'.padEnd(nameW), ...short.map((s) => s.padStart(cellW)), 'total'.padStart(6), 'acc'.padStart(7)];
  const lines = [c.bold(head.join(' '))];
  for (let t = 0; t < C; t++) {
    let total = 0;
    for (let p = 0; p < C; p++) total += cm[t * C + p];
    const cells = [];
    for (let p = 0; p < C; p++) {
      const v = cm[t * C + p];
      const share = total > 0 ? v / total : 0;
      const text = String(v).padStart(cellW);
      cells.push(p === t ? c.green.bold(text) : share >= 0.15 ? c.red.bold(text) : share >= 0.05 ? c.yellow(text) : c.dim(text));
    }
    const acc = total > 0 ? cm[t * C + t] / total : NaN;
    const accText = (Number.isFinite(acc) ? `${(100 * acc).toFixed(1)}%` : '–').padStart(7);
    lines.push([classNames[t].padEnd(nameW), ...cells, String(total).padStart(6), accColour(c, acc)(accText)].join(' '));
  }
  return lines.join('\n');
}

/** Green from 50%, yellow from 30%, red below: CIFAR-10's linear classifiers sit around 40%. */
export const accColour = (c: ChalkInstance, acc: number) => (acc >= 0.5 ? c.green : acc >= 0.3 ? c.yellow : c.red);
