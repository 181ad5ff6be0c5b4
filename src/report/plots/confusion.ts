/**
 * The confusion matrix as a heat map: rows the true class, columns the predicted
 * one, each cell its count, coloured by the share of its row (so a class with few
 * images is as readable as a big one). The diagonal is the per-class accuracy.
 */
import { C } from '../../core/shapes.js';
import type { HeatMap } from './svg.js';

/** cm: C×C counts, row-major, rows = true class. */
export function confusionChart(cm: Int32Array, classNames: readonly string[], title = 'Confusion matrix'): HeatMap {
  const rows: string[] = [];
  const shares = new Float64Array(C * C);
  for (let t = 0; t < C; t++) {
    let sum = 0;
    for (let p = 0; p < C; p++) sum += cm[t * C + p];
    rows.push(`${classNames[t]} (${sum})`); // the row's total beside its name: the images of that class
    for (let p = 0; p < C; p++) shares[t * C + p] = sum > 0 ? cm[t * C + p] / sum : 0;
  }
  return {
    kind: 'heat',
    title,
    cell: 48,
    rows,
    cols: [...classNames],
    counts: cm,
    shares,
    xTitle: 'predicted class',
    yTitle: 'true class (images)',
    colorTitle: 'share of row',
  };
}
