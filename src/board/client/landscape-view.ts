/** A landscape's page: `lintrain landscape`'s slices of the loss through W. */
import type { Landscape } from './api.js';
import { heatMap, lineChart } from './charts.js';
import { fmt, h } from './dom.js';

/** `lintrain landscape`: the loss along one random direction (curves) and two (heat maps), as in the CS231n notes. */
export function drawLandscape(root: HTMLElement, land: Landscape, _name: string): void {
  const a = land.alphas;
  const box = h('div', { class: 'charts', id: 'landscape' });
  box.append(
    h(
      'div',
      { class: 'chart-box' },
      lineChart(
        land.slices.map((sl, i) => ({
          name: `${sl.examples} example${sl.examples === 1 ? '' : 's'}`,
          x: a,
          y: sl.curve,
          color: ['#1f6feb', '#e36209', '#22863a', '#6f42c1'][i % 4],
          width: 2,
        })),
        { xLabel: 'a  (W + a·W₁)', yLabel: `${land.loss} loss`, title: 'Along one random direction' },
      ),
    ),
  );
  for (const sl of land.slices) {
    const n = a.length;
    const rows: number[][] = [];
    for (let i = n - 1; i >= 0; i--) rows.push(sl.grid.slice(i * n, (i + 1) * n));
    const labels = a.map((v, i) => (i % Math.ceil(n / 8) === 0 ? fmt(v, 2) : ''));
    box.append(
      h(
        'div',
        { class: 'chart-box' },
        h('h3', {}, `W + a·W₁ + b·W₂, ${sl.examples} example${sl.examples === 1 ? '' : 's'} (b up, a across)`),
        heatMap(rows, [...labels].reverse(), labels, { cell: Math.max(4, Math.floor(360 / n)), format: () => '' }),
      ),
    );
  }
  root.append(
    h(
      'p',
      {},
      'The loss sliced through a weight matrix W along random directions, as in the CS231n optimization notes: for one example it is piecewise linear, and averaged over many it becomes a smoother bowl.',
    ),
    box,
  );
}
