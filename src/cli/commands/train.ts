/**
 * `lintrain [train]`: the main job — load, train, evaluate, report, and fill the run
 * folder; Ctrl-C / SIGTERM stop after the current step with a checkpoint in the run
 * folder, and `--resume DIR` carries on from it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { CHECKPOINT_FILE, type Checkpoint, type RunMetrics, saveCheckpoint } from '../../training/checkpoint.js';
import { type Config, runConfig } from '../../config/schema.js';
import { LintrainError } from '../../core/errors.js';
import { accuracy, accuracyOf, confusionMatrix, confusionRows } from '../../model/evaluate.js';
import type { Kernels } from '../../kernels/types.js';
import { saveModel } from '../../model/file.js';
import { RunFolder } from '../../report/run-folder.js';
import { RunRecorder } from '../../report/run-recorder.js';
import type { Phase, Summary } from '../../report/types.js';
import { C, D, type Dataset } from '../../core/shapes.js';
import { trainResumable, type TrainEvent } from '../../training/trainer.js';
import { withData } from '../data.js';
import { catchStopSignals, SIGNAL_EXIT, type StopSignals } from '../interrupt.js';
import { type Act, addConfigOptions } from '../options.js';
import { settingsOf } from '../settings.js';
import { stepSizeExperimentCommand } from '../step-size.js';
import { TRAIN_PICTURES, trainPictures } from '../../report/pictures.js';
import { VERSION } from '../../version.js';

const EXAMPLES = `
Examples:
  lintrain --loss svm --opt sgd                 the lecture's SVM with minibatch SGD
  lintrain --loss softmax --lr 1e-6 --reg 5e3   softmax with other hyperparameters
  lintrain --config configs/svm-sgd.json --seed 1
  lintrain --log-format json --min-val-acc 0.35 > run.jsonl   (in CI)
  lintrain --resume runs/2026-12-02-142530-svm-sgd   continue a stopped run
`;

/** `lintrain train`, the default command (`lintrain --loss svm` is `lintrain train --loss svm`). */
export function define(parent: Command, act: Act, footer: string): Command {
  const cmd = addConfigOptions(parent.command('train', { isDefault: true }))
    .description('train a linear classifier (the default command)')
    .option('--resume <dir>', 'continue the run whose checkpoint is in DIR (written when Ctrl-C or SIGTERM stopped it)');
  cmd.addHelpText('after', EXAMPLES + footer);
  return cmd.action(() => act(trainCommand, cmd));
}

/**
 * A resumed run goes on in its own folder, unless --out names another one. The folder's
 * own --out, kept in the checkpoint, does not count: the folder may have been moved.
 */
function runFolderOf(config: Config, resume: string | undefined, saved: Checkpoint | null): RunFolder {
  const elsewhere = config.out !== null && config.out !== saved?.config.out && path.resolve(config.out) !== path.resolve(resume ?? '');
  if (resume && !elsewhere) return RunFolder.open(resume);
  return RunFolder.create(config);
}

/** Train, unless the config names an experiment (--experiment step-size). */
export async function trainCommand(cmd: Command): Promise<number> {
  const { config, saved } = settingsOf(cmd);
  if (config.experiment === 'step-size') return stepSizeExperimentCommand(config);
  const resume = cmd.opts().resume as string | undefined;
  const signals = catchStopSignals();
  try {
    const { summary } = await withData(config, async ({ reporter: people, kernels, data }) => {
      const folder = runFolderOf(config, resume, saved);
      // Resumed in its own folder: the metric lines so far go on, and so do the pictures' curves.
      const previous =
        saved && folder.dir === resume && fs.existsSync(folder.path('metrics.jsonl'))
          ? fs.readFileSync(folder.path('metrics.jsonl'), 'utf8')
          : '';
      const made = kernelsOf(saved, kernels, people);
      const recorder = new RunRecorder(folder, people, runConfig(config), made, previous);
      try {
        const summary = await trainRun(config, data, kernels, made, recorder, saved, signals);
        recorder.done({ ...summary, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }); // after the pictures too
        return { summary };
      } catch (e) {
        recorder.fail(e);
        throw e;
      }
    });
    if (summary.interrupted) return SIGNAL_EXIT[summary.interrupted.signal];
    if (config.minValAcc !== null && !(summary.valAcc >= config.minValAcc)) {
      throw new LintrainError(`Validation accuracy ${summary.valAcc.toFixed(4)} is below --min-val-acc ${config.minValAcc}.`, 3);
    }
    return 0;
  } finally {
    signals.dispose();
  }
}

/**
 * The kernels that computed W: this run's (Kernels.id), or, for a resumed run whose
 * checkpoint was computed by others, both ("wasm-fma+wasm"), said plainly: the final W
 * will not be the bytes of an uninterrupted run.
 */
function kernelsOf(saved: Checkpoint | null, kernels: Kernels, people: { warn(m: string): void }): string {
  if (!saved) return kernels.id;
  // another release may compute other last bits on the same kernels (0.4's k-means features did)
  if (saved.lintrain && saved.lintrain !== VERSION)
    people.warn(
      `the checkpoint was written by lintrain ${saved.lintrain} and this is ${VERSION}: the final W may not be bit-identical to an uninterrupted run`,
    );
  const before = saved.kernels;
  const last = before?.split('+').at(-1) ?? null;
  if (last === kernels.id) return before!;
  people.warn(
    before === null
      ? `the checkpoint does not say which kernels computed it (lintrain 0.1); resuming on ${kernels.id}, the final W may differ in its last bits from an uninterrupted run`
      : `the checkpoint was computed by the ${last} kernels and this run continues on ${kernels.id}: the final W will not be bit-identical to an uninterrupted run (--backend ${last} keeps them)`,
  );
  return before === null ? kernels.id : `${before}+${kernels.id}`;
}

/**
 * Train (from the checkpoint, if any), score the three splits, and fill the run folder:
 * a finished run gets its model and its pictures, a stopped one its checkpoint. The
 * pictures are drawn on other threads while the splits are scored, each as soon as what
 * it shows is known. Returns the summary, not yet reported (the caller adds the peak
 * memory).
 */
async function trainRun(
  config: Config,
  data: Dataset,
  kernels: Kernels,
  made: string,
  reporter: RunRecorder,
  saved: Checkpoint | null,
  signals: StopSignals,
): Promise<Omit<Summary, 'peakRssMB'>> {
  const folder = reporter.folder;
  const t0 = performance.now();
  let bar: Phase | null = null; // the evaluation's, pictures included
  let done = 0;
  const tick = () => bar?.update(++done);
  // made now, so that the drawing code loads while the run trains
  const pictures = config.plots ? trainPictures(folder, config, tick, (m) => reporter.warn(m)) : null;
  reporter.start({
    config: runConfig(config),
    sizes: { train: data.train.n, val: data.val.n, test: data.test.n },
    kernels: kernels.id,
    threads: kernels.threads,
    detail: kernels.detail,
    resumedAt: saved ? saved.state.iter : null,
  });
  const metrics: RunMetrics = saved ? structuredClone(saved.metrics) : { losses: [], evals: [], trainSec: 0 };
  let finalLoss = metrics.losses.at(-1) ?? NaN;
  const emit = (e: TrainEvent) => {
    if (e.event === 'val') {
      metrics.evals.push({ iter: e.iter, valAcc: e.valAcc });
      return reporter.val(e);
    }
    finalLoss = e.bestLoss ?? e.loss;
    metrics.losses.push(e.loss);
    reporter.iter(e);
  };
  const result = await trainResumable(config, data, kernels, emit, { from: saved?.state, shouldStop: () => signals.received() !== null });
  const W = result.W;
  metrics.trainSec += (performance.now() - t0) / 1000;

  const stopped = result.stopped ? signals.received()! : null;
  // A model file holds pixel weights (C×(D+1)) that `eval` and `visualize` read; on
  // stored features W is C×(F+1) and means nothing without the extractor, so none is kept.
  const onPixels = data.mean.length === D;
  const drawing = stopped ? null : pictures;
  bar = reporter.phase('evaluate', 3 + (drawing ? (onPixels ? TRAIN_PICTURES : TRAIN_PICTURES - 1) : 0));
  const valAcc = accuracy(kernels, data.val, data.mean, W);
  tick();
  const finalVal = data.val.n > 0 ? { event: 'val' as const, iter: result.state.iter, valAcc: valAcc.acc } : null;
  drawing?.curves({ iters: reporter.iters, vals: reporter.vals, finalVal }, onPixels ? W : null, data.classNames);
  const confusion = confusionMatrix(kernels, data.test, data.mean, W); // rows: true class
  const testAcc = accuracyOf(confusion);
  tick();
  drawing?.confusion(confusion, data.classNames, data.test.n); // drawn while the largest split, train, is scored
  const trainAcc = accuracy(kernels, data.train, data.mean, W);
  tick();
  const perClass: Record<string, number> = {};
  for (let c = 0; c < C; c++) perClass[data.classNames[c]] = testAcc.perClass[c];
  const scores = { trainAcc: trainAcc.acc, valAcc: valAcc.acc, testAcc: testAcc.acc };

  let interrupted: Summary['interrupted'];
  if (stopped) {
    // No model: only a finished run's W is one; the checkpoint holds this one.
    saveCheckpoint(folder.dir, { config, state: result.state, metrics, kernels: made, stoppedBy: stopped });
    folder.add(CHECKPOINT_FILE);
    interrupted = { signal: stopped, iter: result.state.iter, checkpoint: folder.dir };
  } else {
    const model = { W, mean: data.mean, classNames: data.classNames, config, kernels: made, metrics: scores };
    if (onPixels) {
      saveModel(folder.path('model.json'), model);
      folder.add('model.json');
    }
    if (config.save) saveModel(config.save, model);
    folder.remove(CHECKPOINT_FILE); // a resumed run's checkpoint is spent once the run is finished
  }
  await drawing?.done();
  bar.stop();
  const summary: Omit<Summary, 'peakRssMB'> = {
    ...scores,
    perClass,
    classNames: data.classNames,
    confusion: confusionRows(confusion),
    finalLoss,
    iters: result.state.iter,
    timeSec: (performance.now() - t0) / 1000,
    saved: stopped ? null : config.save,
    runDir: folder.dir,
    config: runConfig(config),
    kernels: made,
    ...(interrupted ? { interrupted } : {}),
  };
  return summary;
}
