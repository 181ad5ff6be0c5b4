/**
 * A sweep's validation accuracy over its hyperparameters (the assignment's plot):
 * two swept keys give a scatter over both, coloured by accuracy; one gives accuracy
 * against it. Axes are logarithmic when every value is positive, as the search is.
 */
import type { Params, PointResult } from '../../sweep.js';
import type { ChartSpec } from './render.js';

/** keys: the swept keys, the first two drawn; points: one per point of the sweep. */
export function sweepSpec(points: readonly PointResult[], keys: readonly string[], title = 'Validation accuracy'): ChartSpec {
  const value = (p: Params, k: string) => (p as Record<string, number>)[k];
  const rows = points
    .filter((p) => Number.isFinite(p.valAcc))
    .map((p) => ({ ...p.params, valAcc: p.valAcc }));
  const axis = (k: string) => {
    const log = points.every((p) => value(p.params, k) > 0);
    return { field: k, type: 'quantitative', title: log ? `${k} (log)` : k, scale: log ? { type: 'log', nice: false, padding: 24 } : { zero: false, nice: false, padding: 24 }, axis: { format: '.2~e' } };
  };
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, width: 480, height: 400, data: { values: rows } };
  if (keys.length >= 2) {
    return {
      ...base,
      mark: { type: 'square', size: 260, filled: true, opacity: 1, stroke: '#333', strokeWidth: 0.5 },
      encoding: {
        x: axis(keys[0]),
        y: axis(keys[1]),
        color: { field: 'valAcc', type: 'quantitative', title: 'val accuracy', scale: { scheme: 'viridis' }, legend: { format: '.1%' } },
        tooltip: [{ field: keys[0] }, { field: keys[1] }, { field: 'valAcc', format: '.2%' }],
      },
    } as ChartSpec;
  }
  return {
    ...base,
    mark: { type: 'line', point: true },
    encoding: {
      x: axis(keys[0]),
      y: { field: 'valAcc', type: 'quantitative', title: 'validation accuracy', axis: { format: '.0%' }, scale: { zero: false } },
    },
  } as ChartSpec;
}
