/** The terminal pictures: the loss chart, the confusion table, and when the pretty reporter shows them. */
import { Chalk } from 'chalk';
import { resolveConfig } from '../src/config/resolve.js';
import { OFFICIAL_CLASS_NAMES } from '../src/data/cifar10.js';
import { PrettyReporter } from '../src/report/pretty.js';
import { confusionTable, downsample, lossChart } from '../src/report/terminal.js';
import type { Summary } from '../src/report/types.js';
import { C } from '../src/core/shapes.js';

const names = [...OFFICIAL_CLASS_NAMES];
const plain = new Chalk({ level: 0 });

test('downsample: bucket means, at most width points', () => {
  expect(Array.from(downsample([1, 3, 5, 7], 2))).toEqual([2, 6]);
  expect(Array.from(downsample([1, 2, 3], 10))).toEqual([1, 2, 3]);
  expect(downsample(new Float64Array(1500).fill(4), 60)).toHaveLength(60);
});

test('lossChart: height + 1 rows from the first bucket mean down to the last', () => {
  const losses = Float64Array.from({ length: 1500 }, (_, i) => 9 - (i / 1500) * 4);
  const rows = lossChart(losses, 60, 8).split('\n');
  expect(rows).toHaveLength(9);
  // buckets of 25: the first averages i = 0..24 (mean 12), the last i = 1475..1499 (mean 1487)
  expect(rows[0]).toMatch(new RegExp(`^\\s*${(9 - (12 / 1500) * 4).toFixed(4)} ┼`));
  expect(rows.at(-1)).toMatch(new RegExp(`^\\s*${(9 - (1487 / 1500) * 4).toFixed(4)} ┤`));
  expect(lossChart([])).toBe('');
});

test('confusionTable: one row per class with its counts, total and accuracy', () => {
  const cm = new Int32Array(C * C);
  for (let t = 0; t < C; t++) for (let p = 0; p < C; p++) cm[t * C + p] = t === p ? 100 + t : 10;
  const rows = confusionTable(cm, names, plain).split('\n');
  expect(rows).toHaveLength(C + 1);
  expect(rows[0]).toMatch(/^true \\ predicted\s+airpl\s+autom .* truck\s+total\s+acc$/);
  expect(rows[1]).toMatch(/^airplane\s+100(\s+10){9}\s+190\s+52\.6%$/);
  expect(rows[10]).toMatch(/^truck(\s+10){9}\s+109\s+199\s+54\.8%$/);
});

describe('PrettyReporter at the end of a run', () => {
  const config = resolveConfig({}, { iters: 40, threads: 1 });
  const cm = Array.from({ length: C }, (_, t) => Array.from({ length: C }, (_, p) => (t === p ? 5 : 1)));
  const summary = {
    trainAcc: 0.4,
    valAcc: 0.38,
    testAcc: 0.37,
    perClass: Object.fromEntries(names.map((n) => [n, 5 / 14])),
    classNames: names,
    confusion: cm,
    finalLoss: 5,
    iters: 40,
    timeSec: 1,
    peakRssMB: 100,
    saved: null,
    runDir: 'runs/x',
    config,
    kernels: 'js',
  } as Summary;
  const run = (charts: boolean) => {
    let text = '';
    const write = (s: string) => {
      text += s;
      return true;
    };
    const stream = { isTTY: false, write } as unknown as NodeJS.WriteStream;
    const r = new PrettyReporter(stream, false, stream, charts);
    r.start({
      config,
      sizes: { train: 1, val: 1, test: 1 },
      kernels: 'js',
      threads: 1,
      detail: 'plain TypeScript, 1 thread',
      resumedAt: null,
    });
    for (let i = 1; i <= 40; i++) r.iter({ event: 'iter', iter: i, loss: 10 - i / 10, batchAcc: 0.3 });
    r.done(summary);
    return text;
  };

  test('charts on (a terminal, pretty mode): the loss chart and the confusion table', () => {
    const text = run(true);
    expect(text).toContain('loss per iteration');
    expect(text).toMatch(/┼/);
    expect(text).toMatch(/^airplane\s+5(\s+1){9}\s+14\s+35\.7%$/m);
  });

  test('charts off (json mode, no terminal): the plain per-class list only', () => {
    const text = run(false);
    expect(text).not.toMatch(/[┼┤]/);
    expect(text).toMatch(/per-class test accuracy:\n\s+airplane\s+35\.71%/);
  });
});
