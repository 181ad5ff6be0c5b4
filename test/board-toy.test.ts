/**
 * The board's toy page, its math (src/board/client/toy.ts): it calls the trainer's own
 * losses, its loss and gradient agree with the naive twins and with centered differences,
 * a small step lowers the loss for every loss, and the drawing's geometry (regions, zero
 * lines, pixel ↔ plane) is where the scores say.
 */
import { Rng } from '../src/core/rng.js';
import { SCORES_LOSSES, ovaLoss, ovaLossNaive, softmaxLossNaive, svmLossNaive } from '../src/model/losses/index.js';
import {
  CLASSES,
  DEFAULT_SETTINGS,
  TOY_LOSSES,
  TOY_LOSS_NAMES,
  VIEW,
  WIDTH,
  argmax,
  defaultData,
  defaultW,
  evaluate,
  randomData,
  randomW,
  regions,
  scoresAt,
  step,
  toCanvas,
  toPlane,
  zeroLine,
} from '../src/board/client/toy.js';
import type { ToyData, ToyLossName, ToySettings } from '../src/board/client/toy.js';
import { relToMax } from './helpers/random-data.js';

const settings = (loss: ToyLossName, over: Partial<ToySettings> = {}): ToySettings => ({ ...DEFAULT_SETTINGS, loss, ...over });

/** X̃: n×3, rows [x1, x2, 1], what the naive twins take. */
function features(data: ToyData): Float64Array {
  const X = new Float64Array(data.n * WIDTH);
  for (let i = 0; i < data.n; i++) X.set([data.xy[2 * i], data.xy[2 * i + 1], 1], i * WIDTH);
  return X;
}

function naive(name: ToyLossName, Wb: Float64Array, data: ToyData, delta: number): { loss: number; dW: Float64Array } {
  const X = features(data);
  if (name === 'svm') return svmLossNaive(Wb, X, data.labels, data.n, delta, false, CLASSES, WIDTH);
  if (name === 'ova') return ovaLossNaive(Wb, X, data.labels, data.n, delta, false, CLASSES, WIDTH);
  return softmaxLossNaive(Wb, X, data.labels, data.n, CLASSES, WIDTH);
}

test("the page's losses are the trainer's own functions", () => {
  expect(TOY_LOSSES.svm).toBe(SCORES_LOSSES.svm);
  expect(TOY_LOSSES.softmax).toBe(SCORES_LOSSES.softmax);
  expect(TOY_LOSSES.ova).toBe(ovaLoss);
  expect(Object.keys(TOY_LOSSES)).toEqual([...TOY_LOSS_NAMES]);
});

describe.each(TOY_LOSS_NAMES)('%s', (name) => {
  const data = defaultData();

  test('loss and gradient: the naive twin on [x1, x2, 1], plus λΣW² on W only', () => {
    const Wb = defaultW();
    const s = settings(name, { reg: 0.3, delta: 1.5 });
    const e = evaluate(Wb, data, s);
    const ref = naive(name, Wb, data, 1.5);
    expect(e.dataLoss).toBeCloseTo(ref.loss, 12);
    let sq = 0;
    for (let k = 0; k < CLASSES; k++) sq += Wb[k * WIDTH] ** 2 + Wb[k * WIDTH + 1] ** 2;
    expect(e.regLoss).toBeCloseTo(0.3 * sq, 12);
    expect(e.total).toBe(e.dataLoss + e.regLoss);
    const want = ref.dW.slice();
    for (let k = 0; k < CLASSES; k++) for (let d = 0; d < 2; d++) want[k * WIDTH + d] += 2 * 0.3 * Wb[k * WIDTH + d];
    expect(relToMax(e.dW, want)).toBeLessThan(1e-12);
    // L_i, each row on its own, average to the data loss.
    expect(e.perPoint.reduce((a, b) => a + b, 0) / data.n).toBeCloseTo(e.dataLoss, 12);
    const s0 = new Float64Array(CLASSES);
    scoresAt(Wb, data.xy[0], data.xy[1], s0);
    expect(Array.from(e.scores.subarray(0, CLASSES))).toEqual(Array.from(s0));
  });

  test('the gradient matches centered differences at all 9 entries', () => {
    const Wb = defaultW();
    const s = settings(name);
    const { dW } = evaluate(Wb, data, s);
    const h = 1e-6;
    for (let k = 0; k < Wb.length; k++) {
      const old = Wb[k];
      Wb[k] = old + h;
      const plus = evaluate(Wb, data, s).total;
      Wb[k] = old - h;
      const minus = evaluate(Wb, data, s).total;
      Wb[k] = old;
      const numeric = (plus - minus) / (2 * h);
      expect(Math.abs(numeric - dW[k])).toBeLessThan(1e-7 * Math.max(1, Math.abs(dW[k])));
    }
  });

  test('a small step lowers the loss; a few hundred steps classify the demo points', () => {
    const Wb = defaultW();
    const before = step(Wb, data, settings(name, { stepSize: 1e-3 })).total;
    expect(evaluate(Wb, data, settings(name)).total).toBeLessThan(before);
    for (let t = 0; t < 300; t++) step(Wb, data, settings(name));
    const after = evaluate(Wb, data, settings(name));
    expect(after.total).toBeLessThan(before);
    for (let i = 0; i < data.n; i++) expect(argmax(after.scores, i * CLASSES)).toBe(data.labels[i]);
  });
});

describe('zero lines', () => {
  const Wb = defaultW();

  test.each([0, 1, 2])('class %i: scores are 0 at both ends, which lie on the view edge, and grow along the normal', (k) => {
    const line = zeroLine(Wb, k)!;
    expect(line).not.toBeNull();
    const s = new Float64Array(CLASSES);
    for (const [x1, x2] of [line.a, line.b]) {
      scoresAt(Wb, x1, x2, s);
      expect(Math.abs(s[k])).toBeLessThan(1e-12);
      expect(Math.max(Math.abs(x1), Math.abs(x2))).toBeCloseTo(VIEW, 12);
    }
    const mid = [(line.a[0] + line.b[0]) / 2, (line.a[1] + line.b[1]) / 2];
    scoresAt(Wb, mid[0] + 0.1 * line.normal[0], mid[1] + 0.1 * line.normal[1], s);
    expect(s[k]).toBeGreaterThan(0);
    expect(Math.hypot(...line.normal)).toBeCloseTo(1, 14);
  });

  test('none when w_k = 0 or when the line misses the view; axis-parallel lines clip too', () => {
    expect(zeroLine(Float64Array.of(0, 0, 1, 1, 0, 0, 1, 0, 0), 0)).toBeNull();
    expect(zeroLine(Float64Array.of(1, 1, 10 * VIEW, 0, 0, 0, 0, 0, 0), 0)).toBeNull();
    expect(zeroLine(Float64Array.of(0, 1, 3 * VIEW, 0, 0, 0, 0, 0, 0), 0)).toBeNull(); // x2 = −3·VIEW
    const vertical = zeroLine(Float64Array.of(2, 0, -1, 0, 0, 0, 0, 0, 0), 0)!; // x1 = 0.5
    expect([vertical.a[0], vertical.b[0]]).toEqual([0.5, 0.5]);
    expect([vertical.a[1], vertical.b[1]].sort()).toEqual([-VIEW, VIEW]);
  });
});

describe('the canvas', () => {
  test('toPlane and toCanvas invert each other; the corners are the view', () => {
    const [x1, x2] = toPlane(0, 0, 200, 100);
    expect(x1).toBeCloseTo(-VIEW + VIEW / 200, 14);
    expect(x2).toBeCloseTo(VIEW - VIEW / 100, 14);
    expect(toCanvas(x1, x2, 200, 100).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([0.5, 0.5]);
    expect(toCanvas(VIEW, -VIEW, 200, 100)).toEqual([200, 100]);
  });

  test("regions: each pixel is the argmax of the scores at its centre, and the points' pixels their predictions", () => {
    const Wb = defaultW();
    const [w, h] = [60, 40];
    const r = regions(Wb, w, h);
    expect(r.length).toBe(w * h);
    const s = new Float64Array(CLASSES);
    for (let p = 0; p < w * h; p += 7) {
      scoresAt(Wb, ...toPlane(p % w, Math.floor(p / w), w, h), s);
      expect(r[p]).toBe(argmax(s));
    }
    expect(new Set(r).size).toBe(3);
    const data = defaultData();
    const e = evaluate(Wb, data, DEFAULT_SETTINGS);
    const big = regions(Wb, 600, 400);
    for (let i = 0; i < data.n; i++) {
      const [px, py] = toCanvas(data.xy[2 * i], data.xy[2 * i + 1], 600, 400).map(Math.floor);
      expect(big[py * 600 + px]).toBe(argmax(e.scores, i * CLASSES));
    }
  });
});

describe('randomize', () => {
  test('data: reproducible by seed, three per class, inside the view', () => {
    const a = randomData(new Rng(5));
    const b = randomData(new Rng(5));
    expect(Array.from(a.xy)).toEqual(Array.from(b.xy));
    expect(Array.from(a.labels)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect(a.xy.every((v) => Math.abs(v) < VIEW)).toBe(true);
    expect(Array.from(randomData(new Rng(6)).xy)).not.toEqual(Array.from(a.xy));
  });

  test('W: 3×3, reproducible by seed', () => {
    expect(Array.from(randomW(new Rng(1)))).toEqual(Array.from(randomW(new Rng(1))));
    expect(randomW(new Rng(1)).length).toBe(CLASSES * WIDTH);
  });
});
