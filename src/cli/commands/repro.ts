/**
 * `lintrain repro [--quick]`: every lecture preset in configs/, each search repeated
 * over several seeds (a single run of a search varies by points with the seed), run on
 * all cores; then one Markdown table beside the lecture's and assignment's figures,
 * the step-size experiment, and the lecture's sanity figures and gradient checks.
 * Each finished run's `trial` line goes to the folder's results.jsonl at once, so that
 * `--resume DIR` goes on with a repro stopped by Ctrl-C or a kill, skipping them.
 */
import path from 'node:path';
import fs from 'node:fs';
import { type Command, Option } from 'commander';
import { type Config, usesFeatures } from '../../config/schema.js';
import { readConfigFile, resolveConfig } from '../../config/resolve.js';
import { countRecords, TEST_FILE, TRAIN_FILES } from '../../data/cifar10.js';
import { UsageError } from '../../core/errors.js';
import { packageFile } from '../../core/package.js';
import { isSearch } from '../../optimizers/index.js';
import { RunFolder } from '../../report/run-folder.js';
import { readTrialFolder } from '../../report/sweep-folder.js';
import { TrialRecorder } from '../../report/trial-recorder.js';
import { identityHash, type ReproIdentity, reproDifferences, reproIdentity } from '../../sweep/identity.js';
import { defaultJobs, openPool, executeAll, type Task } from '../../sweep/pool.js';
import { fallbackWarning } from '../data.js';
import { ensureData } from '../pixel-data.js';
import { stdoutEvents } from '../events.js';
import { BETWEEN_RUNS, catchStopSignals, stoppedBetweenRuns } from '../interrupt.js';
import { type Act, addConfigOptions, addRenamedOption, givenFlags, positiveInt } from '../options.js';
import { makeReporter } from '../reporter.js';
import { KNOWN, type Outcome, type Row, fmtAcc, reproReport, summarize } from '../repro-report.js';
import { sanityChecks } from '../sanity.js';
import { plural, secs } from '../table.js';

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
    'out',
  ])
    .description('run every lecture preset in configs/ and print the lecture table, sanity figures and gradient checks')
    .option('--quick', 'smoke test: far fewer iterations and tries, small splits')
    .addOption(new Option('--jobs <n>', 'runs at once (default: all cores)').argParser(positiveInt))
    .option('--only <presets>', 'run only these presets, e.g. svm-sgd,random-search')
    .option('--resume <dir>', 'go on with the repro stopped in DIR (Ctrl-C, a kill): its finished runs are kept (same flags)');
  // --repeats, as in `lintrain sweep`: runs per experiment, seeds 0, 1, ….
  addRenamedOption(
    cmd,
    new Option('--repeats <n>', 'runs per experiment, seeds 0, 1, … (default: 5 for searches, 3 for SGD; --quick 2)').argParser(
      positiveInt,
    ),
    '--seeds <n>',
  );
  cmd.addHelpText(
    'after',
    '\nExamples:\n  lintrain repro --quick\n  lintrain repro --only svm-sgd,softmax-sgd --repeats 1\n' +
      '  lintrain repro --out runs/repro        then, after Ctrl-C or a kill: lintrain repro --resume runs/repro\n',
  );
  return cmd.action(() => act(reproCommand, cmd));
}

const QUICK = { numTrain: 2000, numVal: 200, numTest: 1000, numDev: 50, searchIters: 20, sgdIters: 100, seeds: 2 };

/** configs/ of this package (beside src/ and dist/). */
export const presetDir = (): string => packageFile('configs');

export function presetFiles(dir = presetDir()): string[] {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  const order = Object.keys(KNOWN);
  const rank = (f: string) => (order.includes(f) ? order.indexOf(f) : order.length);
  return files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
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

interface ReproOptions {
  config?: string;
  quick?: boolean;
  repeats?: number;
  jobs?: number;
  only?: string;
  resume?: string;
}

/** The presets to run, each with its config (split sizes, quick budgets) and seeds. */
function presetRows(common: Partial<Config>, opts: ReproOptions): Row[] {
  const { quick = false, repeats, only } = opts;
  const wanted = only?.split(',').map((s) => (s.endsWith('.json') ? s : `${s}.json`));
  const all = presetFiles();
  const unknown = wanted?.filter((f) => !all.includes(f)) ?? [];
  if (unknown.length > 0) throw new UsageError(`--only: no preset ${unknown.join(', ')} in configs/; presets: ${all.join(', ')}.`);
  const rows: Row[] = [];
  for (const file of all.filter((f) => !wanted || wanted.includes(f))) {
    const config = resolveConfig(readConfigFile(path.join(presetDir(), file)), common);
    // Feature presets (configs/hog-color-svm.json, kmeans-svm.json) need their own extraction: run them alone.
    if (usesFeatures(config)) {
      if (wanted) throw new UsageError(`repro runs the pixel presets; run ${file} with \`lintrain --config configs/${file}\`.`);
      continue;
    }
    if (quick && config.experiment === 'train')
      config.iters = Math.min(config.iters, isSearch(config.opt) ? QUICK.searchIters : QUICK.sgdIters);
    const n = config.experiment !== 'train' ? 1 : (repeats ?? (quick ? QUICK.seeds : isSearch(config.opt) ? 5 : 3));
    rows.push({ file, config, seeds: Array.from({ length: n }, (_, s) => s) });
  }
  return rows;
}

/** A finished run of repro, as its `trial` line holds it. */
type Trial = Outcome & { index: number; preset: string; seed: number };

export async function reproCommand(cmd: Command): Promise<number> {
  const flags = givenFlags(cmd);
  const opts = cmd.opts() as ReproOptions;
  if (opts.config) throw new UsageError('repro runs the presets in configs/ and takes no --config; use --only to pick some.');
  const { quick = false, jobs: jobsFlag } = opts;
  const base = resolveConfig({}, flags);
  if (opts.resume && base.out !== null && base.out !== opts.resume) {
    throw new UsageError(`--resume ${opts.resume} goes on in ${opts.resume}; leave out --out ${base.out}.`);
  }
  const reporter = makeReporter(base.logFormat, base.quiet);
  const dir = await ensureData(base, reporter);
  // Each run: no folder or file of its own (the repro's folder holds their results).
  const common = { ...flags, ...splitSizes(dir, flags, quick), evalEvery: 0, save: null, minValAcc: null, out: null };
  const shared = resolveConfig({}, common);
  const rows = presetRows(common, opts);
  // Longest first (the searches), so the last runs to finish are short ones.
  const tasks: (Task & { row: Row; seed: number })[] = [];
  for (const row of [...rows].sort((a, b) => Number(isSearch(b.config.opt)) - Number(isSearch(a.config.opt)))) {
    for (const seed of row.seeds) tasks.push({ index: tasks.length, config: { ...row.config, seed }, evalTest: true, row, seed });
  }
  const identity = reproIdentity(
    quick,
    rows.map((r) => ({ preset: r.file, config: r.config, seeds: r.seeds })),
  );
  const mark = { reproId: identityHash(identity), identity };
  const prior = opts.resume ? priorRuns(opts.resume, identity) : null;
  if (prior?.torn) reporter.warn(`${opts.resume}/results.jsonl: its last line was cut off and is left out; that run runs again.`);
  const kept = new Set(prior?.runs.map((r) => r.index));
  const todo = tasks.filter((t) => !kept.has(t.index));

  const jobs = Math.max(1, Math.min(jobsFlag ?? defaultJobs(), todo.length));
  const load = reporter.phase('load    ', 6);
  const opened = await openPool(dir, shared, jobs, { needTest: true, onLoad: (d) => load.update(d) }).finally(() => load.stop());
  const json = base.logFormat === 'json';
  if (opened.pool.kernels.fallback) reporter.warn(fallbackWarning(opened.pool.kernels));
  let folder: TrialRecorder | null = null;
  let ended = false;
  const signals = catchStopSignals(BETWEEN_RUNS);
  try {
    const folderConfig = { ...shared, out: opts.resume ?? base.out };
    const runFolder = prior ? RunFolder.open(prior.dir) : TrialRecorder.newFolder(folderConfig, 'repro');
    folder = new TrialRecorder(runFolder, 'repro', { ...folderConfig, out: runFolder.dir }, mark).begin(prior?.lines);
    const { data } = opened;
    reporter.info(
      `repro${quick ? ' --quick' : ''}: ${rows.length} presets, ${tasks.length} runs${prior ? ` (${kept.size} finished before, kept)` : ''} on ` +
        `${data.train.n} train / ${data.val.n} val / ${data.test.n} test images from ${dir}; ` +
        `${plural(opened.pool.jobs, 'job')} × ${plural(opened.pool.threadsPerJob, 'thread')}, backend ${base.backend}`,
    );
    const t0 = performance.now();
    const bar = reporter.phase('repro   ', todo.length);
    let done = 0;
    const results = await executeAll(
      opened.pool,
      todo.map(({ index, config, evalTest }) => ({ index, config, evalTest })),
      (r) => {
        bar.update(++done);
        const t = tasks[r.index];
        const { W: _W, curve: _curve, ...outcome } = r; // repro keeps neither weights nor curves of its runs
        const trial = { preset: t.row.file, seed: t.seed, ...outcome };
        folder!.trial(trial);
        if (json) stdoutEvents().write('trial', trial);
        if (!process.stderr.isTTY) {
          const accs = r.stepSize ? '' : `: val ${fmtAcc([r.valAcc])}, test ${fmtAcc([r.testAcc])}`;
          reporter.info(`run ${done}/${todo.length}: ${t.row.file} seed ${t.seed}${accs} in ${secs(r.timeSec)}`);
        }
      },
      () => signals.received() !== null,
    ).finally(() => bar.stop());
    const signal = signals.received();
    if (signal && results.length < todo.length) {
      const stop = stoppedBetweenRuns(signal, kept.size + results.length, tasks.length, runFolder.dir);
      folder.interrupted(stop.message);
      ended = true;
      throw stop;
    }
    const wallSec = (performance.now() - t0) / 1000;
    const sanity = sanityChecks(data.dev, data.mean, base);

    const all: Trial[] = [
      ...(prior?.runs ?? []),
      ...results.map((r) => ({ ...r, preset: tasks[r.index].row.file, seed: tasks[r.index].seed })),
    ];
    const of = (row: Row) => all.filter((r) => tasks[r.index].row === row).sort((a, b) => a.index - b.index);
    const table = rows.filter((row) => row.config.experiment === 'train').map((row) => summarize(row, of(row)));
    const step = rows.find((row) => row.config.experiment === 'step-size');
    const stepResult = step ? of(step)[0]?.stepSize : undefined;
    const runSec = all.reduce((a, r) => a + r.timeSec, 0);
    const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
    const summary = {
      quick,
      rows: table,
      stepSize: stepResult ?? null,
      sanity,
      wallSec,
      runSec,
      kernels: opened.pool.kernels.id,
      jobs: opened.pool.jobs,
      peakRssMB,
      runDir: runFolder.dir,
      reproId: mark.reproId,
    };
    folder.finish(summary);
    ended = true;
    if (json) stdoutEvents().write('repro', summary);
    if (!base.quiet) {
      const report = reproReport({
        quick,
        dir,
        sizes: { train: data.train.n, val: data.val.n, test: data.test.n },
        backend: base.backend,
        table,
        step: step && stepResult ? { row: step, result: stepResult } : null,
        sanity,
        runs: tasks.length,
        wallSec,
        runSec,
        jobs: opened.pool.jobs,
        peakRssMB,
      });
      (json ? process.stderr : process.stdout).write(report);
    }
    reporter.info(`run folder: ${runFolder.dir}`);
    return sanity.gradchecks.some((g) => g.verdict === 'wrong') ? 1 : 0;
  } catch (e) {
    if (!ended) folder?.fail(e);
    throw e;
  } finally {
    signals.dispose();
    reporter.close();
    await opened.close();
  }
}

/** The finished runs of the stopped repro in `dir`, refused by name unless it is this very repro. */
function priorRuns(dir: string, identity: ReproIdentity) {
  const prior = readTrialFolder<Trial>(dir, 'repro', 'reproId');
  const differences = reproDifferences(prior.identity as ReproIdentity, identity);
  if (differences.length > 0 || prior.summary.reproId !== identityHash(identity)) {
    throw new UsageError(`${dir}: a different repro (${differences.join('; ') || 'its identity differs'}); resume it with its own flags.`);
  }
  return { dir, ...prior };
}
