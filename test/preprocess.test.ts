import type { RawCifar } from '../src/data/cifar10.js';
import { DEFAULT_SPLIT, makeDataset, meanImage, toFeatures } from '../src/data/preprocess.js';
import { type LintrainError, UsageError } from '../src/core/errors.js';
import { Rng } from '../src/core/rng.js';
import { D, DB } from '../src/core/shapes.js';
import type { Split } from '../src/core/shapes.js';

/** An in-memory data set: nTrain + nTest random images (distinct with overwhelming probability). */
function fakeRaw(nTrain: number, nTest: number, seed = 7): RawCifar {
  const rng = new Rng(seed);
  const n = nTrain + nTest;
  const pixels = new Uint8Array(n * D);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.u32() & 255;
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) labels[i] = rng.int(10);
  return { pixels, labels, nTrain, nTest, classNames: 'abcdefghij'.split(''), source: '/some/batches' };
}

/** Which row of `split` holds the same pixels as row r of `sub`. */
function rowOf(split: Split, sub: Split, r: number): number {
  for (let i = 0; i < split.n; i++) {
    let same = true;
    for (let j = 0; j < D && same; j++) same = split.pixels[i * D + j] === sub.pixels[r * D + j];
    if (same) return i;
  }
  return -1;
}

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as LintrainError).exitCode).toBe(2);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError, nothing was thrown');
}

const sizes = { numTrain: 40, numVal: 10, numTest: 12, numDev: 8 };

describe('makeDataset', () => {
  test('the assignment split is the default', () => {
    expect(DEFAULT_SPLIT).toEqual({ numTrain: 49000, numVal: 1000, numTest: 10000, numDev: 500 });
  });

  test('train = first records, val = LAST training records, test = start of test_batch, all views', () => {
    const raw = fakeRaw(60, 15);
    const ds = makeDataset(raw, sizes, 1);
    const at = (s: Split) => [s.pixels.buffer === raw.pixels.buffer, s.pixels.byteOffset / D, s.pixels.length / D, s.n];
    expect(at(ds.train)).toEqual([true, 0, 40, 40]);
    expect(at(ds.val)).toEqual([true, 50, 10, 10]);
    expect(at(ds.test)).toEqual([true, 60, 12, 12]);
    expect(Array.from(ds.val.labels)).toEqual(Array.from(raw.labels.subarray(50, 60)));
    expect(Array.from(ds.test.labels)).toEqual(Array.from(raw.labels.subarray(60, 72)));
    expect(ds.classNames).toBe(raw.classNames);
    raw.pixels[50 * D] ^= 1; // a write through raw shows in the view: no copy
    expect(ds.val.pixels[0]).toBe(raw.pixels[50 * D]);
  });

  test('splits may use every record', () => {
    const ds = makeDataset(fakeRaw(60, 15), { numTrain: 55, numVal: 5, numTest: 15, numDev: 0 }, 1);
    expect([ds.train.n, ds.val.n, ds.test.n, ds.dev.n]).toEqual([55, 5, 15, 0]);
  });

  test('mean image: training split only, equal to a naive double loop', () => {
    const raw = fakeRaw(60, 15);
    const ds = makeDataset(raw, sizes, 1);
    const naive = new Float32Array(D);
    for (let j = 0; j < D; j++) {
      let s = 0;
      for (let i = 0; i < sizes.numTrain; i++) s += raw.pixels[i * D + j];
      naive[j] = s / sizes.numTrain;
    }
    expect(ds.mean).toEqual(naive);
    expect(meanImage(ds.val)).not.toEqual(naive);
  });

  test('dev: distinct training rows, the same for the same seed, others for another seed', () => {
    const raw = fakeRaw(60, 15);
    const a = makeDataset(raw, sizes, 11);
    const b = makeDataset(raw, sizes, 11);
    const c = makeDataset(raw, sizes, 12);
    const rows = (d: Split) => Array.from({ length: d.n }, (_, r) => rowOf(a.train, d, r));
    const ra = rows(a.dev);
    expect(ra).toHaveLength(8);
    expect(ra.every((r) => r >= 0 && r < 40)).toBe(true);
    expect(new Set(ra).size).toBe(8);
    expect(rows(b.dev)).toEqual(ra);
    expect(rows(c.dev)).not.toEqual(ra);
    expect(Array.from(a.dev.labels)).toEqual(ra.map((r) => raw.labels[r]));
  });

  test('dev larger than train is cut to a permutation of train', () => {
    const ds = makeDataset(fakeRaw(20, 3), { numTrain: 6, numVal: 2, numTest: 3, numDev: 50 }, 3);
    const rows = Array.from({ length: ds.dev.n }, (_, r) => rowOf(ds.train, ds.dev, r));
    expect(rows.slice().sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('oversize and malformed splits are refused, naming the numbers', () => {
    const raw = fakeRaw(60, 15);
    expect(usageMessage(() => makeDataset(raw, { ...sizes, numTrain: 55 }, 1))).toBe(
      '--num-train 55 + --num-val 10 = 65 exceeds the 60 training records in /some/batches',
    );
    expect(usageMessage(() => makeDataset(raw, { ...sizes, numTest: 16 }, 1))).toBe(
      '--num-test 16 exceeds the 15 test records in /some/batches',
    );
    expect(usageMessage(() => makeDataset(raw, { ...sizes, numTrain: 0 }, 1))).toBe('--num-train must be a whole number >= 1, got 0');
    expect(usageMessage(() => makeDataset(raw, { ...sizes, numVal: 1.5 }, 1))).toMatch(/^--num-val .* got 1\.5$/);
    expect(usageMessage(() => makeDataset(raw, { ...sizes, numDev: -1 }, 1))).toMatch(/^--num-dev .* got -1$/);
  });
});

describe('toFeatures', () => {
  test('rows of [pixels − mean, 1], all rows or picked ones', () => {
    const raw = fakeRaw(5, 1);
    const ds = makeDataset(raw, { numTrain: 5, numVal: 0, numTest: 1, numDev: 0 }, 1);
    const X = toFeatures(ds.train, ds.mean);
    expect(X).toHaveLength(5 * DB);
    for (let i = 0; i < 5; i++) {
      expect(X[i * DB + D]).toBe(1);
      for (const j of [0, 1, 1000, D - 1]) expect(X[i * DB + j]).toBe(raw.pixels[i * D + j] - ds.mean[j]);
    }
    // the mean is subtracted: every pixel column of X sums to (about) zero
    let colSum = 0;
    for (let i = 0; i < 5; i++) colSum += X[i * DB + 7];
    expect(Math.abs(colSum)).toBeLessThan(1e-4);

    const picked = toFeatures(ds.train, ds.mean, Int32Array.from([3, 3, 0]));
    expect(picked).toHaveLength(3 * DB);
    expect(Array.from(picked.subarray(0, DB))).toEqual(Array.from(X.subarray(3 * DB, 4 * DB)));
    expect(Array.from(picked.subarray(DB, 2 * DB))).toEqual(Array.from(X.subarray(3 * DB, 4 * DB)));
    expect(Array.from(picked.subarray(2 * DB))).toEqual(Array.from(X.subarray(0, DB)));
  });
});

test('mean image: exact past the 16-bit lane flush (600 rows of 255s) and on unaligned views', () => {
  const n = 600;
  const buf = new Uint8Array(n * D + 1);
  for (const offset of [0, 1]) {
    const pixels = buf.subarray(offset, offset + n * D);
    // the first 512 columns are all 255: a lane that were flushed too late would wrap
    for (let r = 0; r < n; r++) for (let j = 0; j < D; j++) pixels[r * D + j] = j < 512 ? 255 : (r * 31 + j * 17) & 255;
    const naive = new Float32Array(D);
    for (let j = 0; j < D; j++) {
      let s = 0;
      for (let r = 0; r < n; r++) s += pixels[r * D + j];
      naive[j] = s / n;
    }
    const mean = meanImage({ pixels, labels: new Uint8Array(n), n });
    let same = true;
    for (let j = 0; j < D; j++) if (mean[j] !== naive[j]) same = false;
    expect(same).toBe(true);
  }
});
