/** `lintrain [train]`: the main job — load, train, evaluate, report, and fill the run folder. */
import type { Command } from 'commander';
import { type Config, readConfigFile, resolveConfig } from '../config.js';
import { LintrainError } from '../errors.js';
import { accuracy, accuracyOf, confusionMatrix, confusionRows } from '../evaluate.js';
import type { Kernels } from '../kernels/types.js';
import { saveModel } from '../model.js';
import { RunFolder } from '../report/run-folder.js';
import { RunRecorder } from '../report/run-recorder.js';
import type { Summary } from '../report/types.js';
import { C, type Dataset } from '../shapes.js';
import { train } from '../train.js';
import { withData } from './data.js';
import { givenFlags } from './options.js';
import { TRAIN_PICTURE_STEPS, writeTrainPictures } from './pictures.js';

/** The config of a command: defaults < --config file < flags. */
export function configOf(cmd: Command): Config {
  const file = cmd.opts().config as string | undefined;
  return resolveConfig(file ? readConfigFile(file) : {}, givenFlags(cmd));
}

export async function trainCommand(cmd: Command): Promise<number> {
  const config = configOf(cmd);
  return withData(config, async ({ reporter: people, kernels, data }) => {
    const reporter = new RunRecorder(RunFolder.create(config), people, config);
    let summary: Summary;
    try {
      summary = await trainRun(config, data, kernels, reporter);
    } catch (e) {
      reporter.fail(e);
      throw e;
    }
    if (config.minValAcc !== null && !(summary.valAcc >= config.minValAcc)) {
      throw new LintrainError(
        `Validation accuracy ${summary.valAcc.toFixed(4)} is below --min-val-acc ${config.minValAcc}.`,
        3,
      );
    }
    return 0;
  });
}

/** Train, score the three splits, save the model and the pictures; the reporter hears it all. */
async function trainRun(config: Config, data: Dataset, kernels: Kernels, reporter: RunRecorder): Promise<Summary> {
  const folder = reporter.folder;
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
  const confusion = confusionMatrix(kernels, data.test, data.mean, W); // rows: true class
  const testAcc = accuracyOf(confusion);
  bar.update(3);
  bar.stop();
  const timeSec = (performance.now() - t0) / 1000;

  const perClass: Record<string, number> = {};
  for (let c = 0; c < C; c++) perClass[data.classNames[c]] = testAcc.perClass[c];
  const metrics = { trainAcc: trainAcc.acc, valAcc: valAcc.acc, testAcc: testAcc.acc };
  const model = { W, mean: data.mean, classNames: data.classNames, config, metrics };
  saveModel(folder.path('model.json'), model);
  folder.add('model.json');
  if (config.save) saveModel(config.save, model);
  if (config.plots) {
    const pics = reporter.phase('plots   ', TRAIN_PICTURE_STEPS);
    const finalVal = data.val.n > 0 ? { event: 'eval' as const, iter: config.iters, valAcc: valAcc.acc } : null;
    const pictures = { iters: reporter.iters, evals: reporter.evals, finalVal, W, confusion, classNames: data.classNames, nTest: data.test.n };
    await writeTrainPictures(folder, config, pictures, pics, (m) => reporter.warn(m)).finally(() => pics.stop());
  }
  const summary: Summary = {
    ...metrics,
    perClass,
    classNames: data.classNames,
    confusion: confusionRows(confusion),
    finalLoss,
    iters: config.iters,
    timeSec,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    saved: config.save,
    runDir: folder.dir,
    config,
  };
  reporter.done(summary);
  return summary;
}
