/**
 * What a training command works with: the kernel backend and the data (CIFAR-10's
 * pixels, or features: extracted now or read from a feature file), opened for the
 * command and released after it.
 */
import { type Config, usesFeatures } from '../config/schema.js';
import type { FeatureBackend } from '../features/types.js';
import { createKernels } from '../kernels/index.js';
import type { Kernels } from '../kernels/types.js';
import type { Reporter } from '../report/types.js';
import type { Dataset } from '../core/shapes.js';
import { createFeatureBackend, openFeatureDataset } from './feature-data.js';
import { openDataset } from './pixel-data.js';
import { makeReporter } from './reporter.js';

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
 * the data its stored feature rows (feature-data.ts).
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
