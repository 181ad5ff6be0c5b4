/**
 * The pictures as pure functions: smoothing and striding by hand, the templates'
 * scaling on a hand-made W, ticks and labels of the hand-drawn charts, chart SVGs that
 * name what they show and put each point where its value says, and PNGs that decode to
 * the expected size (few of those: resvg takes a while).
 */
import { PNG } from 'pngjs';
import { OFFICIAL_CLASS_NAMES } from '../src/data/cifar10.js';
import {
  accuracyChart,
  chartSvg,
  confusionChart,
  gridLayout,
  landscapeCurves,
  landscapeField,
  logTicks,
  lossChart,
  niceTicks,
  rgbPng,
  smoothEma,
  strideIndices,
  svgToPng,
  svgToPngAsync,
  sweepChart,
  templateGridPng,
  templateGridSvg,
  templateImages,
  tickLabel,
} from '../src/report/plots/index.js';
import { crc32, pngFile } from '../src/report/plots/png.js';
import { BLUE_RED } from '../src/report/plots/svg.js';
import { C, D, DB } from '../src/core/shapes.js';
import type { IterEvent } from '../src/training/trainer.js';

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
    for (const [p, v] of [-1, 0, 1, 2].entries()) W[DB + p] = v;
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

describe('PNG files', () => {
  test('RGBA and RGB pixels decode back the same', () => {
    const [w, h] = [7, 3]; // rows of an odd length
    const rgba = Uint8Array.from({ length: 4 * w * h }, (_, i) => (i * 53 + 7) % 256);
    const png = PNG.sync.read(Buffer.from(pngFile(rgba, w, h, 4)));
    expect([png.width, png.height]).toEqual([w, h]);
    expect(Array.from(png.data)).toEqual(Array.from(rgba));
    const rgb = rgba.subarray(0, 3 * w * h);
    const back = PNG.sync.read(Buffer.from(pngFile(rgb, w, h, 3))).data;
    for (let i = 0; i < w * h; i++) expect(Array.from(back.subarray(4 * i, 4 * i + 4))).toEqual([...rgb.subarray(3 * i, 3 * i + 3), 255]);
  });

  test('CRC-32 of the check string, and pixels that are not the size said are refused', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926); // the standard check value
    expect(() => pngFile(new Uint8Array(11), 2, 2, 3)).toThrow('11 bytes are not 2×2 pixels of 3 channels');
  });
});

describe('axes', () => {
  test('nice ticks: steps of 1, 2 or 5 × 10^k covering the range', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3.2, 9.7)).toEqual([4, 6, 8]);
    expect(niceTicks(3.2, 9.7, 10)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(niceTicks(0, 1500)).toEqual([0, 500, 1000, 1500]);
    expect(niceTicks(-0.03, 0.07)).toEqual([-0.02, 0, 0.02, 0.04, 0.06]);
  });

  test('log ticks: powers of ten, with 2 and 5 between them over short spans', () => {
    expect(logTicks(1e-8, 1e-5)).toEqual([1e-8, 1e-7, 1e-6, 1e-5]);
    expect(logTicks(1e-7, 1e-6)).toEqual([1e-7, 2e-7, 5e-7, 1e-6]);
  });

  test('tick labels: percentages, plain numbers, exponents for the very small and large', () => {
    expect([
      tickLabel(0.35, true),
      tickLabel(1, true),
      tickLabel(1500),
      tickLabel(2.5),
      tickLabel(1e-7),
      tickLabel(2.5e4),
      tickLabel(2.5e5),
    ]).toEqual(['35%', '100%', '1500', '2.5', '1e-7', '25000', '2.5e5']);
  });
});

describe('charts', () => {
  const iters: IterEvent[] = Array.from({ length: 50 }, (_, i) => ({
    event: 'iter',
    iter: i + 1,
    loss: 9 - i / 10,
    batchAcc: i / 100,
    lr: 1e-7,
  }));
  /** The points of a path's d="M x,y L x,y …". */
  const pathPoints = (d: string) =>
    d
      .slice(1)
      .split('L')
      .map((p) => p.split(',').map(Number));

  test('the loss chart holds each iteration and its smoothed line; the searches add their best so far', () => {
    const chart = lossChart(iters);
    expect(chart.series.map((s) => s.name)).toEqual(['loss', 'smoothed (EMA, span 2)']);
    expect(chart.series[0].points).toEqual(iters.map((e) => [e.iter, e.loss]));
    expect(chart.series[1].points).toHaveLength(50);
    expect(lossChart(iters.map((e) => ({ ...e, bestLoss: 1 }))).series.map((s) => s.name)).toContain('best so far');
    // a long run is strided to about one point per PNG pixel
    const long = Array.from({ length: 20000 }, (_, i) => ({ ...iters[0], iter: i + 1 }));
    expect(lossChart(long).series[0].points.length).toBeLessThanOrEqual(1001);
  });

  test('the loss chart SVG: title, legend, axis titles, and the line through every point, the y axis flipped', () => {
    const svg = chartSvg(lossChart(iters, 'Training loss (svm)'));
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="\d+"/);
    for (const t of ['Training loss (svm)', 'loss', 'smoothed (EMA, span 2)', 'iteration']) expect(svg).toContain(`>${t}</text>`);
    const d = /<path d="([^"]+)" fill="none" stroke="#b3c9e0"/.exec(svg)![1];
    const pts = pathPoints(d);
    expect(pts).toHaveLength(50);
    // x grows with the iteration, y (pixels, downwards) with a falling loss
    for (let i = 1; i < pts.length; i++) {
      expect(pts[i][0]).toBeGreaterThan(pts[i - 1][0]);
      expect(pts[i][1]).toBeGreaterThan(pts[i - 1][1]);
    }
  });

  test("marks stop at the plot's edges: a dot on the frame's corner shows inside it only", () => {
    const chart = {
      kind: 'lines' as const,
      title: '',
      width: 200,
      height: 100,
      x: { title: '' },
      y: { title: '' },
      series: [
        {
          name: 'a',
          color: '#ff0000',
          points: [
            [0, 0],
            [1, 1],
          ] as [number, number][],
          line: false,
        },
      ],
    };
    const png = PNG.sync.read(Buffer.from(svgToPng(chartSvg(chart))));
    const red = (x: number, y: number) => {
      const i = (y * png.width + x) * 4;
      return png.data[i] > 200 && png.data[i + 1] < 80 && png.data[i + 2] < 80;
    };
    // the plot area starts at (70, 62); the first point is its bottom-left corner (70, 162)
    expect(red(72, 160)).toBe(true); // inside the plot
    expect(red(67, 160)).toBe(false); // left of the frame
    expect(red(72, 165)).toBe(false); // below it
  });

  test('the accuracy chart: validation checks and the final score as dots, a percent axis', () => {
    const vals = [{ event: 'val' as const, iter: 25, valAcc: 0.3 }];
    const chart = accuracyChart(iters, vals, { event: 'val', iter: 50, valAcc: 0.35 });
    const val = chart.series.find((s) => s.name === 'validation')!;
    expect(val.points).toEqual([
      [25, 0.3],
      [50, 0.35],
    ]);
    const svg = chartSvg(chart);
    expect(svg).toContain('>validation</text>');
    expect(svg.match(/<circle cx=/g)!.length).toBeGreaterThanOrEqual(2);
    expect(svg).toMatch(/>\d+%<\/text>/);
  });

  test('the confusion heat map names every class and each row total, a count in every cell; its PNG is twice the SVG size', async () => {
    const cm = new Int32Array(C * C);
    for (let t = 0; t < C; t++) for (let p = 0; p < C; p++) cm[t * C + p] = t === p ? 91 : 1;
    const svg = chartSvg(confusionChart(cm, names));
    for (const n of names) expect(svg).toContain(`>${n} (100)</text>`);
    expect(svg).toContain('>predicted class</text>');
    expect(svg.match(/>91<\/text>/g)).toHaveLength(C);
    expect(svg.match(/>1<\/text>/g)).toHaveLength(C * C - C);
    const { width, height } = svgSize(svg);
    const png = PNG.sync.read(Buffer.from(await svgToPngAsync(svg, 2)));
    expect([png.width, png.height]).toEqual([Math.round(2 * width), Math.round(2 * height)]);
    expect(Buffer.from(svgToPng(svg, 2))).toEqual(Buffer.from(await svgToPngAsync(svg, 2))); // the same drawing on either thread
  });

  test('the sweep chart: log axes over two keys, diverged points left out; one key: accuracy against it', () => {
    const point = (index: number, lr: number, reg: number, valAcc: number) => ({
      index,
      params: { lr, reg },
      runs: [],
      trainAcc: 0,
      valAcc,
      valStd: 0,
      timeSec: 1,
    });
    const points = [point(0, 1e-7, 1e3, 0.3), point(1, 1e-6, 1e4, 0.35), point(2, 1e-5, 1e3, NaN)];
    const chart = sweepChart(points, ['lr', 'reg']);
    expect(chart.kind).toBe('scatter');
    if (chart.kind !== 'scatter') return;
    expect(chart.points).toEqual([
      { x: 1e-7, y: 1e3, value: 0.3 },
      { x: 1e-6, y: 1e4, value: 0.35 },
    ]);
    expect(chart.x).toMatchObject({ title: 'lr (log)', log: true });
    const svg = chartSvg(chart);
    for (const t of ['lr (log)', 'reg (log)', '1e-7', '1e-6', '30.0%', '35.0%']) expect(svg).toContain(`>${t}</text>`);
    expect(svg.match(/<rect x="[\d.]+" y="[\d.]+" width="16" height="16"/g)).toHaveLength(2);
    const one = sweepChart(points, ['lr']);
    expect(one.kind).toBe('lines');
    expect(chartSvg(one)).toContain('>validation accuracy</text>');
  });

  test('the landscape: a curve per example count; the plane as a field, a cell per point, blue low and red high, W marked', () => {
    const alphas = [-1, -0.5, 0, 0.5, 1];
    // |a| + |b| for 1 example, and (a + 2)·(b + 2) for 10: the lowest cell at (0, 0), then at (−1, −1)
    const grid1 = alphas.flatMap((b) => alphas.map((a) => Math.abs(a) + Math.abs(b)));
    const grid10 = alphas.flatMap((b) => alphas.map((a) => (a + 2) * (b + 2)));
    const slices = [
      { examples: 1, curve: alphas.map(Math.abs), grid: grid1 },
      { examples: 10, curve: alphas.map((a) => 2 * (a + 2)), grid: grid10 },
    ];
    const curves = landscapeCurves(alphas, slices, 'Loss along W1');
    expect(curves.series.map((s) => s.name)).toEqual(['1 example', '10 examples']);
    expect(curves.series[1].points[4]).toEqual([1, 6]);
    expect(chartSvg(curves)).toContain('>a (W + a·W1)</text>');

    const field = landscapeField(alphas, slices[0], 'Loss over W1, W2');
    const svg = chartSvg(field);
    const plot = svg.slice(svg.indexOf('<g shape-rendering="crispEdges">'), svg.indexOf('</g>')); // the cells, not the colour bar
    const cells = [...plot.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="[\d.]+" height="[\d.]+" fill="(#[0-9a-f]{6})"\/>/g)];
    expect(cells).toHaveLength(25);
    // Row j of the grid is b = alphas[j], drawn upwards: the first cell is bottom left, the last top right.
    expect(Number(cells[0][1])).toBeLessThan(Number(cells[24][1]));
    expect(Number(cells[0][2])).toBeGreaterThan(Number(cells[24][2]));
    expect(cells[12][3]).toBe(BLUE_RED[0]); // the centre, 0: the lowest
    expect(cells[0][3]).toBe(BLUE_RED[BLUE_RED.length - 1]); // a corner, 2: the highest
    expect(new Set(cells.map((c) => c[3])).size).toBeLessThanOrEqual(field.bands!); // colours in bands: level lines show
    for (const t of ['a (along W1)', 'b (along W2)', 'W', '0', '2', '-1', '1']) expect(svg).toContain(`>${t}</text>`);
    expect(chartSvg(landscapeField(alphas, { ...slices[0], grid: grid1.map((v, k) => (k === 3 ? NaN : v)) }, ''))).toContain(
      'fill="#bbbbbb"',
    ); // a loss that overflowed: grey
  });
});
