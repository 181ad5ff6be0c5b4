/**
 * `lintrain sweep merge DIR… --out DIR`: join the folders of a sweep's shards (made
 * with `lintrain sweep … --shard K/N`) into one sweep folder, the same in content as the
 * sweep run whole: results.jsonl in run order, trials/, the ranking, the choice, its
 * model and test accuracy, the picture. Nothing is trained: the best point lies whole
 * in one shard (shards.ts), whose model.json is the whole sweep's, bytes and all.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { type Config, runConfig } from '../../config/schema.js';
import { LintrainError, UsageError } from '../../core/errors.js';
import { bestSummary, chooseBest, runSpecs, sweepPoints } from '../../sweep/points.js';
import { identityDifferences } from '../../sweep/identity.js';
import { joinRuns, mergeProblems, parseShard, shardOfPoint } from '../../sweep/shards.js';
import { readSweepFolder, type SweepFolder } from '../../report/sweep-folder.js';
import { SweepRecorder, trialFile } from '../../report/sweep-recorder.js';
import { stdoutEvents } from '../events.js';
import { type Act, logFormatOption } from '../options.js';
import { makeReporter } from '../reporter.js';
import { sweepReport } from '../sweep-report.js';

export function define(sweep: Command, act: Act): Command {
  const cmd = sweep
    .command('merge')
    .description("join the folders of a sweep's shards (sweep … --shard K/N) into one sweep folder")
    .argument('<dirs...>', "the shards' folders, every shard once")
    .requiredOption('--out <dir>', 'the merged sweep folder (new)')
    .addOption(logFormatOption())
    .option('--quiet', 'no table for people')
    .option('--no-plots', 'leave out the picture (sweep.svg, sweep.png)');
  cmd.addHelpText('after', '\nExample:\n  lintrain sweep merge runs/shard-1 runs/shard-2 runs/shard-3 --out runs/sweep\n');
  return cmd.action(() => act(mergeCommand, cmd));
}

const numberOr = (v: unknown) => (typeof v === 'number' ? v : NaN);

export async function mergeCommand(cmd: Command): Promise<number> {
  const dirs = cmd.processedArgs[0] as string[];
  const opts = cmd.opts() as { out: string; logFormat: 'pretty' | 'json'; quiet?: boolean; plots: boolean };
  const folders = dirs.map(readSweepFolder);
  const first = folders[0];
  const problems = mergeProblems(
    folders.map((f) => ({
      dir: f.dir,
      hash: f.sweepId,
      shard: f.shard ? parseShard(f.shard) : null,
      status: f.summary.status,
      differences: f === first ? [] : identityDifferences(first.identity, f.identity),
    })),
  );
  if (problems.length > 0) throw new UsageError(`Cannot merge: ${problems.join('; ')}.`);
  const n = parseShard(first.shard!).n;
  const { identity } = first;
  const config = { ...(first.summary.config as Config), out: opts.out, plots: opts.plots, logFormat: opts.logFormat, quiet: !!opts.quiet };
  const total = runSpecs(sweepPoints(identity.axes, identity.samples, config.seed), config.seed, identity.repeats).length;
  const runs = joinRuns(
    folders.map((f) => f.runs),
    total,
  );
  const { points, point, run } = chooseBest(runs);
  const holder = point ? folders.find((f) => parseShard(f.shard!).k === shardOfPoint(point.index, n))! : null;
  const held = holder?.summary.best as { point: number; seed: number; testAcc: unknown } | null | undefined;
  if (point && run && !(held && held.point === point.index && held.seed === run.seed)) {
    throw new LintrainError(
      `${holder!.dir}: its best run is not the sweep's best (point ${point.index}, seed ${run.seed}); was it altered?`,
    );
  }
  const reporter = makeReporter(opts.logFormat, !!opts.quiet);
  try {
    const folder = SweepRecorder.create(config, { sweepId: first.sweepId, shard: null, identity });
    const from = new Map<number, SweepFolder>(folders.flatMap((f) => f.runs.map((r) => [r.index, f] as const)));
    for (const r of runs) {
      const f = from.get(r.index)!;
      const curve = path.join(f.dir, trialFile(r.index));
      folder.adopt(r.index, f.lines.get(r.index)!, fs.existsSync(curve) ? fs.readFileSync(curve) : null);
    }
    const model = holder && run ? fs.readFileSync(path.join(holder.dir, 'model.json')) : null;
    const sum = (key: string) => folders.reduce((a, f) => a + numberOr(f.summary[key]), 0);
    const max = (key: string) => Math.max(...folders.map((f) => numberOr(f.summary[key])));
    const summary = {
      mode: identity.samples === null ? 'grid' : 'random',
      repeats: identity.repeats,
      points,
      best: point && run ? bestSummary(point, run, numberOr(held!.testAcc)) : null,
      wallSec: max('wallSec'), // the shards ran side by side: the longest
      runSec: runs.reduce((a, r) => a + r.timeSec, 0),
      kernels: first.summary.kernels as string,
      jobs: sum('jobs'),
      threadsPerJob: numberOr(first.summary.threadsPerJob),
      peakRssMB: max('peakRssMB'),
      saved: null,
      runDir: folder.folder.dir,
      sweepId: first.sweepId,
      shard: null,
      shards: folders.map((f) => f.dir),
      config: runConfig(config),
    };
    await folder.done(
      summary,
      identity.axes.map((a) => a.key),
      model,
      (m) => reporter.warn(m),
    );
    const json = opts.logFormat === 'json';
    if (json) stdoutEvents().write('sweep', summary);
    if (!opts.quiet) (json ? process.stderr : process.stdout).write(sweepReport(identity.axes, { ...summary, config }) + '\n');
    reporter.info(`merged ${folders.length} shards, ${runs.length} runs: ${folder.folder.dir}`);
    return 0;
  } finally {
    reporter.close();
  }
}
