/**
 * A sweep's validation accuracy over its hyperparameters (the assignment's plot):
 * two swept keys give a scatter over both, coloured by accuracy; one gives accuracy
 * against it. Axes are logarithmic when every value is positive, as the search is.
 */
import type { Params, PointResult } from '../../sweep/points.js';
import type { Axis, LineChart, ScatterChart } from './svg.js';

/** keys: the swept keys, the first two drawn; points: one per point of the sweep (diverged ones left out). */
export function sweepChart(
  points: readonly PointResult[],
  keys: readonly string[],
  title = 'Validation accuracy',
): ScatterChart | LineChart {
  const value = (p: Params, k: string) => (p as Record<string, number>)[k];
  const ok = points.filter((p) => Number.isFinite(p.valAcc));
  const axis = (k: string): Axis => {
    const log = points.every((p) => value(p.params, k) > 0);
    return { title: log ? `${k} (log)` : k, log };
  };
  const size = { width: 480, height: 400 };
  if (keys.length >= 2) {
    return {
      kind: 'scatter',
      title,
      ...size,
      x: axis(keys[0]),
      y: axis(keys[1]),
      colorTitle: 'val accuracy',
      colorPercent: true,
      points: ok.map((p) => ({ x: value(p.params, keys[0]), y: value(p.params, keys[1]), value: p.valAcc })),
    };
  }
  const pts = ok.map((p) => [value(p.params, keys[0]), p.valAcc] as const).sort((a, b) => a[0] - b[0]);
  return {
    kind: 'lines',
    title,
    ...size,
    x: axis(keys[0]),
    y: { title: 'validation accuracy', percent: true },
    series: [{ name: 'validation accuracy', color: '#1f5fa0', points: pts, dots: true }],
  };
}
