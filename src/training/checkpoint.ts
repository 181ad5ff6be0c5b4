/**
 * A stopped run on disk: DIR/checkpoint.json holds the config, the run's state and
 * the metrics so far. The state is a gradient run's (`kind: "gradient"`: W, the
 * optimizer's named slots, the RNG state, the epoch order, iteration, lr) or a
 * search's (`kind: "search"`: tries done, the best or current W, the best loss, the RNG
 * state and the drawn steps not yet tried); version 1 files, from before the
 * searches could stop, hold a gradient run's without `kind`. Arrays are base64 of
 * their bytes, so the state comes back bit for bit; the file is written atomically,
 * so an interruption of the write itself leaves the previous checkpoint or none,
 * never half of one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic.js';
import {
  CONSTRAINTS,
  type Config,
  type ConfigKey,
  DEFAULTS,
  EXECUTION_KEYS,
  flagOf,
  runConfig,
  type RunConfig,
  usesFeatures,
} from '../config/schema.js';
import { resolveConfig } from '../config/resolve.js';
import { LintrainError, UsageError } from '../core/errors.js';
import { fromBase64, toBase64 } from '../model/file.js';
import { isSearch, type OptimizerState } from '../optimizers/index.js';
import type { SearchState } from '../optimizers/search.js';
import { C, DB } from '../core/shapes.js';
import { type ValEvent, isSearchState, type RunState, type TrainState } from './trainer.js';
import { VERSION } from '../version.js';

export const CHECKPOINT_FILE = 'checkpoint.json';
const FORMAT = 'lintrain-checkpoint';
const FORMAT_VERSION = 2; // 1: gradient runs only, no `kind`

/** What the run has measured so far; a resumed run carries on with it. */
export interface RunMetrics {
  losses: number[]; // per iteration, in order
  evals: Array<Omit<ValEvent, 'event'>>;
  trainSec: number; // time spent training, over all sessions
}

export interface Checkpoint {
  config: RunConfig;
  state: RunState;
  metrics: RunMetrics;
  kernels: string | null; // the kernels that computed W so far (Summary.kernels); null: not recorded (lintrain 0.1)
  stoppedBy?: string; // the signal that stopped it
  lintrain?: string | null; // read back: the version that wrote it (saving always writes this one's)
}

export function saveCheckpoint(dir: string, cp: Checkpoint): string {
  const { state: s } = cp;
  const head = {
    format: FORMAT,
    version: FORMAT_VERSION,
    kind: isSearchState(s) ? 'search' : 'gradient',
    lintrain: VERSION,
    kernels: cp.kernels,
    stoppedBy: cp.stoppedBy ?? null,
    config: runConfig(cp.config),
  };
  const common = { iter: s.iter, rng: s.rng, W: toBase64(s.W), metrics: cp.metrics };
  const body = isSearchState(s) ? { ...head, ...common, search: searchFields(s) } : { ...head, ...common, ...gradientFields(s) };
  const file = path.join(dir, CHECKPOINT_FILE);
  writeFileAtomic(file, JSON.stringify(body) + '\n', 'the checkpoint');
  return file;
}

const gradientFields = (s: TrainState) => ({
  lr: s.lr,
  optimizer: {
    name: s.optimizer.name,
    t: s.optimizer.t,
    slots: Object.fromEntries(Object.entries(s.optimizer.slots).map(([k, v]) => [k, toBase64(v)])),
    ...(s.optimizer.numbers ? { numbers: s.optimizer.numbers } : {}), // finite float64s: JSON keeps their bits
  },
  order: s.order ? toBase64(s.order) : null,
  cursor: s.cursor,
});

const searchFields = (s: SearchState) => ({
  name: s.search,
  bestLoss: Number.isFinite(s.bestLoss) ? s.bestLoss : null, // JSON has no Infinity (no try yet)
  pending: s.steps.length / s.W.length, // each step is one W
  steps: toBase64(s.steps),
});

// biome-ignore lint/suspicious/noExplicitAny: the parsed file, checked field by field below
type Body = Record<string, any>;
type Bad = (what: string) => LintrainError;

/** Read DIR/checkpoint.json (DIR may also be the file itself). */
export function loadCheckpoint(dirOrFile: string): Checkpoint {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, CHECKPOINT_FILE);
  let b: Body;
  try {
    b = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not a lintrain checkpoint (bad JSON)';
    throw new LintrainError(`Cannot resume from ${file}: ${why}.`);
  }
  if (b?.format !== FORMAT) throw new LintrainError(`${file} is not a lintrain checkpoint (format ${FORMAT}).`);
  if (b.version !== 1 && b.version !== FORMAT_VERSION) {
    throw new LintrainError(
      `${file} is a checkpoint of version ${JSON.stringify(b.version)}; this lintrain reads versions 1 and ${FORMAT_VERSION}.`,
    );
  }
  const bad: Bad = (what) => new LintrainError(`${file}: ${what} is missing or damaged; the checkpoint cannot be resumed.`);
  const kind = b.version === 1 ? 'gradient' : b.kind;
  if (!Number.isInteger(b.iter) || b.iter < 0 || !Number.isInteger(b.config?.numTrain) || typeof b.config?.opt !== 'string')
    throw bad('iter or config');
  if (kind !== (isSearch(b.config.opt) ? 'search' : 'gradient')) throw bad(`the kind (${JSON.stringify(kind)} for --opt ${b.config.opt})`);
  if (!b.rng || !['a', 'b', 'c', 'd'].every((k) => Number.isInteger(b.rng[k]))) throw bad('the RNG state');
  const m = b.metrics;
  if (!m || !Array.isArray(m.losses) || !Array.isArray(m.evals) || typeof m.trainSec !== 'number') throw bad('the metrics');
  const size = C * rowWidth(b);
  const common = {
    iter: b.iter,
    W: fromBase64(b.W, size, 'W', file),
    rng: { a: b.rng.a, b: b.rng.b, c: b.rng.c, d: b.rng.d, spare: typeof b.rng.spare === 'number' ? b.rng.spare : null },
  };
  const state = kind === 'search' ? { ...common, ...searchState(b, size, file, bad) } : { ...common, ...gradientState(b, size, file, bad) };
  const kernels = typeof b.kernels === 'string' ? b.kernels : null;
  const lintrain = typeof b.lintrain === 'string' ? b.lintrain : null;
  return { config: runConfig(b.config as Config), kernels, stoppedBy: b.stoppedBy ?? undefined, metrics: m as RunMetrics, state, lintrain };
}

/**
 * Values per row of W: D+1 on pixels; on stored features F+1, read off the saved W
 * (the resumed run checks it against the features it loads).
 */
function rowWidth(b: Body): number {
  const pixels = !usesFeatures({ ...DEFAULTS, ...b.config }); // older checkpoints lack the features keys
  const values = typeof b.W === 'string' ? Buffer.from(b.W, 'base64').length / 4 : 0;
  return pixels || values === 0 || !Number.isInteger(values / C) ? DB : values / C;
}

function gradientState(b: Body, size: number, file: string, bad: Bad): Omit<TrainState, 'iter' | 'W' | 'rng'> {
  if (typeof b.lr !== 'number') throw bad('lr');
  const o = b.optimizer;
  if (!o || typeof o.name !== 'string' || !Number.isInteger(o.t) || typeof o.slots !== 'object') throw bad('the optimizer state');
  const slots: OptimizerState['slots'] = {};
  for (const [k, v] of Object.entries(o.slots ?? {})) slots[k] = fromBase64(v, size, `optimizer slot ${k}`, file);
  const numbers = o.numbers === undefined ? undefined : (o.numbers as Record<string, number>);
  if (numbers && (typeof numbers !== 'object' || !Object.values(numbers).every((v) => typeof v === 'number')))
    throw bad('the optimizer numbers');
  return {
    lr: b.lr,
    optimizer: { name: o.name, t: o.t, slots, ...(numbers ? { numbers } : {}) },
    order: b.order === null ? null : fromBase64(b.order, b.config.numTrain, 'the epoch order', file, Int32Array),
    cursor: Number(b.cursor),
  };
}

function searchState(b: Body, size: number, file: string, bad: Bad): Omit<SearchState, 'iter' | 'W' | 'rng'> {
  const s = b.search;
  if (!s || s.name !== b.config.opt || !(s.bestLoss === null || typeof s.bestLoss === 'number')) throw bad('the search state');
  if (!Number.isInteger(s.pending) || s.pending < 0) throw bad('the count of pending steps');
  return {
    search: s.name,
    bestLoss: s.bestLoss ?? Infinity,
    steps: fromBase64(s.steps, s.pending * size, 'search.steps', file),
  };
}

/**
 * What a resumed run may change: how long it runs, where and how it reports, and the
 * kernels (a change of kernels is allowed, but the bits will then differ from an
 * uninterrupted run: cli/commands/train.ts says so); nothing of the trajectory. The execution
 * settings (--threads) are not saved at all.
 */
export const MAY_CHANGE_ON_RESUME: readonly ConfigKey[] = [
  'iters',
  'evalEvery',
  'backend',
  'data',
  'download',
  'logFormat',
  'quiet',
  'minValAcc',
  'save',
  'out',
  'plots',
];

/** The checkpoint's config with the flags given now on top; a flag that would change the run is refused. */
export function resumedConfig(saved: RunConfig, flags: Partial<Config>, file: string): Config {
  const before = resolveConfig(runConfig(saved)); // keys newer than the checkpoint take their defaults
  const config = resolveConfig(runConfig(saved), flags);
  const free: readonly ConfigKey[] = [...MAY_CHANGE_ON_RESUME, ...EXECUTION_KEYS];
  for (const key of Object.keys(CONSTRAINTS) as ConfigKey[]) {
    if (!free.includes(key) && config[key] !== before[key]) {
      throw new UsageError(
        `--resume ${file}: ${flagOf(key)} ${JSON.stringify(config[key])} differs from the checkpoint's ${JSON.stringify(before[key])}; ` +
          `a resumed run keeps its settings (only ${free.map(flagOf).join(', ')} may change).`,
      );
    }
  }
  return config;
}
