/**
 * The feature file: features computed once (`lintrain features extract`) and reused
 * (`lintrain train --features-file`).
 *
 *   "LTFEAT01"                       8 bytes, magic and format version
 *   header length H                  u32 little-endian
 *   header                           H bytes of JSON: features, settings, width F,
 *                                    counts {train, val, test}, classNames, encoding,
 *                                    sha256 of the body
 *   body                             labels (train, val, test: one byte each),
 *                                    then features (train, val, test: n×F bytes each)
 *
 * Features are bytes q = clamp(round(16·(x − μ)/σ) + 128, 0, 255) of the standardized
 * features (standardize.ts). A file that is truncated, altered or not a feature file is
 * refused with one line naming it and the fault.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { writeFileAtomic } from '../core/atomic.js';
import { LintrainError } from '../core/errors.js';
import type { Split } from '../core/shapes.js';
import type { FeatureSet } from './index.js';
import { FEATURE_NAMES } from './types.js';

const MAGIC = 'LTFEAT01';
export const ENCODING = 'u8: clamp(round(16*(x-mean)/std)+128, 0, 255), train statistics';

interface Header {
  features: FeatureSet['name'];
  settings: Record<string, number | string>;
  width: number;
  counts: { train: number; val: number; test: number };
  classNames: string[];
  encoding: string;
  sha256: string;
}

const SPLITS = ['train', 'val', 'test'] as const;

export function writeFeatureFile(file: string, set: FeatureSet): void {
  const body: Uint8Array[] = [
    ...SPLITS.map((s) => set[s].labels.subarray(0, set[s].n)),
    ...SPLITS.map((s) => set[s].pixels.subarray(0, set[s].n * set.F)),
  ];
  const hash = crypto.createHash('sha256');
  for (const b of body) hash.update(b);
  const header: Header = {
    features: set.name,
    settings: set.settings,
    width: set.F,
    counts: { train: set.train.n, val: set.val.n, test: set.test.n },
    classNames: set.classNames,
    encoding: ENCODING,
    sha256: hash.digest('hex'),
  };
  const json = Buffer.from(JSON.stringify(header));
  const head = Buffer.alloc(12);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(json.length, 8);
  writeFileAtomic(file, [head, json, ...body], 'the feature file');
}

/**
 * Read a feature file; feature bytes go into alloc(bytes) (the backend's memory, so
 * the kernels read them in place).
 */
export function readFeatureFile(file: string, alloc: (bytes: number) => Uint8Array = (b) => new Uint8Array(b)): FeatureSet {
  const bad = (why: string) => new LintrainError(`Feature file ${file} ${why}`);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    throw bad('cannot be read: no such file or not readable.');
  }
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(12);
    if (size < 12 || fs.readSync(fd, head, 0, 12, 0) !== 12 || head.toString('latin1', 0, 8) !== MAGIC) {
      throw bad(`is not a lintrain feature file (no ${MAGIC} header); make one with \`lintrain features extract\`.`);
    }
    const H = head.readUInt32LE(8);
    if (12 + H > size) throw bad(`is truncated: its header claims ${H} bytes, the file has ${size}.`);
    const json = Buffer.alloc(H);
    fs.readSync(fd, json, 0, H, 12);
    let h: Header;
    try {
      h = JSON.parse(json.toString('utf8')) as Header;
    } catch {
      throw bad('is damaged: its header is not valid JSON.');
    }
    const { width: F, counts } = h;
    if (!FEATURE_NAMES.includes(h.features) || !(F > 0) || !SPLITS.every((s) => Number.isInteger(counts?.[s]) && counts[s] >= 0)) {
      throw bad('is damaged: its header lacks the features, width or split sizes.');
    }
    const n = counts.train + counts.val + counts.test;
    const expected = 12 + H + n + n * F;
    if (size !== expected)
      throw bad(`is ${size < expected ? 'truncated' : 'too long'}: ${size} bytes, expected ${expected} for ${n} rows of ${F} features.`);
    const labels = Buffer.alloc(n);
    fs.readSync(fd, labels, 0, n, 12 + H);
    const bytes = alloc(n * F);
    for (let at = 0; at < n * F; ) {
      const len = fs.readSync(fd, bytes, at, n * F - at, 12 + H + n + at);
      if (len === 0) throw bad('is truncated.');
      at += len;
    }
    const hash = crypto.createHash('sha256').update(labels).update(bytes);
    if (hash.digest('hex') !== h.sha256) throw bad('is corrupt: its checksum does not match its contents.');
    const split = (from: number, k: number): Split => ({
      pixels: bytes.subarray(from * F, (from + k) * F),
      labels: new Uint8Array(labels.buffer, labels.byteOffset + from, k),
      n: k,
    });
    return {
      name: h.features as FeatureSet['name'],
      settings: h.settings,
      F,
      classNames: h.classNames,
      train: split(0, counts.train),
      val: split(counts.train, counts.val),
      test: split(counts.train + counts.val, counts.test),
    };
  } finally {
    fs.closeSync(fd);
  }
}
