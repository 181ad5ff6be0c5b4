/**
 * lintrain as a library: load the data, build an objective, train, evaluate;
 * losses and optimizers by name. The CLI is a thin layer over these.
 *
 *   const kernels = await createKernels('wasm');
 *   const data = loadDataset({ dataDir: 'data', kernels });
 *   const W = train(resolveConfig({}, { loss: 'softmax' }), data, kernels, (e) => {});
 *   console.log(accuracy(kernels, data.test, data.mean, W).acc);
 */
import { loadCifar10 } from './data/cifar10.js';
import { findBatchDir, resolveDataDir } from './data/locate.js';
import { DEFAULT_SPLIT, makeDataset, type SplitSizes } from './data/preprocess.js';
import { LintrainError } from './core/errors.js';
import type { Kernels } from './kernels/types.js';
import type { Dataset } from './core/shapes.js';

export * from './core/shapes.js';
export { DEFAULTS, CONSTRAINTS, OPT_NAMES, resolveConfig, readConfigFile, type Config, type OptName } from './config/schema.js';
export { LintrainError, UsageError } from './core/errors.js';
export { Rng } from './core/rng.js';
export { createKernels, BACKEND_NAMES, type BackendName, type Kernels } from './kernels/index.js';
export { loadCifar10, writeBatchFile, type RawCifar } from './data/cifar10.js';
export { makeDataset, meanImage, toFeatures, DEFAULT_SPLIT, type SplitSizes } from './data/preprocess.js';
export { downloadCifar10, importArchive, CIFAR10_MD5, CIFAR10_URL } from './data/download.js';
export { resolveDataDir, findBatchDir } from './data/locate.js';
export { SCORES_LOSSES, scoresLoss, naiveLoss } from './model/losses/index.js';
export { LOSS_NAMES, type LossName, type LossSpec, type ScoresLoss } from './model/losses/types.js';
export { regPenalty, addRegGradient, REG_TYPES, type RegSpec, type RegType } from './model/regularizers.js';
export { makeObjective, regSpec, lossSpec, type Objective } from './model/objective.js';
export { UPDATE_RULES, makeUpdateRule, randomSearch, randomLocalSearch, type UpdateRule } from './optimizers/index.js';
export { RandomSearch, RandomLocalSearch, type SearchProblem, type SearchState, type Try } from './optimizers/search.js';
export { gradCheck, relativeError, verdict, syntheticSplit, type GradCheckResult } from './model/gradcheck.js';
export {
  train,
  trainResumable,
  Trainer,
  isSearchState,
  type TrainEvent,
  type IterEvent,
  type ValEvent,
  type TrainState,
  type RunState,
  type TrainControl,
  type TrainResult,
} from './training/trainer.js';
export { SearchRun } from './training/search-trainer.js';
export { saveCheckpoint, loadCheckpoint, type Checkpoint, type RunMetrics } from './training/checkpoint.js';
export { accuracy, accuracyOf, confusionMatrix, confusionRows, type Accuracy } from './model/evaluate.js';
export { RunFolder, listRuns, readSummary, readMetrics, runStatus, type RunSummary, type RunStatus } from './report/run-folder.js';
export { saveModel, loadModel, type Model } from './model/file.js';
export {
  extract,
  featureDataset,
  createJsFeatureBackend,
  createWasmFeatureBackend,
  FEATURE_NAMES,
  type FeatureSet,
  type FeatureName,
  type FeatureBackend,
  type PatchModel,
  type ExtractOptions,
  type Progress,
} from './features/index.js';
export { readFeatureFile, writeFeatureFile } from './features/file.js';
export { hogFeature } from './features/hog.js';
export { hueHistogram } from './features/color-hist.js';
export { learnPatchModel, kmeans, samplePatches } from './features/kmeans.js';
export { fitZca, applyZca } from './features/whiten.js';

/** Load CIFAR-10 from a data directory (either form) into the backend's memory and split it. */
export function loadDataset(opts: { dataDir?: string; kernels: Kernels; sizes?: Partial<SplitSizes>; seed?: number }): Dataset {
  const dataDir = resolveDataDir(opts.dataDir);
  const dir = findBatchDir(dataDir);
  if (!dir) throw new LintrainError(`No CIFAR-10 data in ${dataDir}. Run \`lintrain download\` first.`);
  const raw = loadCifar10(dir, { alloc: (bytes) => opts.kernels.allocPixels(bytes) });
  return makeDataset(raw, { ...DEFAULT_SPLIT, ...opts.sizes }, opts.seed ?? 0, (s) => opts.kernels.meanImage(s));
}
