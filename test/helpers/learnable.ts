/**
 * A small learnable CIFAR-style data set: each class has a random template image,
 * each record is its class's template plus noise, so a linear classifier can reach
 * high accuracy in a few iterations. In memory (a Dataset) or on disk (batch files).
 */
import fs from 'node:fs';
import path from 'node:path';
import { META_FILE, OFFICIAL_CLASS_NAMES, TEST_FILE, TRAIN_FILES, writeBatchFile } from '../../src/data/cifar10.js';
import { meanImage } from '../../src/data/preprocess.js';
import { Rng } from '../../src/core/rng.js';
import { C, D, type Dataset, type Split } from '../../src/core/shapes.js';

/** n records: template of a random class + N(0, noise²), clamped to bytes. */
export function templateRecords(n: number, seed: number, noise = 60): { pixels: Uint8Array; labels: Uint8Array } {
  const templates = new Rng(4242); // the same classes in every call, so train and test agree
  const t = new Uint8Array(C * D);
  for (let k = 0; k < t.length; k++) t[k] = templates.int(256);
  const rng = new Rng(seed);
  const pixels = new Uint8Array(n * D);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const y = i % C; // balanced, so every class appears in tiny splits
    labels[i] = y;
    for (let d = 0; d < D; d++) {
      const v = Math.round(t[y * D + d] + noise * rng.normal());
      pixels[i * D + d] = Math.min(255, Math.max(0, v));
    }
  }
  return { pixels, labels };
}

const split = (r: { pixels: Uint8Array; labels: Uint8Array }): Split => ({ ...r, n: r.labels.length });

/** An in-memory Dataset: nTrain train, nVal val, nTest test, dev = first 20 train rows. */
export function learnableDataset(nTrain = 200, nVal = 50, nTest = 50): Dataset {
  const train = split(templateRecords(nTrain, 1));
  const dev = { pixels: train.pixels.slice(0, 20 * D), labels: train.labels.slice(0, 20), n: 20 };
  return {
    train,
    val: split(templateRecords(nVal, 2)),
    test: split(templateRecords(nTest, 3)),
    dev,
    mean: meanImage(train),
    classNames: [...OFFICIAL_CLASS_NAMES],
  };
}

/** The same kind of data as batch files in dir/cifar-10-batches-bin: 5 × perBatch train, nTest test. */
export function writeLearnableDir(dir: string, perBatch = 60, nTest = 100): string {
  const batchDir = path.join(dir, 'cifar-10-batches-bin');
  fs.mkdirSync(batchDir, { recursive: true });
  TRAIN_FILES.forEach((name, b) => {
    const r = templateRecords(perBatch, 10 + b);
    writeBatchFile(path.join(batchDir, name), r.labels, r.pixels);
  });
  const t = templateRecords(nTest, 99);
  writeBatchFile(path.join(batchDir, TEST_FILE), t.labels, t.pixels);
  fs.writeFileSync(path.join(batchDir, META_FILE), OFFICIAL_CLASS_NAMES.join('\n') + '\n');
  return batchDir;
}
