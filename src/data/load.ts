/** One call from a data directory to a split Dataset in the kernels' memory (the library's loadDataset). */
import { LintrainError } from '../core/errors.js';
import type { Dataset } from '../core/shapes.js';
import type { Kernels } from '../kernels/types.js';
import { loadCifar10 } from './cifar10.js';
import { findBatchDir, resolveDataDir } from './locate.js';
import { DEFAULT_SPLIT, makeDataset, type SplitSizes } from './preprocess.js';

/**
 * Load CIFAR-10 from a data directory (the batch files, or a folder holding
 * cifar-10-batches-bin/; default LINTRAIN_DATA, else data/) and split it: the
 * first numTrain training records, the last numVal, the first numTest of test_batch.
 */
export function loadDataset(opts: { dataDir?: string; kernels: Kernels; sizes?: Partial<SplitSizes>; seed?: number }): Dataset {
  const dataDir = resolveDataDir(opts.dataDir);
  const dir = findBatchDir(dataDir);
  if (!dir) throw new LintrainError(`No CIFAR-10 data in ${dataDir}. Run \`lintrain download\` first.`);
  const raw = loadCifar10(dir, { alloc: (bytes) => opts.kernels.allocPixels(bytes) });
  return makeDataset(raw, { ...DEFAULT_SPLIT, ...opts.sizes }, opts.seed ?? 0, (s) => opts.kernels.meanImage(s));
}
