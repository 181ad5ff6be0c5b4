/**
 * Getting the data for a command: find it, download it when it is missing (unless
 * --no-download), load it into the kernel backend's memory and split it.
 */
import { type Config, usesFeatures } from '../config.js';
import { LintrainError } from '../errors.js';
import { loadCifar10 } from '../data/cifar10.js';
import { downloadCifar10, importArchive, type TransferProgress } from '../data/download.js';
import { findBatchDir, resolveDataDir } from '../data/locate.js';
import { checkSplitSizes, makeDataset } from '../data/preprocess.js';
import type { Kernels } from '../kernels/types.js';
import type { Phase, Reporter } from '../report/types.js';
import { createKernels } from '../kernels/index.js';
import { makeReporter } from './reporter.js';
import type { Dataset } from '../shapes.js';
import type { FeatureBackend } from '../features/types.js';
import { createFeatureBackend, openFeatureDataset } from './features.js';

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

/** Why --backend wasm-fma runs the plain kernels here, in one line. */
export const fallbackWarning = (k: Pick<Kernels, 'name' | 'id' | 'fallback'>): string =>
  `--backend ${k.name}: ${k.fallback}, so the ${k.id} kernels run (their bits are the same on every machine)`;

/** What a data command works with; released when the command ends. */
export interface RunContext {
  reporter: Reporter;
  kernels: Kernels;
  data: Dataset;
}

/**
 * Open the reporter, the kernel backend and the data for `use`, and release them after.
 * On features (--features, --features-file) the kernels are the feature backend's and
 * the data its stored feature rows (cli/features.ts).
 */
export async function withData<T>(config: Config, use: (ctx: RunContext) => Promise<T> | T): Promise<T> {
  const reporter = makeReporter(config.logFormat, config.quiet);
  try {
    return await withKernelsAndData(config, reporter, use);
  } finally {
    reporter.close();
  }
}

async function withKernelsAndData<T>(config: Config, reporter: Reporter, use: (ctx: RunContext) => Promise<T> | T): Promise<T> {
  const features = usesFeatures(config);
  const kernels = features ? await createFeatureBackend(config) : await createKernels(config.backend, { threads: config.threads });
  if (kernels.fallback) reporter.warn(fallbackWarning(kernels));
  try {
    const data = features
      ? await openFeatureDataset(config, kernels as FeatureBackend, reporter)
      : await openDataset(config, kernels, reporter);
    return await use({ reporter, kernels, data });
  } finally {
    await kernels.dispose(); // the workers' hold on the pixels ends with them (Kernels.dispose)
  }
}
