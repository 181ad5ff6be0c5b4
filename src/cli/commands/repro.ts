/**
 * `lintrain repro [--quick]`: every lecture preset in configs/, each search repeated
 * over several seeds (a single run of a search varies by points with the seed), run on
 * all cores; then one Markdown table beside the lecture's and assignment's figures,
 * the step-size experiment, and the lecture's sanity figures and gradient checks.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, Option } from 'commander';
import { type Config, usesFeatures } from '../../config/schema.js';
import { readConfigFile, resolveConfig } from '../../config/resolve.js';
import { countRecords, TEST_FILE, TRAIN_FILES } from '../../data/cifar10.js';
import { UsageError } from '../../core/errors.js';
import { isSearch } from '../../optimizers/index.js';
import { defaultJobs, openPool, executeAll, type Task, type TaskResult } from '../../sweep/pool.js';
import { fallbackWarning } from '../data.js';
import { ensureData } from '../pixel-data.js';
import { stdoutEvents } from '../events.js';
import { type Act, addConfigOptions, addRenamedOption, givenFlags, positiveInt } from '../options.js';
import { makeReporter } from '../reporter.js';
import { sanityChecks, sanityReport } from '../sanity.js';
import { stepSizeSetting, stepSizeTable } from '../step-size.js';
import { fmtNum, markdownTable, meanStd, plural, secs } from '../table.js';

export function define(parent: Command, act: Act): Command {
  const cmd = addConfigOptions(parent.command('repro'), [
    'numTrain',
    'numVal',
    'numTest',
    'numDev',
    'data',
    'download',
    'backend',
    'threads',
    'logFormat',
    'quiet',
  ])
    .description('run every lecture preset in configs/ and print the lecture table, sanity figures and gradient checks')
    .option('--quick', 'smoke test: far fewer iterations and tries, small splits')
    .addOption(new Option('--jobs <n>', 'runs at once (default: all cores)').argParser(positiveInt))
    .option('--only <presets>', 'run only these presets, e.g. svm-sgd,random-search');
  // --repeats, as in `lintrain sweep`: runs per experiment, seeds 0, 1, ….
  addRenamedOption(
    cmd,
    new Option('--repeats <n>', 'runs per experiment, seeds 0, 1, … (default: 5 for searches, 3 for SGD; --quick 2)').argParser(
      positiveInt,
    ),
    '--seeds <n>',
  );
  cmd.addHelpText('after', '\nExamples:\n  lintrain repro --quick\n  lintrain repro --only svm-sgd,softmax-sgd --repeats 1\n');
  return cmd.action(() => act(reproCommand, cmd));
}

/** The presets the course has a figure for, in the table's order. Others in configs/ follow. */
const KNOWN: Record<string, { title: string; figure: string; showHyper?: boolean }> = {
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
const QUICK = { numTrain: 2000, numVal: 200, numTest: 1000, numDev: 50, searchIters: 20, sgdIters: 100, seeds: 2 };

/** configs/ of this package (beside src/ and dist/). */
export const presetDir = (): string => fileURLToPath(new URL('../../../configs/', import.meta.url));

export function presetFiles(dir = presetDir()): string[] {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  const order = Object.keys(KNOWN);
  const rank = (f: string) => (order.includes(f) ? order.indexOf(f) : order.length);
  return files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

interface Row {
  file: string;
  config: Config;
  seeds: number[];
}

/** The split sizes: flags, else the full split, else (quick) small ones that fit the data. */
function splitSizes(dir: string, flags: Partial<Config>, quick: boolean): Partial<Config> {
  if (!quick) return {};
  const nTrain = TRAIN_FILES.reduce((n, f) => n + countRecords(path.join(dir, f)), 0);
  const nTest = countRecords(path.join(dir, TEST_FILE));
  const numVal = flags.numVal ?? Math.min(QUICK.numVal, Math.floor(nTrain / 5));
  const numTrain = flags.numTrain ?? Math.min(QUICK.numTrain, nTrain - numVal);
  return {
    numVal,
    numTrain,
    numTest: flags.numTest ?? Math.min(QUICK.numTest, nTest),
    numDev: flags.numDev ?? Math.min(QUICK.numDev, numTrain),
  };
}

export async function reproCommand(cmd: Command): Promise<number> {
  const flags = givenFlags(cmd);
  const opts = cmd.opts() as { config?: string; quick?: boolean; repeats?: number; jobs?: number; only?: string };
  if (opts.config) throw new UsageError('repro runs the presets in configs/ and takes no --config; use --only to pick some.');
  const { quick = false, repeats: seedsFlag, jobs: jobsFlag, only } = opts;
  const base = resolveConfig({}, flags);
  const reporter = makeReporter(base.logFormat, base.quiet);
  const dir = await ensureData(base, reporter);
  const common = { ...flags, ...splitSizes(dir, flags, quick), evalEvery: 0, save: null, minValAcc: null };
  const shared = resolveConfig({}, common);

  const wanted = only?.split(',').map((s) => (s.endsWith('.json') ? s : `${s}.json`));
  const all = presetFiles();
  const unknown = wanted?.filter((f) => !all.includes(f)) ?? [];
  if (unknown.length > 0) throw new UsageError(`--only: no preset ${unknown.join(', ')} in configs/; presets: ${all.join(', ')}.`);
  const files = all.filter((f) => !wanted || wanted.includes(f));
  const rows: Row[] = [];
  for (const file of files) {
    const config = resolveConfig(readConfigFile(path.join(presetDir(), file)), common);
    // Feature presets (configs/hog-color-svm.json, kmeans-svm.json) need their own extraction: run them alone.
    if (usesFeatures(config)) {
      if (wanted) throw new UsageError(`repro runs the pixel presets; run ${file} with \`lintrain --config configs/${file}\`.`);
      continue;
    }
    if (quick && config.experiment === 'train')
      config.iters = Math.min(config.iters, isSearch(config.opt) ? QUICK.searchIters : QUICK.sgdIters);
    const n = config.experiment !== 'train' ? 1 : (seedsFlag ?? (quick ? QUICK.seeds : isSearch(config.opt) ? 5 : 3));
    rows.push({ file, config, seeds: Array.from({ length: n }, (_, s) => s) });
  }
  // Longest first (the searches), so the last runs to finish are short ones.
  const tasks: (Task & { row: Row; seed: number })[] = [];
  for (const row of [...rows].sort((a, b) => Number(isSearch(b.config.opt)) - Number(isSearch(a.config.opt)))) {
    for (const seed of row.seeds) tasks.push({ index: tasks.length, config: { ...row.config, seed }, evalTest: true, row, seed });
  }
  const jobs = Math.min(jobsFlag ?? defaultJobs(), tasks.length);
  const load = reporter.phase('load    ', 6);
  const opened = await openPool(dir, shared, jobs, { needTest: true, onLoad: (d) => load.update(d) }).finally(() => load.stop());
  const json = base.logFormat === 'json';
  if (opened.pool.kernels.fallback) reporter.warn(fallbackWarning(opened.pool.kernels));
  try {
    const { data } = opened;
    reporter.info(
      `repro${quick ? ' --quick' : ''}: ${rows.length} presets, ${tasks.length} runs on ${data.train.n} train / ${data.val.n} val / ` +
        `${data.test.n} test images from ${dir}; ${plural(opened.pool.jobs, 'job')} × ${plural(opened.pool.threadsPerJob, 'thread')}, backend ${base.backend}`,
    );
    const t0 = performance.now();
    const bar = reporter.phase('repro   ', tasks.length);
    let done = 0;
    const results = await executeAll(
      opened.pool,
      tasks.map(({ index, config, evalTest }) => ({ index, config, evalTest })),
      (r) => {
        bar.update(++done);
        const t = tasks[r.index];
        const { W: _W, curve: _curve, ...outcome } = r; // repro keeps neither weights nor curves of its runs
        if (json) stdoutEvents().write('trial', { preset: t.row.file, seed: t.seed, ...outcome });
        if (!process.stderr.isTTY) {
          const accs = r.stepSize ? '' : `: val ${fmtAcc([r.valAcc])}, test ${fmtAcc([r.testAcc])}`;
          reporter.info(`run ${done}/${tasks.length}: ${t.row.file} seed ${t.seed}${accs} in ${secs(r.timeSec)}`);
        }
      },
    ).finally(() => bar.stop());
    const wallSec = (performance.now() - t0) / 1000;
    const sanity = sanityChecks(data.dev, data.mean, base);

    const of = (row: Row) => results.filter((r) => tasks[r.index].row === row);
    const table = rows.filter((row) => row.config.experiment === 'train').map((row) => summarize(row, of(row)));
    const step = rows.find((row) => row.config.experiment === 'step-size');
    const stepResult = step ? of(step)[0] : undefined;
    const runSec = results.reduce((a, r) => a + r.timeSec, 0);
    const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
    if (json) {
      stdoutEvents().write('repro', {
        quick,
        rows: table,
        stepSize: stepResult?.stepSize ?? null,
        sanity,
        wallSec,
        runSec,
        kernels: opened.pool.kernels.id,
        jobs: opened.pool.jobs,
        peakRssMB,
      });
    }
    if (!base.quiet) {
      const out = [
        `## lintrain repro${quick ? ' --quick (smoke test: far fewer iterations, small splits)' : ''}`,
        `Data: ${dir}, ${data.train.n} train / ${data.val.n} val / ${data.test.n} test; backend ${base.backend}; ` +
          'mean ± sample standard deviation over seeds 0, 1, …; time per run.',
        '',
        markdownTable(
          ['experiment', 'lecture / assignment', 'our val acc', 'our test acc', 'time'],
          table.map((t) => [t.title, t.figure, t.val, t.test, t.time]),
          [false, false, true, true, true],
        ),
      ];
      if (step && stepResult?.stepSize) {
        out.push(
          '',
          `Step-size experiment (configs/${step.file}): ${stepSizeSetting(step.config, data.train.n)}`,
          '',
          stepSizeTable(stepResult.stepSize),
        );
      }
      out.push(
        '',
        sanityReport(sanity),
        '',
        `${tasks.length} runs in ${secs(wallSec)} on ${plural(opened.pool.jobs, 'job')} (sum of run times ${secs(runSec)}); peak RSS ${peakRssMB} MB`,
      );
      (json ? process.stderr : process.stdout).write(out.join('\n') + '\n');
    }
    return sanity.gradchecks.some((g) => g.verdict === 'wrong') ? 1 : 0;
  } finally {
    reporter.close();
    await opened.close();
  }
}

const fmtAcc = (xs: number[]) => {
  const { mean, std, n } = meanStd(xs);
  if (n === 0) return 'diverged';
  return n > 1 ? `${(100 * mean).toFixed(2)} ± ${(100 * std).toFixed(2)}%` : `${(100 * mean).toFixed(2)}%`;
};

function summarize(row: Row, rs: TaskResult[]) {
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
