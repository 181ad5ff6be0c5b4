/**
 * Feature extraction for the whole data set (CS231n assignment 1's extract_features,
 * and Coates et al.'s pipeline), into the compact byte rows the training kernels read:
 *   hog-color  HOG (hog.ts, 144) + hue histogram (color-hist.ts, 10): F = 154
 *   kmeans     patches → whitening → k-means (kmeans.ts), triangle features: F = 4K
 * then standardized with training statistics (standardize.ts). The statistics come
 * from the first `pilot` training images (all of them when there are fewer), extracted
 * first, so the 60,000 images are extracted once and never held as floats.
 */
import { UsageError } from '../core/errors.js';
import type { Dataset, Split } from '../core/shapes.js';
import { hueHistogram, HUE_BINS } from './color-hist.js';
import { hogFeature, HOG_SIZE } from './hog.js';
import { learnPatchModel } from './kmeans.js';
import { featureMeans, fitStandardizer, quantize, SPREAD_COATES, SPREAD_STD, STEPS_PER_SIGMA } from './standardize.js';
import type { FeatureBackend, FeatureName, PatchModel, Progress } from './types.js';

export * from './types.js';
export { createJsFeatureBackend } from './backend-js.js';
export { createWasmFeatureBackend } from './backend-wasm.js';

export interface ExtractOptions {
  centroids: number; // K, kmeans only
  patches: number; // k-means training patches
  iters: number; // k-means iterations
  seed: number;
  pilot?: number; // training images that set the standardization (default 5000)
}

/** A data set of stored features: splits of n×F bytes (types.ts), as written to a feature file. */
export interface FeatureSet {
  name: Exclude<FeatureName, 'pixels'>;
  settings: Record<string, number | string>; // how it was made, kept in the file
  F: number;
  classNames: string[];
  train: Split;
  val: Split;
  test: Split;
}

/** Fills out (n×F floats) with the raw features of n images (n×3072 bytes). */
type Extractor = (pixels: Uint8Array, n: number, out: Float32Array) => void;

function hogColor(): Extractor {
  const gray = new Float64Array(1024);
  const F = HOG_SIZE + HUE_BINS;
  return (pixels, n, out) => {
    for (let i = 0; i < n; i++) {
      hogFeature(pixels, i * 3072, out, i * F, gray);
      hueHistogram(pixels, i * 3072, out, i * F + HOG_SIZE);
    }
  };
}

/** Extract, standardize and store features for data's train, val and test splits. */
export function extract(
  name: FeatureName,
  data: Dataset,
  opts: ExtractOptions,
  backend: FeatureBackend,
  progress: Progress = () => {},
): FeatureSet {
  if (name === 'pixels') throw new UsageError("extract: 'pixels' are not extracted; choose hog-color or kmeans");
  let F: number;
  let run: Extractor;
  let chunk: number;
  // the kernels that extracted them: the float64 reference and the integer wasm extraction differ in the last digits
  const settings: Record<string, number | string> = { features: name, stepsPerSigma: STEPS_PER_SIGMA, kernels: backend.id };
  if (name === 'kmeans') {
    const model: PatchModel = learnPatchModel(
      backend,
      data.train,
      { K: opts.centroids, patches: opts.patches, iters: opts.iters, seed: opts.seed },
      progress,
    );
    F = 4 * model.K;
    run = (pixels, n, out) => backend.triangle(pixels, n, model, out);
    chunk = 255;
    Object.assign(settings, {
      centroids: model.K,
      patches: opts.patches,
      iters: opts.iters,
      seed: opts.seed,
      patch: 6,
      stride: 1,
      zcaEps: 0.1,
    });
  } else {
    F = HOG_SIZE + HUE_BINS;
    run = hogColor();
    chunk = 1000;
  }
  const splits = [data.train, data.val, data.test];
  const total = splits.reduce((s, x) => s + x.n, 0);
  const bytes = backend.allocPixels(total * F);
  const buf = new Float32Array(Math.max(chunk, 1) * F);

  // The standardization, from the first pilot training images (kept, and stored first).
  const pilot = Math.min(opts.pilot ?? 5000, data.train.n);
  settings.pilot = pilot;
  const pilotX = new Float32Array(pilot * F);
  for (let lo = 0; lo < pilot; lo += chunk) {
    const n = Math.min(chunk, pilot - lo);
    run(data.train.pixels.subarray(lo * 3072, (lo + n) * 3072), n, pilotX.subarray(lo * F, (lo + n) * F));
    progress('extract', lo + n, total);
  }
  // k-means features as kmeans_demo.m standardizes them, HOG + colour as the assignment does
  const rule = name === 'kmeans' ? SPREAD_COATES : SPREAD_STD;
  settings.varEps = rule.varEps;
  const st = fitStandardizer(pilotX, pilot, F, rule);
  quantize(pilotX, pilot, F, st, bytes, 0);

  let done = pilot;
  let at = 0;
  const out: Split[] = [];
  for (const [s, split] of splits.entries()) {
    const base = at;
    for (let lo = s === 0 ? pilot : 0; lo < split.n; lo += chunk) {
      const n = Math.min(chunk, split.n - lo);
      run(split.pixels.subarray(lo * 3072, (lo + n) * 3072), n, buf);
      quantize(buf, n, F, st, bytes, (base + lo) * F);
      done += n;
      progress('extract', done, total);
    }
    out.push({ pixels: bytes.subarray(base * F, (base + split.n) * F), labels: split.labels, n: split.n });
    at += split.n;
  }
  return { name, settings, F, classNames: data.classNames, train: out[0], val: out[1], test: out[2] };
}

/** The Dataset the trainer takes: feature splits, the training mean bytes, a dev view. */
export function featureDataset(fs: FeatureSet, numDev: number): Dataset {
  const dn = Math.min(numDev, fs.train.n);
  const dev: Split = { pixels: fs.train.pixels.subarray(0, dn * fs.F), labels: fs.train.labels.subarray(0, dn), n: dn };
  return {
    train: fs.train,
    val: fs.val,
    test: fs.test,
    dev,
    mean: featureMeans(fs.train.pixels, fs.train.n, fs.F),
    classNames: fs.classNames,
  };
}
