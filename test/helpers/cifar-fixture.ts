/**
 * A tiny CIFAR-style batch directory for tests: five training batches and a test
 * batch of a few records each, with pseudo-random (deterministic) pixels and labels.
 * Random pixels on purpose: they do not compress, so archives made from them look
 * like real ones to tar's decompression-ratio guard.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { META_FILE, OFFICIAL_CLASS_NAMES, TEST_FILE, TRAIN_FILES, writeBatchFile } from '../../src/data/cifar10.js';
import { BATCH_DIR_NAME } from '../../src/data/locate.js';
import { Rng } from '../../src/core/rng.js';
import { D } from '../../src/core/shapes.js';

export interface CifarFixture {
  batchDir: string; // where the .bin files are
  counts: number[]; // records per file: batches 1..5, then test
  nTrain: number;
  nTest: number;
  pixels: Uint8Array; // everything written, in loader order: (nTrain+nTest)×D
  labels: Uint8Array;
}

export interface FixtureOptions {
  counts?: number[]; // default [7, 11, 13, 17, 20, 9]
  nested?: boolean; // write into dir/cifar-10-batches-bin (default true)
  meta?: boolean; // write batches.meta.txt (default true)
  seed?: number;
}

const made: string[] = [];

/** A fresh empty directory under os.tmpdir(); removed by removeTmpDirs(). */
export function tmpDir(prefix = 'lintrain-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Remove every directory tmpDir() made (call from afterAll). */
export function removeTmpDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Index of the first differing byte, -1 when equal (jest's toEqual is slow on big typed arrays). */
export function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

export function writeCifarFixture(dir: string, opts: FixtureOptions = {}): CifarFixture {
  const counts = opts.counts ?? [7, 11, 13, 17, 20, 9];
  const batchDir = opts.nested === false ? dir : path.join(dir, BATCH_DIR_NAME);
  fs.mkdirSync(batchDir, { recursive: true });
  const n = counts.reduce((a, b) => a + b, 0);
  const rng = new Rng(opts.seed ?? 1234);
  const pixels = new Uint8Array(n * D);
  const labels = new Uint8Array(n);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.u32() & 255;
  for (let i = 0; i < n; i++) labels[i] = rng.int(10);
  let at = 0;
  [...TRAIN_FILES, TEST_FILE].forEach((f, i) => {
    const k = counts[i];
    writeBatchFile(path.join(batchDir, f), labels.subarray(at, at + k), pixels.subarray(at * D, (at + k) * D));
    at += k;
  });
  if (opts.meta !== false) fs.writeFileSync(path.join(batchDir, META_FILE), OFFICIAL_CLASS_NAMES.join('\n') + '\n\n');
  const nTest = counts[TRAIN_FILES.length];
  return { batchDir, counts, nTrain: n - nTest, nTest, pixels, labels };
}
