/**
 * Features for the commands: `--features hog-color|kmeans` extracts them from CIFAR-10
 * before training, `--features-file FILE` reads them from a feature file.
 */
import type { Config } from '../config/schema.js';
import { UsageError } from '../core/errors.js';
import { extract, featureDataset, type FeatureBackend, type FeatureSet } from '../features/index.js';
import { createJsFeatureBackend, createWasmFeatureBackend } from '../features/index.js';
import { readFeatureFile } from '../features/file.js';
import type { Phase, Reporter } from '../report/types.js';
import type { Dataset } from '../core/shapes.js';
import { openDataset } from './pixel-data.js';

export async function createFeatureBackend(c: Config): Promise<FeatureBackend> {
  return c.backend === 'js' ? createJsFeatureBackend() : createWasmFeatureBackend({ threads: c.threads });
}

/** One progress bar per stage of the extraction. */
function stageBars(reporter: Reporter) {
  const LABELS: Record<string, string> = { patches: 'patches ', whiten: 'whiten  ', kmeans: 'k-means ', extract: 'extract ' };
  let stage = '';
  let bar: Phase | null = null;
  return {
    progress(s: string, done: number, total: number) {
      if (s !== stage) {
        bar?.stop();
        stage = s;
        bar = reporter.phase(LABELS[s] ?? s.padEnd(8), total);
      }
      bar?.update(done);
    },
    stop: () => bar?.stop(),
  };
}

/** Extract the configured features from CIFAR-10 (loaded into the backend's memory). */
export async function extractFeatures(config: Config, backend: FeatureBackend, reporter: Reporter): Promise<FeatureSet> {
  if (config.features === 'pixels') throw new UsageError('lintrain features extract needs --features hog-color or --features kmeans.');
  const pixels = await openDataset(config, backend, reporter);
  const bars = stageBars(reporter);
  try {
    const opts = { centroids: config.centroids, patches: config.kmeansPatches, iters: config.kmeansIters, seed: config.seed };
    return extract(config.features, pixels, opts, backend, bars.progress);
  } finally {
    bars.stop();
  }
}

/** The feature file must hold the features and splits the config asks for. */
function checkMatches(set: FeatureSet, config: Config, file: string): void {
  if (config.features !== 'pixels' && config.features !== set.name) {
    throw new UsageError(`Feature file ${file} holds ${set.name} features, but --features is ${config.features}.`);
  }
  const want = { train: config.numTrain, val: config.numVal, test: config.numTest };
  for (const s of ['train', 'val', 'test'] as const) {
    if (set[s].n !== want[s]) {
      const flag = { train: '--num-train', val: '--num-val', test: '--num-test' }[s];
      throw new UsageError(`Feature file ${file} has ${set[s].n} ${s} rows, but ${flag} is ${want[s]}; extract again with the same split.`);
    }
  }
}

/** The training data on features: from the feature file, or extracted now. */
export async function openFeatureDataset(config: Config, backend: FeatureBackend, reporter: Reporter): Promise<Dataset> {
  let set: FeatureSet;
  if (config.featuresFile !== null) {
    const bar = reporter.phase('read    ', 1);
    set = readFeatureFile(config.featuresFile, (bytes) => backend.allocPixels(bytes));
    bar.update(1);
    bar.stop();
    checkMatches(set, config, config.featuresFile);
  } else {
    set = await extractFeatures(config, backend, reporter);
  }
  const bar = reporter.phase('standardize', 1);
  const data = featureDataset(set, config.numDev);
  bar.update(1);
  bar.stop();
  return data;
}
