/**
 * The benchmark's table (bench/report.mjs): each ratio with the range of the repeats' own
 * ratios, and each verdict with how many repeats met the target, so a run on a machine
 * whose speed drifts cannot pass for a steadier one than it was.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from './helpers/cli.js';

interface Row {
  label: string;
  unit: string;
  target: { kind: 'ratio' | 'abs'; max: number; strict?: boolean } | null;
  values: Record<string, number | null>;
  best: [string, number] | null;
  ratios?: number[];
}
interface Report {
  pairedRatios(mine: number[] | undefined, base: number[] | undefined): number[];
  table(rows: Row[]): string;
}

let report: Report;
beforeAll(async () => {
  report = (await import(pathToFileURL(path.join(root, 'bench', 'report.mjs')).href)) as Report;
});

/** The cells of the table's line for `label`. */
function cells(text: string, label: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(`| ${label} `));
  if (!line) throw new Error(`no line for ${label} in:\n${text}`);
  return line
    .split('|')
    .slice(1, -1)
    .map((c) => c.trim());
}

const row = (over: Partial<Row>): Row => ({
  label: 'SGD step',
  unit: 'ms',
  target: { kind: 'ratio', max: 0.6 },
  values: { wasm: 0.5, 'wasm-fma': null, js: null },
  best: ['f32', 1],
  ...over,
});

describe('bench report', () => {
  test('pairedRatios divides sample i by sample i, over the shorter list, skipping what is not a number', () => {
    expect(report.pairedRatios([1, 2, 3], [2, 4])).toEqual([0.5, 0.5]);
    expect(report.pairedRatios([1, Number.NaN, 3], [2, 4, 0])).toEqual([0.5]);
    expect(report.pairedRatios(undefined, [1])).toEqual([]);
  });

  test('a ratio shows the repeats’ range and the verdict how many repeats met the target', () => {
    const c = cells(report.table([row({ ratios: [0.7, 0.4, 0.55] })]), 'SGD step (ms)');
    expect(c[5]).toBe('0.50× (0.40–0.70)');
    expect(c[6]).toBe('≤ 0.6×');
    expect(c[7]).toBe('yes (2 of 3 repeats)');
  });

  test('a missed target says so, and counts the repeats that met it', () => {
    const c = cells(report.table([row({ values: { wasm: 0.9, 'wasm-fma': null, js: null }, ratios: [0.5, 0.9, 1.1] })]), 'SGD step (ms)');
    expect(c[5]).toBe('0.90× (0.50–1.10)');
    expect(c[7]).toBe('NO (1 of 3 repeats)');
  });

  test('one repeat, or an absolute target, adds nothing', () => {
    expect(cells(report.table([row({ ratios: [0.5] })]), 'SGD step (ms)').slice(5)).toEqual(['0.50×', '≤ 0.6×', 'yes']);
    const rss = cells(
      report.table([
        row({
          label: 'peak RSS',
          unit: 'MB',
          target: { kind: 'abs', max: 350 },
          values: { wasm: 300, 'wasm-fma': null, js: null },
          ratios: [0.1, 0.2],
        }),
      ]),
      'peak RSS (MB)',
    );
    expect(rss.slice(5)).toEqual(['–', '≤ 350 MB', 'yes']);
  });
});
