/**
 * A trained model on disk: W, the class names, the preprocessing mean and the
 * config that made it — everything `lintrain eval` needs to score new data the
 * same way. JSON with the float32 arrays as little-endian base64, written to a
 * temporary file and renamed, so a crash never leaves half a model.
 */
import fs from 'node:fs';
import { type Config, runConfig, type RunConfig } from '../config/schema.js';
import { writeFileAtomic } from '../core/atomic.js';
import { LintrainError } from '../core/errors.js';
import { C, D, DB } from '../core/shapes.js';
import { VERSION as LINTRAIN_VERSION } from '../version.js';

export interface Model {
  W: Float32Array; // C×(D+1), bias last
  mean: Float32Array; // D, the training split's mean image
  classNames: string[];
  config: RunConfig;
  kernels: string | null; // the kernels that computed W (Summary.kernels); null: not recorded (lintrain 0.1)
  metrics?: Record<string, number>;
}

const FORMAT = 'lintrain-model';
const VERSION = 1;

/** A typed array as base64 of its bytes (little-endian, as every machine Node runs on). */
export const toBase64 = (a: Float32Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

/** The inverse of toBase64, checked: `what` and `file` name the array in the error. */
export function fromBase64(text: unknown, length: number, what: string, file: string): Float32Array;
export function fromBase64(text: unknown, length: number, what: string, file: string, type: Int32ArrayConstructor): Int32Array;
export function fromBase64(
  text: unknown,
  length: number,
  what: string,
  file: string,
  type: Float32ArrayConstructor | Int32ArrayConstructor = Float32Array,
): Float32Array | Int32Array {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  if (bytes.length !== length * 4) {
    throw new LintrainError(`${file}: ${what} holds ${bytes.length} bytes, expected ${length} values of 4 bytes.`);
  }
  const out = new type(length);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

export function saveModel(file: string, m: Model): void {
  const body = {
    format: FORMAT,
    version: VERSION,
    shape: [C, DB],
    lintrain: LINTRAIN_VERSION,
    kernels: m.kernels,
    classNames: m.classNames,
    metrics: m.metrics ?? {},
    config: runConfig(m.config),
    W: toBase64(m.W),
    mean: toBase64(m.mean),
  };
  writeFileAtomic(file, JSON.stringify(body) + '\n', 'the model');
}

export function loadModel(file: string): Model {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not a lintrain model (bad JSON)';
    throw new LintrainError(`Cannot read model ${file}: ${why}.`);
  }
  if (body.format !== FORMAT || body.version !== VERSION) {
    throw new LintrainError(`${file} is not a lintrain model (format ${FORMAT} version ${VERSION}).`);
  }
  return {
    W: fromBase64(body.W, C * DB, 'W', file),
    mean: fromBase64(body.mean, D, 'mean', file),
    classNames: body.classNames as string[],
    config: runConfig(body.config as Config),
    kernels: typeof body.kernels === 'string' ? body.kernels : null,
    metrics: body.metrics as Record<string, number>,
  };
}
