/** Several runs side by side: their curves overlaid, their configs in columns with the differences marked. */
import { type Metrics, type RunDetails, runUrl } from './api.js';
import { lineChart } from './charts.js';
import { fmt, getJson, h, pct } from './dom.js';
import { differingKeys, smooth } from './scales.js';

const PALETTE = ['#1f6feb', '#e36209', '#22863a', '#6f42c1', '#d73a49', '#0598bc', '#b08800', '#6a737d'];

export function comparePage(root: HTMLElement, params: URLSearchParams): undefined {
  const names = (params.get('runs') ?? '').split(',').filter(Boolean).map(decodeURIComponent);
  root.append(h('h1', {}, `Compare ${names.length} runs`));
  if (names.length === 0) {
    root.append(h('p', {}, 'Select runs in the runs table, then press “compare selected”.'));
    return;
  }
  const weight = h('input', { type: 'range', min: 0, max: 0.99, step: 0.01, value: 0.9, id: 'compare-smoothing' });
  const charts = h('div', { class: 'charts' });
  const configs = h('div', { id: 'compare-config' });
  root.append(h('div', { class: 'toolbar' }, h('label', {}, 'smoothing ', weight)), charts, configs);
  Promise.all(names.map((n) => Promise.all([getJson<RunDetails>(runUrl(n)), getJson<Metrics>(`${runUrl(n)}/metrics?points=800`)])))
    .then((runs) => {
      const draw = () => {
        const w = Number(weight.value);
        const color = (i: number) => PALETTE[i % PALETTE.length];
        charts.replaceChildren(
          h(
            'div',
            { class: 'chart-box', id: 'compare-loss' },
            lineChart(
              runs.map(([, m], i) => ({
                name: names[i],
                x: m.iter.iter,
                y: smooth(m.iter.loss ?? m.iter.bestLoss ?? [], w),
                color: color(i),
                width: 2,
              })),
              { xLabel: 'iteration', yLabel: 'loss (smoothed)', title: 'Loss' },
            ),
          ),
          h(
            'div',
            { class: 'chart-box', id: 'compare-val' },
            lineChart(
              runs.map(([, m], i) => ({ name: names[i], x: m.val.iter, y: m.val.valAcc ?? [], color: color(i), width: 2, dots: true })),
              { xLabel: 'iteration', yLabel: 'validation accuracy', title: 'Validation accuracy' },
            ),
          ),
        );
      };
      draw();
      weight.addEventListener('input', draw);
      const cfgs = runs.map(([d]) => (d.config ?? {}) as Record<string, unknown>);
      const differ = differingKeys(cfgs);
      const keys = [...new Set(cfgs.flatMap((c) => Object.keys(c)))].sort((a, b) => Number(differ.has(b)) - Number(differ.has(a)));
      const cell = (v: unknown) => (typeof v === 'number' ? fmt(v, 6) : v === undefined ? '–' : JSON.stringify(v));
      configs.append(
        h('h2', {}, 'Results and configs'),
        h('p', { class: 'muted' }, `${differ.size} of ${keys.length} keys differ; they come first, marked.`),
        h(
          'table',
          { class: 'config compare' },
          h('tr', {}, h('th', {}, ''), ...names.map((n, i) => h('th', { style: `color:${PALETTE[i % PALETTE.length]}` }, n))),
          ...['trainAcc', 'valAcc', 'testAcc'].map((k) =>
            h('tr', { class: 'result' }, h('th', {}, k), ...runs.map(([d]) => h('td', {}, pct(d.summary?.[k] as number)))),
          ),
          ...keys.map((k) =>
            h('tr', { class: differ.has(k) ? 'differs' : '' }, h('th', {}, k), ...cfgs.map((c) => h('td', {}, cell(c[k])))),
          ),
        ),
      );
    })
    .catch((e) => root.append(h('p', { class: 'error' }, String(e))));
  return undefined;
}
