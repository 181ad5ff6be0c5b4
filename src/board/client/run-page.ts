/**
 * One run: its progress while it trains, its curves (growing live through the server's
 * event stream), per-class accuracy, the confusion matrix, the learned templates, its
 * config and files. A sweep shows its lr × reg plot and parallel coordinates instead,
 * a landscape its slices of the loss.
 */
import { fileUrl, type Metrics, type RunDetails, runUrl } from './api.js';
import { heatMap } from './charts.js';
import { accuracyChart, lossChart } from './curves.js';
import { duration, fmt, getJson, h, pct } from './dom.js';
import { drawLandscape } from './landscape-view.js';
import { templates } from './scales.js';
import { drawSweep } from './sweep-view.js';

const POINTS = 1000;

export function runPage(root: HTMLElement, _params: URLSearchParams, path: string[]): () => void {
  const name = path[0] ?? '';
  const stops: (() => void)[] = [];
  root.append(h('p', { class: 'muted' }, 'loading…'));
  getJson<RunDetails>(runUrl(name))
    .then((run) => {
      root.replaceChildren();
      stops.push(drawRun(root, name, run));
    })
    .catch(() => root.replaceChildren(h('h1', {}, name), h('p', { class: 'error' }, `No run folder named ${name} here.`)));
  return () => {
    for (const stop of stops) stop();
  };
}

function drawRun(root: HTMLElement, name: string, run: RunDetails): () => void {
  const row = run.row;
  const kind = row?.kind ?? 'train';
  root.append(
    h(
      'h1',
      {},
      name,
      ' ',
      h('span', { class: `badge ${row?.status ?? 'damaged'}`, id: 'run-status' }, row?.status ?? 'damaged'),
      ' ',
      h('span', { class: 'muted kind' }, kind),
    ),
  );
  if (row?.damaged) root.append(h('p', { class: 'error', id: 'run-damaged' }, `Damaged: ${row.damaged}`));
  let stop = () => {};
  if (kind === 'sweep') drawSweep(root, name, run);
  else if (run.landscape) drawLandscape(root, run.landscape, name);
  else stop = drawTraining(root, name, run);
  drawConfig(root, run.config);
  drawFiles(root, name, run);
  return stop;
}

/** The training curves, live, then the results once the run is done. */
function drawTraining(root: HTMLElement, name: string, run: RunDetails): () => void {
  const progress = h('div', { class: 'progress', id: 'run-progress' });
  const weight = h('input', { type: 'range', min: 0, max: 0.99, step: 0.01, value: 0.9, id: 'smoothing' });
  const weightText = h('span', {}, '0.90');
  const logY = h('input', { type: 'checkbox', id: 'log-loss' });
  const lossBox = h('div', { class: 'chart-box', id: 'chart-loss' });
  const accBox = h('div', { class: 'chart-box', id: 'chart-accuracy' });
  const note = h('p', { class: 'muted', id: 'metrics-note' });
  const results = h('div', { id: 'run-results' });
  root.append(
    progress,
    h('div', { class: 'toolbar' }, h('label', {}, 'smoothing ', weight, ' ', weightText), h('label', {}, logY, ' log loss axis')),
    h('div', { class: 'charts' }, lossBox, accBox),
    note,
    results,
  );
  let metrics: Metrics | null = null;
  let status = run.row?.status;
  let filesAt = 0;
  const draw = () => {
    if (!metrics) return;
    weightText.textContent = Number(weight.value).toFixed(2);
    const w = Number(weight.value);
    lossBox.replaceChildren(lossChart(metrics, w, logY.checked));
    accBox.replaceChildren(accuracyChart(metrics, w));
    note.textContent =
      `${metrics.iters.toLocaleString()} iterations` +
      (metrics.iters > metrics.points
        ? `, drawn as ${metrics.points} points (each the mean of its stretch; the band: its min and max)`
        : '') +
      (metrics.damaged ? `. ${metrics.damaged}` : '');
  };
  const drawProgress = (p: RunDetails['progress'], st?: string) => {
    const running = st === 'running';
    const share = p.iters ? Math.min(1, p.itersDone / p.iters) : 0;
    progress.replaceChildren(
      h('div', { class: 'bar' }, h('div', { class: 'fill', style: `width:${(share * 100).toFixed(1)}%` })),
      h(
        'span',
        { class: 'muted' },
        `${p.itersDone.toLocaleString()} / ${p.iters?.toLocaleString() ?? '?'} iterations · ${duration(p.elapsedSec)}` +
          (running && p.etaSec !== null ? ` · about ${duration(p.etaSec)} to go` : ''),
      ),
    );
  };
  drawProgress(run.progress, status);
  drawResults(results, name, run);
  weight.addEventListener('input', draw);
  logY.addEventListener('change', draw);
  const events = new EventSource(`${runUrl(name)}/stream?points=${POINTS}`);
  events.addEventListener('metrics', (e) => {
    metrics = JSON.parse((e as MessageEvent).data) as Metrics;
    drawProgress(metrics.progress, metrics.status ?? undefined);
    draw();
    if (Date.now() - filesAt > 5000 || (metrics.status && metrics.status !== status)) {
      // The folder gains files as the run goes (metrics.jsonl, then the model and pictures).
      filesAt = Date.now();
      getJson<RunDetails>(runUrl(name)).then((next) => document.getElementById('run-files')?.replaceWith(filesList(name, next)));
    }
    if (metrics.status && metrics.status !== status) {
      status = metrics.status;
      document.getElementById('run-status')?.replaceChildren(status);
      document.getElementById('run-status')?.setAttribute('class', `badge ${status}`);
      // The results (accuracies, confusion, templates) are written when the run ends.
      getJson<RunDetails>(runUrl(name)).then((next) => drawResults(results, name, next));
    }
  });
  return () => events.close();
}

/** Accuracies, per-class accuracy, confusion matrix and templates, once the run has them. */
function drawResults(box: HTMLElement, name: string, run: RunDetails): void {
  const s = run.summary ?? {};
  box.replaceChildren();
  if (typeof s.testAcc !== 'number' && typeof s.valAcc !== 'number') return;
  box.append(
    h('h2', {}, 'Results'),
    h(
      'p',
      { class: 'figures' },
      h('span', {}, `train ${pct(s.trainAcc as number)}`),
      h('span', {}, `validation ${pct(s.valAcc as number)}`),
      h('span', {}, `test ${pct(s.testAcc as number)}`),
      h('span', {}, `time ${duration(s.timeSec as number)}`),
    ),
  );
  const classes = (s.classNames as string[] | undefined) ?? [];
  const perClass = s.perClass as Record<string, number> | undefined;
  const grid = h('div', { class: 'results-grid' });
  if (perClass) {
    grid.append(
      h(
        'div',
        { id: 'per-class' },
        h('h3', {}, 'Per-class accuracy (test)'),
        ...Object.entries(perClass).map(([c, v]) =>
          h(
            'div',
            { class: 'class-bar' },
            h('span', { class: 'class-name' }, c),
            h('span', { class: 'bar' }, h('span', { class: 'fill', style: `width:${(v * 100).toFixed(1)}%` })),
            h('span', { class: 'num' }, pct(v)),
          ),
        ),
      ),
    );
  }
  const confusion = s.confusion as number[][] | undefined;
  if (confusion && classes.length)
    grid.append(
      h(
        'div',
        { id: 'confusion' },
        h('h3', {}, 'Confusion matrix (rows: true class; colour: share of the row)'),
        heatMap(confusion, classes, classes, { rowShare: true, cell: 36 }),
      ),
    );
  box.append(grid);
  if (run.files.some((f) => f.name === 'model.json')) drawTemplates(box, name, classes);
}

/** The rows of W as pictures, decoded from model.json (W is float32, base64). */
function drawTemplates(box: HTMLElement, name: string, classes: string[]): void {
  const holder = h('div', { id: 'templates' }, h('h3', {}, 'Learned templates (each class’s row of W, scaled to its own range)'));
  box.append(holder);
  getJson<{ W: string; shape: [number, number] }>(fileUrl(name, 'model.json'))
    .then((model) => {
      if (model.shape?.[1] !== 3073) return holder.append(h('p', { class: 'muted' }, 'W is not on raw pixels: no templates to draw.'));
      const bytes = Uint8Array.from(atob(model.W), (c) => c.charCodeAt(0));
      const W = new Float32Array(bytes.buffer);
      const row = h('div', { class: 'templates' });
      templates(W, model.shape[0]).forEach((img, k) => {
        const canvas = h('canvas', { width: 32, height: 32 });
        canvas.getContext('2d')!.putImageData(new ImageData(img as Uint8ClampedArray<ArrayBuffer>, 32, 32), 0, 0);
        row.append(h('figure', {}, canvas, h('figcaption', {}, classes[k] ?? String(k))));
      });
      holder.append(row);
    })
    .catch(() => holder.append(h('p', { class: 'muted' }, 'model.json could not be read.')));
}

function drawConfig(root: HTMLElement, config: Record<string, unknown> | null): void {
  if (!config) return;
  root.append(
    h('h2', {}, 'Config'),
    h(
      'table',
      { class: 'config', id: 'run-config' },
      ...Object.entries(config).map(([k, v]) =>
        h('tr', {}, h('th', {}, k), h('td', {}, typeof v === 'number' ? fmt(v, 6) : JSON.stringify(v))),
      ),
    ),
  );
}

/** The run folder's files, each a download link; redrawn as a running run writes more. */
function filesList(name: string, run: RunDetails): HTMLElement {
  return h(
    'ul',
    { class: 'files', id: 'run-files' },
    ...run.files.map((f) =>
      h(
        'li',
        {},
        h('a', { href: `${fileUrl(name, f.name)}?download`, download: f.name }, f.name),
        h('span', { class: 'muted' }, ` ${(f.size / 1024).toFixed(1)} KB`),
      ),
    ),
  );
}

function drawFiles(root: HTMLElement, name: string, run: RunDetails): void {
  root.append(h('h2', {}, 'Files'), filesList(name, run));
}
