/** `lintrain [train]`: the main job — load, train, evaluate, report, save; stop and resume. */
import type { Command } from 'commander';
import { loadCheckpoint, resumedConfig, type RunMetrics, saveCheckpoint } from '../checkpoint.js';
import { type Config, readConfigFile, resolveConfig } from '../config.js';
import { LintrainError, UsageError } from '../errors.js';
import { accuracy } from '../evaluate.js';
import { saveModel } from '../model.js';
import { isSearch } from '../optimizers/index.js';
import type { Summary } from '../report/types.js';
import { C } from '../shapes.js';
import { train, trainResumable, type TrainResult } from '../train.js';
import { withData } from './data.js';
import { catchStopSignals, SIGNAL_EXIT, stoppedRunDir } from './interrupt.js';
import { givenFlags } from './options.js';

/** The config of a command: defaults < --config file < flags; with --resume, the checkpoint's < flags. */
export function configOf(cmd: Command): Config {
  const { config: file, resume } = cmd.opts() as { config?: string; resume?: string };
  if (resume) {
    if (file) throw new UsageError('--resume takes the settings from the checkpoint; --config cannot be used with it.');
    return resumedConfig(loadCheckpoint(resume).config, givenFlags(cmd), resume);
  }
  return resolveConfig(file ? readConfigFile(file) : {}, givenFlags(cmd));
}

export async function trainCommand(cmd: Command): Promise<number> {
  const config = configOf(cmd);
  const resume = cmd.opts().resume as string | undefined;
  const saved = resume ? loadCheckpoint(resume) : null;
  if (saved && isSearch(config.opt)) throw new UsageError(`--resume: ${config.opt} runs are not checkpointed; start it again.`);
  // Searches run as one synchronous loop: Ctrl-C ends them at once (default handling), writing nothing.
  const signals = isSearch(config.opt) ? null : catchStopSignals();
  try {
    return await withData(config, async ({ reporter, kernels, data }) => {
      const t0 = performance.now();
      reporter.start({ config, sizes: { train: data.train.n, val: data.val.n, test: data.test.n } });
      const metrics: RunMetrics = saved ? structuredClone(saved.metrics) : { losses: [], evals: [], trainSec: 0 };
      let finalLoss = metrics.losses.at(-1) ?? NaN;
      const emit = (e: Parameters<Parameters<typeof train>[3]>[0]) => {
        if ('event' in e) {
          metrics.evals.push({ iter: e.iter, valAcc: e.valAcc });
          return reporter.eval(e);
        }
        finalLoss = e.bestLoss ?? e.loss;
        if (signals) metrics.losses.push(e.loss);
        reporter.iter(e);
      };
      const result: TrainResult | null = signals
        ? await trainResumable(config, data, kernels, emit, { from: saved?.state, shouldStop: () => signals.received() !== null })
        : null;
      const W = result ? result.W : train(config, data, kernels, emit);
      metrics.trainSec += (performance.now() - t0) / 1000;
      const bar = reporter.phase('evaluate', 3);
      const trainAcc = accuracy(kernels, data.train, data.mean, W);
      bar.update(1);
      const valAcc = accuracy(kernels, data.val, data.mean, W);
      bar.update(2);
      const testAcc = accuracy(kernels, data.test, data.mean, W);
      bar.update(3);
      bar.stop();
      const perClass: Record<string, number> = {};
      for (let c = 0; c < C; c++) perClass[data.classNames[c]] = testAcc.perClass[c];
      const scores = { trainAcc: trainAcc.acc, valAcc: valAcc.acc, testAcc: testAcc.acc };
      const stopped = result?.stopped ? signals!.received()! : null;
      let interrupted: Summary['interrupted'];
      if (stopped) {
        // No model under --save: only a finished run's W goes there; the checkpoint has this one.
        const dir = stoppedRunDir(config);
        saveCheckpoint(dir, { config, state: result!.state, metrics, stoppedBy: stopped });
        interrupted = { signal: stopped, iter: result!.state.iter, checkpoint: dir };
      } else if (config.save) {
        saveModel(config.save, { W, mean: data.mean, classNames: data.classNames, config, metrics: scores });
      }
      const summary: Summary = {
        ...scores,
        perClass,
        finalLoss,
        iters: result ? result.state.iter : config.iters,
        timeSec: (performance.now() - t0) / 1000,
        peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
        saved: stopped ? null : config.save,
        config,
        ...(interrupted ? { interrupted } : {}),
      };
      reporter.done(summary);
      if (stopped) return SIGNAL_EXIT[stopped];
      if (config.minValAcc !== null && !(valAcc.acc >= config.minValAcc)) {
        throw new LintrainError(
          `Validation accuracy ${valAcc.acc.toFixed(4)} is below --min-val-acc ${config.minValAcc}.`,
          3,
        );
      }
      return 0;
    });
  } finally {
    signals?.dispose();
  }
}
