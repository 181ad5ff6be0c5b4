/**
 * `lintrain sweep`: train one configuration per point of a grid or of random log-space
 * samples, all cores at once, and keep the one with the best validation accuracy.
 *   lintrain sweep --lr 1e-7,5e-7 --reg 2.5e4,5e4              (grid: 4 runs)
 *   lintrain sweep --lr 1e-8:1e-5 --reg 1e2:1e5 --samples 30    (random, log-uniform)
 * Only the chosen run ever sees the test split, once.
 */
import { type Command, Option } from 'commander';
import { CONFIG_KEYS, type Config, type ConfigKey, flagOf, runConfig, usesFeatures } from '../../config/schema.js';
import { readConfigFile, resolveConfig } from '../../config/resolve.js';
import { LintrainError, UsageError } from '../../core/errors.js';
import { accuracy } from '../../model/evaluate.js';
import { type Model, saveModel } from '../../model/file.js';
import { defaultJobs, openPool, executeAll, type TaskResult } from '../../sweep/pool.js';
import {
  type Axis,
  bestByVal,
  byPoint,
  isSweepKey,
  type Params,
  parseAxis,
  type PointResult,
  rankByVal,
  type RunResult,
  runSpecs,
  SWEEP_KEYS,
  type SweepKey,
  sweepPoints,
} from '../../sweep/points.js';
import { fallbackWarning } from '../data.js';
import { ensureData } from '../pixel-data.js';
import { stdoutEvents } from '../events.js';
import { type Act, addConfigOptions, givenFlags, positiveInt } from '../options.js';
import { makeReporter } from '../reporter.js';
import { SweepRecorder } from '../../report/sweep-recorder.js';
import { fmtNum, pct, plural, secs, textTable } from '../table.js';

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
      '  lintrain sweep --loss softmax --lr 1e-7,1e-6 --repeats 3       3 seeds per point\n',
  );
  return cmd.action(() => act(sweepCommand, cmd));
}

/** The training flags, with sweep syntax on the numeric ones, plus --samples, --repeats and --jobs. */
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
    .addOption(new Option('--jobs <n>', `runs at once (default: ${defaultJobs()}, all cores)`).argParser(positiveInt));
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

const axisText = (a: Axis) =>
  a.kind === 'grid' ? `${a.key} ${a.values.map(fmtNum).join(',')}` : `${a.key} ${fmtNum(a.lo)}:${fmtNum(a.hi)} (log)`;

export async function sweepCommand(cmd: Command): Promise<number> {
  const { axes, fixed, file } = sweepPlan(cmd);
  const { samples, jobs: jobsFlag, repeats = 1 } = cmd.opts() as { samples?: number; jobs?: number; repeats?: number };
  if (axes.length === 0) {
    throw new UsageError('Nothing to sweep: give a flag a list (--lr 1e-7,5e-7) or a range (--lr 1e-8:1e-5 --samples 20).');
  }
  const base = resolveConfig(file, fixed);
  if (base.experiment !== 'train') throw new UsageError(`sweep trains; --experiment must be train, got ${base.experiment}.`);
  if (usesFeatures(base)) {
    throw new UsageError('sweep runs on pixels only; tune on features with a few `lintrain --features-file FILE --lr … --reg …` runs.');
  }
  const specs = runSpecs(sweepPoints(axes, samples ?? null, base.seed), base.seed, repeats);
  // Each run: the fixed flags, its point, its own seed. --eval-every applies too, so that its
  // curves (trials/) have the checks a lone run's would: a check scores numVal images per
  // evalEvery·batchSize trained (1,000 per 20,000 at the defaults, within timing noise).
  const configs = specs.map((s) => resolveConfig(file, { ...fixed, ...s.params, seed: s.seed, save: null, minValAcc: null }));
  const jobs = Math.min(jobsFlag ?? defaultJobs(), specs.length);
  const json = base.logFormat === 'json';
  const reporter = makeReporter(base.logFormat, base.quiet);

  const dir = await ensureData(base, reporter);
  const load = reporter.phase('load    ', 6);
  const opened = await openPool(dir, base, jobs, { needTest: false, onLoad: (d) => load.update(d) }).finally(() => load.stop());
  let folder: SweepRecorder | null = null;
  let finished = false;
  if (opened.pool.kernels.fallback) reporter.warn(fallbackWarning(opened.pool.kernels));
  try {
    folder = new SweepRecorder(base);
    const mode = samples === undefined ? 'grid' : 'random';
    reporter.info(
      `sweep: ${specs.length} runs (${mode} over ${axes.map(axisText).join(' × ')}${repeats > 1 ? `, ${repeats} seeds each` : ''}); ` +
        `${base.loss} loss, ${base.opt}, ${base.iters} iterations, batch ${base.batchSize}; ${plural(opened.pool.jobs, 'job')} × ` +
        `${plural(opened.pool.threadsPerJob, 'thread')}, backend ${base.backend}, seed ${base.seed}`,
    );
    const t0 = performance.now();
    const bar = reporter.phase('sweep   ', specs.length);
    let done = 0;
    const asRun = (r: TaskResult): RunResult => ({
      ...specs[r.index],
      trainAcc: r.trainAcc,
      valAcc: r.valAcc,
      finalLoss: r.finalLoss,
      timeSec: r.timeSec,
      kernels: r.kernels,
      ...(r.error ? { error: r.error } : {}),
    });
    const results = await executeAll(
      opened.pool,
      configs.map((config, index) => ({ index, config })),
      (r) => {
        bar.update(++done);
        const run = asRun(r);
        if (json) stdoutEvents().write('trial', run);
        folder!.trial(run, r.curve);
        r.curve = undefined; // written: a long sweep need not hold every run's curves to its end
        if (!process.stderr.isTTY) {
          reporter.info(
            `run ${done}/${specs.length}: ${paramText(run.params)} → val ${pct(run.valAcc)}${run.error ? ` (${run.error})` : ''} in ${secs(run.timeSec)}`,
          );
        }
      },
    ).finally(() => bar.stop());
    const wallSec = (performance.now() - t0) / 1000;

    // The point with the best mean validation accuracy; of its runs, the best by validation is kept.
    const points = rankByVal(byPoint(results.map(asRun)));
    const point = bestByVal(points);
    const run = point ? bestByVal(point.runs)! : null;
    const W = run ? results[run.index].W! : null;
    const testAcc = W ? accuracy(opened.kernels, opened.data.test, opened.data.mean, W).acc : NaN;
    const model: Model | null =
      W && run
        ? {
            W,
            mean: opened.data.mean,
            classNames: opened.data.classNames,
            kernels: results[run.index].kernels,
            config: { ...configs[run.index], save: base.save, minValAcc: base.minValAcc },
            metrics: { trainAcc: run.trainAcc, valAcc: run.valAcc, testAcc },
          }
        : null;
    if (model && base.save) saveModel(base.save, model);
    const best =
      point && run
        ? {
            point: point.index,
            params: point.params,
            meanValAcc: point.valAcc,
            valStd: point.valStd,
            seed: run.seed,
            trainAcc: run.trainAcc,
            valAcc: run.valAcc,
            testAcc,
          }
        : null;
    const runSec = results.reduce((a, r) => a + r.timeSec, 0);
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
    reporter.close();
    await opened.close();
  }
}

const paramText = (params: Params) =>
  Object.entries(params)
    .map(([k, v]) => `${k} ${fmtNum(v)}`)
    .join(', ');

/** The ranked table, the choice and its one test score, and the parallel speed-up. */
export function sweepReport(
  axes: readonly Axis[],
  s: {
    repeats: number;
    points: readonly PointResult[];
    best: { params: Params; meanValAcc: number; valStd: number; seed: number; trainAcc: number; valAcc: number; testAcc: number } | null;
    wallSec: number;
    runSec: number;
    jobs: number;
    peakRssMB: number;
    saved: string | null;
    config: Config;
  },
): string {
  const keys = [...new Set(['lr', 'reg', ...axes.map((a) => a.key)])] as SweepKey[];
  const value = (p: Params, k: SweepKey) => fmtNum(p[k] ?? s.config[k]);
  const one = s.repeats === 1;
  const rows = s.points.map((p, i) => [
    String(i + 1),
    ...keys.map((k) => value(p.params, k)),
    one ? String(p.runs[0].seed) : String(p.runs.length),
    pct(p.trainAcc),
    p.runs.some((r) => r.error) ? 'diverged' : one ? pct(p.valAcc) : `${pct(p.valAcc)} ± ${(100 * p.valStd).toFixed(2)}`,
    secs(p.timeSec),
  ]);
  const header = ['#', ...keys, one ? 'seed' : 'runs', 'train', 'val', 'time'];
  const out = [
    textTable(
      header,
      rows,
      header.map(() => true),
    ),
  ];
  const b = s.best;
  if (b) {
    const mean = one ? '' : ` (mean val ${pct(b.meanValAcc)} ± ${(100 * b.valStd).toFixed(2)} over ${s.repeats} seeds; kept its best run)`;
    out.push(
      `best by validation accuracy: ${paramText(b.params)}${mean}: seed ${b.seed}, train ${pct(b.trainAcc)}, val ${pct(b.valAcc)}, test ${pct(b.testAcc)}`,
      `  alone: lintrain ${keys.map((k) => `${flagOf(k)} ${value(b.params, k)}`).join(' ')} --seed ${b.seed} (with the sweep's other flags)` +
        (s.saved ? `; saved to ${s.saved}` : ''),
    );
  } else {
    out.push('every run diverged: try smaller learning rates');
  }
  const n = s.points.reduce((a, p) => a + p.runs.length, 0);
  out.push(
    `${n} runs in ${secs(s.wallSec)} on ${plural(s.jobs, 'job')} (sum of run times ${secs(s.runSec)}, ` +
      `${(s.runSec / s.wallSec).toFixed(2)}× in parallel); peak RSS ${s.peakRssMB} MB`,
  );
  return out.join('\n');
}
