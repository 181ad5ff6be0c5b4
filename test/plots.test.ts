/**
 * The pictures as pure functions: smoothing and striding by hand, the templates'
 * scaling on a hand-made W, chart SVGs that name what they show, and PNGs that decode
 * to the expected size (few of those: resvg takes a while).
 */
import { PNG } from 'pngjs';
import { OFFICIAL_CLASS_NAMES } from '../src/data/cifar10.js';
import {
  accuracySpec, chartSvg, confusionSpec, gridLayout, lossCurveSpec, rgbPng, smoothEma, strideIndices, svgToPng, sweepSpec,
  templateGridPng, templateGridSvg, templateImages,
} from '../src/report/plots/index.js';
import { C, D, DB } from '../src/shapes.js';
import type { IterEvent } from '../src/train.js';

const names = [...OFFICIAL_CLASS_NAMES];
const svgSize = (svg: string) => {
  const m = /<svg[^>]*\swidth="(\d+(?:\.\d+)?)"[^>]*\sheight="(\d+(?:\.\d+)?)"/.exec(svg)!;
  return { width: Number(m[1]), height: Number(m[2]) };
};

describe('smoothing and striding', () => {
  test('debiased EMA by hand: span 3 is β = 0.5', () => {
    const s = smoothEma([4, 0, 8], 3);
    // m1 = 2, /0.5 = 4; m2 = 1, /0.75 = 4/3; m3 = 0.5 + 4 = 4.5, /0.875
    expect(Array.from(s)).toEqual([4, 4 / 3, 4.5 / 0.875].map((v) => expect.closeTo(v, 12)));
    expect(Array.from(smoothEma([5, 5, 5, 5], 10))).toEqual([5, 5, 5, 5].map((v) => expect.closeTo(v, 12))); // a constant stays put
    expect(Array.from(smoothEma([1, 2, 3], 1))).toEqual([1, 2, 3]); // span 1: no smoothing
  });

  test('strideIndices keeps the first and last and at most max (+1) points', () => {
    expect(strideIndices(10, 20)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(strideIndices(10, 4)).toEqual([0, 3, 6, 9]);
    expect(strideIndices(11, 4)).toEqual([0, 3, 6, 9, 10]);
    expect(strideIndices(0, 4)).toEqual([]);
  });
});

describe('templates', () => {
  test('each row of W, bias dropped, becomes a 32×32 RGB image scaled to 0–255 on its own', () => {
    const W = new Float32Array(C * DB);
    // class 0: R plane 0, G plane 1, B plane 2 everywhere → (0, 127.5, 255); the bias (99) is ignored
    for (let p = 0; p < 1024; p++) {
      W[1024 + p] = 1;
      W[2048 + p] = 2;
    }
    W[D] = 99;
    // class 1: a ramp over pixel 0..3 of the R plane, −1 … 2, the rest 0
    [-1, 0, 1, 2].forEach((v, p) => (W[DB + p] = v));
    // class 2: flat → mid grey
    W.fill(0.3, 2 * DB, 3 * DB);
    const img = templateImages(W);
    expect(img).toHaveLength(C * D);
    expect(Array.from(img.subarray(0, 6))).toEqual([0, 128, 255, 0, 128, 255]);
    expect(Array.from(img.subarray(D - 3, D))).toEqual([0, 128, 255]);
    // class 1: min −1 → 0, max 2 → 255; (0 + 1) / 3 · 255 = 85 for the zeros
    const c1 = img.subarray(D, 2 * D);
    expect([0, 1, 2, 3].map((p) => c1[p * 3])).toEqual([0, 85, 170, 255]);
    expect([c1[1], c1[2], c1[4 * 3]]).toEqual([85, 85, 85]); // G, B of pixel 0; R of pixel 4
    expect(Array.from(img.subarray(2 * D, 2 * D + 3))).toEqual([128, 128, 128]);
  });

  test('rgbPng decodes back to the same pixels', () => {
    const rgb = Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => (i * 37) % 256);
    const png = PNG.sync.read(Buffer.from(rgbPng(rgb, 4, 5)));
    expect([png.width, png.height]).toEqual([5, 4]);
    expect(png.data[3 * 4]).toBe(rgb[3 * 3]);
    expect(png.data[3 * 4 + 3]).toBe(255);
  });

  test('the labelled grid: an SVG naming every class, a PNG of the layout size', () => {
    const W = Float32Array.from({ length: C * DB }, (_, k) => Math.sin(k));
    const svg = templateGridSvg(W, names);
    for (const n of names) expect(svg).toContain(`>${n}</text>`);
    expect(svg.match(/<image /g)).toHaveLength(C);
    const png = PNG.sync.read(Buffer.from(templateGridPng(W, names)));
    const L = gridLayout(4);
    expect([png.width, png.height]).toEqual([L.width, L.height]);
    // Nearest-neighbour scaling: each template pixel is a 4×4 block of one colour.
    const at = (x: number, y: number) => png.data.readUInt32BE((y * png.width + x) * 4);
    const x0 = L.pad;
    const y0 = L.title;
    for (let dy = 0; dy < 4; dy++) for (let dx = 0; dx < 4; dx++) expect(at(x0 + 8 + dx, y0 + 8 + dy)).toBe(at(x0 + 8, y0 + 8));
  });
});

describe('charts', () => {
  const iters: IterEvent[] = Array.from({ length: 50 }, (_, i) => ({ event: 'iter', iter: i + 1, loss: 9 - i / 10, batchAcc: i / 100, lr: 1e-7 }));

  test('the loss chart holds each iteration and its smoothed line', () => {
    const spec = lossCurveSpec(iters) as unknown as { data: { values: { iter: number; value: number; series: string }[] } };
    const raw = spec.data.values.filter((r) => r.series === 'loss');
    expect(raw.map((r) => r.value)).toEqual(iters.map((e) => e.loss));
    expect(spec.data.values.filter((r) => r.series.startsWith('smoothed'))).toHaveLength(50);
    // searches add their best-so-far line
    const search = lossCurveSpec(iters.map((e) => ({ ...e, bestLoss: 1 }))) as unknown as typeof spec;
    expect(search.data.values.some((r) => r.series === 'best so far')).toBe(true);
  });

  test('the accuracy chart holds the validation checks and the final score', async () => {
    const evals = [{ event: 'val' as const, iter: 25, valAcc: 0.3 }];
    const spec = accuracySpec(iters, evals, { event: 'val', iter: 50, valAcc: 0.35 }) as unknown as { data: { values: { iter: number; value: number; series: string }[] } };
    expect(spec.data.values.filter((r) => r.series === 'validation')).toEqual([
      { iter: 25, value: 0.3, series: 'validation' },
      { iter: 50, value: 0.35, series: 'validation' },
    ]);
    const svg = await chartSvg(spec as never);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('validation');
  });

  test('the confusion heat map names every class and each row total; its PNG is twice the SVG size', async () => {
    const cm = new Int32Array(C * C);
    for (let t = 0; t < C; t++) for (let p = 0; p < C; p++) cm[t * C + p] = t === p ? 91 : 1;
    const svg = await chartSvg(confusionSpec(cm, names));
    for (const n of names) expect(svg).toContain(`${n} (100)`);
    expect(svg).toContain('predicted class');
    const { width, height } = svgSize(svg);
    const png = PNG.sync.read(Buffer.from(svgToPng(svg, 2)));
    expect([png.width, png.height]).toEqual([Math.round(2 * width), Math.round(2 * height)]);
  });

  test('the sweep chart: log axes over two keys, diverged points left out', async () => {
    const point = (index: number, lr: number, reg: number, valAcc: number) => ({ index, params: { lr, reg }, runs: [], trainAcc: 0, valAcc, valStd: 0, timeSec: 1 });
    const points = [point(0, 1e-7, 1e3, 0.3), point(1, 1e-6, 1e4, 0.35), point(2, 1e-5, 1e3, NaN)];
    const spec = sweepSpec(points, ['lr', 'reg']) as unknown as { data: { values: object[] }; encoding: { x: { scale: object } } };
    expect(spec.data.values).toHaveLength(2);
    expect(spec.encoding.x.scale).toMatchObject({ type: 'log' });
    const svg = await chartSvg(spec as never);
    expect(svg).toContain('lr (log)');
    expect(svg).toContain('reg (log)');
  });
});
