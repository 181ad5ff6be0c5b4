/**
 * The picture of the CS231n notes ("Linear classification", interpreting a linear
 * classifier): each row of W, bias dropped, is itself a 32×32 colour image — the
 * class's template. W's columns follow the pixel bytes: the R plane, then G, then B,
 * each 32×32 row-major. Each template is scaled to 0–255 on its own,
 * (w − min) / (max − min) · 255, and the ten are laid out in one labelled grid.
 */
import { C, D, DB, type FloatArray } from '../../core/shapes.js';
import { pngFile } from './png.js';
import { FONT, svgToPng } from './render.js';

export const SIDE = 32; // image side in pixels
const PLANE = SIDE * SIDE;

/** One RGB image per class, scaled per template: C×32×32×3 bytes (row-major, RGB interleaved). A flat template (max = min) is mid-grey. */
export function templateImages(W: FloatArray): Uint8Array {
  if (W.length !== C * DB) throw new Error(`templateImages: W has ${W.length} values, expected ${C}×${DB}`);
  const out = new Uint8Array(C * D);
  for (let c = 0; c < C; c++) {
    const row = c * DB;
    let lo = Infinity;
    let hi = -Infinity;
    for (let d = 0; d < D; d++) {
      const v = W[row + d];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const k = hi > lo ? 255 / (hi - lo) : 0;
    for (let p = 0; p < PLANE; p++) {
      for (let ch = 0; ch < 3; ch++) {
        out[c * D + p * 3 + ch] = k > 0 ? Math.round((W[row + ch * PLANE + p] - lo) * k) : 128;
      }
    }
  }
  return out;
}

/** An h×w RGB image as PNG bytes. */
export function rgbPng(rgb: Uint8Array, h: number, w: number): Uint8Array {
  return pngFile(rgb, w, h, 3);
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Layout of the grid: 2 rows of 5, like the notes' figure; `factor` upscales each template. */
export function gridLayout(factor: number) {
  const cols = 5;
  const rows = Math.ceil(C / cols);
  const side = SIDE * factor;
  const pad = 16;
  const label = 22;
  const title = 34;
  return {
    cols,
    side,
    pad,
    label,
    title,
    width: cols * side + (cols + 1) * pad,
    height: title + rows * (side + label + pad) + pad,
  };
}

/**
 * The labelled grid of the ten templates as an SVG document, each template an embedded
 * 32×32 PNG drawn `factor` times larger; image-rendering optimizeSpeed makes resvg (and
 * browsers) scale by nearest neighbour, so the pixels stay crisp squares.
 */
export function templateGridSvg(
  W: FloatArray,
  classNames: readonly string[],
  factor = 4,
  heading = 'Learned templates (rows of W)',
): string {
  const imgs = templateImages(W);
  const L = gridLayout(factor);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${L.width}" height="${L.height}" viewBox="0 0 ${L.width} ${L.height}">`,
    `<rect width="${L.width}" height="${L.height}" fill="white"/>`,
    `<text x="${L.width / 2}" y="24" text-anchor="middle" font-family="${FONT}" font-size="16" font-weight="bold">${esc(heading)}</text>`,
  ];
  for (let c = 0; c < C; c++) {
    const x = L.pad + (c % L.cols) * (L.side + L.pad);
    const y = L.title + Math.floor(c / L.cols) * (L.side + L.label + L.pad);
    const uri = `data:image/png;base64,${Buffer.from(rgbPng(imgs.subarray(c * D, (c + 1) * D), SIDE, SIDE)).toString('base64')}`;
    parts.push(
      `<image x="${x}" y="${y}" width="${L.side}" height="${L.side}" image-rendering="optimizeSpeed" href="${uri}"/>`,
      `<text x="${x + L.side / 2}" y="${y + L.side + 17}" text-anchor="middle" font-family="${FONT}" font-size="14">${esc(classNames[c] ?? `class ${c}`)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** The grid as PNG bytes: gridLayout(factor).width × height pixels. */
export function templateGridPng(W: FloatArray, classNames: readonly string[], factor = 4): Uint8Array {
  return svgToPng(templateGridSvg(W, classNames, factor));
}
