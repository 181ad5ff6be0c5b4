/**
 * The toy page's DOM pieces: elements, number fields bound to the numbers they show, and the
 * page's two tables (W̃ and the points). No math here: the numbers come from toy.ts.
 */
import { CLASSES, WIDTH, argmax } from './toy.js';
import type { Evaluation, ToyData } from './toy.js';
import { TABLE_CAPTION } from './toy-text.js';

/** document.createElement with properties and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: object = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

/** A number for a cell: fixed decimals, or NaN/Infinity as they are. */
export const fmt = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : String(v));

/** A number for a field: 4 significant digits, no trailing zeros (1, 0.5, −0.1235, 1e-7), easy to edit. */
const short = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v));

/**
 * Number fields bound to numbers held elsewhere (an entry of W̃ or of the points, a setting).
 * Typing a number stores it and calls onChange; refresh() shows the current values, except in
 * the field being typed in (a run would otherwise overwrite the keystrokes).
 */
export class Fields {
  private refreshers: (() => void)[] = [];
  constructor(private readonly onChange: () => void) {}

  field<K extends PropertyKey>(holder: { [P in K]: number }, key: K, step = '0.1'): HTMLInputElement {
    const input = el('input', { type: 'number', step, className: 'toy-number' });
    input.addEventListener('input', () => {
      const v = Number.parseFloat(input.value);
      if (Number.isFinite(v)) {
        holder[key] = v;
        this.onChange();
      }
    });
    this.refreshers.push(() => {
      if (document.activeElement !== input) input.value = short(holder[key]);
    });
    return input;
  }

  refresh(): void {
    for (const r of this.refreshers) r();
  }

  clear(): void {
    this.refreshers = [];
  }
}

/** W̃ = [W | b] as a table, one row per class: w_k1, w_k2, b_k. */
export function paramsTable(Wb: Float64Array, fields: Fields): HTMLTableElement {
  const head = el('tr', {}, el('th'), ...['w_k1', 'w_k2', 'b_k'].map((h) => el('th', {}, h)));
  const rows = Array.from({ length: CLASSES }, (_, k) => {
    const cells = Array.from({ length: WIDTH }, (_, d) => el('td', {}, fields.field(Wb, k * WIDTH + d)));
    return el('tr', {}, el('th', { className: `toy-c${k}` }, `class ${k}`), ...cells);
  });
  return el('table', { className: 'toy-params' }, head, ...rows);
}

/** The per-point table: x1, x2 and y editable, then the scores s0..s2 and L_i, filled by update(). */
export function pointsTable(fields: Fields, onChange: () => void) {
  const classHead = (k: number) => el('th', { className: `toy-c${k}` }, `s${k}`);
  const head = el(
    'tr',
    {},
    ...['#', 'x1', 'x2', 'y'].map((h) => el('th', {}, h)),
    classHead(0),
    classHead(1),
    classHead(2),
    el('th', {}, 'L_i'),
  );
  const body = el('tbody');
  const table = el('table', { id: 'toy-table', className: 'toy-table' }, el('caption', {}, TABLE_CAPTION), el('thead', {}, head), body);
  let rows: { s: HTMLElement[]; L: HTMLElement; tr: HTMLTableRowElement }[] = [];

  function show(data: ToyData): void {
    fields.clear();
    rows = [];
    body.replaceChildren();
    for (let i = 0; i < data.n; i++) {
      const y = el('select', {}, ...[0, 1, 2].map((k) => el('option', { value: String(k) }, String(k))));
      y.value = String(data.labels[i]);
      y.addEventListener('change', () => {
        data.labels[i] = Number(y.value);
        onChange();
      });
      const xs = [0, 1].map((d) => el('td', {}, fields.field(data.xy, 2 * i + d)));
      const s = [0, 1, 2].map((k) => el('td', { className: `toy-c${k}` }));
      const L = el('td');
      const tr = el('tr', {}, el('td', { className: 'toy-muted' }, String(i)), ...xs, el('td', {}, y), ...s, L);
      body.append(tr);
      rows.push({ s, L, tr });
    }
  }

  function update(data: ToyData, e: Evaluation): void {
    fields.refresh();
    for (let i = 0; i < data.n; i++) {
      for (let k = 0; k < CLASSES; k++) rows[i].s[k].textContent = fmt(e.scores[i * CLASSES + k], 2);
      rows[i].L.textContent = fmt(e.perPoint[i], 2);
      rows[i].tr.classList.toggle('toy-wrong', argmax(e.scores, i * CLASSES) !== data.labels[i]);
    }
  }

  return { table, show, update };
}
