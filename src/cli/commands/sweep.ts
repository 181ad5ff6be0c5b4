/**
 * `lintrain sweep`: train one configuration per point of a grid or of random log-space
 * samples, all cores at once, and keep the one with the best validation accuracy.
 *   lintrain sweep --lr 1e-7,5e-7 --reg 2.5e4,5e4              (grid: 4 runs)
 *   lintrain sweep --lr 1e-8:1e-5 --reg 1e2:1e5 --samples 30    (random, log-uniform)
 *   lintrain sweep … --shard 2/4      (the 2nd of 4 disjoint parts; `sweep merge` joins them)
 *   lintrain sweep … --plan           (each run as a command, JSON lines; nothing trained)
 *   lintrain sweep … --resume DIR     (go on with a stopped sweep: finished runs are kept)
 * Only the chosen run ever sees the test split, once (a shard: its own chosen run).
 */
import { type Command, Option } from 'commander';
import { CONFIG_KEYS, type Config, type ConfigKey, runConfig, usesFeatures } from '../../config/schema.js';
import { readConfigFile, resolveConfig } from '../../config/resolve.js';
import { LintrainError, UsageError } from '../../core/errors.js';
import { accuracy } from '../../model/evaluate.js';
import { type Model, saveModel } from '../../model/file.js';
import { defaultJobs, openPool, executeAll, type TaskResult } from '../../sweep/pool.js';
import {
  type Axis,
  bestSummary,
  chooseBest,
  isSweepKey,
  parseAxis,
  type RunResult,
  type RunSpec,
  runSpecs,
  SWEEP_KEYS,
  sweepPoints,
} from '../../sweep/points.js';
import { identityDifferences, identityHash, type SweepIdentity, sweepIdentity } from '../../sweep/identity.js';
import { parseShard, type Shard, shardSpecs, shardText } from '../../sweep/shards.js';
import { planArgs, shellLine } from '../../sweep/plan.js';
import { fallbackWarning } from '../data.js';
import { ensureData } from '../pixel-data.js';
import { stdoutEvents } from '../events.js';
import { type Act, addConfigOptions, givenFlags, positiveInt } from '../options.js';
import { makeReporter } from '../reporter.js';
import { BETWEEN_RUNS, catchStopSignals, stoppedBetweenRuns } from '../interrupt.js';
import { readSweepFolder } from '../../report/sweep-folder.js';
import { SweepRecorder } from '../../report/sweep-recorder.js';
import { axisText, paramText, sweepReport } from '../sweep-report.js';
import { pct, plural, secs } from '../table.js';

// Refused with a message (a sweep trains, on pixels), so not listed in its help.
const NOT_SWEPT: readonly ConfigKey[] = ['experiment', 'features', 'centroids', 'kmeansPatches', 'kmeansIters', 'featuresFile'];

export function define(parent: Command, act: Act): Command {
  const cmd = addSweepOptions(parent.command('sweep')).description(
    'hyperparameter search: a grid (--lr 1e-7,5e-7) or log-uniform samples (--lr 1e-8:1e-5 --samples 30), in parallel',
  );
  cmd.addHelpText(
    'after',
    '\nExamples:\n  lintrain sweep --lr 1e-7,5e-7 --reg 2.5e4,5e4                 grid: 4 runs\n' +
      '  lintrain sweep --lr 1e-8:1e-5 --reg 1e2:1e5 --samples 30       random, log-uniform\n' +
      '  lintrain sweep --loss softmax --lr 1e-7,1e-6 --repeats 3       3 seeds per point\n' +
      '  lintrain sweep --lr 1e-7,5e-7 --reg 2.5e4,5e4 --shard 1/2 --out runs/s1   half of it (then `sweep merge`)\n' +
      '  lintrain sweep --lr 1e-7,5e-7 --reg 2.5e4,5e4 --resume runs/s1             go on after Ctrl-C or a kill\n',
  );
  // `sweep merge A B … --out DIR` reads its own options, not the sweep's.
  cmd.enablePositionalOptions();
  return cmd.action(() => act(sweepCommand, cmd));
}

/** The training flags, with sweep syntax on the numeric ones, plus the sweep's own options. */
function addSweepOptions(cmd: Command): Command {
  addConfigOptions(
    cmd,
    CONFIG_KEYS.filter((k) => !NOT_SWEPT.includes(k)),
    NOT_SWEPT,
  );
  for (const key of SWEEP_KEYS) {
    const opt = cmd.options.find((o) => o.attributeName() === key);
    if (!opt) continue;
    opt.argParser((text: string) => parseAxis(key, text));
    opt.description += '; a list a,b,c or a range lo:hi (log-uniform) sweeps it';
  }
  return cmd
    .addOption(new Option('--samples <n>', 'random search: number of runs (needed when a flag is a range)').argParser(positiveInt))
    .addOption(
      new Option('--repeats <n>', 'runs per point, each with its own seed; points ranked by mean validation accuracy').argParser(
        positiveInt,
      ),
    )
    .addOption(new Option('--jobs <n>', `runs at once (default: ${defaultJobs()}, all cores)`).argParser(positiveInt))
    .addOption(
      new Option('--shard <K/N>', 'run only shard K of N (1-based; point p goes to shard p mod N + 1); join with `sweep merge`').argParser(
        parseShard,
      ),
    )
    .addOption(new Option('--plan', 'print each run as JSON lines (index, params, seed, the command that runs it alone); train nothing'))
    .addOption(
      new Option('--resume <dir>', 'go on with the stopped sweep in DIR: its finished runs are kept, the others run (same flags)'),
    );
}

/** The command line split into what is swept and the fixed flags; the file's config. */
export function sweepPlan(cmd: Command): { axes: Axis[]; fixed: Partial<Config>; file: Partial<Config> } {
  const axes: Axis[] = [];
  const fixed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(givenFlags(cmd))) {
    const axis = value as unknown as Axis;
    if (!isSweepKey(key)) fixed[key] = value;
    else if (axis.kind === 'grid' && axis.values.length === 1) fixed[key] = axis.values[0];
    else axes.push(axis);
  }
  const configFile = cmd.opts().config as string | undefined;
  return { axes, fixed: fixed as Partial<Config>, file: configFile ? readConfigFile(configFile) : {} };
}

interface SweepOptions {
  samples?: number;
  jobs?: number;
  repeats?: number;
  shard?: Shard;
  plan?: boolean;
  resume?: string;
  config?: string;
}

export async function sweepCommand(cmd: Command): Promise<number> {
  const { axes, fixed, file } = sweepPlan(cmd);
  const opts = cmd.opts() as SweepOptions;
  const { samples, repeats = 1, shard } = opts;
  if (axes.length === 0) {
    throw new UsageError('Nothing to sweep: give a flag a list (--lr 1e-7,5e-7) or a range (--lr 1e-8:1e-5 --samples 20).');
  }
  const base = resolveConfig(file, fixed);
  if (base.experiment !== 'train') throw new UsageError(`sweep trains; --experiment must be train, got ${base.experiment}.`);
  if (usesFeatures(base)) {
    throw new UsageError('sweep runs on pixels only; tune on features with a few `lintrain --features-file FILE --lr … --reg …` runs.');
  }
  const allSpecs = runSpecs(sweepPoints(axes, samples ?? null, base.seed), base.seed, repeats);
  const specs = shard ? shardSpecs(allSpecs, shard) : allSpecs;
  if (opts.plan) {
    for (const s of specs) {
      const args = planArgs(s, fixed, opts.config ?? null);
      stdoutEvents().write('plan', { ...s, shard: shard ? shardText(shard) : null, args, command: shellLine(['lintrain', ...args]) });
    }
    return 0;
  }
  const identity = sweepIdentity(base, axes, samples ?? null, repeats);
  const mark = { sweepId: identityHash(identity), shard: shard ? shardText(shard) : null, identity };
  const prior = opts.resume ? priorRuns(opts.resume, identity, mark.shard, base.out) : null;
  const done = new Set(prior?.runs.map((r) => r.index));
  const todo = specs.filter((s) => !done.has(s.index));
  // Each run: the fixed flags, its point, its own seed, and no folder or file of its own
  // (so that its config, saved with the best model, is the same in a shard's folder or
  // the whole sweep's). --eval-every applies too, so that its curves (trials/) have the
  // checks a lone run's would: a check scores numVal images per evalEvery·batchSize
  // trained (1,000 per 20,000 at the defaults, within timing noise).
  const configOf = (s: RunSpec) => resolveConfig(file, { ...fixed, ...s.params, seed: s.seed, out: null, save: null, minValAcc: null });
  const jobs = Math.max(1, Math.min(opts.jobs ?? defaultJobs(), todo.length));
  const json = base.logFormat === 'json';
  const reporter = makeReporter(base.logFormat, base.quiet);
  if (prior?.torn) reporter.warn(`${opts.resume}/results.jsonl: its last line was cut off and is left out; that run runs again.`);

  const dir = await ensureData(base, reporter);
  const load = reporter.phase('load    ', 6);
  const opened = await openPool(dir, base, jobs, { needTest: false, onLoad: (d) => load.update(d) }).finally(() => load.stop());
  let folder: SweepRecorder | null = null;
  let finished = false;
  if (opened.pool.kernels.fallback) reporter.warn(fallbackWarning(opened.pool.kernels));
  const signals = catchStopSignals(BETWEEN_RUNS);
  try {
    folder = prior ? SweepRecorder.resume(prior.dir, base, mark, prior.lines) : SweepRecorder.create(base, mark);
    const mode = samples === undefined ? 'grid' : 'random';
    reporter.info(
      `sweep: ${specs.length} runs (${mode} over ${axes.map(axisText).join(' × ')}${repeats > 1 ? `, ${repeats} seeds each` : ''}` +
        `${shard ? `; shard ${shardText(shard)} of ${allSpecs.length} runs` : ''}${prior ? `; ${done.size} finished before, kept` : ''}); ` +
        `${base.loss} loss, ${base.opt}, ${base.iters} iterations, batch ${base.batchSize}; ${plural(opened.pool.jobs, 'job')} × ` +
        `${plural(opened.pool.threadsPerJob, 'thread')}, backend ${base.backend}, seed ${base.seed}`,
    );
    const t0 = performance.now();
    const bar = reporter.phase('sweep   ', todo.length);
    let count = 0;
    const bySpec = new Map(specs.map((s) => [s.index, s]));
    const asRun = (r: TaskResult): RunResult => ({
      ...bySpec.get(r.index)!,
      trainAcc: r.trainAcc,
      valAcc: r.valAcc,
      finalLoss: r.finalLoss,
      timeSec: r.timeSec,
      kernels: r.kernels,
      ...(r.error ? { error: r.error } : {}),
    });
    const results = await executeAll(
      opened.pool,
      todo.map((s) => ({ index: s.index, config: configOf(s) })),
      (r) => {
        bar.update(++count);
        const run = asRun(r);
        if (json) stdoutEvents().write('trial', run);
        folder!.trial(run, r.curve);
        r.curve = undefined; // written: a long sweep need not hold every run's curves to its end
        if (!process.stderr.isTTY) {
          reporter.info(
            `run ${count}/${todo.length}: ${paramText(run.params)} → val ${pct(run.valAcc)}${run.error ? ` (${run.error})` : ''} in ${secs(run.timeSec)}`,
          );
        }
      },
      () => signals.received() !== null,
    ).finally(() => bar.stop());
    const signal = signals.received();
    if (signal && results.length < todo.length) {
      const stop = stoppedBetweenRuns(signal, done.size + results.length, specs.length, folder.folder.dir);
      folder.interrupted(stop.message);
      finished = true;
      throw stop;
    }
    const wallSec = (performance.now() - t0) / 1000;

    // The point with the best mean validation accuracy; of its runs, the best by validation is kept.
    const runs = [...(prior?.runs ?? []), ...results.map(asRun)].sort((a, b) => a.index - b.index);
    const { points, point, run } = chooseBest(runs);
    const W = run ? await weightsOf(run, results, configOf, opened.pool, reporter.warn.bind(reporter)) : null;
    const testAcc = W ? accuracy(opened.kernels, opened.data.test, opened.data.mean, W).acc : NaN;
    const model: Model | null =
      W && run
        ? {
            W,
            mean: opened.data.mean,
            classNames: opened.data.classNames,
            kernels: run.kernels as Model['kernels'],
            config: { ...configOf(run), save: base.save, minValAcc: base.minValAcc },
            metrics: { trainAcc: run.trainAcc, valAcc: run.valAcc, testAcc },
          }
        : null;
    if (model && base.save) saveModel(base.save, model);
    const best = point && run ? bestSummary(point, run, testAcc) : null;
    const runSec = runs.reduce((a, r) => a + r.timeSec, 0);
    const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
    const summary = {
      mode,
      repeats,
      points,
      best,
      wallSec,
      runSec,
      kernels: opened.pool.kernels.id,
      jobs: opened.pool.jobs,
      threadsPerJob: opened.pool.threadsPerJob,
      peakRssMB,
      saved: base.save,
      runDir: folder.folder.dir,
      sweepId: mark.sweepId,
      shard: mark.shard,
      config: runConfig(base),
    };
    await folder.done(
      summary,
      axes.map((a) => a.key),
      model,
      (m) => reporter.warn(m),
    );
    finished = true;
    if (json) stdoutEvents().write('sweep', summary);
    if (!base.quiet) (json ? process.stderr : process.stdout).write(sweepReport(axes, { ...summary, config: base }) + '\n');
    reporter.info(`run folder: ${folder.folder.dir}`);
    if (shard) reporter.info(`shard ${shardText(shard)} done; when every shard is, join them: lintrain sweep merge DIR… --out DIR`);
    if (base.minValAcc !== null && !(best && best.valAcc >= base.minValAcc)) {
      throw new LintrainError(
        `Best validation accuracy ${best ? best.valAcc.toFixed(4) : 'n/a'} is below --min-val-acc ${base.minValAcc}.`,
        3,
      );
    }
    return 0;
  } catch (e) {
    if (!finished) folder?.fail(e);
    throw e;
  } finally {
    signals.dispose();
    reporter.close();
    await opened.close();
  }
}

/**
 * The finished runs of the stopped sweep in `dir`, refused by name unless it is this
 * very sweep (and shard): a resumed sweep must add runs to its own folder only.
 */
function priorRuns(dir: string, identity: SweepIdentity, shard: string | null, out: string | null) {
  if (out !== null && out !== dir) throw new UsageError(`--resume ${dir} goes on in ${dir}; leave out --out ${out}.`);
  const prior = readSweepFolder(dir);
  const differences = identityDifferences(prior.identity, identity);
  if (differences.length > 0 || prior.sweepId !== identityHash(identity)) {
    throw new UsageError(`${dir}: a different sweep (${differences.join('; ') || 'its identity differs'}); resume it with its own flags.`);
  }
  if (prior.shard !== shard) {
    throw new UsageError(
      `${dir}: ${prior.shard ? `shard ${prior.shard}` : 'a whole sweep'}, but this command is ${shard ? `shard ${shard}` : 'the whole sweep'}.`,
    );
  }
  return prior;
}

/**
 * The chosen run's W: from this process, or, when the run finished before a resume,
 * trained again (a run is a pure function of its config: the same bits, so the same
 * model and test accuracy as an unbroken sweep's).
 */
async function weightsOf(
  run: RunResult,
  results: readonly TaskResult[],
  configOf: (s: RunSpec) => Config,
  pool: { execute: (t: { index: number; config: Config }) => Promise<TaskResult> },
  warn: (m: string) => void,
): Promise<Float32Array> {
  const here = results.find((r) => r.index === run.index);
  if (here?.W) return here.W;
  const again = await pool.execute({ index: run.index, config: configOf(run) });
  if (!Object.is(again.valAcc, run.valAcc)) {
    warn(`run ${run.index}, trained again for its model, scored val ${pct(again.valAcc)}, not ${pct(run.valAcc)}: other kernels?`);
  }
  return again.W!;
}
