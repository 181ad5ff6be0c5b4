/**
 * The board's charts, drawn as SVG by hand: curves, a heat map, a scatter and parallel
 * coordinates. Four small pictures did not justify a charting library of a megabyte;
 * these take the points the server has already cut down (at most a few thousand).
 */
import { fmt, s } from './dom.js';
import { extent, ramp, type Scale, scale } from './scales.js';

export interface Line {
  name: string;
  x: readonly number[];
  y: readonly (number | null)[];
  color: string;
  width?: number;
  opacity?: number;
  /** a band drawn under the line (e.g. each bucket's min and max) */
  band?: { lo: readonly (number | null)[]; hi: readonly (number | null)[] };
  dots?: boolean;
}

export interface ChartOptions {
  width?: number;
  height?: number;
  xLabel?: string;
  yLabel?: string;
  logY?: boolean;
  logX?: boolean;
  yRange?: [number, number];
  title?: string;
}

const M = { left: 58, right: 14, top: 24, bottom: 38 };

function axes(svg: SVGElement, x: Scale, y: Scale, w: number, h: number, o: ChartOptions): void {
  const g = s('g', { class: 'axes' });
  for (const t of y.ticks) {
    const py = y(t);
    g.append(s('line', { x1: M.left, x2: w - M.right, y1: py, y2: py, class: 'grid' }));
    g.append(s('text', { x: M.left - 6, y: py + 4, 'text-anchor': 'end', text: fmt(t) }));
  }
  for (const t of x.ticks) {
    const px = x(t);
    g.append(s('line', { x1: px, x2: px, y1: h - M.bottom, y2: h - M.bottom + 4, class: 'tick' }));
    g.append(s('text', { x: px, y: h - M.bottom + 16, 'text-anchor': 'middle', text: fmt(t) }));
  }
  g.append(s('rect', { x: M.left, y: M.top, width: w - M.left - M.right, height: h - M.top - M.bottom, class: 'frame' }));
  if (o.xLabel) g.append(s('text', { x: (M.left + w - M.right) / 2, y: h - 4, 'text-anchor': 'middle', class: 'label', text: o.xLabel }));
  if (o.yLabel)
    g.append(
      s('text', {
        x: 12,
        y: (M.top + h - M.bottom) / 2,
        transform: `rotate(-90 12 ${(M.top + h - M.bottom) / 2})`,
        'text-anchor': 'middle',
        class: 'label',
        text: o.yLabel,
      }),
    );
  if (o.title) g.append(s('text', { x: M.left, y: 15, class: 'title', text: o.title }));
  svg.append(g);
}

/** A path through the points, broken where a value is missing. */
function pathOf(xs: readonly number[], ys: readonly (number | null)[], x: Scale, y: Scale): string {
  let d = '';
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const v = ys[i];
    if (v === null || !Number.isFinite(v) || (y.log && v <= 0)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${x(xs[i]).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  }
  return d;
}

/** Curves over a shared x axis, with a legend. */
export function lineChart(lines: readonly Line[], o: ChartOptions = {}): SVGElement {
  const w = o.width ?? 560;
  const h = o.height ?? 280;
  const svg = s('svg', { viewBox: `0 0 ${w} ${h}`, class: 'chart', role: 'img' });
  const xs = lines.flatMap((l) => l.x);
  const ys = lines.flatMap((l) => [...l.y, ...(l.band ? [...l.band.lo, ...l.band.hi] : [])]);
  const [x0, x1] = extent(xs, o.logX);
  const [y0, y1] = o.yRange ?? extent(ys, o.logY);
  const x = scale(x0, x1, M.left, w - M.right, o.logX);
  const y = scale(y0, y1, h - M.bottom, M.top, o.logY);
  axes(svg, x, y, w, h, o);
  const plot = s('g', { class: 'lines' });
  for (const l of lines) {
    if (l.band) {
      const top = pathOf(l.x, l.band.hi, x, y);
      const lo = l.band.lo;
      let bottom = '';
      for (let i = l.x.length - 1; i >= 0; i--) {
        const v = lo[i];
        if (v !== null && Number.isFinite(v) && !(y.log && v <= 0)) bottom += `L${x(l.x[i]).toFixed(1)},${y(v).toFixed(1)}`;
      }
      if (top) plot.append(s('path', { d: `${top}${bottom}Z`, fill: l.color, opacity: 0.15, stroke: 'none', class: 'band' }));
    }
    plot.append(
      s('path', {
        d: pathOf(l.x, l.y, x, y),
        fill: 'none',
        stroke: l.color,
        'stroke-width': l.width ?? 1.5,
        opacity: l.opacity ?? 1,
        class: 'curve',
        'data-name': l.name,
        'data-points': l.x.length,
      }),
    );
    if (l.dots)
      for (let i = 0; i < l.x.length; i++) {
        const v = l.y[i];
        if (v !== null && Number.isFinite(v)) plot.append(s('circle', { cx: x(l.x[i]), cy: y(v), r: 2.5, fill: l.color }));
      }
  }
  svg.append(plot);
  const legend = s('g', { class: 'legend' });
  let lx = w - M.right;
  for (const l of [...lines].reverse()) {
    if (!l.name) continue;
    const text = s('text', { x: lx, y: 15, 'text-anchor': 'end', text: l.name });
    lx -= l.name.length * 6.2 + 8;
    legend.append(s('rect', { x: lx, y: 8, width: 10, height: 3, fill: l.color }), text);
    lx -= 14;
  }
  svg.append(legend);
  return svg;
}

/** A matrix as coloured cells (each row scaled to its own total when `rowShare`), with its numbers. */
export function heatMap(
  cells: readonly (readonly number[])[],
  rowLabels: readonly string[],
  colLabels: readonly string[],
  o: { rowShare?: boolean; cell?: number; xLabel?: string; yLabel?: string; format?: (v: number) => string } = {},
): SVGElement {
  const cell = o.cell ?? 34;
  const left = 90;
  const top = 70;
  const w = left + cell * colLabels.length + 10;
  const h = top + cell * rowLabels.length + 10;
  const svg = s('svg', { viewBox: `0 0 ${w} ${h}`, class: 'chart heat', role: 'img', width: w });
  const all = cells.flat();
  const [lo, hi] = extent(all);
  cells.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((v, j) => {
      const t = o.rowShare ? v / total : (v - lo) / (hi - lo || 1);
      svg.append(
        s(
          'rect',
          { x: left + j * cell, y: top + i * cell, width: cell - 1, height: cell - 1, fill: ramp(t), class: 'cell' },
          s('title', { text: `${rowLabels[i]} → ${colLabels[j]}: ${v}` }),
        ),
        s('text', {
          x: left + (j + 0.5) * cell,
          y: top + (i + 0.5) * cell + 4,
          'text-anchor': 'middle',
          class: t > 0.6 ? 'dark' : 'light',
          text: (o.format ?? String)(v),
        }),
      );
    });
    svg.append(s('text', { x: left - 6, y: top + (i + 0.5) * cell + 4, 'text-anchor': 'end', text: rowLabels[i] }));
  });
  colLabels.forEach((c, j) => {
    const x = left + (j + 0.5) * cell;
    svg.append(s('text', { x, y: top - 6, transform: `rotate(-45 ${x} ${top - 6})`, text: c }));
  });
  if (o.yLabel) svg.append(s('text', { x: 4, y: 14, class: 'label', text: o.yLabel }));
  return svg;
}

export interface Point {
  x: number;
  y: number;
  value: number | null;
  label: string;
  id: string;
}

/** Points on (log) axes coloured by value (e.g. the assignment's lr × reg plot of validation accuracy). */
export function scatter(points: readonly Point[], o: ChartOptions & { onPick?: (p: Point) => void; valueLabel?: string } = {}): SVGElement {
  const w = o.width ?? 520;
  const h = o.height ?? 360;
  const svg = s('svg', { viewBox: `0 0 ${w} ${h}`, class: 'chart scatter', role: 'img' });
  const x = scale(
    ...extent(
      points.map((p) => p.x),
      o.logX,
    ),
    M.left + 10,
    w - M.right - 10,
    o.logX,
  );
  const y = scale(
    ...extent(
      points.map((p) => p.y),
      o.logY,
    ),
    h - M.bottom - 10,
    M.top + 10,
    o.logY,
  );
  axes(svg, x, y, w, h, o);
  const [v0, v1] = extent(points.map((p) => p.value));
  for (const p of points) {
    const dot = s(
      'circle',
      {
        cx: x(p.x),
        cy: y(p.y),
        r: 7,
        fill: p.value === null ? '#bbb' : ramp((p.value - v0) / (v1 - v0 || 1)),
        class: 'point',
        'data-id': p.id,
        onclick: () => o.onPick?.(p),
      },
      s('title', { text: p.label }),
    );
    svg.append(dot);
  }
  return svg;
}

/** One vertical axis per key, one polyline per row, coloured by `value` (W&B's parallel coordinates). */
export function parallel(
  keys: readonly { name: string; log: boolean }[],
  rows: readonly { values: readonly number[]; value: number | null; id: string; label: string }[],
  o: { width?: number; height?: number; onPick?: (id: string) => void } = {},
): SVGElement {
  const w = o.width ?? Math.max(360, 130 * keys.length);
  const h = o.height ?? 300;
  const svg = s('svg', { viewBox: `0 0 ${w} ${h}`, class: 'chart parallel', role: 'img' });
  const xs = keys.map((_, i) => 50 + (i * (w - 100)) / Math.max(1, keys.length - 1));
  const scales = keys.map((k, i) =>
    scale(
      ...extent(
        rows.map((r) => r.values[i]),
        k.log,
      ),
      h - 40,
      30,
      k.log,
    ),
  );
  const [v0, v1] = extent(rows.map((r) => r.value));
  for (const r of [...rows].sort((a, b) => (a.value ?? -1) - (b.value ?? -1))) {
    const d = r.values.map((v, i) => `${i ? 'L' : 'M'}${xs[i].toFixed(1)},${scales[i](v).toFixed(1)}`).join('');
    svg.append(
      s(
        'path',
        {
          d,
          fill: 'none',
          stroke: r.value === null ? '#bbb' : ramp((r.value - v0) / (v1 - v0 || 1)),
          'stroke-width': 2,
          class: 'row',
          'data-id': r.id,
          onclick: () => o.onPick?.(r.id),
        },
        s('title', { text: r.label }),
      ),
    );
  }
  keys.forEach((k, i) => {
    svg.append(s('line', { x1: xs[i], x2: xs[i], y1: 30, y2: h - 40, class: 'axis' }));
    svg.append(s('text', { x: xs[i], y: 18, 'text-anchor': 'middle', class: 'label', text: k.name }));
    for (const t of scales[i].ticks) svg.append(s('text', { x: xs[i] + 4, y: scales[i](t) + 4, class: 'tick-label', text: fmt(t) }));
  });
  return svg;
}

/** A colour legend for a value ramp. */
export function rampLegend(lo: number, hi: number, label: string, format: (v: number) => string = fmt): SVGElement {
  const svg = s('svg', { viewBox: '0 0 240 46', class: 'ramp-legend', width: 240 });
  svg.append(s('text', { x: 10, y: 11, class: 'label', text: label }));
  for (let i = 0; i < 40; i++) svg.append(s('rect', { x: 10 + i * 5, y: 16, width: 5, height: 10, fill: ramp(i / 39) }));
  svg.append(s('text', { x: 10, y: 40, text: format(lo) }), s('text', { x: 210, y: 40, 'text-anchor': 'end', text: format(hi) }));
  return svg;
}
