/** `lintrain features extract --features hog-color|kmeans --save FILE`: features computed once, stored for `--features-file`. */
import { type Command, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import { writeFeatureFile } from '../../features/file.js';
import { createFeatureBackend, extractFeatures } from '../feature-data.js';
import { stdoutEvents } from '../events.js';
import { makeReporter } from '../reporter.js';
import { type Act, addConfigOptions, addRenamedOption } from '../options.js';
import { configOf } from '../settings.js';

/** `lintrain features`, a group of one subcommand so far: `features extract`. */
export function define(parent: Command, act: Act): Command {
  const features = parent.command('features').description('compute features once and store them (see `features extract --help`)');
  const extract = addConfigOptions(features.command('extract'), [
    'features',
    'centroids',
    'kmeansPatches',
    'kmeansIters',
    'numTrain',
    'numVal',
    'numTest',
    'seed',
    'data',
    'download',
    'backend',
    'threads',
    'logFormat',
    'quiet',
  ]).description('extract hog-color or kmeans features for train, val and test and write them to a feature file');
  addRenamedOption(
    extract,
    new Option('--save <file>', 'the feature file to write (train on it with --features-file FILE)'),
    '--out <file>',
  );
  extract.addHelpText(
    'after',
    '\nExample:\n  lintrain features extract --features kmeans --save runs/km1600.ltf\n  lintrain --config configs/kmeans-svm.json --features-file runs/km1600.ltf\n',
  );
  extract.action(() => act(featuresExtractCommand, extract));
  return features;
}

/** `lintrain features extract --features … --save FILE`. */
export async function featuresExtractCommand(cmd: Command): Promise<number> {
  const config = configOf(cmd);
  const out = cmd.opts().save as string | undefined;
  // Not commander's mandatory option: the former name --out must be able to stand in.
  if (!out) throw new UsageError('features extract needs --save FILE, the feature file to write.');
  const reporter = makeReporter(config.logFormat, config.quiet);
  const backend = await createFeatureBackend(config);
  try {
    const t0 = performance.now();
    const set = await extractFeatures(config, backend, reporter);
    const bar = reporter.phase('write   ', 1);
    writeFeatureFile(out, set);
    bar.update(1);
    bar.stop();
    const timeSec = (performance.now() - t0) / 1000;
    const sizes = { train: set.train.n, val: set.val.n, test: set.test.n };
    if (config.logFormat === 'json') {
      stdoutEvents().write('features', {
        file: out,
        features: set.name,
        width: set.F,
        sizes,
        settings: set.settings,
        timeSec,
        kernels: backend.id,
      });
    }
    reporter.info(
      `${set.name} features: ${set.F} per image for ${sizes.train} / ${sizes.val} / ${sizes.test} images, written to ${out} in ${timeSec.toFixed(1)} s`,
    );
    return 0;
  } finally {
    reporter.close();
    backend.dispose();
  }
}
