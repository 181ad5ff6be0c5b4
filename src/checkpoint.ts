/**
 * A stopped run on disk: DIR/checkpoint.json holds the config, the training state
 * (W, the optimizer's named slots, the RNG state, the epoch order, iteration, lr) and
 * the metrics so far. Arrays are base64 of their bytes, so the state comes back bit
 * for bit; the file is written atomically, so an interruption of the write itself
 * leaves the previous checkpoint or none, never half of one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { CONSTRAINTS, type Config, type ConfigKey, flagOf, resolveConfig } from './config.js';
import { LintrainError, UsageError } from './errors.js';
import { fromBase64, toBase64 } from './model.js';
import type { OptimizerState } from './optimizers/index.js';
import { C, DB } from './shapes.js';
import type { EvalEvent, TrainState } from './train.js';

export const CHECKPOINT_FILE = 'checkpoint.json';
const FORMAT = 'lintrain-checkpoint';
const VERSION = 1;

/** What the run has measured so far; a resumed run carries on with it. */
export interface RunMetrics {
  losses: number[]; // per iteration, in order
  evals: Array<Omit<EvalEvent, 'event'>>;
  trainSec: number; // time spent training, over all sessions
}

export interface Checkpoint {
  config: Config;
  state: TrainState;
  metrics: RunMetrics;
  stoppedBy?: string; // the signal that stopped it
}

export function saveCheckpoint(dir: string, cp: Checkpoint): string {
  const { state: s } = cp;
  const slots = Object.fromEntries(Object.entries(s.optimizer.slots).map(([k, v]) => [k, toBase64(v)]));
  const body = {
    format: FORMAT,
    version: VERSION,
    stoppedBy: cp.stoppedBy ?? null,
    config: cp.config,
    iter: s.iter,
    lr: s.lr,
    rng: s.rng,
    optimizer: { name: s.optimizer.name, t: s.optimizer.t, slots },
    order: s.order ? toBase64(s.order) : null,
    cursor: s.cursor,
    W: toBase64(s.W),
    metrics: cp.metrics,
  };
  const file = path.join(dir, CHECKPOINT_FILE);
  writeFileAtomic(file, JSON.stringify(body) + '\n', 'the checkpoint');
  return file;
}

/** Read DIR/checkpoint.json (DIR may also be the file itself). */
export function loadCheckpoint(dirOrFile: string): Checkpoint {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, CHECKPOINT_FILE);
  let b: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- checked field by field below
  try {
    b = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not a lintrain checkpoint (bad JSON)';
    throw new LintrainError(`Cannot resume from ${file}: ${why}.`);
  }
  if (b?.format !== FORMAT || b.version !== VERSION) {
    throw new LintrainError(`${file} is not a lintrain checkpoint (format ${FORMAT} version ${VERSION}).`);
  }
  const bad = (what: string) => new LintrainError(`${file}: ${what} is missing or damaged; the checkpoint cannot be resumed.`);
  const n = b.config?.numTrain;
  if (!Number.isInteger(b.iter) || b.iter < 0 || typeof b.lr !== 'number' || !Number.isInteger(n)) throw bad('iter, lr or config');
  if (!b.rng || !['a', 'b', 'c', 'd'].every((k) => Number.isInteger(b.rng[k]))) throw bad('the RNG state');
  const o = b.optimizer;
  if (!o || typeof o.name !== 'string' || !Number.isInteger(o.t) || typeof o.slots !== 'object') throw bad('the optimizer state');
  const slots: OptimizerState['slots'] = {};
  for (const [k, v] of Object.entries(o.slots ?? {})) slots[k] = fromBase64(v, C * DB, `optimizer slot ${k}`, file);
  const m = b.metrics;
  if (!m || !Array.isArray(m.losses) || !Array.isArray(m.evals) || typeof m.trainSec !== 'number') throw bad('the metrics');
  return {
    config: b.config as Config,
    stoppedBy: b.stoppedBy ?? undefined,
    metrics: m as RunMetrics,
    state: {
      iter: b.iter,
      lr: b.lr,
      W: fromBase64(b.W, C * DB, 'W', file),
      rng: { a: b.rng.a, b: b.rng.b, c: b.rng.c, d: b.rng.d, spare: typeof b.rng.spare === 'number' ? b.rng.spare : null },
      optimizer: { name: o.name, t: o.t, slots },
      order: b.order === null ? null : fromBase64(b.order, n, 'the epoch order', file, Int32Array),
      cursor: Number(b.cursor),
    },
  };
}

/** What a resumed run may change: how long it runs, where and how it reports; nothing of the trajectory. */
export const MAY_CHANGE_ON_RESUME: readonly ConfigKey[] = [
  'iters', 'evalEvery', 'backend', 'threads', 'data', 'download', 'logFormat', 'quiet', 'minValAcc', 'save', 'out',
];

/** The checkpoint's config with the flags given now on top; a flag that would change the run is refused. */
export function resumedConfig(saved: Config, flags: Partial<Config>, file: string): Config {
  const config = resolveConfig(saved, flags);
  for (const key of Object.keys(CONSTRAINTS) as ConfigKey[]) {
    if (!MAY_CHANGE_ON_RESUME.includes(key) && config[key] !== saved[key]) {
      throw new UsageError(
        `--resume ${file}: ${flagOf(key)} ${JSON.stringify(config[key])} differs from the checkpoint's ${JSON.stringify(saved[key])}; ` +
          `a resumed run keeps its settings (only ${MAY_CHANGE_ON_RESUME.map(flagOf).join(', ')} may change).`,
      );
    }
  }
  return config;
}
