/** What `lintrain repro` prints: the lecture table's rows (mean and spread over seeds) and the report for people. */
import type { Config } from '../config/schema.js';
import type { StepSizeResult } from '../training/step-size.js';
import { type Sanity, sanityReport } from './sanity.js';
import { stepSizeSetting, stepSizeTable } from './step-size.js';
import { fmtNum, markdownTable, meanStd, plural, secs } from './table.js';

/** The presets the course has a figure for, in the table's order. Others in configs/ follow. */
export const KNOWN: Record<string, { title: string; figure: string; showHyper?: boolean }> = {
  'random-search.json': { title: 'Random search, 1,000 tries', figure: 'test ≈ 15.5% (lecture 3)' },
  'random-local-search.json': { title: 'Random local search, 1,000 steps', figure: 'test ≈ 21.4% (lecture 3)' },
  'svm-sgd.json': { title: 'SVM + SGD, lr 1e-7, reg 2.5e4', figure: 'val ≈ 38–39% (assignment 1)' },
  'softmax-sgd.json': { title: 'Softmax + SGD, lr 1e-7, reg 2.5e4', figure: 'val ≈ 35% (assignment 1)' },
  'svm-tuned.json': { title: 'SVM + SGD, tuned by our sweep', figure: 'best val ≈ 40%, test ≈ 37–40% (assignment 1)', showHyper: true },
  'softmax-tuned.json': {
    title: 'Softmax + SGD, tuned by our sweep',
    figure: 'best val ≈ 40%, test ≈ 37–40% (assignment 1)',
    showHyper: true,
  },
  'step-size.json': { title: 'Step-size experiment', figure: 'loss falls for small steps, explodes for large (notes)' },
};

/** One preset of repro: its config and the seeds it runs with. */
export interface Row {
  file: string;
  config: Config;
  seeds: number[];
}

/** What the table needs of a finished run: from this process, or from results.jsonl. */
export interface Outcome {
  valAcc: number;
  testAcc: number;
  timeSec: number;
  error?: string;
  stepSize?: StepSizeResult;
}

export const fmtAcc = (xs: number[]): string => {
  const { mean, std, n } = meanStd(xs);
  if (n === 0) return 'diverged';
  return n > 1 ? `${(100 * mean).toFixed(2)} ± ${(100 * std).toFixed(2)}%` : `${(100 * mean).toFixed(2)}%`;
};

/** A preset's row of the table, over its runs. */
export function summarize(row: Row, rs: readonly Outcome[]) {
  const known = KNOWN[row.file];
  const runs = rs.length > 1 ? `, ${rs.length} seeds` : '';
  const diverged = rs.filter((r) => r.error).length;
  return {
    preset: row.file,
    title: `${known?.title ?? row.file.replace(/\.json$/, '')}${known?.showHyper ? `: lr ${fmtNum(row.config.lr)}, reg ${fmtNum(row.config.reg)}` : ''} (configs/${row.file}${runs}${diverged ? `, ${diverged} diverged` : ''})`,
    figure: known?.figure ?? '–',
    val: fmtAcc(rs.map((r) => r.valAcc)),
    test: fmtAcc(rs.map((r) => r.testAcc)),
    time: secs(meanStd(rs.map((r) => r.timeSec)).mean),
    valAcc: meanStd(rs.map((r) => r.valAcc)),
    testAcc: meanStd(rs.map((r) => r.testAcc)),
    seeds: row.seeds,
  };
}

/** The report for people: the Markdown table, the step-size table, the sanity figures, the times. */
export function reproReport(s: {
  quick: boolean;
  dir: string;
  sizes: { train: number; val: number; test: number };
  backend: string;
  table: readonly ReturnType<typeof summarize>[];
  step: { row: Row; result: StepSizeResult } | null;
  sanity: Sanity;
  runs: number;
  wallSec: number;
  runSec: number;
  jobs: number;
  peakRssMB: number;
}): string {
  const out = [
    `## lintrain repro${s.quick ? ' --quick (smoke test: far fewer iterations, small splits)' : ''}`,
    `Data: ${s.dir}, ${s.sizes.train} train / ${s.sizes.val} val / ${s.sizes.test} test; backend ${s.backend}; ` +
      'mean ± sample standard deviation over seeds 0, 1, …; time per run.',
    '',
    markdownTable(
      ['experiment', 'lecture / assignment', 'our val acc', 'our test acc', 'time'],
      s.table.map((t) => [t.title, t.figure, t.val, t.test, t.time]),
      [false, false, true, true, true],
    ),
  ];
  if (s.step) {
    out.push(
      '',
      `Step-size experiment (configs/${s.step.row.file}): ${stepSizeSetting(s.step.row.config, s.sizes.train)}`,
      '',
      stepSizeTable(s.step.result),
    );
  }
  out.push(
    '',
    sanityReport(s.sanity),
    '',
    `${s.runs} runs in ${secs(s.wallSec)} on ${plural(s.jobs, 'job')} (sum of run times ${secs(s.runSec)}); peak RSS ${s.peakRssMB} MB`,
  );
  return out.join('\n') + '\n';
}
