/**
 * The toy page, #/toy (in the spirit of the CS231n linear-classification demo): nine points
 * in 2-D, a linear classifier with every number editable, three losses, and a step button.
 * The math is toy.ts, which calls the trainer's own loss code; this file builds the page
 * from toy-dom.ts's pieces, and toy-draw.ts paints the plane. `#/toy?seed=7&loss=ova`
 * picks the seed of the randomize buttons and the starting loss. The ids (toy-step,
 * toy-run, toy-total-loss, …) are the browser test's hooks: keep them.
 */
import { Rng } from '../../core/rng.js';
import { drawPlane } from './toy-draw.js';
import { Fields, el, fmt, paramsTable, pointsTable } from './toy-dom.js';
import { INTRO, LOSS_TEXT, STEP_FORMULA, TOTAL_FORMULA } from './toy-text.js';
import { DEFAULT_SETTINGS, TOY_LOSS_NAMES, defaultData, defaultW, evaluate, randomData, randomW, step } from './toy.js';
import type { ToyLossName, ToySettings } from './toy.js';

const SIZE = 400; // the canvas, CSS pixels
const RUN_MS = 100; // "run": about 10 steps a second, slow enough to watch

function button(id: string, text: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', { id, type: 'button', textContent: text });
  b.addEventListener('click', onClick);
  return b;
}

export function toyPage(root: HTMLElement, params: URLSearchParams): () => void {
  const rng = new Rng(Number(params.get('seed') ?? 1) >>> 0);
  const asked = params.get('loss') as ToyLossName;
  const settings: ToySettings = { ...DEFAULT_SETTINGS, loss: TOY_LOSS_NAMES.includes(asked) ? asked : DEFAULT_SETTINGS.loss };
  const Wb = defaultW();
  let data = defaultData();
  let timer: ReturnType<typeof setInterval> | undefined;

  const fields = new Fields(render); // W̃ and the settings
  const points = pointsTable(new Fields(render), render);
  const canvas = el('canvas', { id: 'toy-regions', className: 'toy-canvas' });
  const dpr = window.devicePixelRatio || 1;
  canvas.width = canvas.height = Math.round(SIZE * dpr);
  canvas.style.width = canvas.style.height = `${SIZE}px`;

  const lossSelect = el(
    'select',
    { id: 'toy-loss' },
    ...TOY_LOSS_NAMES.map((name) => el('option', { value: name }, LOSS_TEXT[name].title)),
  );
  lossSelect.value = settings.loss;
  lossSelect.addEventListener('change', () => {
    settings.loss = lossSelect.value as ToyLossName;
    render();
  });
  const deltaField = fields.field(settings, 'delta');

  const runButton = button('toy-run', 'run', () => (timer === undefined ? startRun() : stopRun()));
  runButton.setAttribute('aria-pressed', 'false');
  const buttons = el(
    'div',
    { className: 'toy-buttons' },
    button('toy-step', 'step', () => {
      step(Wb, data, settings);
      render();
    }),
    runButton,
    button('toy-randomize-w', 'randomize W', () => {
      Wb.set(randomW(rng));
      render();
    }),
    button('toy-randomize-data', 'randomize data', () => {
      data = randomData(rng, data.n);
      points.show(data);
      render();
    }),
  );

  const value = (props: object = {}) => el('span', { className: 'toy-value', ...props });
  const [dataLoss, regLoss, total] = [value(), value(), value({ id: 'toy-total-loss', className: 'toy-value toy-total' })];
  const lossLine = el(
    'p',
    { className: 'toy-losses' },
    'data loss ',
    dataLoss,
    ' + regularization loss ',
    regLoss,
    ' = total loss ',
    total,
  );
  const [lossTitle, lossFormula, lossNote] = [el('h3'), el('div', { className: 'toy-formula' }), el('p', { className: 'toy-note' })];

  /** Everything from W̃, the points and the settings; returns the total loss. */
  function render(): number {
    const e = evaluate(Wb, data, settings);
    drawPlane(canvas, Wb, data, dpr);
    fields.refresh();
    points.update(data, e);
    deltaField.disabled = settings.loss === 'softmax'; // softmax has no margin
    dataLoss.textContent = fmt(e.dataLoss, 4);
    regLoss.textContent = fmt(e.regLoss, 4);
    total.textContent = fmt(e.total, 4);
    const text = LOSS_TEXT[settings.loss];
    lossTitle.textContent = text.title;
    lossFormula.textContent = text.formula;
    lossNote.textContent = text.note;
    return e.total;
  }

  function startRun(): void {
    runButton.textContent = 'stop';
    runButton.setAttribute('aria-pressed', 'true');
    timer = setInterval(() => {
      step(Wb, data, settings);
      if (!Number.isFinite(render())) stopRun(); // diverged (a step size too large): nothing more to watch
    }, RUN_MS);
  }

  function stopRun(): void {
    clearInterval(timer);
    timer = undefined;
    runButton.textContent = 'run';
    runButton.setAttribute('aria-pressed', 'false');
  }

  const settingsRow = el(
    'div',
    { className: 'toy-settings' },
    el('label', {}, 'loss ', lossSelect),
    el('label', {}, 'margin Δ ', deltaField),
    el('label', {}, 'λ (L2 on W) ', fields.field(settings, 'reg', '0.01')),
    el('label', {}, 'step size η ', fields.field(settings, 'stepSize', '0.01')),
  );
  const explain = el(
    'div',
    { className: 'toy-explain' },
    lossTitle,
    lossFormula,
    lossNote,
    el('div', { className: 'toy-formula' }, TOTAL_FORMULA),
    el('div', { className: 'toy-formula' }, STEP_FORMULA),
  );
  const left = el('div', { className: 'toy-left' }, canvas, buttons, lossLine);
  const panel = el('div', { className: 'toy-panel' }, paramsTable(Wb, fields), settingsRow, explain);
  root.append(
    el(
      'section',
      { className: 'toy-page' },
      el('h1', {}, 'A linear classifier in 2-D'),
      el('p', { className: 'toy-intro' }, INTRO),
      el('div', { className: 'toy-layout' }, left, panel),
      points.table,
    ),
  );
  points.show(data);
  render();
  return stopRun;
}
