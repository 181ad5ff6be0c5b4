/**
 * lintrain as a library: what a script needs to load CIFAR-10, train, evaluate,
 * check a gradient, save and read models, run folders and feature files. Everything
 * else under src/ is internal and may change between releases. Pictures are a separate
 * entry point, 'lintrain/plots' (it loads a native module). docs/library.md has a tour.
 *
 *   const kernels = await createKernels('wasm');
 *   const data = loadDataset({ dataDir: 'data', kernels });
 *   const W = train(resolveConfig({}, { loss: 'softmax' }), data, kernels, (e) => {});
 *   console.log(accuracy(kernels, data.test, data.mean, W).acc);
 */

// Shapes: W is C×DB row-major (10×3073, the bias last); a Split holds N rows of D bytes.
export { C, D, DB, type Dataset, type FloatArray, type Split } from './core/shapes.js';
export { LintrainError, UsageError } from './core/errors.js';

// Config: defaults < optimizer defaults < file < overrides, validated once.
export { type Config, type ConfigKey, DEFAULTS, OPT_NAMES, type OptName } from './config/schema.js';
export { readConfigFile, resolveConfig } from './config/resolve.js';

// Data: the official binary batches, downloaded or imported, loaded and split.
export { loadDataset } from './data/load.js';
export { DEFAULT_SPLIT, type SplitSizes } from './data/preprocess.js';
export { downloadCifar10, importArchive } from './data/download.js';

// Kernels: the arithmetic of every loss, gradient and score (js reference, wasm SIMD).
export { BACKEND_NAMES, type BackendName, createKernels, type Kernels } from './kernels/index.js';

// The model: losses by name (each with its naive twin), regularizers, the objective, the gradient check.
export { naiveLoss, SCORES_LOSSES } from './model/losses/index.js';
export { LOSS_NAMES, type LossName, type LossSpec } from './model/losses/types.js';
export { REG_TYPES, type RegSpec, type RegType } from './model/regularizers.js';
export { lossSpec, makeObjective, type Objective, regSpec } from './model/objective.js';
export { type GradCheckResult, gradCheck } from './model/gradcheck.js';
export { type Accuracy, accuracy, confusionMatrix } from './model/evaluate.js';
export { loadModel, type Model, saveModel } from './model/file.js';

// Optimizers: the update rules by name, and the lecture's two searches.
export { makeUpdateRule, randomLocalSearch, randomSearch, UPDATE_RULES, type UpdateRule } from './optimizers/index.js';

// Training: the loop, stoppable and resumable, and its checkpoints.
export {
  type IterEvent,
  isSearchState,
  type RunState,
  type TrainControl,
  type TrainEvent,
  type TrainResult,
  train,
  trainResumable,
  type ValEvent,
} from './training/trainer.js';
export { type Checkpoint, loadCheckpoint, saveCheckpoint } from './training/checkpoint.js';

// Run folders, as the CLI writes them (read-only here).
export { listRuns, readMetrics, readSummary, type RunStatus, type RunSummary, runStatus } from './report/run-folder.js';

// Features: HOG + colour and k-means (Coates et al.), extracted once, stored, trained on.
export {
  createJsFeatureBackend,
  createWasmFeatureBackend,
  extract,
  FEATURE_NAMES,
  type FeatureBackend,
  type FeatureName,
  type FeatureSet,
  featureDataset,
} from './features/index.js';
export { readFeatureFile, writeFeatureFile } from './features/file.js';
