/** `lintrain [train]`: the main job — load, train, evaluate, report, save. */
import type { Command } from 'commander';
import { type Config, readConfigFile, resolveConfig } from '../config.js';
import { LintrainError } from '../errors.js';
import { accuracy } from '../evaluate.js';
import { saveModel } from '../model.js';
import type { Summary } from '../report/types.js';
import { C } from '../shapes.js';
import { train } from '../train.js';
import { withData } from './data.js';
import { givenFlags } from './options.js';

/** The config of a command: defaults < --config file < flags. */
export function configOf(cmd: Command): Config {
  const file = cmd.opts().config as string | undefined;
  return resolveConfig(file ? readConfigFile(file) : {}, givenFlags(cmd));
}

export async function trainCommand(cmd: Command): Promise<number> {
  const config = configOf(cmd);
  return withData(config, ({ reporter, kernels, data }) => {
    const t0 = performance.now();
    reporter.start({ config, sizes: { train: data.train.n, val: data.val.n, test: data.test.n } });
    let finalLoss = NaN;
    const W = train(config, data, kernels, (e) => {
      if ('event' in e) return reporter.eval(e);
      finalLoss = e.bestLoss ?? e.loss;
      reporter.iter(e);
    });
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
    const metrics = { trainAcc: trainAcc.acc, valAcc: valAcc.acc, testAcc: testAcc.acc };
    if (config.save) saveModel(config.save, { W, mean: data.mean, classNames: data.classNames, config, metrics });
    const summary: Summary = {
      ...metrics,
      perClass,
      finalLoss,
      iters: config.iters,
      timeSec: (performance.now() - t0) / 1000,
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      saved: config.save,
      config,
    };
    reporter.done(summary);
    if (config.minValAcc !== null && !(valAcc.acc >= config.minValAcc)) {
      throw new LintrainError(
        `Validation accuracy ${valAcc.acc.toFixed(4)} is below --min-val-acc ${config.minValAcc}.`,
        3,
      );
    }
    return 0;
  });
}
