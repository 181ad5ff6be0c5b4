/**
 * The run configuration as data: DEFAULTS, per-optimizer defaults, each key's
 * constraint, and the rules between keys. What each key means is in help.ts (the one
 * source of --help and of docs/usage.md's table); resolve.ts merges and validates.
 */
import { UsageError } from '../core/errors.js';
import { defaultThreads, MAX_THREADS } from '../kernels/threads.js';

export const OPT_NAMES = [
  'random-search',
  'random-local',
  'gd',
  'sgd',
  'momentum',
  'nesterov',
  'adagrad',
  'rmsprop',
  'adam',
  'lbfgs',
] as const;
export type OptName = (typeof OPT_NAMES)[number];

export const DEFAULTS = {
  loss: 'svm' as 'svm' | 'svm2' | 'softmax' | 'ova2', // data loss: multiclass hinge, squared hinge, cross-entropy, one-vs-all squared hinge
  delta: 1, // the hinge losses' margin Δ
  regType: 'l2' as 'l2' | 'l1' | 'elastic' | 'none', // penalty on W
  reg: 2.5e4, // regularization strength (the assignment's 2.5e4)
  l1Ratio: 0.5, // elastic net: share of L1 in the penalty
  regBias: false, // regularize the bias column too (the lecture advises not to)
  opt: 'sgd' as OptName, // optimizer, see OPT_NAMES
  lr: 1e-7, // learning rate (the assignment's 1e-7 for raw-pixel features)
  lrDecay: 1, // multiply lr by this every epoch (or every lrStep iterations)
  lrStep: 0, // 0: decay once per epoch, as the assignment does; N: every N iterations
  iters: 1500, // iterations; for random search, the number of tries
  batchSize: 200, // minibatch size for sgd and the update rules built on it
  sample: 'replacement' as 'replacement' | 'epoch', // minibatches with replacement, or shuffled epochs
  initScale: 1e-4, // W ~ N(0,1)·initScale at the start
  stepSize: 1e-4, // random local search: W + N(0,1)·stepSize per try
  momentum: 0.9, // momentum and nesterov: velocity decay
  decayRate: 0.99, // rmsprop: decay of the squared-gradient cache
  beta1: 0.9, // adam: first-moment decay
  beta2: 0.999, // adam: second-moment decay
  eps: 1e-8, // adagrad, rmsprop, adam: added to the denominator
  lbfgsMemory: 10, // lbfgs: how many (s, y) pairs the inverse-Hessian estimate remembers
  tol: 1e-5, // lbfgs: stop once ‖∇L(W)‖₂ ≤ tol·‖∇L(W₀)‖₂ (0: run all --iters)
  numTrain: 49000, // training split: the first numTrain training records
  numVal: 1000, // validation split: the last numVal training records
  numTest: 10000, // test split: the first numTest records of test_batch
  numDev: 500, // dev subset of train for gradient checks
  evalEvery: 100, // validation accuracy every N iterations (0: only at the end)
  seed: 0, // seeds W, minibatches and searches: the same seed gives the same run
  backend: 'wasm' as 'js' | 'wasm' | 'wasm-fma', // kernels: js reference, wasm SIMD (same bits everywhere), wasm-fma (fused, host-dependent bits)
  threads: defaultThreads(), // worker threads of the wasm backend: all cores up to 64; never changes the results
  data: null as string | null, // data directory (else LINTRAIN_DATA, else data/)
  download: true, // download CIFAR-10 when it is missing
  logFormat: 'pretty' as 'pretty' | 'json', // progress bar for people, JSON lines for scripts
  quiet: false, // no progress or summary for people
  minValAcc: null as number | null, // exit 3 when the final validation accuracy is below this
  save: null as string | null, // write the trained model to this file
  out: null as string | null, // run folder for everything a run makes, and a stopped run's checkpoint (null: runs/<date>-<loss>-<opt>/)
  plots: true, // draw the pictures (curves, templates, confusion matrix) into the run folder
  experiment: 'train' as 'train' | 'step-size', // train W, or the notes' step-size experiment (one gradient step at 1e-7…1e-1)
  features: 'pixels' as 'pixels' | 'hog-color' | 'kmeans', // what W sees: raw pixels (the lecture), HOG + hue histogram, or k-means features
  centroids: 1600, // kmeans: K centroids, 4K features
  kmeansPatches: 100000, // kmeans: random training patches to learn from
  kmeansIters: 10, // kmeans: Lloyd iterations
  featuresFile: null as string | null, // train on features stored by `lintrain features extract`
};
export type Config = typeof DEFAULTS;
export type ConfigKey = keyof Config;
export const CONFIG_KEYS = Object.keys(DEFAULTS) as readonly ConfigKey[];

/**
 * Settings of the machine a run happens on, not of the run: the results do not depend on
 * them (the kernels give the same bits for any thread count), so a run does not save them
 * with its config (config.json, the checkpoint, the model, the events) and a resume does
 * not compare them.
 */
export const EXECUTION_KEYS = ['threads'] as const satisfies readonly ConfigKey[];
export type RunConfig = Omit<Config, (typeof EXECUTION_KEYS)[number]>;

/** The config as a run saves it: everything but the execution settings. */
export function runConfig(c: Config | RunConfig): RunConfig {
  const { threads: _threads, ...rest } = c as Config;
  return rest;
}

/**
 * The lecture's search methods score whole-training-set data loss with no penalty
 * (the notes' L(X, y, W)); random local search starts from a larger W.
 */
export const OPT_DEFAULTS: Partial<Record<OptName, Partial<Config>>> = {
  'random-search': { iters: 1000, reg: 0, regType: 'none', initScale: 1e-4 },
  'random-local': { iters: 1000, reg: 0, regType: 'none', initScale: 1e-3 },
};

type Constraint =
  | { kind: 'number'; min?: number; max?: number; minOpen?: boolean; maxOpen?: boolean; int?: boolean; nullable?: boolean }
  | { kind: 'choice'; values: readonly string[] }
  | { kind: 'boolean' }
  | { kind: 'string'; nullable: true };

const pos = { kind: 'number', min: 0, minOpen: true } as const;
const nonneg = { kind: 'number', min: 0 } as const;
const unit = { kind: 'number', min: 0, max: 1, maxOpen: true } as const;
const count = { kind: 'number', min: 1, int: true } as const;
const size = { kind: 'number', min: 0, int: true } as const;

/** Every key's allowed values, as data; validate() turns a violation into one message. */
export const CONSTRAINTS: Record<ConfigKey, Constraint> = {
  loss: { kind: 'choice', values: ['svm', 'svm2', 'softmax', 'ova2'] }, // model/losses LOSS_NAMES (config may not import model)
  delta: pos,
  regType: { kind: 'choice', values: ['l2', 'l1', 'elastic', 'none'] },
  reg: nonneg,
  l1Ratio: { kind: 'number', min: 0, max: 1 },
  regBias: { kind: 'boolean' },
  opt: { kind: 'choice', values: OPT_NAMES },
  lr: pos,
  lrDecay: { kind: 'number', min: 0, max: 1, minOpen: true },
  lrStep: size,
  iters: count,
  batchSize: count,
  sample: { kind: 'choice', values: ['replacement', 'epoch'] },
  initScale: nonneg,
  stepSize: pos,
  momentum: unit,
  decayRate: unit,
  beta1: unit,
  beta2: unit,
  eps: pos,
  lbfgsMemory: count,
  tol: unit,
  numTrain: count,
  numVal: size,
  numTest: size,
  numDev: count,
  evalEvery: size,
  seed: { kind: 'number', min: 0, max: 2 ** 32 - 1, int: true },
  backend: { kind: 'choice', values: ['js', 'wasm', 'wasm-fma'] },
  threads: { kind: 'number', min: 1, max: MAX_THREADS, int: true },
  data: { kind: 'string', nullable: true },
  download: { kind: 'boolean' },
  logFormat: { kind: 'choice', values: ['pretty', 'json'] },
  quiet: { kind: 'boolean' },
  minValAcc: { kind: 'number', min: 0, max: 1, nullable: true },
  save: { kind: 'string', nullable: true },
  out: { kind: 'string', nullable: true },
  plots: { kind: 'boolean' },
  experiment: { kind: 'choice', values: ['train', 'step-size'] },
  features: { kind: 'choice', values: ['pixels', 'hog-color', 'kmeans'] },
  centroids: { kind: 'number', min: 2, int: true },
  kmeansPatches: count,
  kmeansIters: count,
  featuresFile: { kind: 'string', nullable: true },
};

/** The command-line spelling of a key: numTrain → --num-train. */
export const flagOf = (key: string): string => '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

function describe(c: Constraint): string {
  switch (c.kind) {
    case 'choice':
      return `one of ${c.values.join(', ')}`;
    case 'boolean':
      return 'true or false';
    case 'string':
      return 'a non-empty path or null';
    case 'number': {
      const lo = c.min === undefined ? '(-inf' : `${c.minOpen ? '(' : '['}${c.min}`;
      const hi = c.max === undefined ? 'inf)' : `${c.max}${c.maxOpen ? ')' : ']'}`;
      return `${c.int ? 'an integer' : 'a number'} in the range ${lo}, ${hi}${c.nullable ? ' or null' : ''}`;
    }
  }
}

function fits(c: Constraint, v: unknown): boolean {
  switch (c.kind) {
    case 'choice':
      return typeof v === 'string' && c.values.includes(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'string':
      return v === null || (typeof v === 'string' && v.length > 0 && !v.includes('\0'));
    case 'number':
      if (v === null) return c.nullable === true;
      if (typeof v !== 'number' || !Number.isFinite(v)) return false;
      if (c.int && !Number.isInteger(v)) return false;
      if (c.min !== undefined && (c.minOpen ? v <= c.min : v < c.min)) return false;
      if (c.max !== undefined && (c.maxOpen ? v >= c.max : v > c.max)) return false;
      return true;
  }
}

/** One message format for every bad value (scikit-learn's). */
export function checkValue(key: ConfigKey, value: unknown): void {
  const c = CONSTRAINTS[key];
  if (!fits(c, value)) {
    throw new UsageError(`The '${key}' parameter (${flagOf(key)}) must be ${describe(c)}. Got ${JSON.stringify(value)} instead.`);
  }
}

/** Own keys only: 'constructor' or '__proto__' are not config keys. */
export const isConfigKey = (key: string): key is ConfigKey => Object.hasOwn(CONSTRAINTS, key);

const MINIBATCH_OPTS: readonly OptName[] = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'];

/**
 * Rules between keys, as data (PyTorch's "Nesterov momentum requires a momentum"):
 * a config for which `bad` holds can never run, so it is refused before any work.
 * Rules that need the data's size live with the data (checkSplitSizes).
 */
export const COMBINATIONS: ReadonlyArray<{ keys: readonly ConfigKey[]; bad: (c: Config) => boolean; message: (c: Config) => string }> = [
  {
    keys: ['opt', 'momentum'],
    bad: (c) => c.opt === 'nesterov' && c.momentum === 0,
    message: () => 'Nesterov momentum requires a momentum: --momentum must be in (0, 1) with --opt nesterov. Got 0.',
  },
  // L-BFGS and its Wolfe line search assume a differentiable objective; on a kink they stall or cycle.
  {
    keys: ['opt', 'loss'],
    bad: (c) => c.opt === 'lbfgs' && c.loss === 'svm',
    message: () =>
      '--opt lbfgs needs a differentiable loss: --loss svm (the hinge) has kinks; use --loss svm2 (squared hinge), ova2 (one-vs-all squared hinge) or softmax.',
  },
  {
    keys: ['opt', 'regType'],
    bad: (c) => c.opt === 'lbfgs' && (c.regType === 'l1' || c.regType === 'elastic'),
    message: (c) => `--opt lbfgs needs a differentiable penalty: --reg-type ${c.regType} has |W| in it; use --reg-type l2 or none.`,
  },
  {
    keys: ['sample', 'batchSize', 'numTrain'],
    bad: (c) => c.sample === 'epoch' && MINIBATCH_OPTS.includes(c.opt) && c.batchSize > c.numTrain,
    message: (c) =>
      `--batch-size ${c.batchSize} is larger than --num-train ${c.numTrain}, and --sample epoch draws without replacement: ` +
      `use --batch-size <= ${c.numTrain} or --sample replacement.`,
  },
  {
    keys: ['minValAcc', 'numVal'],
    bad: (c) => c.minValAcc !== null && c.numVal === 0,
    message: (c) => `--min-val-acc ${c.minValAcc} needs a validation split, but --num-val is 0: use --num-val >= 1.`,
  },
  {
    keys: ['backend', 'features', 'featuresFile'],
    bad: (c) => c.backend === 'wasm-fma' && usesFeatures(c),
    message: () => '--backend wasm-fma is a build of the pixel kernels; with --features or --features-file use --backend wasm (or js).',
  },
  // A model file and the step-size experiment are of pixel weights, C×(D+1).
  ...(['features', 'featuresFile'] as const).flatMap((on) => [
    {
      keys: ['save', on] as ConfigKey[],
      bad: (c: Config) => c.save !== null && featuresOn(c, on),
      message: (c: Config) => `--save keeps pixel models only; it cannot be used with ${flagOf(on)} ${c[on]}.`,
    },
    {
      keys: ['experiment', on] as ConfigKey[],
      bad: (c: Config) => c.experiment !== 'train' && featuresOn(c, on),
      message: (c: Config) => `--experiment ${c.experiment} runs on pixels only; it cannot be used with ${flagOf(on)} ${c[on]}.`,
    },
  ]),
];

/** Whether `on` asks for features: --features other than pixels, or a --features-file. */
const featuresOn = (c: Config, on: 'features' | 'featuresFile'): boolean =>
  on === 'features' ? c.features !== 'pixels' : c.featuresFile !== null;

/** Whether a run trains on features rather than pixels (W is then C×(F+1)). */
export const usesFeatures = (c: Config): boolean => featuresOn(c, 'features') || featuresOn(c, 'featuresFile');
