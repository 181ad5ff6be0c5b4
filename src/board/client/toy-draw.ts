/**
 * The toy page's picture: decision regions, the grid, each class's zero line with its normal
 * w_k, and the points. Geometry comes from toy.ts (regions, zeroLine, toCanvas); this file
 * only paints. The canvas's backing store is SIZE·dpr pixels square, so lines stay sharp on
 * high-density screens; the regions are computed at that resolution, one score per pixel.
 */
import { CLASSES, VIEW, regions, toCanvas, zeroLine } from './toy.js';
import type { ToyData } from './toy.js';

/** Class colours, as in the demo: red, green, blue; the regions are the same hues, pale. */
export const CLASS_COLOURS = ['#d1453b', '#2f9a57', '#2b6cd4'];
const REGION_RGB = [
  [250, 214, 210],
  [210, 238, 218],
  [211, 226, 250],
];

const ARROW = 0.3; // the normal's length, in plane units

export function drawPlane(canvas: HTMLCanvasElement, Wb: Float64Array, data: ToyData, dpr: number): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width, height } = canvas;
  const label = regions(Wb, width, height);
  const image = ctx.createImageData(width, height);
  for (let p = 0; p < label.length; p++) {
    const rgb = REGION_RGB[label[p]];
    image.data[4 * p] = rgb[0];
    image.data[4 * p + 1] = rgb[1];
    image.data[4 * p + 2] = rgb[2];
    image.data[4 * p + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);

  // From here on, draw in CSS pixels.
  ctx.save();
  ctx.scale(dpr, dpr);
  const w = width / dpr;
  const h = height / dpr;
  const at = (x1: number, x2: number) => toCanvas(x1, x2, w, h);

  // A faint grid every half unit, the axes darker.
  for (let v = -Math.floor(2 * VIEW) / 2; v <= VIEW; v += 0.5) {
    ctx.strokeStyle = v === 0 ? 'rgba(0,0,0,0.35)' : 'rgba(0,0,0,0.1)';
    ctx.lineWidth = 1;
    segment(ctx, at(v, -VIEW), at(v, VIEW));
    segment(ctx, at(-VIEW, v), at(VIEW, v));
  }

  // s_k = 0 for each class, and w_k pointing to the side where class k's score is positive. The
  // arrows sit at 1/4, 1/2, 3/4 of their lines so that lines crossing in one spot keep them apart.
  for (let k = 0; k < CLASSES; k++) {
    const line = zeroLine(Wb, k);
    if (!line) continue;
    ctx.strokeStyle = ctx.fillStyle = CLASS_COLOURS[k];
    ctx.lineWidth = 2;
    segment(ctx, at(...line.a), at(...line.b));
    const f = (k + 1) / (CLASSES + 1);
    const from: [number, number] = [line.a[0] + f * (line.b[0] - line.a[0]), line.a[1] + f * (line.b[1] - line.a[1])];
    arrow(ctx, at(...from), at(from[0] + ARROW * line.normal[0], from[1] + ARROW * line.normal[1]));
  }

  for (let i = 0; i < data.n; i++) {
    const [px, py] = at(data.xy[2 * i], data.xy[2 * i + 1]);
    ctx.beginPath();
    ctx.arc(px, py, 6, 0, 2 * Math.PI);
    ctx.fillStyle = CLASS_COLOURS[data.labels[i]];
    ctx.fill();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = '#1d2329';
    ctx.stroke();
  }
  ctx.restore();
}

function segment(ctx: CanvasRenderingContext2D, [ax, ay]: [number, number], [bx, by]: [number, number]): void {
  ctx.beginPath();
  ctx.moveTo(ax, ay);
  ctx.lineTo(bx, by);
  ctx.stroke();
}

/** A line from a to b with a filled head at b. */
function arrow(ctx: CanvasRenderingContext2D, a: [number, number], b: [number, number]): void {
  segment(ctx, a, b);
  const angle = Math.atan2(b[1] - a[1], b[0] - a[0]);
  const head = 8;
  ctx.beginPath();
  ctx.moveTo(b[0], b[1]);
  ctx.lineTo(b[0] - head * Math.cos(angle - 0.4), b[1] - head * Math.sin(angle - 0.4));
  ctx.lineTo(b[0] - head * Math.cos(angle + 0.4), b[1] - head * Math.sin(angle + 0.4));
  ctx.closePath();
  ctx.fill();
}
