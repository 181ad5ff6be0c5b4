/**
 * The run folder's charts, drawn as SVG by hand: a line chart (the training curves, a
 * sweep over one key), a scatter of coloured squares (a sweep over two keys), a heat
 * map (the confusion matrix) and a field (a value over a grid of two numeric axes: the
 * loss landscape). A chart is data (Chart below); chartSvg() lays it out:
 * title, legend on top, axes with "nice" ticks (1, 2, 5 × 10^k, or powers of ten on a
 * log scale), the marks clipped to the plot. Writing the few hundred elements of a chart
 * by hand takes a millisecond where a charting library's loading took half a second of
 * every run, more than the training itself.
 */
// Arial's look first (Liberation Sans has its metrics): resvg lays out text in Liberation Sans
// about 3.5× faster than in DejaVu Sans, whose kerning tables are several times larger, and
// a confusion matrix is 126 labels.
export const FONT = 'Liberation Sans, Arial, Helvetica, DejaVu Sans, Noto Sans, FreeSans, sans-serif';

export interface Axis {
  title: string;
  log?: boolean; // a logarithmic scale (every value must be positive)
  zero?: boolean; // include 0 in the domain (linear scales; default false)
  percent?: boolean; // ticks as percentages of 1
  pad?: number; // pixels kept free at both ends (scatters: the squares' room)
}

export interface Series {
  name: string;
  color: string;
  points: ReadonlyArray<readonly [number, number]>; // [x, y]; points with a non-finite y are left out
  line?: boolean; // default true
  dots?: boolean; // mark each point (measurements, not samples of a curve)
}

export interface LineChart {
  kind: 'lines';
  title: string;
  width: number; // the plot area, in pixels
  height: number;
  x: Axis;
  y: Axis;
  series: Series[];
}

export interface ScatterChart {
  kind: 'scatter';
  title: string;
  width: number;
  height: number;
  x: Axis;
  y: Axis;
  points: ReadonlyArray<{ x: number; y: number; value: number }>; // a square per point, coloured by value
  colorTitle: string;
  colorPercent?: boolean;
}

export interface HeatMap {
  kind: 'heat';
  title: string;
  cell: number; // pixels per cell
  rows: string[]; // row labels, top to bottom
  cols: string[]; // column labels, left to right
  counts: ArrayLike<number>; // rows × cols, row-major: the number in each cell
  shares: ArrayLike<number>; // rows × cols in [0, 1]: the cell's colour
  xTitle: string;
  yTitle: string;
  colorTitle: string;
}

/**
 * A value at each point of an evenly spaced grid over two numeric axes, each cell
 * coloured from blue (low) to red (high), as the CS231n notes draw the loss landscape.
 */
export interface FieldChart {
  kind: 'field';
  title: string;
  width: number; // the plot area, in pixels
  height: number;
  x: Axis;
  y: Axis;
  xs: ArrayLike<number>; // the cells' centres along x, evenly spaced, increasing (≥ 2)
  ys: ArrayLike<number>; // along y, likewise; drawn upwards
  values: ArrayLike<number>; // ys.length × xs.length row-major: values[j·xs.length + i] at (xs[i], ys[j]); non-finite: grey
  colorTitle: string;
  bands?: number; // colours in steps of 1/bands of the range, so that lines of equal value show (default: smooth)
  mark?: { x: number; y: number; label: string }; // a point to name (W itself)
}

export type Chart = LineChart | ScatterChart | HeatMap | FieldChart;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r2 = (v: number) => Math.round(v * 100) / 100;
/** A rough width of a label, for layout only (a sans-serif's average glyph is about 0.58 em). */
const textWidth = (s: string, size: number) => s.length * size * 0.58;

function text(
  x: number,
  y: number,
  s: string,
  size: number,
  opts: { anchor?: string; bold?: boolean; fill?: string; rotate?: number } = {},
): string {
  const rot = opts.rotate ? ` transform="rotate(${opts.rotate} ${r2(x)} ${r2(y)})"` : '';
  return (
    `<text x="${r2(x)}" y="${r2(y)}" font-family="${FONT}" font-size="${size}"${opts.bold ? ' font-weight="bold"' : ''}` +
    `${opts.anchor ? ` text-anchor="${opts.anchor}"` : ''}${opts.fill ? ` fill="${opts.fill}"` : ''}${rot}>${esc(s)}</text>`
  );
}

/** "Nice" tick values covering [lo, hi]: about `count` steps of 1, 2 or 5 × 10^k. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Ticks of a log scale: the powers of ten in [lo, hi], with 2 and 5 between them over short spans. */
export function logTicks(lo: number, hi: number): number[] {
  const a = Math.floor(Math.log10(lo));
  const b = Math.ceil(Math.log10(hi));
  const mults = b - a <= 2 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = a; e <= b; e++)
    for (const m of mults) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(v);
    }
  return ticks.length > 0 ? ticks : [lo, hi];
}

/** A tick's label: percentages, or up to 3 significant digits (1e-7 style for small and large values). */
export function tickLabel(v: number, percent = false): string {
  if (percent) return `${Number((100 * v).toPrecision(3))}%`;
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3)
    return v
      .toExponential(2)
      .replace(/\.?0+e/, 'e')
      .replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

interface Scale {
  map(v: number): number;
  ticks: number[];
}

function scale(axis: Axis, values: number[], length: number, flip: boolean): Scale {
  const pad = axis.pad ?? 0;
  const finite = values.filter((v) => Number.isFinite(v) && (!axis.log || v > 0));
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  if (axis.zero && !axis.log) {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  if (axis.log) {
    if (hi <= lo) [lo, hi] = [lo / 2, hi * 2];
    const ticks = logTicks(lo, hi);
    const [a, b] = [Math.log10(lo), Math.log10(hi)];
    const map = (v: number) => pad + ((Math.log10(v) - a) / (b - a)) * (length - 2 * pad);
    return { map: flip ? (v) => length - map(v) : map, ticks };
  }
  if (hi <= lo) [lo, hi] = lo === 0 ? [0, 1] : [lo - Math.abs(lo) / 2, hi + Math.abs(hi) / 2];
  const ticks = niceTicks(lo, hi);
  if (pad === 0) {
    // the domain grows to the outer ticks, as charting libraries' "nice" domains do
    lo = Math.min(lo, ticks[0]);
    hi = Math.max(hi, ticks[ticks.length - 1]);
  }
  const map = (v: number) => pad + ((v - lo) / (hi - lo)) * (length - 2 * pad);
  return { map: flip ? (v) => length - map(v) : map, ticks: ticks.filter((t) => t >= lo - 1e-12 && t <= hi + 1e-12) };
}

/** Legend entries in one row under the title: a swatch and the series' name each. */
function legend(items: { name: string; color: string; dot?: boolean }[], x0: number, y: number): string[] {
  const out: string[] = [];
  let x = x0;
  for (const it of items) {
    out.push(
      it.dot
        ? `<circle cx="${r2(x + 8)}" cy="${r2(y - 4)}" r="4" fill="${it.color}"/>`
        : `<line x1="${r2(x)}" y1="${r2(y - 4)}" x2="${r2(x + 16)}" y2="${r2(y - 4)}" stroke="${it.color}" stroke-width="3"/>`,
    );
    out.push(text(x + 21, y, it.name, 12));
    x += 21 + textWidth(it.name, 12) + 18;
  }
  return out;
}

const AXIS = '#888';
const GRID = '#e6e6e6';

/**
 * A plot area's axes at (left, top): `grid`, the grid lines inside it, to go under the
 * marks; `frame`, its border, tick labels and axis titles, all outside it but the border.
 */
function axes(c: { width: number; height: number; x: Axis; y: Axis }, sx: Scale, sy: Scale, left: number, top: number) {
  const grid: string[] = [];
  const frame: string[] = [`<rect x="${left}" y="${top}" width="${c.width}" height="${c.height}" fill="none" stroke="${AXIS}"/>`];
  for (const t of sy.ticks) {
    const y = top + sy.map(t);
    grid.push(`<line x1="${left}" y1="${r2(y)}" x2="${left + c.width}" y2="${r2(y)}" stroke="${GRID}"/>`);
    frame.push(text(left - 6, y + 4, tickLabel(t, c.y.percent), 12, { anchor: 'end' }));
  }
  for (const t of sx.ticks) {
    const x = left + sx.map(t);
    grid.push(`<line x1="${r2(x)}" y1="${top}" x2="${r2(x)}" y2="${top + c.height}" stroke="${GRID}"/>`);
    frame.push(text(x, top + c.height + 16, tickLabel(t, c.x.percent), 12, { anchor: 'middle' }));
  }
  frame.push(text(left + c.width / 2, top + c.height + 36, c.x.title, 13, { anchor: 'middle', bold: true }));
  frame.push(text(left - 52, top + c.height / 2, c.y.title, 13, { anchor: 'middle', bold: true, rotate: -90 }));
  return { grid, frame };
}

function svgDocument(width: number, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...body,
    '</svg>',
  ].join('\n');
}

function lineChart(c: LineChart): string {
  const left = 70;
  const top = 62;
  const xs = c.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = c.series.flatMap((s) => s.points.filter((p) => Number.isFinite(p[1])).map((p) => p[1]));
  const sx = scale(c.x, xs, c.width, false);
  const sy = scale(c.y, ys, c.height, true);
  const body = [text(left + c.width / 2, 24, c.title, 15, { anchor: 'middle', bold: true })];
  body.push(
    ...legend(
      c.series.map((s) => ({ name: s.name, color: s.color, dot: s.line === false })),
      left,
      48,
    ),
  );
  const { grid, frame } = axes(c, sx, sy, left, top);
  const marks: string[] = [];
  for (const s of c.series) {
    const pts = s.points.filter((p) => Number.isFinite(p[1]) && (!c.y.log || p[1] > 0));
    if (s.line !== false && pts.length > 1) {
      const d = pts.map((p, i) => `${i ? 'L' : 'M'}${r2(left + sx.map(p[0]))},${r2(top + sy.map(p[1]))}`).join('');
      marks.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5" stroke-linejoin="round"/>`);
    }
    if (s.dots || s.line === false || pts.length === 1) {
      for (const p of pts) marks.push(`<circle cx="${r2(left + sx.map(p[0]))}" cy="${r2(top + sy.map(p[1]))}" r="3.5" fill="${s.color}"/>`);
    }
  }
  // The marks are cut at the plot's edges by painting the margins white over them, and
  // the frame, labels, title and legend after: the picture a clipPath gives, but resvg
  // draws a clip as a mask over the whole picture, which doubled a chart's drawing time.
  const [width, height] = [Math.ceil(left + c.width + 20), Math.ceil(top + c.height + 50)];
  const margins = `<path d="M0,0H${width}V${height}H0Z M${left},${top}v${c.height}h${c.width}v${-c.height}Z" fill="white" fill-rule="evenodd"/>`;
  body.unshift(...grid, ...marks, margins, ...frame);
  return svgDocument(width, height, body);
}

/** A colour of a scheme at t in [0, 1], by linear steps between its stops. */
function ramp(stops: readonly string[], t: number): string {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u));
  const f = u - i;
  const rgb = (h: string) => [1, 3, 5].map((k) => parseInt(h.slice(k, k + 2), 16));
  const [a, b] = [rgb(stops[i]), rgb(stops[i + 1])];
  return `#${a
    .map((v, k) =>
      Math.round(v + (b[k] - v) * f)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/** ColorBrewer's RdBu, reversed: blue for low values, red for high ones. */
export const BLUE_RED = ['#2166ac', '#4393c3', '#92c5de', '#d1e5f0', '#f7f7f7', '#fddbc7', '#f4a582', '#d6604d', '#b2182b'];
export const BLUES = ['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'];
export const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];

/** A vertical colour bar with its title and end labels, at (x, y), `h` pixels tall, in n steps. */
function colorBar(x: number, y: number, h: number, stops: readonly string[], title: string, lo: string, hi: string, n = 24): string[] {
  const out = [text(x, y - 8, title, 12, { bold: true })];
  for (let i = 0; i < n; i++) {
    out.push(`<rect x="${x}" y="${r2(y + (h * i) / n)}" width="14" height="${r2(h / n + 0.5)}" fill="${ramp(stops, 1 - i / (n - 1))}"/>`);
  }
  out.push(text(x + 20, y + 10, hi, 12), text(x + 20, y + h, lo, 12));
  return out;
}

function scatter(c: ScatterChart): string {
  const left = 70;
  const top = 44;
  const sx = scale(
    { ...c.x, pad: 24 },
    c.points.map((p) => p.x),
    c.width,
    false,
  );
  const sy = scale(
    { ...c.y, pad: 24 },
    c.points.map((p) => p.y),
    c.height,
    true,
  );
  const vals = c.points.map((p) => p.value);
  const [lo, hi] = vals.length ? [Math.min(...vals), Math.max(...vals)] : [0, 1];
  const t = (v: number) => (hi > lo ? (v - lo) / (hi - lo) : 0.5);
  const body = [text(left + c.width / 2, 24, c.title, 15, { anchor: 'middle', bold: true })];
  const { grid, frame } = axes(c, sx, sy, left, top);
  body.push(...grid, ...frame);
  for (const p of c.points) {
    const x = left + sx.map(p.x);
    const y = top + sy.map(p.y);
    body.push(
      `<rect x="${r2(x - 8)}" y="${r2(y - 8)}" width="16" height="16" fill="${ramp(VIRIDIS, t(p.value))}" stroke="#333" stroke-width="0.5"/>`,
    );
  }
  const fmt = (v: number) => (c.colorPercent ? `${(100 * v).toFixed(1)}%` : tickLabel(v));
  body.push(...colorBar(left + c.width + 24, top + 20, Math.min(200, c.height - 20), VIRIDIS, c.colorTitle, fmt(lo), fmt(hi)));
  return svgDocument(left + c.width + 130, top + c.height + 50, body);
}

function heatMap(c: HeatMap): string {
  const labelW = Math.max(...c.rows.map((s) => textWidth(s, 12))) + 12;
  const colLabelH = Math.max(...c.cols.map((s) => textWidth(s, 12))) * 0.65 + 18;
  const left = 30 + labelW;
  const top = 56 + colLabelH;
  const W = c.cols.length * c.cell;
  const H = c.rows.length * c.cell;
  const body = [text(left + W / 2, 24, c.title, 15, { anchor: 'middle', bold: true })];
  body.push(text(left + W / 2, 46, c.xTitle, 13, { anchor: 'middle', bold: true }));
  for (const [j, name] of c.cols.entries()) body.push(text(left + (j + 0.5) * c.cell, top - 8, name, 12, { rotate: -40 }));
  for (const [i, name] of c.rows.entries()) body.push(text(left - 6, top + (i + 0.5) * c.cell + 4, name, 12, { anchor: 'end' }));
  body.push(text(14, top + H / 2, c.yTitle, 13, { anchor: 'middle', bold: true, rotate: -90 }));
  for (let i = 0; i < c.rows.length; i++) {
    for (let j = 0; j < c.cols.length; j++) {
      const k = i * c.cols.length + j;
      const share = c.shares[k];
      body.push(
        `<rect x="${left + j * c.cell}" y="${top + i * c.cell}" width="${c.cell}" height="${c.cell}" fill="${ramp(BLUES, share)}"/>`,
      );
      body.push(
        text(left + (j + 0.5) * c.cell, top + (i + 0.5) * c.cell + 4, String(c.counts[k]), 11, {
          anchor: 'middle',
          fill: share > 0.5 ? 'white' : 'black',
        }),
      );
    }
  }
  body.push(`<rect x="${left}" y="${top}" width="${W}" height="${H}" fill="none" stroke="${AXIS}"/>`);
  body.push(...colorBar(left + W + 24, top + 20, Math.min(200, H - 20), BLUES, c.colorTitle, '0%', '100%'));
  return svgDocument(left + W + 130, top + H + 20, body);
}

function field(c: FieldChart): string {
  const left = 70;
  const top = 44;
  const nx = c.xs.length;
  const ny = c.ys.length;
  // Cells reach half a step past the outer centres, so each centre is its cell's middle.
  const hx = (c.xs[nx - 1] - c.xs[0]) / (nx - 1) / 2;
  const hy = (c.ys[ny - 1] - c.ys[0]) / (ny - 1) / 2;
  const sx = scale(c.x, [c.xs[0] - hx, c.xs[nx - 1] + hx], c.width, false);
  const sy = scale(c.y, [c.ys[0] - hy, c.ys[ny - 1] + hy], c.height, true);
  const finite = Array.from(c.values).filter(Number.isFinite);
  const [lo, hi] = finite.length ? [Math.min(...finite), Math.max(...finite)] : [0, 1];
  const smooth = (v: number) => (hi > lo ? (v - lo) / (hi - lo) : 0.5);
  const n = c.bands ?? 0;
  const t = n > 1 ? (v: number) => Math.min(n - 1, Math.floor(smooth(v) * n)) / (n - 1) : smooth;
  const body = [text(left + c.width / 2, 24, c.title, 15, { anchor: 'middle', bold: true })];
  const { grid, frame } = axes(c, sx, sy, left, top);
  body.push(...grid, ...frame, '<g shape-rendering="crispEdges">'); // the cells then cover the grid lines
  for (let j = 0; j < ny; j++) {
    const y0 = top + sy.map(c.ys[j] + hy);
    const h = sy.map(c.ys[j] - hy) - sy.map(c.ys[j] + hy);
    for (let i = 0; i < nx; i++) {
      const x0 = left + sx.map(c.xs[i] - hx);
      const w = sx.map(c.xs[i] + hx) - sx.map(c.xs[i] - hx);
      const v = c.values[j * nx + i];
      // Half a pixel more on each side: neighbouring cells overlap, so no hairline of background shows between them.
      body.push(
        `<rect x="${r2(x0)}" y="${r2(y0)}" width="${r2(w + 0.5)}" height="${r2(h + 0.5)}" fill="${Number.isFinite(v) ? ramp(BLUE_RED, t(v)) : '#bbbbbb'}"/>`,
      );
    }
  }
  body.push('</g>', `<rect x="${left}" y="${top}" width="${c.width}" height="${c.height}" fill="none" stroke="${AXIS}"/>`);
  if (c.mark) {
    const x = left + sx.map(c.mark.x);
    const y = top + sy.map(c.mark.y);
    body.push(
      `<circle cx="${r2(x)}" cy="${r2(y)}" r="4" fill="none" stroke="black" stroke-width="1.5"/>`,
      text(x + 7, y - 6, c.mark.label, 12, { bold: true }),
    );
  }
  const bar = colorBar(
    left + c.width + 24,
    top + 20,
    Math.min(200, c.height - 20),
    BLUE_RED,
    c.colorTitle,
    tickLabel(lo),
    tickLabel(hi),
    n > 1 ? n : 24,
  );
  body.push(...bar);
  return svgDocument(left + c.width + 130, top + c.height + 50, body);
}

/** A chart as an SVG document (string). */
export function chartSvg(c: Chart): string {
  switch (c.kind) {
    case 'lines':
      return lineChart(c);
    case 'scatter':
      return scatter(c);
    case 'heat':
      return heatMap(c);
    case 'field':
      return field(c);
  }
}
