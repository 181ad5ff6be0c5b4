/**
 * `lintrain landscape`: the loss around one W along one and two random directions, as
 * in the CS231n optimization notes' figure ("Visualizing the loss function"): for one
 * example the SVM loss is piecewise linear, for a hundred a bowl. Writes a run folder:
 * landscape.json (the numbers), the pictures, config.json and summary.json.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type Config, type ConfigKey, runConfig, usesFeatures } from '../../config/schema.js';
import { UsageError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { loadModel } from '../../model/file.js';
import { landscapeFile } from '../../model/landscape-file.js';
import { type Landscape, lossLandscape, randomDirection, sliceFigures } from '../../model/landscape.js';
import { initialWeights, lossSpec, regSpec } from '../../model/objective.js';
import { writeLandscapePictures } from '../../report/pictures.js';
import { readableJson, RunFolder } from '../../report/run-folder.js';
import { withData } from '../data.js';
import { stdoutEvents } from '../events.js';
import { type LandscapeResults, landscapeSetting, landscapeTable } from '../landscape-table.js';
import { type Act, addConfigOptions, positiveFloat } from '../options.js';
import { configOf } from '../settings.js';
import { fmtNum, secs } from '../table.js';

const KEYS: readonly ConfigKey[] = [
  'loss',
  'delta',
  'regType',
  'reg',
  'l1Ratio',
  'regBias',
  'initScale',
  'seed',
  'data',
  'download',
  'numTrain',
  'numVal',
  'numTest',
  'logFormat',
  'quiet',
  'out',
  'plots',
  'backend',
  'threads',
];

/** The notes' figure has no regularization: the data loss alone. */
const LANDSCAPE_DEFAULTS: Partial<Config> = { reg: 0 };

const EXAMPLES = `
Examples:
  lintrain landscape                              the notes' figure: SVM loss, 1 and 100 examples
  lintrain landscape --loss softmax --examples 1,10,1000 --range 20
  lintrain landscape --model runs/svm/model.json --examples 500   around a trained W

Exit codes: 0 done, 1 fault (missing data, an unreadable model), 2 bad usage.
`;

/** --examples 1,100: counts of training images, each ≥ 1, each once. */
function exampleCounts(text: string): number[] {
  const counts = text.split(',').map((t) => Number(t.trim()));
  const bad = (n: number) => !Number.isInteger(n) || n < 1;
  if (text.trim() === '' || counts.some(bad)) {
    throw new UsageError(`--examples takes counts of training images, whole numbers >= 1 separated by commas, got '${text}'.`);
  }
  if (new Set(counts).size !== counts.length) throw new UsageError(`--examples lists each count once, got '${text}'.`);
  return counts;
}

/** --steps: odd, so that a = 0 (W itself) is the middle point; ≥ 3, so that there is a line. */
function oddSteps(text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 3 || v % 2 === 0) {
    throw new UsageError(`--steps takes an odd whole number >= 3 (the middle point is W itself), got '${text}'.`);
  }
  return v;
}

/** positiveFloat, with the flag named: commander's own message would not be one line. */
const rangeValue = (text: string): number => {
  try {
    return positiveFloat(text);
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw new UsageError(`--range ${e.message}`);
    throw e;
  }
};

export function define(parent: Command, act: Act): Command {
  const cmd = parent
    .command('landscape')
    .description('the loss around one W along one and two random directions (CS231n optimization notes), into a run folder');
  // Its own options first: they are what the command is about.
  const group = 'Landscape:';
  cmd
    .addOption(new Option('--model <file>', "start from a saved model's W (and its loss, unless --loss)").helpGroup(group))
    .addOption(
      new Option('--examples <list>', 'one slice per count: the loss on the first N training images')
        .default([1, 100], '1,100')
        .argParser(exampleCounts)
        .helpGroup(group),
    )
    .addOption(new Option('--steps <n>', 'points per axis, odd (W itself in the middle)').default(41).argParser(oddSteps).helpGroup(group))
    .addOption(
      new Option('--range <x>', 'a and b run over [−x, x]; a = 1 moves each row of W by its own length')
        .default(10)
        .argParser(rangeValue)
        .helpGroup(group),
    );
  addConfigOptions(cmd, KEYS, [], LANDSCAPE_DEFAULTS);
  // What out and plots mean here: no optimizer in the folder's name, no metrics or model in it.
  const option = (key: string) => cmd.options.find((o) => o.attributeName() === key)!;
  option('out').description = 'the run folder (default: runs/<date>-<time>-landscape-<loss>/)';
  option('plots').description = 'no pictures in the run folder (config, landscape.json and summary only)';
  cmd.addHelpText('after', EXAMPLES);
  return cmd.action(() => act(landscapeCommand, cmd));
}

export async function landscapeCommand(cmd: Command): Promise<number> {
  const opts = cmd.opts() as { model?: string; examples: number[]; steps: number; range: number };
  const { examples, steps, range } = opts;
  const model = opts.model ? loadModel(opts.model) : null;
  // Around a trained W the loss it was trained with, unless --loss says otherwise.
  const config = configOf(cmd, { ...LANDSCAPE_DEFAULTS, ...(model ? { loss: model.config.loss, delta: model.config.delta } : {}) });
  if (usesFeatures(config)) throw new UsageError('landscape runs on pixels only; it cannot be used with --features or --features-file.');
  const largest = Math.max(...examples);
  if (largest > config.numTrain) {
    throw new UsageError(`--examples ${largest} is more than the ${config.numTrain} training images (--num-train ${config.numTrain}).`);
  }
  if (!model && config.initScale === 0) {
    throw new UsageError('--init-scale 0 makes W zero, and the directions are scaled to the rows of W: use --init-scale > 0.');
  }
  return withData(config, async ({ reporter, kernels, data }) => {
    const t0 = performance.now(); // the landscape and its pictures; loading has its own bar
    const folder = RunFolder.create(config, 'landscape');
    const saved = runConfig(config);
    folder.writeConfig(saved);
    folder.writeSummary('landscape', 'running', saved, { kernels: kernels.id });
    try {
      // The W training starts from at this seed (or the model's), then the two directions.
      const rng = new Rng(config.seed);
      const W = model ? model.W : initialWeights(config, rng);
      const directions = [randomDirection(W, rng), randomDirection(W, rng)] as const;
      const reg = regSpec(config);
      // The model's own mean image: the preprocessing W was trained with.
      const mean = model ? model.mean : data.mean;
      const bar = reporter.phase('points  ', examples.length * (steps + steps * steps));
      let l: Landscape;
      try {
        l = lossLandscape(kernels, data.train, mean, lossSpec(config), reg, W, directions, { range, steps, examples }, (d) =>
          bar.update(d),
        );
      } finally {
        bar.stop();
      }
      const file = landscapeFile(l, { loss: config.loss, reg: reg.strength, seed: config.seed, range });
      folder.write('landscape.json', readableJson(file), 'the landscape');
      const what = `${config.loss}${reg.strength > 0 ? `, ${reg.type} reg ${fmtNum(reg.strength)}` : ''}, seed ${config.seed}`;
      if (config.plots) await writeLandscapePictures(folder, file, what, (m) => reporter.warn(m));
      const results: LandscapeResults & { timeSec: number; kernels: string } = {
        model: opts.model ?? null,
        range,
        steps,
        slices: l.slices.map(sliceFigures),
        timeSec: (performance.now() - t0) / 1000,
        kernels: kernels.id,
      };
      folder.writeSummary('landscape', 'done', saved, results);
      if (config.logFormat === 'json') {
        stdoutEvents().write('landscape', {
          ...results,
          loss: config.loss,
          reg: reg.strength,
          seed: config.seed,
          runDir: folder.dir,
          config: saved,
        });
      }
      if (!config.quiet) {
        const out = config.logFormat === 'json' ? process.stderr : process.stdout;
        out.write(
          `loss landscape (CS231n optimization notes): ${landscapeSetting(config, results)}\n\n` +
            `${landscapeTable(results.slices)}\n\ndone in ${secs(results.timeSec)}\n`,
        );
      }
      reporter.info(`run folder: ${folder.dir}`);
      return 0;
    } catch (e) {
      try {
        folder.writeSummary('landscape', 'failed', saved, { kernels: kernels.id }, e instanceof Error ? e.message : String(e));
      } catch {
        // the first error is the one to report
      }
      throw e;
    }
  });
}
