/** `lintrain features extract --features hog-color|kmeans --out FILE`: features computed once, stored for `--features-file`. */
import type { Command } from 'commander';
import { writeFeatureFile } from '../../features/file.js';
import { createFeatureBackend, extractFeatures } from '../feature-data.js';
import { stdoutEvents } from '../events.js';
import { makeReporter } from '../reporter.js';
import { configOf } from '../settings.js';

/** `lintrain features extract --features … --out FILE`. */
export async function featuresExtractCommand(cmd: Command): Promise<number> {
  const config = configOf(cmd);
  const out = cmd.opts().out as string;
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
