/**
 * Getting CIFAR-10 for a command: find it, download it when it is missing (unless
 * --no-download), load it into the kernel backend's memory and split it.
 */
import type { Config } from '../config/schema.js';
import { LintrainError } from '../core/errors.js';
import { loadCifar10 } from '../data/cifar10.js';
import { downloadCifar10, importArchive, type TransferProgress } from '../data/download.js';
import { findBatchDir, resolveDataDir } from '../data/locate.js';
import { checkSplitSizes, makeDataset } from '../data/preprocess.js';
import type { Kernels } from '../kernels/types.js';
import type { Phase, Reporter } from '../report/types.js';
import type { Dataset } from '../core/shapes.js';

/** Ctrl-C aborts a transfer cleanly (exit 130): a download keeps its .partial to resume, an import removes its files. */
async function withInterrupt<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onInt = () => ac.abort(new LintrainError('Interrupted.', 130));
  process.once('SIGINT', onInt);
  try {
    return await run(ac.signal);
  } finally {
    process.off('SIGINT', onInt);
  }
}

/** `lintrain download [--from FILE]`: returns the batch directory. */
export async function fetchData(dataDir: string, from: string | null, reporter: Reporter): Promise<string> {
  let bar: Phase | null = null;
  let phase = '';
  // One bar per phase: the transfer (download) and then the extraction (archive bytes read).
  const onProgress = (p: TransferProgress) => {
    if (p.phase !== phase) {
      bar?.stop();
      phase = p.phase;
      bar = reporter.phase(p.phase === 'extract' ? 'extract ' : 'download', p.total ?? 0, 'bytes');
    }
    bar?.update(p.bytes);
  };
  // LINTRAIN_CIFAR10_URL: a mirror of the official archive (its md5 is still checked)
  const opts = { onProgress, onWarning: (m: string) => reporter.warn(m), url: process.env.LINTRAIN_CIFAR10_URL || undefined };
  try {
    return await withInterrupt((signal) =>
      from ? importArchive(from, dataDir, { ...opts, signal }) : downloadCifar10(dataDir, { ...opts, signal }),
    );
  } finally {
    (bar as Phase | null)?.stop();
  }
}

/** The batch directory for a run, downloading first when allowed. */
export async function ensureData(config: Pick<Config, 'data' | 'download'>, reporter: Reporter): Promise<string> {
  const dataDir = resolveDataDir(config.data ?? undefined);
  const found = findBatchDir(dataDir);
  if (found) return found;
  if (!config.download) {
    throw new LintrainError(
      `No CIFAR-10 data in ${dataDir} (looked for data_batch_1.bin there and in cifar-10-batches-bin/). ` +
        'Get it with `lintrain download`, or from an archive you have with `lintrain download --from FILE`.',
    );
  }
  reporter.info(`No CIFAR-10 data in ${dataDir}; downloading it (use --no-download to fail instead).`);
  return fetchData(dataDir, null, reporter);
}

/** Find, load and split the data, pixels in the backend's own memory. */
export async function openDataset(config: Config, kernels: Kernels, reporter: Reporter): Promise<Dataset> {
  const dir = await ensureData(config, reporter);
  const bar = reporter.phase('load    ', 6);
  try {
    const raw = loadCifar10(dir, {
      alloc: (bytes) => kernels.allocPixels(bytes),
      onProgress: (done) => bar.update(done),
      onCounts: (nTrain, nTest) => checkSplitSizes(config, nTrain, nTest, dir),
    });
    return makeDataset(raw, config, config.seed, (s) => kernels.meanImage(s));
  } finally {
    bar.stop();
  }
}
