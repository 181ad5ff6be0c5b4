/**
 * The confusion matrix as a heat map: rows the true class, columns the predicted
 * one, each cell its count, coloured by the share of its row (so a class with few
 * images is as readable as a big one). The diagonal is the per-class accuracy.
 */
import { C } from '../../shapes.js';
import type { ChartSpec } from './render.js';

/** cm: C×C counts, row-major, rows = true class. */
export function confusionSpec(cm: Int32Array, classNames: readonly string[], title = 'Confusion matrix'): ChartSpec {
  const rows: { truth: string; predicted: string; count: number; share: number }[] = [];
  const truths: string[] = [];
  for (let t = 0; t < C; t++) {
    let sum = 0;
    for (let p = 0; p < C; p++) sum += cm[t * C + p];
    const truth = `${classNames[t]} (${sum})`; // the row's total beside its name: the images of that class
    truths.push(truth);
    for (let p = 0; p < C; p++) {
      const count = cm[t * C + p];
      rows.push({ truth, predicted: classNames[p], count, share: sum > 0 ? count / sum : 0 });
    }
  }
  const x = { field: 'predicted', type: 'ordinal', sort: [...classNames], title: 'predicted class', axis: { labelAngle: -40, orient: 'top' } };
  const y = { field: 'truth', type: 'ordinal', sort: truths, title: 'true class (images)' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 480,
    height: 480,
    data: { values: rows },
    encoding: { x, y },
    layer: [
      {
        mark: { type: 'rect' },
        encoding: {
          color: { field: 'share', type: 'quantitative', title: 'share of row', scale: { scheme: 'blues', domain: [0, 1] }, legend: { format: '.0%' } },
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' },
        },
      },
    ],
  } as ChartSpec;
}
