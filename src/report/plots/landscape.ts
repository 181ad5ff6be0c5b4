/**
 * The loss landscape's pictures, as in the CS231n optimization notes ("Visualizing the
 * loss function"): the loss along one random direction, a curve per example count, and
 * over the plane of two directions, blue for low loss and red for high.
 */
import type { FieldChart, LineChart } from './svg.js';

/** A slice of the landscape as landscape.json holds it (model/landscape.ts computes it). */
export interface SliceData {
  examples: number;
  curve: ArrayLike<number>; // the loss at each alpha
  grid: ArrayLike<number>; // alphas² values, row-major, row = b, column = a
}

const COLOURS = ['#1f5fa0', '#d62728', '#54a24b', '#f58518', '#8e6bbf', '#7f7f7f'];

export const examplesText = (n: number): string => `${n} example${n === 1 ? '' : 's'}`;

/** L(W + a·W1) against a, one curve per example count. */
export function landscapeCurves(alphas: ArrayLike<number>, slices: readonly SliceData[], title: string): LineChart {
  return {
    kind: 'lines',
    title,
    width: 640,
    height: 360,
    x: { title: 'a (W + a·W1)' },
    y: { title: 'loss', zero: true },
    series: slices.map((s, k) => ({
      name: examplesText(s.examples),
      color: COLOURS[k % COLOURS.length],
      points: Array.from({ length: alphas.length }, (_, i) => [alphas[i], s.curve[i]] as const),
    })),
  };
}

/** L(W + a·W1 + b·W2) over the plane, W itself marked at the centre. */
export function landscapeField(alphas: ArrayLike<number>, slice: SliceData, title: string): FieldChart {
  return {
    kind: 'field',
    title,
    width: 420,
    height: 420,
    x: { title: 'a (along W1)' },
    y: { title: 'b (along W2)' },
    xs: alphas,
    ys: alphas,
    values: slice.grid,
    colorTitle: 'loss',
    bands: 16, // level lines: straight within a facet of the hinge loss, bent where a hinge turns
    mark: { x: 0, y: 0, label: 'W' },
  };
}
