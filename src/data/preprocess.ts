/**
 * Splits and preprocessing as in the CS231n assignment: train = the first numTrain
 * training records, validation = the last numVal, test = the first numTest of
 * test_batch, dev = a small random subset of train for gradient checks.
 *
 * Preprocessing is the mean image of the training split (subtracted) and the bias
 * trick (a constant 1 appended, so W is C×(D+1)). Both are folded into the kernels'
 * arithmetic, so the splits stay byte views of the loaded buffer: no float copy of
 * the data set is ever made.
 */
import { UsageError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { D, DB } from '../core/shapes.js';
import type { Dataset, Split } from '../core/shapes.js';
import type { RawCifar } from './cifar10.js';

export interface SplitSizes {
  numTrain: number;
  numVal: number;
  numTest: number;
  numDev: number;
}

/** The assignment's split: 49,000 / last 1,000 of train / all 10,000 test, 500 dev. */
export const DEFAULT_SPLIT: SplitSizes = { numTrain: 49000, numVal: 1000, numTest: 10000, numDev: 500 };

/** Records [from, from+n) of raw as a split sharing raw's memory. */
function view(raw: RawCifar, from: number, n: number): Split {
  return {
    pixels: raw.pixels.subarray(from * D, (from + n) * D),
    labels: raw.labels.subarray(from, from + n),
    n,
  };
}

function checkCount(flag: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new UsageError(`${flag} must be a whole number >= ${min}, got ${value}`);
  }
}

/**
 * The split sizes against the records there are (nTrain training, nTest test records
 * in `source`). Loaders call it as soon as the files' sizes are known, before reading them.
 */
export function checkSplitSizes(sizes: SplitSizes, nTrain: number, nTest: number, source?: string): void {
  const { numTrain, numVal, numTest, numDev } = sizes;
  checkCount('--num-train', numTrain, 1);
  checkCount('--num-val', numVal, 0);
  checkCount('--num-test', numTest, 0);
  checkCount('--num-dev', numDev, 0);
  const where = source ? ` in ${source}` : '';
  if (numTrain + numVal > nTrain) {
    throw new UsageError(
      `--num-train ${numTrain} + --num-val ${numVal} = ${numTrain + numVal} exceeds the ${nTrain} training records${where}`,
    );
  }
  if (numTest > nTest) throw new UsageError(`--num-test ${numTest} exceeds the ${nTest} test records${where}`);
}

/**
 * Cut raw into the four splits and compute the training mean image (with meanOf:
 * a backend's Kernels.meanImage, else the reference meanImage below).
 * train/val/test are views of raw.pixels; dev is a copy of min(numDev, numTrain)
 * training records drawn without replacement by Rng(seed).
 */
export function makeDataset(raw: RawCifar, sizes: SplitSizes, seed: number, meanOf: (split: Split) => Float32Array = meanImage): Dataset {
  const { numTrain, numVal, numTest, numDev } = sizes;
  checkSplitSizes(sizes, raw.nTrain, raw.nTest, raw.source);
  const train = view(raw, 0, numTrain);
  const val = view(raw, raw.nTrain - numVal, numVal);
  const test = view(raw, raw.nTrain, numTest);
  const dev = sampleRows(train, Math.min(numDev, numTrain), new Rng(seed));
  return { train, val, test, dev, mean: meanOf(train), classNames: raw.classNames };
}

/** k distinct rows of split (partial Fisher–Yates), copied into a new split. */
export function sampleRows(split: Split, k: number, rng: Rng): Split {
  const idx = new Int32Array(split.n);
  for (let i = 0; i < split.n; i++) idx[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(split.n - i);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  const pixels = new Uint8Array(k * D);
  const labels = new Uint8Array(k);
  for (let i = 0; i < k; i++) {
    const r = idx[i];
    pixels.set(split.pixels.subarray(r * D, (r + 1) * D), i * D);
    labels[i] = split.labels[r];
  }
  return { pixels, labels, n: k };
}

/**
 * Per-pixel mean over the split's rows: D values, exact sums, stored float32.
 * The sums run four pixels per 32-bit word (SWAR): masking a word into its even and
 * odd bytes gives two 16-bit lanes each, which hold 257 rows of 255 before they
 * overflow, so lanes are flushed into float64 every 256 rows. About 3.5× faster
 * than a byte loop, and this is most of the preprocessing time.
 */
export function meanImage(split: Split): Float32Array {
  if (split.n < 1) throw new RangeError('meanImage: the split is empty');
  const sum = split.pixels.byteOffset % 4 === 0 ? columnSumsSwar(split) : columnSumsBytes(split);
  const mean = new Float32Array(D);
  for (let j = 0; j < D; j++) mean[j] = sum[j] / split.n;
  return mean;
}

function columnSumsBytes(split: Split): Float64Array {
  const sum = new Float64Array(D);
  const px = split.pixels;
  for (let r = 0; r < split.n; r++) {
    const off = r * D;
    for (let j = 0; j < D; j++) sum[j] += px[off + j];
  }
  return sum;
}

const FLUSH_ROWS = 256;

function columnSumsSwar(split: Split): Float64Array {
  const W = D / 4; // words per row
  const words = new Uint32Array(split.pixels.buffer, split.pixels.byteOffset, split.n * W);
  const even = new Uint32Array(W); // bytes 0 and 2 of each word, as two 16-bit lanes
  const odd = new Uint32Array(W); // bytes 1 and 3
  const sum = new Float64Array(D);
  for (let r0 = 0; r0 < split.n; r0 += FLUSH_ROWS) {
    const r1 = Math.min(split.n, r0 + FLUSH_ROWS);
    for (let r = r0; r < r1; r++) {
      const off = r * W;
      for (let k = 0; k < W; k++) {
        const w = words[off + k];
        even[k] += w & 0x00ff00ff;
        odd[k] += (w >>> 8) & 0x00ff00ff;
      }
    }
    for (let k = 0; k < W; k++) {
      const e = even[k];
      const o = odd[k];
      sum[4 * k] += e & 0xffff;
      sum[4 * k + 1] += o & 0xffff;
      sum[4 * k + 2] += e >>> 16;
      sum[4 * k + 3] += o >>> 16;
      even[k] = 0;
      odd[k] = 0;
    }
  }
  return sum;
}

/**
 * The explicit feature matrix X̃: n×(D+1) row-major, row i = [pixels_i − mean, 1],
 * for the picked rows (null: all, in order). For tests and naive twins only: the
 * training path never builds it (at 49,000 rows it would be 1.2 GB).
 */
export function toFeatures(split: Split, mean: Float32Array, rows: Int32Array | null = null): Float64Array {
  const n = rows ? rows.length : split.n;
  const X = new Float64Array(n * DB);
  for (let i = 0; i < n; i++) {
    const r = rows ? rows[i] : i;
    const src = r * D;
    const dst = i * DB;
    for (let j = 0; j < D; j++) X[dst + j] = split.pixels[src + j] - mean[j];
    X[dst + D] = 1;
  }
  return X;
}
