/**
 * The runs table: every folder under --dir, sortable by any column, filtered by a text,
 * kept live by the server's event stream (new runs appear, running ones update).
 * Select runs to compare them. Long lists draw their first rows and offer the rest.
 */
import type { Row } from './api.js';
import { duration, fmt, h, pct } from './dom.js';

interface Column {
  key: keyof Row;
  label: string;
  show: (r: Row) => string;
  numeric?: boolean;
}

/** The start in local time, as `lintrain runs` prints it. */
function date(iso?: string): string {
  const d = iso ? new Date(iso) : null;
  if (!d || Number.isNaN(d.getTime())) return '–';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

const COLUMNS: Column[] = [
  { key: 'startedAt', label: 'date', show: (r) => date(r.startedAt) },
  { key: 'name', label: 'name', show: (r) => r.name },
  { key: 'kind', label: 'kind', show: (r) => r.kind ?? '–' },
  { key: 'loss', label: 'loss', show: (r) => r.loss ?? '–' },
  { key: 'opt', label: 'optimizer', show: (r) => r.opt ?? '–' },
  { key: 'lr', label: 'lr', show: (r) => fmt(r.lr), numeric: true },
  { key: 'reg', label: 'reg', show: (r) => fmt(r.reg), numeric: true },
  { key: 'iters', label: 'iterations', show: (r) => (r.iters === undefined || r.iters === null ? '–' : String(r.iters)), numeric: true },
  { key: 'trainAcc', label: 'train', show: (r) => pct(r.trainAcc), numeric: true },
  { key: 'valAcc', label: 'val', show: (r) => pct(r.valAcc), numeric: true },
  { key: 'testAcc', label: 'test', show: (r) => pct(r.testAcc), numeric: true },
  { key: 'timeSec', label: 'time', show: (r) => duration(r.timeSec), numeric: true },
  { key: 'status', label: 'status', show: (r) => r.status },
];
const SHOW_AT_ONCE = 500;

export function runsPage(root: HTMLElement): () => void {
  const rows = new Map<string, Row>();
  const selected = new Set<string>();
  let sortKey: keyof Row = 'startedAt';
  let sortUp = false; // newest first
  let limit = SHOW_AT_ONCE;
  const filter = h('input', { type: 'search', id: 'runs-filter', placeholder: 'filter: svm, adam, running…', 'aria-label': 'filter runs' });
  const compare = h('button', { id: 'runs-compare', disabled: true }, 'compare selected');
  const count = h('span', { class: 'muted', id: 'runs-count' });
  const table = h('table', { id: 'runs-table', class: 'runs' });
  const more = h('p');
  const state = h('p', { class: 'muted', id: 'runs-state' }, 'loading…');
  root.append(h('h1', {}, 'Runs'), h('div', { class: 'toolbar' }, filter, compare, count), state, table, more);

  compare.addEventListener('click', () => {
    location.hash = `#/compare?runs=${[...selected].map(encodeURIComponent).join(',')}`;
  });
  filter.addEventListener('input', () => {
    limit = SHOW_AT_ONCE;
    draw();
  });

  function sorted(): Row[] {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    const list = [...rows.values()].filter((r) => {
      const text =
        COLUMNS.map((c) => c.show(r))
          .join(' ')
          .toLowerCase() + ` ${r.damaged ?? ''}`;
      return words.every((w) => text.includes(w));
    });
    const dir = sortUp ? 1 : -1;
    return list.sort((a, b) => {
      const x = a[sortKey];
      const y = b[sortKey];
      const missing = (v: unknown) => v === undefined || v === null || (typeof v === 'number' && !Number.isFinite(v));
      if (missing(x) || missing(y)) return missing(x) === missing(y) ? 0 : missing(x) ? 1 : -1;
      return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * dir;
    });
  }

  function draw(): void {
    const list = sorted();
    const head = h(
      'tr',
      {},
      h('th', {}, ''),
      ...COLUMNS.map((c) =>
        h(
          'th',
          {
            class: `${c.numeric ? 'num' : ''} sortable`,
            'data-key': c.key,
            onclick: () => {
              sortUp = sortKey === c.key ? !sortUp : !!c.numeric === false;
              sortKey = c.key;
              draw();
            },
          },
          c.label + (sortKey === c.key ? (sortUp ? ' ▲' : ' ▼') : ''),
        ),
      ),
    );
    const body = list.slice(0, limit).map((r) => {
      const box = h('input', { type: 'checkbox', 'aria-label': `select ${r.name}`, checked: selected.has(r.name) });
      box.addEventListener('change', () => {
        if (box.checked) selected.add(r.name);
        else selected.delete(r.name);
        compare.toggleAttribute('disabled', selected.size < 2);
      });
      return h(
        'tr',
        { class: `status-${r.status}`, 'data-name': r.name },
        h('td', {}, box),
        ...COLUMNS.map((c) => {
          if (c.key === 'name') return h('td', {}, h('a', { href: `#/run/${encodeURIComponent(r.name)}` }, r.name));
          if (c.key === 'status')
            return h(
              'td',
              {},
              h('span', { class: `badge ${r.status}` }, r.status),
              r.damaged ? h('span', { class: 'damaged', title: r.damaged }, ` ${r.damaged}`) : null,
            );
          return h('td', { class: c.numeric ? 'num' : '' }, c.show(r));
        }),
      );
    });
    table.replaceChildren(h('thead', {}, head), h('tbody', {}, ...body));
    count.textContent = `${list.length} of ${rows.size} runs`;
    more.replaceChildren();
    if (list.length > limit)
      more.append(
        h(
          'button',
          {
            onclick: () => {
              limit += SHOW_AT_ONCE;
              draw();
            },
          },
          `show ${Math.min(SHOW_AT_ONCE, list.length - limit)} more`,
        ),
      );
  }

  const events = new EventSource('/api/runs-stream');
  events.addEventListener('runs', (e) => {
    rows.clear();
    for (const r of JSON.parse((e as MessageEvent).data) as Row[]) rows.set(r.name, r);
    state.textContent = rows.size ? '' : 'no runs here yet: train one (lintrain --out runs/first) and it appears.';
    draw();
  });
  events.addEventListener('run', (e) => {
    const r = JSON.parse((e as MessageEvent).data) as Row;
    rows.set(r.name, r);
    state.textContent = '';
    draw();
  });
  events.addEventListener('gone', (e) => {
    rows.delete(JSON.parse((e as MessageEvent).data) as string);
    draw();
  });
  events.addEventListener('error', () => {
    state.textContent = 'the board stopped answering; it reconnects when it is back.';
  });
  return () => events.close();
}
